{#- The shipments of the trailing window that the expedite rule would move
    between the standard and the expedited lane, with the cost and service
    effect; see the YAML. Reads shipment_mode_assignments, a mart of the
    same area. -#}
{%- set rules = var('transport_rules') -%}

with window_shipments as (
    select
        shipment_id,
        order_id,
        customer_id,
        customer_segment,
        origin_dc_id,
        destination_region,
        weight_kg,
        freight_cost,
        transit_days,
        is_expedited,
        is_on_time,
        ship_date
    from {{ ref('int_shipments__priced_in_window') }}
),

assignments as (
    select
        shipment_id,
        product_segment,
        policy_key,
        is_expedite_eligible
    from {{ ref('shipment_mode_assignments') }}
),

orders as (
    select
        order_id,
        net_revenue,
        requested_delivery_date
    from {{ ref('fct_orders') }}
),

lane_rates as (
    -- each lane's standard and expedited service over the window: cost per
    -- kg and average transit days, priced only with enough shipments
    select
        origin_dc_id,
        destination_region,
        is_expedited,
        count(*) as shipments,
        sum(freight_cost) / sum(weight_kg) as cost_per_kg,
        avg(transit_days) as average_transit_days
    from window_shipments
    group by 1, 2, 3
    having count(*) >= {{ rules['lane_min_shipments'] }}
),

lanes as (
    select
        standard.origin_dc_id,
        standard.destination_region,
        standard.cost_per_kg as standard_cost_per_kg,
        standard.average_transit_days as standard_transit_days,
        expedited.cost_per_kg as expedited_cost_per_kg,
        expedited.average_transit_days as expedited_transit_days
    from lane_rates as standard
    inner join lane_rates as expedited
        on
            standard.origin_dc_id = expedited.origin_dc_id
            and standard.destination_region = expedited.destination_region
            and not standard.is_expedited
            and expedited.is_expedited
),

assessed as (
    -- slack: days between the arrival each lane's average transit gives
    -- and the requested delivery date (negative: late)
    select
        window_shipments.*,
        assignments.product_segment,
        assignments.policy_key,
        assignments.is_expedite_eligible,
        orders.net_revenue as order_net_revenue,
        orders.requested_delivery_date,
        lanes.standard_cost_per_kg,
        lanes.expedited_cost_per_kg,
        lanes.standard_transit_days,
        lanes.expedited_transit_days,
        {{ dbt.datediff('window_shipments.ship_date',
            'orders.requested_delivery_date', 'day') }}
        - lanes.standard_transit_days as standard_slack_days,
        {{ dbt.datediff('window_shipments.ship_date',
            'orders.requested_delivery_date', 'day') }}
        - lanes.expedited_transit_days as expedited_slack_days,
        window_shipments.weight_kg
        * (lanes.expedited_cost_per_kg - lanes.standard_cost_per_kg)
            as expedite_premium
    from window_shipments
    inner join lanes
        on
            window_shipments.origin_dc_id = lanes.origin_dc_id
            and window_shipments.destination_region
            = lanes.destination_region
    inner join orders
        on window_shipments.order_id = orders.order_id
    inner join assignments
        on window_shipments.shipment_id = assignments.shipment_id
    where
        orders.requested_delivery_date is not null
        -- a shipment without a transport policy is not assessed
        -- (mode_assignment_exceptions lists it)
        and assignments.is_expedite_eligible is not null
),

decided as (
    select
        *,
        case
            when
                not is_expedited
                and is_expedite_eligible
                and standard_slack_days
                < {{ rules['expedite_min_slack_days'] }}
                and expedited_slack_days
                >= {{ rules['expedite_min_slack_days'] }}
                and expedite_premium
                <= {{ rules['expedite_max_revenue_share'] }}
                * order_net_revenue
                then 'late_on_standard'
            when is_expedited and not is_expedite_eligible
                then 'segment_not_expedite_eligible'
            when
                is_expedited
                and standard_slack_days
                >= {{ rules['expedite_min_slack_days'] }}
                + {{ rules['expedite_standard_buffer_days'] }}
                then 'standard_arrives_in_time'
        end as move_reason
    from assessed
),

final as (
    select
        shipment_id,
        order_id,
        customer_id,
        customer_segment,
        product_segment,
        policy_key,
        is_expedite_eligible,
        origin_dc_id,
        destination_region,
        case when is_expedited then 'expedited' else 'standard' end
            as current_service,
        case when is_expedited then 'standard' else 'expedited' end
            as recommended_service,
        move_reason,
        weight_kg,
        freight_cost as actual_freight_cost,
        order_net_revenue,
        standard_cost_per_kg,
        expedited_cost_per_kg,
        -- positive: the move costs more (lane rates on both sides)
        case
            when is_expedited then -1 * expedite_premium
            else expedite_premium
        end as cost_delta,
        standard_transit_days,
        expedited_transit_days,
        standard_slack_days,
        expedited_slack_days,
        is_on_time,
        case
            when is_expedited
                then
                    expedited_slack_days
                    >= {{ rules['expedite_min_slack_days'] }}
            else standard_slack_days >= {{ rules['expedite_min_slack_days'] }}
        end as is_expected_on_time_now,
        case
            when is_expedited
                then
                    standard_slack_days
                    >= {{ rules['expedite_min_slack_days'] }}
            else expedited_slack_days >= {{ rules['expedite_min_slack_days'] }}
        end as is_expected_on_time_after,
        requested_delivery_date,
        ship_date
    from decided
    where move_reason is not null
)

select * from final
