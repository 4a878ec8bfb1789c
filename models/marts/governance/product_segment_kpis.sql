{#-
    One row per product segment (the ABC/XYZ cell of product_segments) and
    month (grain segment, month): every cell of product_segments by every
    month with orders, zero rows included; a SKU the segmentation does not
    cover counts in var profitability_default_segment.

      order lines, net revenue, cogs, gross margin
          fct_order_lines placed in the month (a line's cost to serve is in
          cost_to_serve_order_lines, of the cost-to-serve area)
      ordered_units, shipped_units, fill_rate
          the lines whose order status is in var fill_rate_order_statuses
      snapshots, stockout snapshots, stockout_rate
          int_inventory__monthly_performance
      average_inventory_value, dio_days, inventory_turnover
          the cell's inventory (summed monthly average of its SKU x DCs)
          over its cost of goods per day of the month
          (int_inventory__monthly_days_on_hand); turnover = 365 / DIO
-#}
{%- set default_segment = var('profitability_default_segment') -%}

with product_segments as (
    select
        sku_id,
        segment
    from {{ ref('int_products__segments') }}
),

products as (
    select sku_id from {{ ref('dim_products') }}
),

order_lines as (
    select
        sku_id,
        net_revenue,
        cogs,
        gross_margin,
        {{ dbt.cast(dbt.date_trunc('month', 'order_date'), 'date') }}
            as order_month
    from {{ ref('fct_order_lines') }}
),

monthly_performance as (
    select
        sku_id,
        snapshot_count,
        stockout_snapshot_count,
        ordered_units,
        shipped_units,
        month
    from {{ ref('int_inventory__monthly_performance') }}
),

days_on_hand as (
    select
        sku_id,
        average_inventory_value,
        cogs,
        period_days,
        month
    from {{ ref('int_inventory__monthly_days_on_hand') }}
),

product_segment as (
    select
        products.sku_id,
        coalesce(product_segments.segment, '{{ default_segment }}')
            as segment
    from products
    left join product_segments
        on products.sku_id = product_segments.sku_id
),

line_measures as (
    select
        coalesce(product_segment.segment, '{{ default_segment }}')
            as segment,
        order_lines.order_month as month,
        count(*) as order_lines,
        sum(order_lines.net_revenue) as net_revenue,
        sum(order_lines.cogs) as cogs,
        sum(order_lines.gross_margin) as gross_margin
    from order_lines
    left join product_segment
        on order_lines.sku_id = product_segment.sku_id
    group by 1, 2
),

performance_measures as (
    select
        coalesce(product_segment.segment, '{{ default_segment }}')
            as segment,
        monthly_performance.month,
        sum(monthly_performance.ordered_units) as ordered_units,
        sum(monthly_performance.shipped_units) as shipped_units,
        sum(monthly_performance.snapshot_count) as snapshots,
        sum(monthly_performance.stockout_snapshot_count)
            as stockout_snapshots
    from monthly_performance
    left join product_segment
        on monthly_performance.sku_id = product_segment.sku_id
    group by 1, 2
),

stock_measures as (
    select
        coalesce(product_segment.segment, '{{ default_segment }}')
            as segment,
        days_on_hand.month,
        sum(days_on_hand.average_inventory_value)
            as average_inventory_value,
        sum(days_on_hand.cogs) as inventory_cogs,
        max(days_on_hand.period_days) as period_days
    from days_on_hand
    left join product_segment
        on days_on_hand.sku_id = product_segment.sku_id
    group by 1, 2
),

all_segments as (
    select distinct segment from product_segment
),

months as (
    select distinct order_month as month from order_lines
),

spine as (
    select
        all_segments.segment,
        months.month
    from all_segments
    cross join months
),

combined as (
    select
        spine.segment,
        spine.month,
        coalesce(line_measures.order_lines, 0) as order_lines,
        coalesce(line_measures.net_revenue, 0) as net_revenue,
        coalesce(line_measures.cogs, 0) as cogs,
        coalesce(line_measures.gross_margin, 0) as gross_margin,
        coalesce(performance_measures.ordered_units, 0) as ordered_units,
        coalesce(performance_measures.shipped_units, 0) as shipped_units,
        coalesce(performance_measures.snapshots, 0) as snapshots,
        coalesce(performance_measures.stockout_snapshots, 0)
            as stockout_snapshots,
        coalesce(stock_measures.average_inventory_value, 0)
            as average_inventory_value,
        coalesce(stock_measures.inventory_cogs, 0) as inventory_cogs,
        stock_measures.period_days
    from spine
    left join line_measures
        on
            spine.segment = line_measures.segment
            and spine.month = line_measures.month
    left join performance_measures
        on
            spine.segment = performance_measures.segment
            and spine.month = performance_measures.month
    left join stock_measures
        on
            spine.segment = stock_measures.segment
            and spine.month = stock_measures.month
),

final as (
    select
        segment,
        month,
        order_lines,
        net_revenue,
        cogs,
        gross_margin,
        gross_margin / nullif(net_revenue, 0) as gross_margin_pct,
        ordered_units,
        shipped_units,
        shipped_units / nullif(ordered_units, 0) as fill_rate,
        {{ dbt.cast('snapshots', dbt.type_bigint()) }} as snapshots,
        {{ dbt.cast('stockout_snapshots', dbt.type_bigint()) }}
            as stockout_snapshots,
        {{ dbt.cast('stockout_snapshots', type_double()) }}
        / nullif(snapshots, 0) as stockout_rate,
        average_inventory_value,
        inventory_cogs,
        period_days,
        average_inventory_value
        / nullif(inventory_cogs / period_days, 0) as dio_days,
        365.0 * inventory_cogs / period_days
        / nullif(average_inventory_value, 0) as inventory_turnover
    from combined
)

select * from final
