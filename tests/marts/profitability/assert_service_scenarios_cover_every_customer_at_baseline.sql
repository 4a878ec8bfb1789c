{#- Every scenario of seed service_scenarios has exactly one row for every
    customer of the whale curve, whose baseline is the customer's actual
    cost to serve and margin over the window. Returns the scenario and
    customer pairs that are missing, extra or off baseline. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}

with customers as (
    select
        customer_id,
        cost_to_serve,
        cost_to_serve_margin
    from {{ ref('customer_whale_curve') }}
),

scenario_names as (
    select scenario from {{ ref('service_scenarios') }}
),

expected as (
    select
        scenario_names.scenario,
        customers.customer_id,
        customers.cost_to_serve,
        customers.cost_to_serve_margin
    from scenario_names
    cross join customers
),

modeled as (
    select
        scenario,
        customer_id,
        baseline_cost_to_serve,
        baseline_margin
    from {{ ref('service_change_scenarios') }}
)

select
    coalesce(expected.scenario, modeled.scenario) as scenario,
    coalesce(expected.customer_id, modeled.customer_id) as customer_id,
    expected.cost_to_serve,
    modeled.baseline_cost_to_serve,
    expected.cost_to_serve_margin,
    modeled.baseline_margin
from expected
full outer join modeled
    on
        expected.scenario = modeled.scenario
        and expected.customer_id = modeled.customer_id
where
    expected.customer_id is null
    or modeled.customer_id is null
    or expected.cost_to_serve <> modeled.baseline_cost_to_serve
    or abs(expected.cost_to_serve_margin - modeled.baseline_margin)
    > {{ tolerance }}
