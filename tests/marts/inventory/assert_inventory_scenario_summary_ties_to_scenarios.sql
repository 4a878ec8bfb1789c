{#-
    inventory_scenario_summary ties to inventory_policy_scenarios: per
    scenario and segment the same number of policies and the same safety
    stock units and value. Returns the scenario and segment cells that do
    not tie.
-#}
with scenarios as (
    select
        scenario,
        segment,
        count(*) as policy_count,
        sum(safety_stock_units) as safety_stock_units,
        sum(safety_stock_value) as safety_stock_value
    from {{ ref('inventory_policy_scenarios') }}
    group by 1, 2
),

summary as (
    select
        scenario,
        segment,
        policy_count,
        safety_stock_units,
        safety_stock_value
    from {{ ref('inventory_scenario_summary') }}
),

final as (
    select
        coalesce(scenarios.scenario, summary.scenario) as scenario,
        coalesce(scenarios.segment, summary.segment) as segment,
        scenarios.policy_count as scenario_policy_count,
        summary.policy_count as summary_policy_count,
        scenarios.safety_stock_value as scenario_safety_stock_value,
        summary.safety_stock_value as summary_safety_stock_value
    from scenarios
    full outer join summary
        on
            scenarios.scenario = summary.scenario
            and scenarios.segment = summary.segment
    where
        scenarios.scenario is null
        or summary.scenario is null
        or scenarios.policy_count <> summary.policy_count
        or abs(scenarios.safety_stock_units - summary.safety_stock_units)
        > 1e-6
        or abs(scenarios.safety_stock_value - summary.safety_stock_value)
        > 1e-6
)

select * from final
