{#-
    The keys a refresh reprocesses (grain key_type, key_id). A row of the
    extracts counts as changed when it differs from the warehouse's previous
    copy of it: the typed rows dated in the refresh window (typed_<extract>
    macros) are compared with the previous run's base rows of the same
    window, both ways, so new, corrected and deleted rows all count and a row
    that is merely still there (an old defect dated in the future) does not.

      customer  staged now and not before, or the other way round
      product   the same, or its unit cost, weight or volume changed (the
                valuation of its order lines and stock)
      order     any changed row of the order (header, line, activity,
                shipment, invoice, return); orders gone from
                erp_sales_orders; orders of a changed customer; orders with a
                line of a changed product

    Every incremental model reprocesses the rows of these keys whole, so that
    dedupe, validation and parent checks see what a full build sees. Empty on
    a full build.
-#}
{%- set extracts = [
    {'name': 'erp_sales_orders', 'typed': typed_erp_sales_orders,
     'model': 'base_erp__sales_orders',
     'dated': ['updated_at']},
    {'name': 'erp_sales_order_lines', 'typed': typed_erp_sales_order_lines,
     'model': 'base_erp__sales_order_lines',
     'dated': ['updated_at']},
    {'name': 'wms_activities', 'typed': typed_wms_activities,
     'model': 'base_wms__activities',
     'dated': ['activity_ts']},
    {'name': 'tms_shipments', 'typed': typed_tms_shipments,
     'model': 'base_tms__shipments',
     'dated': ['ship_ts', 'delivered_ts']},
    {'name': 'erp_invoices', 'typed': typed_erp_invoices,
     'model': 'base_erp__invoices',
     'dated': ['invoice_date', 'paid_date']},
    {'name': 'erp_returns', 'typed': typed_erp_returns,
     'model': 'base_erp__returns',
     'dated': ['return_date']},
] -%}
{#- declared at parse time, whether or not this run is a refresh -#}
{%- set staged_customers = ref('stg_erp__customers') -%}
{%- set staged_products = ref('stg_erp__products') -%}
{%- for extract in extracts %}{% do extract.typed() %}{% endfor -%}
{%- set previous_customers = refresh_previous_relation('dim_customers') -%}
{%- set previous_products = refresh_previous_relation('dim_products') -%}
{%- set previous = {} -%}
{%- for extract in extracts -%}
    {%- do previous.update(
        {extract.name: refresh_previous_relation(extract.model)}) -%}
{%- endfor -%}
{%- set refreshing = previous.erp_sales_orders is not none
    and previous_customers is not none and previous_products is not none -%}

with refresh_window as (
    select window_start from {{ ref('stg_refresh__window') }}
),

{%- if refreshing %}
{%- for extract in extracts %}
{%- set typed_sql = extract.typed() %}
{%- set columns = (get_columns_in_query(typed_sql) | join(', '))
    if execute else '*' %}
{%- set in_window -%}
    {%- for column in extract.dated -%}
        {{ column }} >= (select refresh_window.window_start from refresh_window)
        {{- ' or ' if not loop.last }}
    {%- endfor -%}
{%- endset %}

{{ extract.name }}_now as (
    select {{ columns }}
    from ({{ typed_sql }}) as typed
    where {{ in_window }}
),

{{ extract.name }}_before as (
    select {{ columns }}
    from {{ previous[extract.name] }}
    where {{ in_window }}
),

{{ extract.name }}_changed as (
    select order_id
    from (
        select * from {{ extract.name }}_now
        except
        select * from {{ extract.name }}_before
    ) as added
    union all
    select order_id
    from (
        select * from {{ extract.name }}_before
        except
        select * from {{ extract.name }}_now
    ) as removed
),
{%- endfor %}

customers as (
    select customer_id as key_id
    from (
        select customer_id from {{ staged_customers }}
        except
        select customer_id from {{ previous_customers }}
    ) as added
    union all
    select customer_id
    from (
        select customer_id from {{ previous_customers }}
        except
        select customer_id from {{ staged_customers }}
    ) as removed
),

products as (
    select sku_id as key_id
    from (
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ staged_products }}
        except
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ previous_products }}
    ) as added
    union all
    select sku_id
    from (
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ previous_products }}
        except
        select sku_id, unit_cost, unit_weight_kg, unit_volume_m3
        from {{ staged_products }}
    ) as removed
),

raw_orders as (
    select order_id, customer_id
    from ({{ typed_erp_sales_orders() }}) as typed
),

orders as (
    {%- for extract in extracts %}
    select order_id as key_id from {{ extract.name }}_changed
    union
    {%- endfor %}

    select raw_orders.order_id
    from raw_orders
    where raw_orders.customer_id in (select customers.key_id from customers)

    union

    select typed.order_id
    from ({{ typed_erp_sales_order_lines() }}) as typed
    where typed.sku_id in (select products.key_id from products)

    union

    -- orders gone from the extract
    select previous_orders.order_id
    from {{ previous.erp_sales_orders }} as previous_orders
    where
        previous_orders.order_id is not null
        and previous_orders.order_id not in (
            select raw_orders.order_id
            from raw_orders
            where raw_orders.order_id is not null
        )
),

final as (
    select 'customer' as key_type, key_id from customers
    union all
    select 'product' as key_type, key_id from products
    union all
    select 'order' as key_type, key_id from orders
)

select distinct
    final.key_type,
    final.key_id
from final
where
    final.key_id is not null
    and (select refresh_window.window_start from refresh_window) is not null

{%- else %}

final as (
    select
        {{ dbt.cast('null', dbt.type_string()) }} as key_type,
        {{ dbt.cast('null', dbt.type_string()) }} as key_id
    from refresh_window
    where false
)

select * from final

{%- endif %}
