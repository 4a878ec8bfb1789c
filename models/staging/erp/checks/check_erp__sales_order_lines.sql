{#- The order lines of an unknown or quarantined order, or of a SKU that is
    not staged: they are quarantined. -#}
{%- set rules = [
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with order_lines as (
    {{ dq_surviving_rows(
        ref('base_erp__sales_order_lines'), ['order_id', 'line_number'],
        ['sku_id']) }}
),

orders as (
    {{ dq_parent_states(
        ref('base_erp__sales_orders'), ref('check_erp__sales_orders'),
        ['order_id']) }}
),

products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

checked as (
    select
        order_lines.*,
        orders.parent_state as order_state,
        products.sku_id is not null as is_sku_known
    from order_lines
    left join orders
        on order_lines.order_id = orders.order_id
    left join products
        on order_lines.sku_id = products.sku_id
),

final as (
    {{ dq_check('checked', ['order_id', 'line_number'], rules) }}
)

select * from final
