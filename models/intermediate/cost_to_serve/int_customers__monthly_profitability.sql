{#- One row per customer and month (grain customer_id, month) with revenue,
    cost of goods and gross margin of the orders placed that month, the cost
    to serve posted that month by pool (the allocation of that month's GL),
    the cost-to-serve margin and the customer's rank in the month (1 = most
    profitable). Summed over customers, cost_to_serve equals the GL
    allocated in the month to the cent. The one definition of a customer's
    monthly profitability: the mart customer_profitability publishes it,
    the profitability windows, segment P&L and shortage priority read it. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    refresh_delete=[['months', 'month']],
) }}
{%- set refresh = refresh_context(cost_months=true) -%}
{#- A refresh recomputes the months of int_refresh__cost_months. -#}

with order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'order_date') }}
    {%- endif %}
),

orders as (
    select
        order_id,
        customer_id
    from {{ ref('fct_orders') }}
),

allocations as (
    select * from {{ ref('int_cost_allocations__orders') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'posting_month') }}
    {%- endif %}
),

revenue as (
    select
        order_lines.customer_id,
        {{ dbt.date_trunc('month', 'order_lines.order_date') }} as month,
        count(distinct order_lines.order_id) as order_count,
        count(*) as order_line_count,
        sum(order_lines.net_revenue) as net_revenue,
        sum(order_lines.cogs) as cogs
    from order_lines
    group by 1, 2
),

costs as (
    select
        orders.customer_id,
        allocations.posting_month as month,
        {%- for pool in var('cost_pools') %}
            sum(case
                when allocations.cost_pool = '{{ pool }}'
                    then allocations.allocated_amount
                else 0
            end) as {{ pool }}_cost,
        {%- endfor %}
        sum(allocations.allocated_amount) as cost_to_serve
    from allocations
    inner join orders
        on allocations.order_id = orders.order_id
    group by 1, 2
),

joined as (
    select
        coalesce(revenue.customer_id, costs.customer_id) as customer_id,
        {{ dbt.cast('coalesce(revenue.month, costs.month)', 'date') }}
            as month,
        coalesce(revenue.order_count, 0) as order_count,
        coalesce(revenue.order_line_count, 0) as order_line_count,
        coalesce(revenue.net_revenue, 0) as net_revenue,
        coalesce(revenue.cogs, 0) as cogs,
        {%- for pool in var('cost_pools') %}
        {{ dbt.cast('coalesce(costs.' ~ pool ~ '_cost, 0)',
            'decimal(18, 2)') }} as {{ pool }}_cost,
        {%- endfor %}
        {{ dbt.cast('coalesce(costs.cost_to_serve, 0)', 'decimal(18, 2)') }}
            as cost_to_serve
    from revenue
    full outer join costs
        on
            revenue.customer_id = costs.customer_id
            and revenue.month = costs.month
),

final as (
    select
        joined.customer_id,
        joined.order_count,
        joined.order_line_count,
        joined.net_revenue,
        joined.cogs,
        joined.net_revenue - joined.cogs as gross_margin,
        {%- for pool in var('cost_pools') %}
            joined.{{ pool }}_cost,
        {%- endfor %}
        joined.cost_to_serve,
        joined.net_revenue - joined.cogs - joined.cost_to_serve
            as cost_to_serve_margin,
        -- ranked on the margin in cents: float noise in the sums must not
        -- order customers whose margins are equal, nor move a margin across
        -- a half cent (so it is made a decimal before it is rounded)
        {{ dbt.cast("rank() over (
            partition by joined.month
            order by
                round(" ~ dbt.cast(
                    'joined.net_revenue - joined.cogs - joined.cost_to_serve',
                    'decimal(18, 6)') ~ ", 2) desc
        )", dbt.type_bigint()) }} as profitability_rank,
        joined.month
    from joined
)

select * from final
