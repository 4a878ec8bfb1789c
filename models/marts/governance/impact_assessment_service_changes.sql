{#-
    For the sales team (grain customer_id): the customers whose service a
    proposed segmentation logic lowers, by account manager, with the margin
    the change gains. Built only by scw assess (var impact_assessment),
    beside impact_assessment, whose customer movers it reads.

    A segment's service is the mean, over its rows of the segment matrix
    (segment_policy_matrix, now and under the proposal), of the service
    level target and of the deliveries a week. A mover's service is lowered
    when its proposed segment has a lower service level or fewer
    deliveries. The margin gained is the freight the fewer deliveries save,
    modelled as delivery_frequency_scenarios does: the per-drop share of
    the current segment's freight (its frequency_cost_share) scales with
    the deliveries, so the customer's trailing outbound freight
    (int_customers__window_profitability) x that share x (1 - proposed /
    current deliveries). Lowering only the service level gains no modelled
    margin (its effect is in the safety stock, impact_assessment_by_segment).
-#}
{{ config(enabled=var('impact_assessment', false)) }}

with movers as (
    select
        entity_id as customer_id,
        current_segment,
        proposed_segment,
        account_manager,
        cost_to_serve_margin
    from {{ ref('impact_assessment') }}
    where entity_type = 'customer'
),

current_service as (
    select
        customer_segment,
        avg(service_level_target) as service_level_target,
        avg(delivery_frequency_per_week) as deliveries_per_week
    from {{ source('assess_baseline', 'segment_policy_matrix') }}
    group by 1
),

proposed_service as (
    select
        customer_segment,
        avg(service_level_target) as service_level_target,
        avg(delivery_frequency_per_week) as deliveries_per_week
    from {{ source('assess_proposal', 'segment_policy_matrix') }}
    group by 1
),

frequency_shares as (
    select
        customer_segment,
        max(frequency_cost_share) as frequency_cost_share
    from {{ source('assess_baseline', 'delivery_frequency_scenarios') }}
    group by 1
),

freight as (
    select
        customer_id,
        outbound_freight_cost
    from {{ ref('int_customers__window_profitability') }}
),

compared as (
    select
        movers.account_manager,
        movers.customer_id,
        movers.current_segment,
        movers.proposed_segment,
        current_service.service_level_target as current_service_level,
        proposed_service.service_level_target as proposed_service_level,
        current_service.deliveries_per_week as current_deliveries_per_week,
        proposed_service.deliveries_per_week as proposed_deliveries_per_week,
        movers.cost_to_serve_margin,
        coalesce(freight.outbound_freight_cost, 0) as outbound_freight_cost,
        coalesce(frequency_shares.frequency_cost_share, 0)
            as frequency_cost_share
    from movers
    inner join current_service
        on movers.current_segment = current_service.customer_segment
    inner join proposed_service
        on movers.proposed_segment = proposed_service.customer_segment
    left join freight
        on movers.customer_id = freight.customer_id
    left join frequency_shares
        on movers.current_segment = frequency_shares.customer_segment
),

final as (
    select
        compared.*,
        case
            when
                compared.proposed_deliveries_per_week
                < compared.current_deliveries_per_week
                then
                    compared.outbound_freight_cost
                    * compared.frequency_cost_share
                    * (
                        1 - compared.proposed_deliveries_per_week
                        / compared.current_deliveries_per_week
                    )
            else 0
        end as expected_margin_gain
    from compared
    where
        compared.proposed_service_level < compared.current_service_level
        or compared.proposed_deliveries_per_week
        < compared.current_deliveries_per_week
)

select * from final
