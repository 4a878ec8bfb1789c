{#-
    The orders and months a refresh redoes for the ERP order extracts
    (grain key_type, key_id), empty on a full build. A row of orders,
    lines, invoices or returns dated in the window counts as changed when
    it differs from the warehouse's previous copy of it, either way (new,
    corrected and deleted rows):

      order         the order of a changed row; the costed orders below
      costed_order  the orders whose allocation may move in any month:
                    header or lines changed, gone from erp_sales_orders,
                    of a changed customer, or with a line of a changed
                    product (stg_refresh__changed_parties)
      month         the month a changed invoice or return moves (its
                    invoice or return month; a payment alone moves none)
-#}
{%- set extracts = refresh_order_extracts([
    'erp_sales_orders', 'erp_sales_order_lines', 'erp_invoices',
    'erp_returns']) -%}
{%- set parties = ref('stg_refresh__changed_parties') %}
{%- set refreshing = refresh_has_previous() %}

{%- if refreshing %}
{%- set window_start = refresh_window_literal() %}

with parties as (
    select
        key_type,
        key_id
    from {{ parties }}
),
{%- for extract in extracts %}

{{ refresh_extract_changes(extract, window_start) }}
{%- endfor %}

{%- set customer_orders_sql = typed_erp_sales_orders(where=refresh_text_in(
    'customer_id',
    "(select parties.key_id from parties"
    ~ " where parties.key_type = 'customer')")) %}
{%- set product_lines_sql = typed_erp_sales_order_lines(where=refresh_text_in(
    'sku_id',
    "(select parties.key_id from parties"
    ~ " where parties.key_type = 'product')")) %}

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
    from {{ extracts[0].previous }} as previous_orders
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
where final.key_id is not null

{%- else %}

-- noqa: disable=LT02
{{ refresh_no_keys() }}
-- noqa: enable=LT02

{%- endif %}
