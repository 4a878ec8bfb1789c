{#- One row per order (grain order_id): the cost to serve it, one column per
    cost pool (var cost_pools), split into fixed and variable parts, and the
    cost-to-serve margin. An order's costs may come from several posting
    months (picked in one month, shipped or invoiced in the next); all are
    summed here. The one definition of an order's cost to serve: the mart
    cost_to_serve_orders publishes it, the order-line costs and the
    customer features read it. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}
{#- A refresh recomputes the changed orders and every order with costs in a
    re-allocated month. -#}

{%- set recosted_orders = ref('int_refresh__recosted_orders') %}

with
{%- if refresh.active %}
refreshed_orders as (
    select order_id from {{ recosted_orders }}
),
{%- endif %}

orders as (
    select * from {{ ref('fct_orders') }}
    {%- if refresh.active %}
    where order_id in (select order_id from refreshed_orders)
    {%- endif %}
),

allocations as (
    select * from {{ ref('int_cost_allocations__orders') }}
    {%- if refresh.active %}
    where order_id in (select order_id from refreshed_orders)
    {%- endif %}
),

order_costs as (
    select
        allocations.order_id,
        {%- for pool in var('cost_pools') %}
            sum(case
                when allocations.cost_pool = '{{ pool }}'
                    then allocations.allocated_amount
                else 0
            end) as {{ pool }}_cost,
        {%- endfor %}
        sum(case
            when allocations.cost_behaviour = 'fixed'
                then allocations.allocated_amount
            else 0
        end) as fixed_cost,
        sum(case
            when allocations.cost_behaviour = 'variable'
                then allocations.allocated_amount
            else 0
        end) as variable_cost,
        sum(allocations.allocated_amount) as total_cost_to_serve
    from allocations
    group by 1
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ship_from_dc_id,
        orders.order_channel,
        orders.priority,
        orders.order_status,
        orders.line_count,
        orders.net_revenue,
        orders.cogs,
        orders.gross_margin,
        {%- for pool in var('cost_pools') %}
        {{ dbt.cast('coalesce(order_costs.' ~ pool ~ '_cost, 0)',
            'decimal(18, 2)') }} as {{ pool }}_cost,
        {%- endfor %}
        {{ dbt.cast('coalesce(order_costs.fixed_cost, 0)',
            'decimal(18, 2)') }} as fixed_cost,
        {{ dbt.cast('coalesce(order_costs.variable_cost, 0)',
            'decimal(18, 2)') }} as variable_cost,
        {{ dbt.cast('coalesce(order_costs.total_cost_to_serve, 0)',
            'decimal(18, 2)') }} as total_cost_to_serve,
        orders.gross_margin
        - coalesce(order_costs.total_cost_to_serve, 0)
            as cost_to_serve_margin,
        {{ dbt.cast(dbt.date_trunc('month', 'orders.order_date'), 'date') }}
            as order_month,
        orders.order_date
    from orders
    left join order_costs
        on orders.order_id = order_costs.order_id
)

select * from final
