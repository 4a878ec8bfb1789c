{#-
    Allocation-driver quantities per order (grain driver_month, cost_center,
    allocation_driver, order_id): see the YAML for each driver. The money is
    allocated at order grain, the finest grain any mart reads, so line-level
    quantities are summed to their order here; only orders with lines count.
-#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    refresh_delete=[['months', 'driver_month']],
) }}
{%- set refresh = refresh_context(cost_months=true, keys=false) -%}
{#- A refresh recomputes the months of int_refresh__cost_months: each
    source is read for those months, and the lines of any order they name. -#}

with orders as (
    select
        order_id,
        order_channel
    from {{ ref('fct_orders') }}
),

events as (
    select
        order_id,
        dc_id,
        allocation_driver,
        driver_quantity,
        is_at_order_dc,
        event_date
    from {{ ref('int_orders__driver_events') }}
    {{- refresh_filter(refresh, 'months', 'event_date') }}
),

all_lines as (
    select
        order_id,
        ship_from_dc_id,
        sku_id,
        quantity_shipped,
        cogs,
        net_revenue,
        shipped_volume_m3,
        order_date
    from {{ ref('fct_order_lines') }}
),

order_lines as (
    select * from all_lines
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'order_date') }}

    union all

    -- lines of other months' orders with work, freight, returns or
    -- invoices in the months recomputed
    select * from all_lines
    where
        not {{ refresh_condition(refresh, 'months', 'order_date') }}
        and order_id in (select events.order_id from events)
    {%- endif %}
),

snapshots as (
    select
        dc_id,
        sku_id,
        on_hand_qty,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'snapshot_date') }}
    {%- endif %}
),

channel_weights as (
    select * from {{ ref('order_channel_cost_weights') }}
),

line_months as (
    select
        order_lines.*,
        {{ dbt.date_trunc('month', 'order_lines.order_date') }}
            as order_month
    from order_lines
),

order_totals as (
    -- One row per order with lines: its DC, month and line measures.
    select
        order_id,
        max(ship_from_dc_id) as ship_from_dc_id,
        max(order_month) as order_month,
        sum(shipped_volume_m3) as shipped_volume_m3,
        sum(net_revenue) as net_revenue
    from line_months
    group by 1
),

order_events as (
    -- Work, freight, returns and invoices of an order with lines, in the
    -- month of the event. Staging quarantines line work and returns on a
    -- line that is not staged, so every line here is a line of the order.
    select
        {{ dbt.date_trunc('month', 'events.event_date') }} as driver_month,
        case
            when events.is_at_order_dc then order_totals.ship_from_dc_id
            else events.dc_id
        end as cost_center,
        events.allocation_driver,
        events.order_id,
        sum(events.driver_quantity) as driver_quantity
    from events
    inner join order_totals
        on events.order_id = order_totals.order_id
    group by 1, 2, 3, 4
),

administration as (
    select
        order_totals.order_month as driver_month,
        order_totals.ship_from_dc_id as cost_center,
        'weighted_orders' as allocation_driver,
        order_totals.order_id,
        coalesce(channel_weights.admin_weight, 1.0) as driver_quantity
    from order_totals
    inner join orders
        on order_totals.order_id = orders.order_id
    left join channel_weights
        on orders.order_channel = channel_weights.order_channel
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'order_totals.order_month') }}
    {%- endif %}
),

stock_months as (
    select
        dc_id,
        sku_id,
        {{ dbt.date_trunc('month', 'snapshot_date') }} as stock_month,
        avg(on_hand_qty) as average_on_hand_qty
    from snapshots
    group by 1, 2, 3
),

sku_months as (
    select
        ship_from_dc_id as dc_id,
        sku_id,
        order_month,
        sum(quantity_shipped) as shipped_units
    from line_months
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
        line_months.order_month as driver_month,
        line_months.ship_from_dc_id as cost_center,
        'inventory_value_days' as allocation_driver,
        line_months.order_id,
        sum(line_months.cogs * days_on_hand.days_on_hand) as driver_quantity
    from line_months
    inner join days_on_hand
        on
            line_months.ship_from_dc_id = days_on_hand.dc_id
            and line_months.sku_id = days_on_hand.sku_id
            and line_months.order_month = days_on_hand.order_month
    group by 1, 2, 3, 4
),

order_measures as (
    {%- for measure in ['shipped_volume_m3', 'net_revenue'] %}
        select
            order_month as driver_month,
            ship_from_dc_id as cost_center,
            '{{ measure }}' as allocation_driver,
            order_id,
            {{ measure }} as driver_quantity
        from order_totals
        {%- if refresh.active %}
        where {{ refresh_condition(refresh, 'months', 'order_month') }}
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

unioned as (
    select * from order_events
    union all
    select * from administration
    union all
    select * from carrying
    union all
    select * from order_measures
),

final as (
    select
        {{ dbt.cast('driver_month', 'date') }} as driver_month,
        cost_center,
        allocation_driver,
        order_id,
        {{ dbt.cast('driver_quantity', type_double()) }} as driver_quantity
    from unioned
    where driver_quantity > 0
)

select * from final
