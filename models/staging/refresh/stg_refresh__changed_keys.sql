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
      costed_order  the orders among these whose allocation may move in any
                month: header or lines changed, gone, or of a changed
                customer or product
      month     a month whose allocation a changed activity, shipment,
                invoice or return moves (its activity, ship, invoice or
                return month; a delivery or payment alone moves none)

    Every incremental model reprocesses the rows of these keys whole, so that
    dedupe, validation and parent checks see what a full build sees. Empty on
    a full build.
-#}
{%- set extracts = [
    {'name': 'erp_sales_orders', 'source': 'erp', 'typed': typed_erp_sales_orders,
     'model': 'base_erp__sales_orders', 'match': 'order_id',
     'dated': ['updated_at'], 'costs': 'order'},
    {'name': 'erp_sales_order_lines', 'source': 'erp', 'typed': typed_erp_sales_order_lines,
     'model': 'base_erp__sales_order_lines', 'match': 'order_id',
     'dated': ['updated_at'], 'costs': 'order'},
    {'name': 'wms_activities', 'source': 'wms', 'typed': typed_wms_activities,
     'model': 'base_wms__activities', 'match': 'activity_id',
     'dated': ['activity_ts'], 'costs': 'activity_ts', 'no_cost': []},
    {'name': 'tms_shipments', 'source': 'tms', 'typed': typed_tms_shipments,
     'model': 'base_tms__shipments', 'match': 'shipment_id',
     'dated': ['ship_ts', 'delivered_ts'], 'costs': 'ship_ts',
     'no_cost': ['delivered_ts']},
    {'name': 'erp_invoices', 'source': 'erp', 'typed': typed_erp_invoices,
     'model': 'base_erp__invoices', 'match': 'invoice_id',
     'dated': ['invoice_date', 'paid_date'], 'costs': 'invoice_date',
     'no_cost': ['paid_date', 'due_date']},
    {'name': 'erp_returns', 'source': 'erp', 'typed': typed_erp_returns,
     'model': 'base_erp__returns', 'match': 'return_id',
     'dated': ['return_date'], 'costs': 'return_date', 'no_cost': []},
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

{#- the window start as a literal, so that the raw extracts are filtered
    as they are read -#}
{%- set window_start = none -%}
{%- if execute and refreshing -%}
    {%- set result = run_query(
        'select window_start from ' ~ ref('stg_refresh__window')) -%}
    {%- set value = result.columns[0].values()[0]
        if result.rows | length > 0 else none -%}
    {%- set window_start = 'null' if value is none
        else dbt.cast("'" ~ value ~ "'", 'date') -%}
{%- endif -%}

with refresh_window as (
    select window_start from {{ ref('stg_refresh__window') }}
),

{%- if refreshing %}
{%- for extract in extracts %}
{%- set typed_sql = extract.typed() %}
{%- set column_list = get_columns_in_query(typed_sql) if execute else [] %}
{%- set columns = column_list | join(', ') if execute else '*' %}
{#- in the window: the warehouse's typed rows, and the raw rows -#}
{%- set in_window -%}
    {%- for column in extract.dated -%}
        {{ column }} >= ({{ window_start }})
        {{- ' or ' if not loop.last }}
    {%- endfor -%}
{%- endset %}
{%- set raw_in_window = refresh_dated_since(
    extract.dated, window_start, extract.source, extract.name) %}
{%- set now_sql = extract.typed(
    where=raw_in_window ~ ' or ' ~ refresh_text_in(
        extract.match,
        '(select touched.' ~ extract.match ~ ' from '
        ~ extract.name ~ '_touched as touched)')) %}

{#- both sides hold every row of a key (extract.match) that has a row in
    the window on either side: an invoice paid in the window is compared
    with its unpaid copy from before, whatever its invoice date -#}
{{ extract.name }}_touched as (
    select typed.{{ extract.match }}
    from ({{ extract.typed(where=raw_in_window) }}) as typed
    union
    select previous_rows.{{ extract.match }}
    from {{ previous[extract.name] }} as previous_rows
    where {{ in_window }}
),

{{ extract.name }}_now as (
    select {{ columns }}
    from ({{ now_sql }}) as typed
),

{{ extract.name }}_before as (
    select {{ columns }}
    from {{ previous[extract.name] }}
    where
        {{ in_window }}
        or {{ extract.match }} in (
            select touched.{{ extract.match }}
            from {{ extract.name }}_touched as touched
        )
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
{%- if extract.costs != 'order' %}
{%- set cost_columns = [] %}
{%- for column in column_list if column not in extract.no_cost %}
    {%- do cost_columns.append(column) %}
{%- endfor %}
{%- set cost_columns = cost_columns | join(', ') if execute else '*' %}

{#- the months whose allocation the extract's changed rows move: its rows
    differ in more than the columns no cost depends on -#}
{{ extract.name }}_cost_months as (
    select {{ dbt.date_trunc('month', extract.costs) }} as month
    from (
        select {{ cost_columns }} from {{ extract.name }}_now
        except
        select {{ cost_columns }} from {{ extract.name }}_before
    ) as added
    union all
    select {{ dbt.date_trunc('month', extract.costs) }}
    from (
        select {{ cost_columns }} from {{ extract.name }}_before
        except
        select {{ cost_columns }} from {{ extract.name }}_now
    ) as removed
),
{%- endif %}
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

{%- set customer_orders_sql = typed_erp_sales_orders(where=refresh_text_in(
    'customer_id', '(select customers.key_id from customers)')) %}
{%- set product_lines_sql = typed_erp_sales_order_lines(where=refresh_text_in(
    'sku_id', '(select products.key_id from products)')) %}

raw_order_ids as (
    select {{ refresh_raw_column('erp', 'erp_sales_orders', 'order_id') }}
        as order_id
    from {{ source('erp', 'erp_sales_orders') }}
),

costed_orders as (
    -- orders whose every allocation month is redone: their header or lines
    -- changed, they are gone, or their customer or a product changed
    {%- for extract in extracts if extract.costs == 'order' %}
    select order_id as key_id from {{ extract.name }}_changed
    union
    {%- endfor %}

    select typed.order_id
    from ({{ customer_orders_sql }}) as typed

    union

    select typed.order_id
    from ({{ product_lines_sql }}) as typed

    union

    -- orders gone from the extract
    select previous_orders.order_id
    from {{ previous.erp_sales_orders }} as previous_orders
    where
        previous_orders.order_id is not null
        and previous_orders.order_id not in (
            select raw_order_ids.order_id
            from raw_order_ids
            where raw_order_ids.order_id is not null
        )
),

orders as (
    select key_id from costed_orders
    {%- for extract in extracts if extract.costs != 'order' %}
    union
    select order_id from {{ extract.name }}_changed
    {%- endfor %}
),

cost_months as (
    {%- for extract in extracts if extract.costs != 'order' %}
    select month from {{ extract.name }}_cost_months
    {{- '\n    union' if not loop.last }}
    {%- endfor %}
),

final as (
    select 'customer' as key_type, key_id from customers
    union all
    select 'product' as key_type, key_id from products
    union all
    select 'order' as key_type, key_id from orders
    union all
    select 'costed_order' as key_type, key_id from costed_orders
    union all
    select
        'month' as key_type,
        {{ dbt.cast(dbt.cast('month', 'date'), dbt.type_string()) }}
            as key_id
    from cost_months
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
