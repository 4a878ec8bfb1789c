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
{%- set refresh = refresh_context(cost_months=true) -%}
{#- A refresh recomputes the months of int_refresh__cost_months: each
    source is read for those months, and the lines of any order they name. -#}

with orders as (
    select
        order_id,
        order_channel
    from {{ ref('fct_orders') }}
),

activities as (
    select
        order_id,
        dc_id,
        labor_minutes,
        activity_date
    from {{ ref('fct_warehouse_activities') }}
    where order_id is not null
    {{- refresh_filter(refresh, 'months', 'activity_date', 'and') }}
),

shipments as (
    select
        order_id,
        origin_dc_id,
        freight_cost,
        ship_date
    from {{ ref('fct_shipments') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'ship_date') }}
    {%- endif %}
),

returns as (
    select
        order_id,
        quantity_returned,
        return_date
    from {{ ref('stg_erp__returns') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'return_date') }}
    {%- endif %}
),

invoices as (
    select
        order_id,
        invoice_date
    from {{ ref('stg_erp__invoices') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'invoice_date') }}
    {%- endif %}
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
        and order_id in (
            select order_id from activities
            union all
            select order_id from shipments
            union all
            select order_id from returns
            union all
            select order_id from invoices
        )
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

labour as (
    -- Line work and order work (no line, e.g. packing) of an order with
    -- lines. Staging quarantines line work on a line that is not staged,
    -- so every line here is a line of the order.
    select
        {{ dbt.date_trunc('month', 'activities.activity_date') }}
            as driver_month,
        activities.dc_id as cost_center,
        'labor_minutes' as allocation_driver,
        activities.order_id,
        sum(activities.labor_minutes) as driver_quantity
    from activities
    inner join order_totals
        on activities.order_id = order_totals.order_id
    group by 1, 2, 3, 4
),

returned as (
    -- Staging quarantines a return of a line that is not staged.
    select
        {{ dbt.date_trunc('month', 'returns.return_date') }} as driver_month,
        order_totals.ship_from_dc_id as cost_center,
        'returned_units' as allocation_driver,
        returns.order_id,
        sum(returns.quantity_returned) as driver_quantity
    from returns
    inner join order_totals
        on returns.order_id = order_totals.order_id
    group by 1, 2, 3, 4
),

freight as (
    select
        {{ dbt.date_trunc('month', 'shipments.ship_date') }} as driver_month,
        shipments.origin_dc_id as cost_center,
        'freight_cost' as allocation_driver,
        shipments.order_id,
        sum(shipments.freight_cost) as driver_quantity
    from shipments
    inner join order_totals
        on shipments.order_id = order_totals.order_id
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

invoicing as (
    select
        {{ dbt.date_trunc('month', 'invoices.invoice_date') }}
            as driver_month,
        order_totals.ship_from_dc_id as cost_center,
        'invoices' as allocation_driver,
        order_totals.order_id,
        count(*) as driver_quantity
    from invoices
    inner join order_totals
        on invoices.order_id = order_totals.order_id
    group by 1, 2, 3, 4
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
