{#- Over the monitoring window, the ordered and shipped units and the
    (stockout) snapshot counts of inventory_performance add up to those of
    fct_order_lines (order statuses of var fill_rate_order_statuses) and
    fct_inventory_snapshots, read here directly. -#}
{%- set statuses = var('fill_rate_order_statuses') -%}

with performance as (
    select
        sum(ordered_units) as ordered_units,
        sum(shipped_units) as shipped_units,
        sum(snapshot_count) as snapshot_count,
        sum(stockout_snapshot_count) as stockout_snapshot_count,
        max(window_start_date) as window_start_date,
        max(as_of_date) as as_of_date
    from {{ ref('inventory_performance') }}
),

order_lines as (
    select
        sum(order_lines.quantity) as ordered_units,
        sum(order_lines.quantity_shipped) as shipped_units
    from {{ ref('fct_order_lines') }} as order_lines
    cross join performance
    where
        order_lines.order_status in (
            {{ "'" ~ statuses | join("', '") ~ "'" }}
        )
        and order_lines.order_date >= performance.window_start_date
        and order_lines.order_date <= performance.as_of_date
),

snapshots as (
    select
        count(*) as snapshot_count,
        sum(case when snapshots.is_stockout then 1 else 0 end)
            as stockout_snapshot_count
    from {{ ref('fct_inventory_snapshots') }} as snapshots
    cross join performance
    where
        snapshots.snapshot_date >= performance.window_start_date
        and snapshots.snapshot_date <= performance.as_of_date
)

select
    performance.ordered_units,
    order_lines.ordered_units as expected_ordered_units,
    performance.shipped_units,
    order_lines.shipped_units as expected_shipped_units,
    performance.snapshot_count,
    snapshots.snapshot_count as expected_snapshot_count,
    performance.stockout_snapshot_count,
    snapshots.stockout_snapshot_count as expected_stockout_snapshot_count
from performance
cross join order_lines
cross join snapshots
where
    abs(performance.ordered_units - coalesce(order_lines.ordered_units, 0))
    > 1e-6
    or abs(performance.shipped_units - coalesce(order_lines.shipped_units, 0))
    > 1e-6
    or performance.snapshot_count <> snapshots.snapshot_count
    or performance.stockout_snapshot_count
    <> coalesce(snapshots.stockout_snapshot_count, 0)
