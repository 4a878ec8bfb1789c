{#- One row per segment and month (grain segment, month): the segment P&L.
    customer_profitability summed over the customers of each segment of
    int_customers__segments (the seam the segmentation work replaces; today
    every customer is 'unsegmented'). Revenue and cost of goods follow the
    order month, cost to serve the posting month, exactly as in
    customer_profitability, so summed over segments every measure equals
    customer_profitability of the month. A customer missing from the seam
    counts in var profitability_default_segment, never dropped. -#}
with customer_profitability as (
    select * from {{ ref('int_customers__monthly_profitability') }}
),

segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segments') }}
),

aggregated as (
    select
        coalesce(
            segments.segment, '{{ var("profitability_default_segment") }}'
        ) as segment,
        customer_profitability.month,
        count(distinct customer_profitability.customer_id) as customers,
        sum(customer_profitability.order_count) as orders,
        sum(customer_profitability.net_revenue) as net_revenue,
        sum(customer_profitability.cogs) as cogs,
        sum(customer_profitability.gross_margin) as gross_margin,
        {%- for pool in var('cost_pools') %}
            sum(customer_profitability.{{ pool }}_cost) as {{ pool }}_cost,
        {%- endfor %}
        sum(customer_profitability.cost_to_serve) as cost_to_serve,
        sum(customer_profitability.cost_to_serve_margin)
            as cost_to_serve_margin
    from customer_profitability
    left join segments
        on customer_profitability.customer_id = segments.customer_id
    group by 1, 2
),

final as (
    select
        aggregated.segment,
        aggregated.customers,
        {{ dbt.cast('aggregated.orders', dbt.type_bigint()) }} as orders,
        aggregated.net_revenue,
        aggregated.cogs,
        aggregated.gross_margin,
        {%- for pool in var('cost_pools') %}
            {{ dbt.cast('aggregated.' ~ pool ~ '_cost', 'decimal(18, 2)') }}
                as {{ pool }}_cost,
        {%- endfor %}
        {{ dbt.cast('aggregated.cost_to_serve', 'decimal(18, 2)') }}
            as cost_to_serve,
        aggregated.cost_to_serve_margin,
        {{ dbt.cast('aggregated.cost_to_serve', type_double()) }}
        / nullif(aggregated.orders, 0) as cost_per_order,
        100.0 * aggregated.cost_to_serve_margin
        / nullif(aggregated.net_revenue, 0) as margin_pct,
        aggregated.month
    from aggregated
)

select * from final
