{#- Summed over customer segments, segment_lane_freight_costs gives
    lane_freight_anomalies' shipments, weight and freight of every lane and
    month, and the same lane months; and each row's lane_cost_per_kg is the
    lane month's cost_per_kg there. Returns each lane month that differs. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}

with segments as (
    select
        origin_dc_id,
        destination_region,
        mode,
        month,
        sum(shipments) as shipments,
        sum(weight_kg) as weight_kg,
        sum(freight_cost) as freight_cost,
        min(lane_cost_per_kg) as min_lane_cost_per_kg,
        max(lane_cost_per_kg) as max_lane_cost_per_kg
    from {{ ref('segment_lane_freight_costs') }}
    group by 1, 2, 3, 4
),

lanes as (
    select
        origin_dc_id,
        destination_region,
        mode,
        month,
        shipments,
        weight_kg,
        freight_cost,
        cost_per_kg
    from {{ ref('lane_freight_anomalies') }}
),

compared as (
    select
        coalesce(segments.origin_dc_id, lanes.origin_dc_id) as origin_dc_id,
        coalesce(segments.destination_region, lanes.destination_region)
            as destination_region,
        coalesce(segments.mode, lanes.mode) as mode,
        coalesce(segments.month, lanes.month) as month,
        segments.shipments as segment_shipments,
        lanes.shipments as lane_shipments,
        segments.freight_cost as segment_freight_cost,
        lanes.freight_cost as lane_freight_cost,
        segments.weight_kg as segment_weight_kg,
        lanes.weight_kg as lane_weight_kg,
        segments.min_lane_cost_per_kg,
        segments.max_lane_cost_per_kg,
        lanes.cost_per_kg
    from segments
    full outer join lanes
        on
            segments.origin_dc_id = lanes.origin_dc_id
            and segments.destination_region = lanes.destination_region
            and segments.mode = lanes.mode
            and segments.month = lanes.month
)

select *
from compared
where
    segment_shipments is null
    or lane_shipments is null
    or segment_shipments != lane_shipments
    or abs(segment_freight_cost - lane_freight_cost) > {{ tolerance }}
    or abs(segment_weight_kg - lane_weight_kg) > {{ tolerance }}
    or abs(min_lane_cost_per_kg - cost_per_kg) > 1e-9 * cost_per_kg
    or abs(max_lane_cost_per_kg - cost_per_kg) > 1e-9 * cost_per_kg
