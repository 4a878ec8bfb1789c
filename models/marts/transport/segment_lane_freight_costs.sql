{#- Freight cost per kg and per order of each customer segment on each lane
    and month, against the lane's rate over all segments; see the YAML. -#}
with shipments as (
    select
        customer_segment,
        origin_dc_id,
        destination_region,
        mode,
        ship_month,
        order_id,
        weight_kg,
        freight_cost
    from {{ ref('int_shipments__transport_measures') }}
    where weight_kg > 0 and freight_cost is not null
),

segment_lanes as (
    select
        customer_segment,
        origin_dc_id,
        destination_region,
        mode,
        ship_month as month,
        count(*) as shipments,
        count(distinct order_id) as orders,
        sum(weight_kg) as weight_kg,
        sum(freight_cost) as freight_cost
    from shipments
    group by 1, 2, 3, 4, 5
),

with_lane as (
    select
        *,
        sum(freight_cost) over lane_month
        / sum(weight_kg) over lane_month as lane_cost_per_kg
    from segment_lanes
    window lane_month as (
        partition by origin_dc_id, destination_region, mode, month
    )
),

final as (
    select
        customer_segment,
        origin_dc_id,
        destination_region,
        mode,
        month,
        shipments,
        orders,
        weight_kg,
        freight_cost,
        freight_cost / weight_kg as cost_per_kg,
        freight_cost / orders as cost_per_order,
        lane_cost_per_kg,
        freight_cost - weight_kg * lane_cost_per_kg as spend_above_lane_rate
    from with_lane
)

select * from final
