{#-
    One row per SKU x DC x month with an inventory snapshot or an order line
    (grain sku_id, dc_id, month), up to the build's as-of date
    (int_calendar__as_of_date):

      average_inventory_value  mean inventory_value of the month's snapshots
                               (0 without a snapshot)
      cogs                     cost of goods of the order lines placed in the
                               month and shipped from the DC
      period_days              days of the month up to the as-of date
      days_on_hand             average_inventory_value / (cogs / period_days),
                               capped at var max_days_on_hand; null without
                               cogs (as customer_working_capital's trailing
                               days on hand, by month)

    The monthly DIO and inventory turnover of segment_kpis (COGS-weighted
    days_on_hand of the SKU x DCs a segment buys) and product_segment_kpis
    (a cell's inventory over its COGS) read it.
-#}
with snapshots as (
    select
        sku_id,
        dc_id,
        inventory_value,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
),

order_lines as (
    select
        sku_id,
        ship_from_dc_id,
        cogs,
        order_date
    from {{ ref('fct_order_lines') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

stock as (
    select
        snapshots.sku_id,
        snapshots.dc_id,
        {{ dbt.cast(dbt.date_trunc('month', 'snapshots.snapshot_date'),
            'date') }} as month,
        avg(snapshots.inventory_value) as average_inventory_value
    from snapshots
    cross join as_of
    where snapshots.snapshot_date <= as_of.as_of_date
    group by 1, 2, 3
),

sales as (
    select
        order_lines.sku_id,
        order_lines.ship_from_dc_id as dc_id,
        {{ dbt.cast(dbt.date_trunc('month', 'order_lines.order_date'),
            'date') }} as month,
        sum(order_lines.cogs) as cogs
    from order_lines
    cross join as_of
    where order_lines.order_date <= as_of.as_of_date
    group by 1, 2, 3
),

combined as (
    select
        coalesce(stock.sku_id, sales.sku_id) as sku_id,
        coalesce(stock.dc_id, sales.dc_id) as dc_id,
        coalesce(stock.month, sales.month) as month,
        coalesce(stock.average_inventory_value, 0) as average_inventory_value,
        coalesce(sales.cogs, 0) as cogs
    from stock
    full outer join sales
        on
            stock.sku_id = sales.sku_id
            and stock.dc_id = sales.dc_id
            and stock.month = sales.month
),

dated as (
    select
        combined.*,
        {{ dbt.datediff(
            'combined.month',
            'least(' ~ dbt.dateadd('month', 1, 'combined.month') ~ ', '
            ~ dbt.dateadd('day', 1, 'as_of.as_of_date') ~ ')',
            'day') }} as period_days
    from combined
    cross join as_of
),

final as (
    select
        sku_id,
        dc_id,
        month,
        average_inventory_value,
        cogs,
        period_days,
        case
            when cogs > 0
                then least(
                    average_inventory_value / (cogs / period_days),
                    {{ var('max_days_on_hand') }}
                )
        end as days_on_hand
    from dated
)

select
    sku_id,
    dc_id,
    month,
    average_inventory_value,
    cogs,
    period_days,
    days_on_hand
from final
