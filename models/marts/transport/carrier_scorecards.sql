{#- A carrier's monthly scorecard per customer segment against its contract,
    with the penalty owed; see the YAML. -#}
with shipments as (
    select
        carrier_id,
        customer_segment,
        ship_month,
        weight_kg,
        freight_cost,
        is_delivered,
        is_otif,
        is_damaged
    from {{ ref('int_shipments__transport_measures') }}
),

contracts as (
    select * from {{ ref('carrier_contracts') }}
),

measured as (
    select
        carrier_id,
        customer_segment,
        ship_month as month,
        count(*) as shipments,
        count(case when is_delivered then 1 end) as delivered_shipments,
        count(case when is_otif then 1 end) as otif_shipments,
        count(case when is_damaged then 1 end) as damaged_shipments,
        sum(weight_kg) as weight_kg,
        sum(freight_cost) as freight_cost
    from shipments
    group by 1, 2, 3
),

rated as (
    select
        measured.*,
        100.0 * measured.otif_shipments
        / nullif(measured.delivered_shipments, 0) as otif_pct,
        100.0 * measured.damaged_shipments
        / nullif(measured.shipments, 0) as damage_rate_pct,
        measured.freight_cost / nullif(measured.weight_kg, 0) as cost_per_kg
    from measured
),

matched as (
    -- the contract row of the carrier for the segment, else its '*' row
    select
        rated.*,
        contracts.customer_segment_pattern as contract_segment_pattern,
        contracts.otif_target_pct,
        contracts.damage_rate_ceiling_pct,
        contracts.cost_per_kg_ceiling,
        contracts.penalty_per_otif_point,
        contracts.penalty_per_damage_point,
        row_number() over (
            partition by rated.carrier_id, rated.customer_segment, rated.month
            order by
                case
                    when contracts.customer_segment_pattern = '*' then 1
                    else 0
                end
        ) as contract_rank
    from rated
    left join contracts
        on
            rated.carrier_id = contracts.carrier_id
            and (
                rated.customer_segment = contracts.customer_segment_pattern
                or contracts.customer_segment_pattern = '*'
            )
),

scored as (
    select
        *,
        -- null without a contract or without a measure (greatest would
        -- skip a null)
        case
            when otif_target_pct is not null and otif_pct is not null
                then greatest(otif_target_pct - otif_pct, 0)
        end as otif_points_missed,
        case
            when
                damage_rate_ceiling_pct is not null
                and damage_rate_pct is not null
                then greatest(damage_rate_pct - damage_rate_ceiling_pct, 0)
        end as damage_points_over,
        case
            when cost_per_kg_ceiling is not null and cost_per_kg is not null
                then greatest(cost_per_kg - cost_per_kg_ceiling, 0) * weight_kg
        end as freight_cost_over_ceiling
    from matched
    where contract_rank = 1
),

final as (
    select
        carrier_id,
        customer_segment,
        contract_segment_pattern,
        shipments,
        delivered_shipments,
        otif_shipments,
        damaged_shipments,
        weight_kg,
        freight_cost,
        otif_pct,
        damage_rate_pct,
        cost_per_kg,
        otif_target_pct,
        damage_rate_ceiling_pct,
        cost_per_kg_ceiling,
        otif_points_missed,
        damage_points_over,
        round(
            coalesce(otif_points_missed, 0) * penalty_per_otif_point
            + coalesce(damage_points_over, 0) * penalty_per_damage_point,
            2
        ) as penalty_owed,
        freight_cost_over_ceiling,
        contract_segment_pattern is not null as has_contract,
        month
    from scored
)

select * from final
