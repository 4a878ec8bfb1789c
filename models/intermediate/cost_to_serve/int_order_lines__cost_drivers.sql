{#-
    Long table of allocation-driver quantities per order line (grain
    driver_month, cost_center, allocation_driver, order_id, line_number).
    cost_center is the DC where the driver arose; driver_month the month it
    arose in. Order-level quantities are spread to the order's lines:

      labor_minutes         order work in the DC (picking, value added and
                            returns processing per line; packing and loading
                            per order, spread by shipped units)
      returned_units        units returned, in the return month, at the
                            order's DC
      freight_cost          each shipment's actual TMS cost, spread to the
                            order's lines by var freight_spread_basis
                            (shipped weight or volume)
      weighted_orders       one order times its channel's admin_weight
                            (seed order_channel_cost_weights), in the order
                            month, spread equally over its lines
      invoices              one invoice, in the invoice month, spread
                            equally over the order's lines
      inventory_value_days  line cost of goods times the SKU's days on hand
                            in that DC and month (capped at var
                            max_days_on_hand)
      shipped_volume_m3     shipped volume (for shared costs, method volume)
      net_revenue           net revenue (for shared costs, method revenue,
                            and the fallback basis of every pool)
-#}
with order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

activities as (
    select * from {{ ref('fct_warehouse_activities') }}
    where order_id is not null
),

shipments as (
    select * from {{ ref('fct_shipments') }}
),

returns as (
    select * from {{ ref('stg_erp__returns') }}
),

invoices as (
    select * from {{ ref('stg_erp__invoices') }}
),

snapshots as (
    select * from {{ ref('fct_inventory_snapshots') }}
),

channel_weights as (
    select * from {{ ref('order_channel_cost_weights') }}
),

line_shares as (
    -- Each line's share of its order: by shipped units, by the freight
    -- spread basis, and equal.
    select
        order_lines.order_id,
        order_lines.line_number,
        order_lines.ship_from_dc_id,
        order_lines.sku_id,
        order_lines.quantity_shipped,
        order_lines.cogs,
        order_lines.net_revenue,
        order_lines.shipped_volume_m3,
        {{ dbt.date_trunc('month', 'order_lines.order_date') }}
            as order_month,
        {{ share_of_order('order_lines.quantity_shipped') }}
            as unit_share,
        {{ share_of_order(
            'order_lines.shipped_' ~ var('freight_spread_basis')) }}
            as freight_share,
        1.0 / count(*) over (partition by order_lines.order_id)
            as equal_share
    from order_lines
),

labour as (
    select
        {{ dbt.date_trunc('month', 'activities.activity_date') }}
            as driver_month,
        activities.dc_id as cost_center,
        'labor_minutes' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        sum(activities.labor_minutes) as driver_quantity
    from activities
    inner join line_shares
        on
            activities.order_id = line_shares.order_id
            and activities.line_number = line_shares.line_number
    group by 1, 2, 3, 4, 5

    union all

    select
        {{ dbt.date_trunc('month', 'activities.activity_date') }}
            as driver_month,
        activities.dc_id as cost_center,
        'labor_minutes' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        sum(activities.labor_minutes * line_shares.unit_share)
            as driver_quantity
    from activities
    inner join line_shares
        on activities.order_id = line_shares.order_id
    where activities.line_number is null
    group by 1, 2, 3, 4, 5
),

returned as (
    select
        {{ dbt.date_trunc('month', 'returns.return_date') }} as driver_month,
        line_shares.ship_from_dc_id as cost_center,
        'returned_units' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        sum(returns.quantity_returned) as driver_quantity
    from returns
    inner join line_shares
        on
            returns.order_id = line_shares.order_id
            and returns.line_number = line_shares.line_number
    group by 1, 2, 3, 4, 5
),

freight as (
    select
        {{ dbt.date_trunc('month', 'shipments.ship_date') }} as driver_month,
        shipments.origin_dc_id as cost_center,
        'freight_cost' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        sum(shipments.freight_cost * line_shares.freight_share)
            as driver_quantity
    from shipments
    inner join line_shares
        on shipments.order_id = line_shares.order_id
    group by 1, 2, 3, 4, 5
),

administration as (
    select
        line_shares.order_month as driver_month,
        line_shares.ship_from_dc_id as cost_center,
        'weighted_orders' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        coalesce(channel_weights.admin_weight, 1.0) * line_shares.equal_share
            as driver_quantity
    from line_shares
    inner join orders
        on line_shares.order_id = orders.order_id
    left join channel_weights
        on orders.order_channel = channel_weights.order_channel
),

invoicing as (
    select
        {{ dbt.date_trunc('month', 'invoices.invoice_date') }}
            as driver_month,
        line_shares.ship_from_dc_id as cost_center,
        'invoices' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        sum(line_shares.equal_share) as driver_quantity
    from invoices
    inner join line_shares
        on invoices.order_id = line_shares.order_id
    group by 1, 2, 3, 4, 5
),

stock_months as (
    select
        snapshots.dc_id,
        snapshots.sku_id,
        {{ dbt.date_trunc('month', 'snapshots.snapshot_date') }}
            as stock_month,
        avg(snapshots.on_hand_qty) as average_on_hand_qty
    from snapshots
    group by 1, 2, 3
),

sku_months as (
    select
        line_shares.ship_from_dc_id as dc_id,
        line_shares.sku_id,
        line_shares.order_month,
        sum(line_shares.quantity_shipped) as shipped_units
    from line_shares
    group by 1, 2, 3
),

days_on_hand as (
    -- Days on hand = average stock / average daily shipments of the month.
    select
        sku_months.dc_id,
        sku_months.sku_id,
        sku_months.order_month,
        least(
            stock_months.average_on_hand_qty
            / nullif(sku_months.shipped_units, 0)
            * {{ days_in_month('sku_months.order_month') }},
            {{ var('max_days_on_hand') }}
        ) as days_on_hand
    from sku_months
    inner join stock_months
        on
            sku_months.dc_id = stock_months.dc_id
            and sku_months.sku_id = stock_months.sku_id
            and sku_months.order_month = stock_months.stock_month
),

carrying as (
    select
        line_shares.order_month as driver_month,
        line_shares.ship_from_dc_id as cost_center,
        'inventory_value_days' as allocation_driver,
        line_shares.order_id,
        line_shares.line_number,
        line_shares.cogs * days_on_hand.days_on_hand as driver_quantity
    from line_shares
    inner join days_on_hand
        on
            line_shares.ship_from_dc_id = days_on_hand.dc_id
            and line_shares.sku_id = days_on_hand.sku_id
            and line_shares.order_month = days_on_hand.order_month
),

line_measures as (
    {%- for measure in ['shipped_volume_m3', 'net_revenue'] %}
        select
            line_shares.order_month as driver_month,
            line_shares.ship_from_dc_id as cost_center,
            '{{ measure }}' as allocation_driver,
            line_shares.order_id,
            line_shares.line_number,
            line_shares.{{ measure }} as driver_quantity
        from line_shares
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

unioned as (
    select * from labour
    union all
    select * from returned
    union all
    select * from freight
    union all
    select * from administration
    union all
    select * from invoicing
    union all
    select * from carrying
    union all
    select * from line_measures
),

final as (
    select
        {{ dbt.cast('unioned.driver_month', 'date') }} as driver_month,
        unioned.cost_center,
        unioned.allocation_driver,
        unioned.order_id,
        unioned.line_number,
        sum(unioned.driver_quantity) as driver_quantity
    from unioned
    group by 1, 2, 3, 4, 5
    having sum(unioned.driver_quantity) > 0
)

select * from final
