{#-
    One row per product segment and month (grain segment, month) of the
    inventory and order history up to the monitoring as-of date: stockout
    frequency (share of SKU x DC snapshots with nothing available) and fill
    rate (shipped / ordered units of the order lines whose status is in
    var fill_rate_order_statuses) of the SKUs of the segment. Segments are
    the SKUs' current product segments (product_segments), applied to every
    month, so a month's figures show how today's segments were served then.
    Sums of int_inventory__monthly_performance; the window-level view per
    SKU x DC is inventory_performance.
-#}
with monthly as (
    select * from {{ ref('int_inventory__monthly_performance') }}
),

segments as (
    select
        sku_id,
        segment
    from {{ ref('int_products__segments') }}
),

grouped as (
    select
        segments.segment,
        monthly.month,
        count(*) as sku_dc_count,
        sum(monthly.snapshot_count) as snapshot_count,
        sum(monthly.stockout_snapshot_count) as stockout_snapshot_count,
        sum(monthly.order_line_count) as order_line_count,
        sum(monthly.ordered_units) as ordered_units,
        sum(monthly.shipped_units) as shipped_units
    from monthly
    inner join segments
        on monthly.sku_id = segments.sku_id
    group by 1, 2
),

final as (
    select
        grouped.segment,
        {{ dbt.cast('grouped.sku_dc_count', dbt.type_bigint()) }}
            as sku_dc_count,
        {{ dbt.cast('grouped.snapshot_count', dbt.type_bigint()) }}
            as snapshot_count,
        {{ dbt.cast('grouped.stockout_snapshot_count', dbt.type_bigint()) }}
            as stockout_snapshot_count,
        {{ dbt.cast('grouped.stockout_snapshot_count', type_double()) }}
        / nullif(grouped.snapshot_count, 0) as stockout_rate,
        {{ dbt.cast('grouped.order_line_count', dbt.type_bigint()) }}
            as order_line_count,
        grouped.ordered_units,
        grouped.shipped_units,
        grouped.shipped_units / nullif(grouped.ordered_units, 0)
            as fill_rate,
        grouped.month
    from grouped
)

select * from final
