{#-
    The typed rows of the raw extracts that a daily refresh compares with
    the warehouse (one macro per extract): every column the base model
    keeps, cast with the null-safe casts of macros/utils/casts.sql. The base
    models select from these, and the stg_refresh__changed_ models compare
    them with the previous run's base rows, so both see the same values.

    where: an optional condition on the raw columns, applied before any
    column is typed (a refresh's filter, refresh_raw_filter in
    macros/refresh/refresh.sql), so that a refresh types only the rows it
    reprocesses.
-#}


{% macro typed_erp_sales_orders(where=none) -%}
select
    {{ cast_text('order_id') }} as order_id,
    {{ cast_text('customer_id') }} as customer_id,
    {{ cast_text('ship_from_dc_id') }} as ship_from_dc_id,
    {{ normalize_enum(cast_text('order_channel'), 'order_channel') }}
        as order_channel,
    {{ cast_text('order_channel') }} as order_channel_raw,
    {{ normalize_enum(cast_text('priority'), 'priority') }} as priority,
    {{ cast_text('priority') }} as priority_raw,
    {{ normalize_enum(cast_text('order_status'), 'order_status') }}
        as order_status,
    {{ cast_text('order_status') }} as order_status_raw,
    {{ cast_date('requested_delivery_date') }} as requested_delivery_date,
    {{ cast_timestamp('order_ts') }} as order_ts,
    {{ cast_timestamp('updated_at') }} as updated_at,
    {{ dq_invalid_columns() }}
from {{ source('erp', 'erp_sales_orders') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_erp_sales_order_lines(where=none) -%}
select
    {{ cast_text('order_id') }} as order_id,
    {{ cast_int('line_number') }} as line_number,
    {{ cast_text('sku_id') }} as sku_id,
    {{ cast_double('quantity_ordered') }} as quantity_ordered,
    {{ cast_double('quantity_shipped') }} as quantity_shipped,
    {{ cast_double('unit_price') }} as unit_price,
    coalesce({{ cast_double('discount_pct') }}, 0) as discount_pct,
    {{ cast_timestamp('updated_at') }} as updated_at,
    {{ dq_invalid_columns() }}
from {{ source('erp', 'erp_sales_order_lines') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_wms_activities(where=none) -%}
select
    {{ cast_text('activity_id') }} as activity_id,
    {{ cast_text('dc_id') }} as dc_id,
    {{ cast_text('order_id') }} as order_id,
    {{ cast_int('line_number') }} as line_number,
    {{ normalize_enum(cast_text('activity_type'), 'activity_type') }}
        as activity_type,
    {{ cast_text('activity_type') }} as activity_type_raw,
    {{ cast_double('labor_minutes') }} as labor_minutes,
    {{ cast_double('units_handled') }} as units_handled,
    {{ cast_timestamp('activity_ts') }} as activity_ts,
    {{ dq_invalid_columns() }}
from {{ source('wms', 'wms_activities') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_tms_shipments(where=none) -%}
select
    {{ cast_text('shipment_id') }} as shipment_id,
    {{ cast_text('order_id') }} as order_id,
    {{ cast_text('carrier_id') }} as carrier_id,
    {{ cast_text('origin_dc_id') }} as origin_dc_id,
    {{ cast_text('consolidation_id') }} as consolidation_id,
    {{ normalize_enum(cast_text('mode'), 'mode') }} as mode,
    {{ cast_text('mode') }} as mode_raw,
    lower({{ cast_text('destination_region') }}) as destination_region,
    {{ cast_double('weight_kg') }} as weight_kg,
    {{ cast_double('volume_m3') }} as volume_m3,
    {{ cast_double('freight_cost') }} as freight_cost,
    coalesce({{ cast_bool('is_temperature_controlled') }}, false)
        as is_temperature_controlled,
    coalesce({{ cast_bool('is_expedited') }}, false) as is_expedited,
    {{ cast_date('promised_delivery_date') }} as promised_delivery_date,
    {{ cast_timestamp('ship_ts') }} as ship_ts,
    {{ cast_timestamp('delivered_ts') }} as delivered_ts,
    {{ dq_invalid_columns() }}
from {{ source('tms', 'tms_shipments') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_erp_purchase_receipts(where=none) -%}
select
    {{ cast_text('receipt_id') }} as receipt_id,
    {{ cast_text('po_id') }} as po_id,
    {{ cast_text('sku_id') }} as sku_id,
    {{ cast_text('supplier_id') }} as supplier_id,
    {{ cast_text('dc_id') }} as dc_id,
    {{ cast_double('quantity_received') }} as quantity_received,
    {{ cast_double('unit_cost') }} as unit_cost,
    {{ cast_date('po_date') }} as po_date,
    {{ cast_date('receipt_date') }} as receipt_date,
    {{ dq_invalid_columns() }}
from {{ source('erp', 'erp_purchase_receipts') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_erp_invoices(where=none) -%}
select
    {{ cast_text('invoice_id') }} as invoice_id,
    {{ cast_text('order_id') }} as order_id,
    {{ cast_text('customer_id') }} as customer_id,
    {{ cast_double('invoice_amount') }} as invoice_amount,
    {{ cast_date('invoice_date') }} as invoice_date,
    {{ cast_date('due_date') }} as due_date,
    {{ cast_date('paid_date') }} as paid_date,
    {{ dq_invalid_columns() }}
from {{ source('erp', 'erp_invoices') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_erp_returns(where=none) -%}
select
    {{ cast_text('return_id') }} as return_id,
    {{ cast_text('order_id') }} as order_id,
    {{ cast_int('line_number') }} as line_number,
    {{ cast_text('sku_id') }} as sku_id,
    {{ normalize_enum(cast_text('return_reason'), 'return_reason') }}
        as return_reason,
    {{ cast_text('return_reason') }} as return_reason_raw,
    {{ cast_double('quantity_returned') }} as quantity_returned,
    {{ cast_date('return_date') }} as return_date,
    {{ dq_invalid_columns() }}
from {{ source('erp', 'erp_returns') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}


{% macro typed_wms_inventory_snapshots(where=none) -%}
select
    {{ cast_text('dc_id') }} as dc_id,
    {{ cast_text('sku_id') }} as sku_id,
    {{ cast_double('on_hand_qty') }} as on_hand_qty,
    coalesce({{ cast_double('allocated_qty') }}, 0) as allocated_qty,
    coalesce({{ cast_double('on_order_qty') }}, 0) as on_order_qty,
    {{ cast_date('snapshot_date') }} as snapshot_date,
    {{ dq_invalid_columns() }}
from {{ source('wms', 'wms_inventory_snapshots') }}
{%- if where %}
where {{ where }}
{%- endif %}
{%- endmacro %}
