{#- What each customer segment's delivery frequency costs and the service
    it buys over the trailing window, and the what-if of a frequency change
    (seed delivery_frequency_changes); see the YAML. -#}
with profitability_window as (
    select * from {{ ref('int_profitability__window') }}
),

drop_costs as (
    select
        mode,
        cost_per_drop
    from {{ ref('int_shipments__mode_drop_costs') }}
),

measures as (
    select
        customer_id,
        customer_segment,
        order_id,
        mode,
        weight_kg,
        freight_cost,
        is_on_time
    from {{ ref('int_shipments__priced_in_window') }}
),

policy_cells as (
    select
        customer_segment,
        {{ dbt.cast('min(delivery_frequency_per_week)', type_double()) }}
            as policy_min_deliveries_per_week,
        {{ dbt.cast('max(delivery_frequency_per_week)', type_double()) }}
            as policy_max_deliveries_per_week
    from {{ ref('int_segments__policy_matrix') }}
    group by 1
),

scenarios as (
    select * from {{ ref('delivery_frequency_changes') }}
),

window_shipments as (
    -- each with the fixed cost of a drop in its mode
    select
        measures.*,
        drop_costs.cost_per_drop,
        {{ dbt.datediff('profitability_window.window_start_month',
            'profitability_window.window_until_date', 'day') }} / 7.0
            as window_weeks
    from measures
    cross join profitability_window
    left join drop_costs
        on measures.mode = drop_costs.mode
),

segments as (
    select
        window_shipments.customer_segment,
        max(window_shipments.window_weeks) as window_weeks,
        count(distinct window_shipments.customer_id) as customers,
        count(distinct window_shipments.order_id) as orders_shipped,
        count(*) as deliveries,
        sum(window_shipments.weight_kg) as weight_kg,
        sum(window_shipments.freight_cost) as freight_cost,
        count(window_shipments.is_on_time) as delivered,
        count(case when window_shipments.is_on_time then 1 end) as on_time,
        -- the per-drop part of freight
        sum(window_shipments.cost_per_drop) as frequency_cost
    from window_shipments
    group by 1
),

scenario_names as (
    select distinct scenario from scenarios
),

scoped as (
    -- every scenario against every segment: the seed's multiplier where it
    -- names the segment (or '*'), else 1
    select
        scenario_names.scenario,
        segments.*,
        coalesce(
            named_segment.frequency_multiplier,
            every_segment.frequency_multiplier
        ) as scenario_multiplier
    from scenario_names
    cross join segments
    left join scenarios as named_segment
        on
            scenario_names.scenario = named_segment.scenario
            and segments.customer_segment = named_segment.customer_segment
    left join scenarios as every_segment
        on
            scenario_names.scenario = every_segment.scenario
            and every_segment.customer_segment = '*'
),

final as (
    select
        scoped.scenario,
        scoped.customer_segment,
        scoped.customers,
        scoped.orders_shipped,
        scoped.deliveries,
        scoped.weight_kg,
        scoped.freight_cost,
        scoped.frequency_cost,
        scoped.frequency_cost / nullif(scoped.freight_cost, 0)
            as frequency_cost_share,
        scoped.frequency_cost / nullif(scoped.orders_shipped, 0)
            as frequency_cost_per_order,
        scoped.deliveries / scoped.customers / scoped.window_weeks
            as deliveries_per_customer_week,
        7.0 * scoped.customers * scoped.window_weeks / scoped.deliveries
            as days_between_deliveries,
        scoped.weight_kg / scoped.deliveries as average_drop_kg,
        100.0 * scoped.on_time / nullif(scoped.delivered, 0)
            as on_time_pct,
        policy_cells.policy_min_deliveries_per_week,
        policy_cells.policy_max_deliveries_per_week,
        scoped.scenario_multiplier is not null as is_in_scope,
        coalesce(scoped.scenario_multiplier, 1.0) as frequency_multiplier,
        scoped.deliveries * coalesce(scoped.scenario_multiplier, 1.0)
            as modeled_deliveries,
        round(
            (coalesce(scoped.scenario_multiplier, 1.0) - 1)
            * scoped.frequency_cost,
            2
        ) as freight_delta,
        7.0 * scoped.customers * scoped.window_weeks / scoped.deliveries
        / coalesce(scoped.scenario_multiplier, 1.0)
            as modeled_days_between_deliveries,
        scoped.weight_kg / scoped.deliveries
        / coalesce(scoped.scenario_multiplier, 1.0)
            as modeled_average_drop_kg
    from scoped
    left join policy_cells
        on scoped.customer_segment = policy_cells.customer_segment
)

select * from final
