{#- The lines of cost_to_serve_order_lines sum, pool by pool, to their
    order's cost in cost_to_serve_orders, to the cent; and no order with a
    cost to serve lacks lines to carry it (its cost would be missing from
    every product's). Returns one row per order and pool that does not tie,
    with the reason. A daily refresh checks the orders it recosted
    (refresh_test_scope). -#}
{%- set pools = var('cost_pools') %}
{%- set columns = [] %}
{%- for pool in pools %}
    {%- do columns.append([pool, pool ~ '_cost']) %}
{%- endfor %}
{%- do columns.append(['total', 'total_cost_to_serve']) %}

with orders as (
    select * from {{ ref('cost_to_serve_orders') }}
    where {{ refresh_test_scope('order_id') }}
),

lines as (
    select
        order_id,
        {%- for pool, column in columns %}
            sum({{ column }}) as {{ column }},
        {%- endfor %}
        count(*) as line_count
    from {{ ref('cost_to_serve_order_lines') }}
    where {{ refresh_test_scope('order_id') }}
    group by 1
),

compared as (
    {%- for pool, column in columns %}
        select
            orders.order_id,
            '{{ pool }}' as cost_pool,
            orders.{{ column }} as order_cost,
            lines.{{ column }} as line_cost,
            case
                when lines.order_id is null
                    then 'a cost to serve but no line to carry it'
                else 'lines do not sum to the order'
            end as reason
        from orders
        left join lines
            on orders.order_id = lines.order_id
        where
            (lines.order_id is null and orders.{{ column }} <> 0)
            or (
                lines.order_id is not null
                and lines.{{ column }} <> orders.{{ column }}
            )
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from compared
