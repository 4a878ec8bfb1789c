{#- In every scenario of delivery_frequency_scenarios the segments together
    hold the deliveries int_shipments__mode_drop_costs prices (its
    shipments of every mode), and their cost of frequency is those
    shipments at their mode's cost per drop. Returns each scenario that
    does not tie. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}

with scenarios as (
    select
        scenario,
        sum(deliveries) as deliveries,
        sum(frequency_cost) as frequency_cost
    from {{ ref('delivery_frequency_scenarios') }}
    group by 1
),

modes as (
    select
        sum(shipments) as deliveries,
        sum(shipments * cost_per_drop) as frequency_cost
    from {{ ref('int_shipments__mode_drop_costs') }}
)

select
    scenarios.scenario,
    scenarios.deliveries,
    modes.deliveries as priced_deliveries,
    scenarios.frequency_cost,
    modes.frequency_cost as priced_frequency_cost
from scenarios
cross join modes
where
    scenarios.deliveries != modes.deliveries
    or abs(scenarios.frequency_cost - modes.frequency_cost) > {{ tolerance }}
