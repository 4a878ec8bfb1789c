{#- For every shipment, the mode and carrier its segment's transport policy
    recommends beside the actual choice; see the YAML. Reads
    transport_policies, a mart of the same area. -#}
with shipments as (
    select
        shipment_id,
        order_id,
        customer_segment,
        origin_dc_id,
        destination_region,
        mode,
        carrier_id,
        weight_kg,
        freight_cost
    from {{ ref('int_shipments__transport_measures') }}
),

requirements as (
    select
        order_id,
        product_segment,
        requires_temperature_control
    from {{ ref('int_orders__transport_requirements') }}
),

policies as (
    select
        customer_segment,
        product_segment,
        requires_temperature_control,
        policy_key,
        allowed_modes,
        allowed_carriers,
        max_transit_days,
        otif_floor_pct,
        is_expedite_eligible,
        is_consolidation_allowed
    from {{ ref('transport_policies') }}
),

lane_performance as (
    select * from {{ ref('int_carriers__lane_performance') }}
),

governed as (
    -- each shipment with its order's cell of the segment matrix
    select
        shipments.*,
        requirements.product_segment,
        requirements.requires_temperature_control,
        requirements.order_id is not null as has_order_lines
    from shipments
    left join requirements
        on shipments.order_id = requirements.order_id
),

lane_cells as (
    -- the lanes and cells shipped, each with its policy: the choice depends
    -- on these alone, so it is made once per lane and cell, not per
    -- shipment
    select distinct
        governed.origin_dc_id,
        governed.destination_region,
        governed.customer_segment,
        governed.product_segment,
        governed.requires_temperature_control,
        policies.policy_key,
        policies.allowed_modes,
        policies.allowed_carriers,
        policies.max_transit_days,
        policies.otif_floor_pct,
        policies.is_expedite_eligible,
        policies.is_consolidation_allowed
    from governed
    inner join policies
        on
            governed.customer_segment = policies.customer_segment
            and governed.product_segment = policies.product_segment
            and governed.requires_temperature_control
            = policies.requires_temperature_control
),

options as (
    -- the carriers on the lane whose mode and name the policy allows, with
    -- whether their history meets its transit and on-time floors
    select
        lane_cells.origin_dc_id,
        lane_cells.destination_region,
        lane_cells.customer_segment,
        lane_cells.product_segment,
        lane_cells.requires_temperature_control,
        lane_performance.carrier_id,
        lane_performance.carrier_mode as mode,
        lane_performance.cost_per_kg,
        coalesce(
            lane_performance.average_transit_days
            <= lane_cells.max_transit_days
            and lane_performance.on_time_pct >= lane_cells.otif_floor_pct,
            false
        ) as meets_service_floor
    from lane_cells
    inner join lane_performance
        on
            lane_cells.origin_dc_id = lane_performance.origin_dc_id
            and lane_cells.destination_region
            = lane_performance.destination_region
    where
        {{ word_in_list('lane_performance.carrier_mode',
            'lane_cells.allowed_modes') }}
        and (
            lane_cells.allowed_carriers = '*'
            or {{ word_in_list('lane_performance.carrier_id',
                'lane_cells.allowed_carriers') }}
        )
),

recommended as (
    -- the cheapest qualifying carrier of each lane and cell (ties by
    -- carrier_id)
    select
        *,
        row_number() over (
            partition by
                origin_dc_id,
                destination_region,
                customer_segment,
                product_segment,
                requires_temperature_control
            order by cost_per_kg asc, carrier_id asc
        ) as cost_rank
    from options
    where meets_service_floor and cost_per_kg is not null
),

lane_choices as (
    -- each lane and cell with its policy and its recommended carrier
    select
        lane_cells.*,
        recommended.carrier_id as recommended_carrier_id,
        recommended.mode as recommended_mode,
        recommended.cost_per_kg as recommended_cost_per_kg
    from lane_cells
    left join recommended
        on
            lane_cells.origin_dc_id = recommended.origin_dc_id
            and lane_cells.destination_region = recommended.destination_region
            and lane_cells.customer_segment = recommended.customer_segment
            and lane_cells.product_segment = recommended.product_segment
            and lane_cells.requires_temperature_control
            = recommended.requires_temperature_control
            and recommended.cost_rank = 1
),

final as (
    select
        governed.shipment_id,
        governed.order_id,
        governed.customer_segment,
        governed.product_segment,
        choice.policy_key,
        governed.mode as actual_mode,
        governed.carrier_id as actual_carrier_id,
        choice.recommended_mode,
        choice.recommended_carrier_id,
        case
            when choice.recommended_carrier_id is null
                then 'no_recommendation'
            when choice.recommended_carrier_id = governed.carrier_id
                then 'matches'
            else 'differs'
        end as assignment_status,
        case
            when not governed.has_order_lines then 'order_without_lines'
            when choice.policy_key is null then 'no_policy_for_segment_cell'
            when choice.recommended_carrier_id is null
                then 'no_qualifying_carrier'
            when choice.recommended_carrier_id = governed.carrier_id then null
            when
                not coalesce(
                    {{ word_in_list(
                        'governed.mode', 'choice.allowed_modes') }},
                    false
                )
                then 'mode_not_allowed'
            when actual.carrier_id is null then 'carrier_not_allowed_or_new'
            when not actual.meets_service_floor
                then 'carrier_below_service_floor'
            else 'cheaper_carrier_available'
        end as reason,
        governed.weight_kg,
        governed.freight_cost as actual_freight_cost,
        choice.recommended_cost_per_kg * governed.weight_kg
            as recommended_freight_cost,
        governed.freight_cost
        - choice.recommended_cost_per_kg * governed.weight_kg as cost_delta,
        governed.requires_temperature_control,
        choice.is_expedite_eligible,
        choice.is_consolidation_allowed
    from governed
    left join lane_choices as choice
        on
            governed.origin_dc_id = choice.origin_dc_id
            and governed.destination_region = choice.destination_region
            and governed.customer_segment = choice.customer_segment
            and governed.product_segment = choice.product_segment
            and governed.requires_temperature_control
            = choice.requires_temperature_control
    left join options as actual
        on
            governed.origin_dc_id = actual.origin_dc_id
            and governed.destination_region = actual.destination_region
            and governed.customer_segment = actual.customer_segment
            and governed.product_segment = actual.product_segment
            and governed.requires_temperature_control
            = actual.requires_temperature_control
            and governed.carrier_id = actual.carrier_id
)

select * from final
