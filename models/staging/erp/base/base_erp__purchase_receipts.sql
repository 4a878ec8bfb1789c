{#- Every raw purchase-receipt row, typed, with validation flags. A refresh
    redoes the receipts dated (ordered or received) in the window and those
    of a changed product. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['receipt_id'],
    refresh_delete=[['product', 'sku_id'], ['since', 'po_date'], ['since', 'receipt_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['quantity_received']),
    dq_ceiling_rule('unit_price', ['unit_cost']),
    dq_key_rule(['receipt_id']),
    dq_required_rule(['sku_id', 'dc_id', 'supplier_id', 'po_date',
        'receipt_date', 'quantity_received']),
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
    dq_range_rule('negative_quantity', 'quantity_received', low=0),
    dq_range_rule('negative_unit_cost', 'unit_cost', low=0),
    dq_rule(
        'receipt_before_po', 'error', 'receipt_date < po_date',
        dq_value_detail('receipt_date')),
    dq_future_rule(['po_date', 'receipt_date']),
    dq_early_date_rule(['po_date', 'receipt_date']),
] -%}

with products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

typed as (
    {{ typed_erp_purchase_receipts(where=refresh_raw_filter(
        refresh, 'erp', 'erp_purchase_receipts', ['receipt_id'],
        [['product', 'sku_id'], ['since', 'po_date'], ['since', 'receipt_date']])) }}
),

checked as (
    select
        typed.*,
        products.sku_id is not null as is_sku_known,
        distribution_centers.dc_id is not null as is_dc_known
    from typed
    left join products
        on typed.sku_id = products.sku_id
    left join distribution_centers
        on typed.dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['receipt_id'], rules,
        tiebreak_columns=['receipt_date', 'quantity_received']) }}
)

select * from validated
