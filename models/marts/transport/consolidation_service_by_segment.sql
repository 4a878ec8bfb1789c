{#- Consolidated against unconsolidated shipments of each customer segment
    over the trailing window, raw and on the same lanes; see the YAML.
    Reads transport_policies, a mart of the same area. -#}
{%- set rules = var('transport_rules') -%}

with shipments as (
    select
        customer_segment,
        origin_dc_id,
        destination_region,
        mode,
        is_consolidated,
        weight_kg,
        freight_cost,
        is_on_time
    from {{ ref('int_shipments__priced_in_window') }}
),

policies as (
    select
        customer_segment,
        count(*) as policy_cells,
        count(case when is_consolidation_allowed then 1 end)
            as policy_cells_allowing_consolidation
    from {{ ref('transport_policies') }}
    group by 1
),

lane_classes as (
    -- each segment's lanes (origin DC, destination region, mode) with both
    -- classes: shipments, weight, cost, deliveries and on-time deliveries
    select
        customer_segment,
        origin_dc_id,
        destination_region,
        mode,
        count(case when is_consolidated then 1 end) as c_shipments,
        sum(case when is_consolidated then weight_kg else 0 end) as c_weight,
        sum(case when is_consolidated then freight_cost else 0 end) as c_cost,
        count(case when is_consolidated then is_on_time end) as c_delivered,
        count(case when is_consolidated and is_on_time then 1 end)
            as c_on_time,
        count(case when not is_consolidated then 1 end) as u_shipments,
        sum(case when not is_consolidated then weight_kg else 0 end)
            as u_weight,
        sum(case when not is_consolidated then freight_cost else 0 end)
            as u_cost,
        count(case when not is_consolidated then is_on_time end)
            as u_delivered,
        count(case when not is_consolidated and is_on_time then 1 end)
            as u_on_time
    from shipments
    group by 1, 2, 3, 4
),

matched_lanes as (
    -- the consolidated loads of a lane priced and timed as the same lane's
    -- unconsolidated shipments were
    select
        customer_segment,
        c_weight,
        c_cost,
        c_weight * u_cost / u_weight as c_cost_if_unconsolidated,
        c_delivered,
        c_on_time,
        c_delivered * u_on_time / u_delivered as c_on_time_if_unconsolidated
    from lane_classes
    where c_weight > 0 and u_weight > 0 and c_delivered > 0 and u_delivered > 0
),

segments as (
    select
        customer_segment,
        sum(c_shipments) as consolidated_shipments,
        sum(u_shipments) as unconsolidated_shipments,
        sum(c_weight) as consolidated_weight_kg,
        sum(u_weight) as unconsolidated_weight_kg,
        sum(c_cost) as consolidated_freight_cost,
        sum(u_cost) as unconsolidated_freight_cost,
        sum(c_delivered) as consolidated_delivered,
        sum(c_on_time) as consolidated_on_time,
        sum(u_delivered) as unconsolidated_delivered,
        sum(u_on_time) as unconsolidated_on_time
    from lane_classes
    group by 1
),

matched as (
    select
        customer_segment,
        sum(c_weight) as matched_weight_kg,
        sum(c_cost_if_unconsolidated - c_cost) as lane_matched_saving,
        100.0 * (sum(c_on_time) - sum(c_on_time_if_unconsolidated))
        / sum(c_delivered) as lane_matched_on_time_delta_pp
    from matched_lanes
    group by 1
),

compared as (
    select
        segments.*,
        segments.consolidated_freight_cost
        / nullif(segments.consolidated_weight_kg, 0)
            as consolidated_cost_per_kg,
        segments.unconsolidated_freight_cost
        / nullif(segments.unconsolidated_weight_kg, 0)
            as unconsolidated_cost_per_kg,
        100.0 * segments.consolidated_on_time
        / nullif(segments.consolidated_delivered, 0)
            as consolidated_on_time_pct,
        100.0 * segments.unconsolidated_on_time
        / nullif(segments.unconsolidated_delivered, 0)
            as unconsolidated_on_time_pct,
        coalesce(matched.matched_weight_kg, 0) as matched_weight_kg,
        matched.lane_matched_saving,
        matched.lane_matched_saving / matched.matched_weight_kg
            as lane_matched_saving_per_kg,
        matched.lane_matched_on_time_delta_pp,
        policies.policy_cells,
        policies.policy_cells_allowing_consolidation
    from segments
    left join matched
        on segments.customer_segment = matched.customer_segment
    left join policies
        on segments.customer_segment = policies.customer_segment
),

final as (
    select
        customer_segment,
        case
            when
                consolidated_shipments
                < {{ rules['consolidation_min_shipments'] }}
                or unconsolidated_shipments
                < {{ rules['consolidation_min_shipments'] }}
                then 'too_few_shipments'
            when lane_matched_saving is null then 'no_comparable_lanes'
            when lane_matched_saving <= 0 then 'costs_more'
            when
                lane_matched_on_time_delta_pp
                >= -1 * {{ rules['consolidation_on_time_tolerance_pp'] }}
                then 'saves_without_hurting_service'
            else 'saves_but_hurts_service'
        end as verdict,
        {{ dbt.cast('consolidated_shipments', dbt.type_bigint()) }}
            as consolidated_shipments,
        {{ dbt.cast('unconsolidated_shipments', dbt.type_bigint()) }}
            as unconsolidated_shipments,
        consolidated_weight_kg,
        unconsolidated_weight_kg,
        consolidated_freight_cost,
        unconsolidated_freight_cost,
        consolidated_cost_per_kg,
        unconsolidated_cost_per_kg,
        {{ dbt.cast('consolidated_delivered', dbt.type_bigint()) }}
            as consolidated_delivered,
        {{ dbt.cast('unconsolidated_delivered', dbt.type_bigint()) }}
            as unconsolidated_delivered,
        consolidated_on_time_pct,
        unconsolidated_on_time_pct,
        matched_weight_kg,
        lane_matched_saving,
        lane_matched_saving_per_kg,
        lane_matched_on_time_delta_pp,
        coalesce(policy_cells, 0) as policy_cells,
        coalesce(policy_cells_allowing_consolidation, 0)
            as policy_cells_allowing_consolidation
    from compared
)

select * from final
