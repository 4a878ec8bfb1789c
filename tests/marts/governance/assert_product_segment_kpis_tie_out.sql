{#- product_segment_kpis summed over its cells, month by month: order lines,
    net revenue, cost of goods and gross margin against fct_order_lines by
    order month; units against segment_kpis
    summed over the customer segments (the same lines seen from the
    customer side); snapshots against fct_inventory_snapshots. Returns
    each month and measure that differs by more than a cent (a unit). -#}
with cells as (
    select
        month,
        sum(order_lines) as order_lines,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(gross_margin) as gross_margin,
        sum(ordered_units) as ordered_units,
        sum(shipped_units) as shipped_units,
        sum(snapshots) as snapshots
    from {{ ref('product_segment_kpis') }}
    group by 1
),

lines as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'order_date'), 'date') }}
            as month,
        count(*) as order_lines,
        sum(net_revenue) as net_revenue,
        sum(cogs) as cogs,
        sum(gross_margin) as gross_margin
    from {{ ref('fct_order_lines') }}
    group by 1
),

customer_side as (
    select
        month,
        sum(ordered_units) as ordered_units,
        sum(shipped_units) as shipped_units
    from {{ ref('segment_kpis') }}
    group by 1
),

as_of as (
    select max(month) as last_month
    from {{ ref('int_inventory__monthly_performance') }}
),

snapshots as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'snapshot_date'), 'date') }}
            as month,
        count(*) as snapshots
    from {{ ref('fct_inventory_snapshots') }}
    group by 1
),

compared as (
    select
        cells.*,
        coalesce(lines.order_lines, 0) as expected_order_lines,
        coalesce(lines.net_revenue, 0) as expected_net_revenue,
        coalesce(lines.cogs, 0) as expected_cogs,
        coalesce(lines.gross_margin, 0) as expected_gross_margin,
        -- the inventory monitoring stops at its as-of month
        case
            when cells.month <= as_of.last_month
                then coalesce(customer_side.ordered_units, 0)
            else cells.ordered_units
        end as expected_ordered_units,
        case
            when cells.month <= as_of.last_month
                then coalesce(customer_side.shipped_units, 0)
            else cells.shipped_units
        end as expected_shipped_units,
        case
            when cells.month <= as_of.last_month
                then coalesce(snapshots.snapshots, 0)
            else cells.snapshots
        end as expected_snapshots
    from cells
    cross join as_of
    left join lines
        on cells.month = lines.month
    left join customer_side
        on cells.month = customer_side.month
    left join snapshots
        on cells.month = snapshots.month
)

select *
from compared
where
    order_lines != expected_order_lines
    or abs(net_revenue - expected_net_revenue) > 0.01
    or abs(cogs - expected_cogs) > 0.01
    or abs(gross_margin - expected_gross_margin) > 0.01
    or abs(ordered_units - expected_ordered_units) > 0.01
    or abs(shipped_units - expected_shipped_units) > 0.01
    or snapshots != expected_snapshots
