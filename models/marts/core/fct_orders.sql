{#- One row per order: header attributes, line totals and delivery
    performance. An order is in full when every line shipped its ordered
    quantity, on time when every shipment arrived by its promised date, and
    OTIF when both hold. Cancelled and open orders have no delivery flags. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}

with orders as (
    select * from {{ ref('stg_erp__sales_orders') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'order', 'order_id', literal=true) }}
    {%- endif %}
),

order_lines as (
    -- the valued lines of fct_order_lines: valued once per build
    select
        order_id,
        quantity as quantity_ordered,
        quantity_shipped,
        quantity_returned,
        gross_revenue,
        net_revenue,
        cogs,
        shipped_weight_kg,
        is_fully_shipped
    from {{ ref('fct_order_lines') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'order', 'order_id', literal=true) }}
    {%- endif %}
),

shipments as (
    select * from {{ ref('int_shipments__delivery') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'order', 'order_id', literal=true) }}
    {%- endif %}
),

line_totals as (
    select
        order_lines.order_id,
        count(*) as line_count,
        sum(order_lines.quantity_ordered) as quantity_ordered,
        sum(order_lines.quantity_shipped) as quantity_shipped,
        sum(order_lines.quantity_returned) as quantity_returned,
        sum(order_lines.gross_revenue) as gross_revenue,
        sum(order_lines.net_revenue) as net_revenue,
        sum(order_lines.cogs) as cogs,
        sum(order_lines.shipped_weight_kg) as shipped_weight_kg,
        min(
            case when order_lines.is_fully_shipped then 1 else 0 end
        ) = 1 as is_in_full
    from order_lines
    group by 1
),

shipment_totals as (
    select
        shipments.order_id,
        count(*) as shipment_count,
        sum(shipments.freight_cost) as freight_cost,
        min(shipments.ship_ts) as first_ship_ts,
        max(shipments.delivered_ts) as last_delivered_ts,
        sum(case when shipments.is_delivered then 0 else 1 end)
            as undelivered_shipment_count,
        sum(case when shipments.is_on_time then 0 else 1 end)
            as not_on_time_shipment_count
    from shipments
    group by 1
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ship_from_dc_id,
        orders.order_channel,
        orders.priority,
        orders.order_status,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(shipment_totals.shipment_count, 0) as shipment_count,
        coalesce(line_totals.quantity_ordered, 0) as quantity_ordered,
        coalesce(line_totals.quantity_shipped, 0) as quantity_shipped,
        coalesce(line_totals.quantity_returned, 0) as quantity_returned,
        coalesce(line_totals.gross_revenue, 0) as gross_revenue,
        coalesce(line_totals.net_revenue, 0) as net_revenue,
        coalesce(line_totals.cogs, 0) as cogs,
        coalesce(line_totals.net_revenue, 0)
        - coalesce(line_totals.cogs, 0) as gross_margin,
        coalesce(line_totals.shipped_weight_kg, 0) as shipped_weight_kg,
        coalesce(shipment_totals.freight_cost, 0) as freight_cost,
        orders.priority = 'expedited' as is_expedited,
        case
            when orders.order_status = 'shipped' then line_totals.is_in_full
        end as is_in_full,
        case
            when
                orders.order_status = 'shipped'
                and shipment_totals.undelivered_shipment_count = 0
                then shipment_totals.not_on_time_shipment_count = 0
        end as is_on_time,
        case
            when
                orders.order_status = 'shipped'
                and shipment_totals.undelivered_shipment_count = 0
                then
                    shipment_totals.not_on_time_shipment_count = 0
                    and line_totals.is_in_full
        end as is_otif,
        {{ dbt.cast('orders.order_ts', 'date') }} as order_date,
        orders.requested_delivery_date,
        orders.order_ts,
        shipment_totals.first_ship_ts,
        shipment_totals.last_delivered_ts
    from orders
    left join line_totals
        on orders.order_id = line_totals.order_id
    left join shipment_totals
        on orders.order_id = shipment_totals.order_id
)

select * from final
