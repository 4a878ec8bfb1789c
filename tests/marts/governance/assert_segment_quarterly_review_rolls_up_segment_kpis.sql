{#- segment_quarterly_review against segment_kpis recomputed here: each
    quarter's orders, revenue and cost to serve are the sums of its months,
    and its cost per order, OTIF, fill and perfect order rates the ratios of
    the summed numerators and denominators (not the mean of the monthly
    rates). Returns each segment, quarter and figure that differs. -#}
with months as (
    select
        segment,
        {{ dbt.cast(dbt.date_trunc('quarter', 'month'), 'date') }}
            as quarter_start,
        sum(orders) as orders,
        sum(net_revenue) as net_revenue,
        sum(total_cost_to_serve) as total_cost_to_serve,
        sum(total_cost_to_serve) / nullif(sum(orders), 0) as cost_per_order,
        1.0 * sum(otif_orders) / nullif(sum(otif_measured_orders), 0)
            as otif_rate,
        sum(shipped_units) / nullif(sum(ordered_units), 0) as fill_rate,
        1.0 * sum(perfect_orders)
        / nullif(sum(perfect_order_measured_orders), 0) as perfect_order_rate
    from {{ ref('segment_kpis') }}
    group by 1, 2
),

review as (
    select
        segment,
        quarter_start,
        orders,
        net_revenue,
        total_cost_to_serve,
        max(case when kpi = 'cost_per_order' then actual end)
            as cost_per_order,
        max(case when kpi = 'otif_rate' then actual end) as otif_rate,
        max(case when kpi = 'fill_rate' then actual end) as fill_rate,
        max(case when kpi = 'perfect_order_rate' then actual end)
            as perfect_order_rate
    from {{ ref('segment_quarterly_review') }}
    group by 1, 2, 3, 4, 5
)

select
    months.segment,
    months.quarter_start
from months
left join review
    on
        months.segment = review.segment
        and months.quarter_start = review.quarter_start
where
    review.segment is null
    or review.orders != months.orders
    or abs(review.net_revenue - months.net_revenue) > 0.01
    or abs(review.total_cost_to_serve - months.total_cost_to_serve) > 0.01
    or not coalesce(
        abs(review.cost_per_order - months.cost_per_order) <= 1e-9,
        review.cost_per_order is null and months.cost_per_order is null
    )
    or not coalesce(
        abs(review.otif_rate - months.otif_rate) <= 1e-9,
        review.otif_rate is null and months.otif_rate is null
    )
    or not coalesce(
        abs(review.fill_rate - months.fill_rate) <= 1e-9,
        review.fill_rate is null and months.fill_rate is null
    )
    or not coalesce(
        abs(review.perfect_order_rate - months.perfect_order_rate) <= 1e-9,
        review.perfect_order_rate is null and months.perfect_order_rate is null
    )
