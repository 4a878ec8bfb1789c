{#- Per month, inventory_performance_by_segment summed over the segments
    holds every ordered and shipped unit of fct_order_lines (statuses of
    var fill_rate_order_statuses) and every inventory snapshot and stockout
    of fct_inventory_snapshots up to the monitoring as-of date. -#}
{%- set statuses = var('fill_rate_order_statuses') -%}

with as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_inventory__latest_snapshot') }}
),

segment_months as (
    select
        month,
        sum(ordered_units) as ordered_units,
        sum(shipped_units) as shipped_units,
        sum(snapshot_count) as snapshot_count,
        sum(stockout_snapshot_count) as stockout_snapshot_count
    from {{ ref('inventory_performance_by_segment') }}
    group by 1
),

order_months as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'order_lines.order_date'),
            'date') }} as month,
        sum(order_lines.quantity) as ordered_units,
        sum(order_lines.quantity_shipped) as shipped_units
    from {{ ref('fct_order_lines') }} as order_lines
    cross join as_of
    where
        order_lines.order_status in (
            {{ "'" ~ statuses | join("', '") ~ "'" }}
        )
        and order_lines.order_date <= as_of.as_of_date
    group by 1
),

snapshot_months as (
    select
        {{ dbt.cast(dbt.date_trunc('month', 'snapshots.snapshot_date'),
            'date') }} as month,
        count(*) as snapshot_count,
        sum(case when snapshots.is_stockout then 1 else 0 end)
            as stockout_snapshot_count
    from {{ ref('fct_inventory_snapshots') }} as snapshots
    cross join as_of
    where snapshots.snapshot_date <= as_of.as_of_date
    group by 1
),

expected as (
    select
        coalesce(order_months.month, snapshot_months.month) as month,
        coalesce(order_months.ordered_units, 0) as ordered_units,
        coalesce(order_months.shipped_units, 0) as shipped_units,
        coalesce(snapshot_months.snapshot_count, 0) as snapshot_count,
        coalesce(snapshot_months.stockout_snapshot_count, 0)
            as stockout_snapshot_count
    from order_months
    full outer join snapshot_months
        on order_months.month = snapshot_months.month
)

select
    coalesce(expected.month, segment_months.month) as month,
    segment_months.ordered_units,
    expected.ordered_units as expected_ordered_units,
    segment_months.snapshot_count,
    expected.snapshot_count as expected_snapshot_count
from expected
full outer join segment_months
    on expected.month = segment_months.month
where
    expected.month is null
    or segment_months.month is null
    or abs(expected.ordered_units - segment_months.ordered_units) > 1e-6
    or abs(expected.shipped_units - segment_months.shipped_units) > 1e-6
    or expected.snapshot_count <> segment_months.snapshot_count
    or expected.stockout_snapshot_count
    <> segment_months.stockout_snapshot_count
