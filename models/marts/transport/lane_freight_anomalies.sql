{#- Freight cost per kg of each lane and month against the lane's own
    history, by a robust score; see the YAML. -#}
with shipments as (
    select
        origin_dc_id,
        destination_region,
        mode,
        ship_month,
        weight_kg,
        freight_cost
    from {{ ref('int_shipments__transport_measures') }}
    where weight_kg > 0 and freight_cost is not null
),

lane_months as (
    select
        origin_dc_id,
        destination_region,
        mode,
        ship_month as month,
        count(*) as shipments,
        sum(weight_kg) as weight_kg,
        sum(freight_cost) as freight_cost,
        sum(freight_cost) / sum(weight_kg) as cost_per_kg
    from shipments
    group by 1, 2, 3, 4
),

centred as (
    select
        *,
        count(*) over (
            partition by origin_dc_id, destination_region, mode
        ) as lane_months,
        median(cost_per_kg) over (
            partition by origin_dc_id, destination_region, mode
        ) as lane_median_cost_per_kg
    from lane_months
),

spread as (
    select
        *,
        median(abs(cost_per_kg - lane_median_cost_per_kg)) over (
            partition by origin_dc_id, destination_region, mode
        ) as lane_mad_cost_per_kg,
        avg(abs(cost_per_kg - lane_median_cost_per_kg)) over (
            partition by origin_dc_id, destination_region, mode
        ) as lane_mean_abs_deviation
    from centred
),

scored as (
    -- modified z-score (Iglewicz and Hoaglin, 1993): 0.6745 (x - median)
    -- / MAD; where the MAD is 0, (x - median) / (1.253314 x mean absolute
    -- deviation)
    select
        *,
        case
            when lane_months < {{ var('lane_anomaly_min_months') }} then null
            when lane_mad_cost_per_kg > 0
                then
                    0.6745 * (cost_per_kg - lane_median_cost_per_kg)
                    / lane_mad_cost_per_kg
            when lane_mean_abs_deviation > 0
                then
                    (cost_per_kg - lane_median_cost_per_kg)
                    / (1.253314 * lane_mean_abs_deviation)
            else 0
        end as robust_z
    from spread
),

flagged as (
    select
        *,
        coalesce(abs(robust_z) > {{ var('lane_anomaly_robust_z') }}, false)
            as is_anomaly
    from scored
),

priced as (
    select
        *,
        case
            when is_anomaly
                then
                    greatest(cost_per_kg - lane_median_cost_per_kg, 0)
                    * weight_kg
            else 0
        end as excess_freight_cost
    from flagged
),

lanes as (
    select
        *,
        sum(excess_freight_cost) over (
            partition by origin_dc_id, destination_region, mode
        ) as lane_excess_freight_cost
    from priced
),

final as (
    select
        origin_dc_id,
        destination_region,
        mode,
        case
            when robust_z is null then 'too_few_months' else 'scored'
        end as anomaly_status,
        shipments,
        weight_kg,
        freight_cost,
        cost_per_kg,
        lane_months,
        lane_median_cost_per_kg,
        lane_mad_cost_per_kg,
        robust_z,
        excess_freight_cost,
        lane_excess_freight_cost,
        case
            when lane_excess_freight_cost > 0
                then dense_rank() over (
                    order by lane_excess_freight_cost desc
                )
        end as renegotiation_rank,
        is_anomaly,
        month
    from lanes
)

select * from final
