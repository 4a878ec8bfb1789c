{#- One row per shipment with what the transport marts measure; see the
    YAML. -#}
with shipments as (
    select
        shipment_id,
        order_id,
        customer_id,
        carrier_id,
        origin_dc_id,
        mode,
        destination_region,
        weight_kg,
        freight_cost,
        transit_days,
        is_temperature_controlled,
        is_expedited,
        is_consolidated,
        is_delivered,
        is_on_time,
        ship_date
    from {{ ref('fct_shipments') }}
),

orders as (
    select
        order_id,
        is_in_full
    from {{ ref('fct_orders') }}
),

distribution_centers as (
    select
        dc_id,
        region
    from {{ ref('dim_distribution_centers') }}
),

customer_segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segments') }}
),

damaged_orders as (
    select distinct order_id
    from {{ ref('stg_erp__returns') }}
    where return_reason = 'damaged'
),

region_distances as (
    select
        origin_region,
        destination_region,
        distance_km
    from {{ ref('transport_region_distances') }}
),

final as (
    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.customer_id,
        coalesce(
            customer_segments.segment,
            '{{ var("profitability_default_segment") }}'
        ) as customer_segment,
        shipments.carrier_id,
        shipments.origin_dc_id,
        distribution_centers.region as origin_region,
        shipments.destination_region,
        shipments.mode,
        shipments.weight_kg,
        shipments.freight_cost,
        region_distances.distance_km,
        shipments.transit_days,
        shipments.is_temperature_controlled,
        shipments.is_expedited,
        shipments.is_consolidated,
        shipments.is_delivered,
        shipments.is_on_time,
        orders.is_in_full as is_order_in_full,
        case
            when shipments.is_on_time is not null
                then shipments.is_on_time and coalesce(orders.is_in_full, false)
        end as is_otif,
        damaged_orders.order_id is not null as is_damaged,
        shipments.ship_date,
        {{ dbt.cast(dbt.date_trunc('month', 'shipments.ship_date'), 'date') }}
            as ship_month
    from shipments
    left join orders
        on shipments.order_id = orders.order_id
    left join distribution_centers
        on shipments.origin_dc_id = distribution_centers.dc_id
    left join customer_segments
        on shipments.customer_id = customer_segments.customer_id
    left join damaged_orders
        on shipments.order_id = damaged_orders.order_id
    left join region_distances
        on
            distribution_centers.region = region_distances.origin_region
            and shipments.destination_region
            = region_distances.destination_region
)

select * from final
