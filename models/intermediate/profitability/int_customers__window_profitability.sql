{#- One row per customer with at least one row of customer_profitability in
    the trailing window (grain customer_id): the customer's monthly
    profitability summed over the window. Revenue and cost of goods follow
    the order month, cost to serve the posting month (as in
    customer_profitability), so the cost to serve of all customers ties to
    the general ledger of the window's months. -#}
with profitability_window as (
    select * from {{ ref('int_profitability__window') }}
),

customer_profitability as (
    select * from {{ ref('int_customers__monthly_profitability') }}
),

final as (
    select
        customer_profitability.customer_id,
        count(*) as active_month_count,
        sum(customer_profitability.order_count) as order_count,
        sum(customer_profitability.order_line_count) as order_line_count,
        sum(customer_profitability.net_revenue) as net_revenue,
        sum(customer_profitability.cogs) as cogs,
        sum(customer_profitability.gross_margin) as gross_margin,
        {%- for pool in var('cost_pools') %}
        {{ dbt.cast('sum(customer_profitability.' ~ pool ~ '_cost)',
            'decimal(18, 2)') }} as {{ pool }}_cost,
        {%- endfor %}
        {{ dbt.cast('sum(customer_profitability.cost_to_serve)',
            'decimal(18, 2)') }} as cost_to_serve,
        sum(customer_profitability.cost_to_serve_margin)
            as cost_to_serve_margin,
        min(profitability_window.window_start_month) as window_start_month,
        min(profitability_window.window_end_month) as window_end_month
    from customer_profitability
    inner join profitability_window
        on
            customer_profitability.month
            >= profitability_window.window_start_month
            and customer_profitability.month
            < profitability_window.window_until_date
    group by 1
)

select * from final
