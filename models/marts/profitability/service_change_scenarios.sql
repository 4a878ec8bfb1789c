{#- One row per service scenario and customer active in the trailing window
    (grain scenario, customer_id): what the customer's cost to serve and
    margin over the window would have been under a service change of var
    service_scenarios. Revenue, cost of goods and units stay as they were.
    Customers outside a scenario's scope (sla_tiers) keep zero deltas.

    Per customer in scope, with s = expedited_share (default 0) and
    m = frequency_multiplier (default 1), rates from
    int_shipments__freight_rates and volumes from
    int_customers__service_drivers, all over the window:

      expedite freight   = s * standard_weight_kg
                           * (expedited_freight_cost_per_kg
                              - standard_freight_cost_per_kg)
      frequency freight  = (m - 1) * (standard_shipment_count
                                      * standard_cost_per_shipment
                                      + expedited_shipment_count
                                      * expedited_cost_per_shipment)
      modeled_freight_delta  = expedite freight + frequency freight
      modeled_handling_delta = (m - 1) * (order_administration_cost
                               + warehouse_labour_cost
                                 * order_level_labor_share)
      modeled_cost_to_serve  = baseline_cost_to_serve
                               + modeled_freight_delta
                               + modeled_handling_delta
      modeled_margin         = baseline_margin - modeled_freight_delta
                               - modeled_handling_delta
      margin_delta           = modeled_margin - baseline_margin
                             = -(modeled_freight_delta
                                 + modeled_handling_delta)

    Both deltas are first-order: each starts from the baseline, with no
    interaction when a scenario sets both s and m. Deltas are rounded to
    cents. -#}
{%- set scenarios = var('service_scenarios') -%}
{%- set known_keys = [
    'name', 'sla_tiers', 'expedited_share', 'frequency_multiplier'] -%}
{%- set names = [] -%}
{%- set scope_conditions = {} -%}
{%- for scenario in scenarios -%}
    {%- for key in scenario -%}
        {%- if key not in known_keys -%}
            {%- do exceptions.raise_compiler_error(
                "service_scenarios: unknown key '" ~ key ~ "' (allowed: "
                ~ known_keys | join(', ') ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not scenario.get('name') or scenario.name in names -%}
        {%- do exceptions.raise_compiler_error(
            "service_scenarios: every scenario needs a unique name, got '"
            ~ scenario.get('name') ~ "'") -%}
    {%- endif -%}
    {%- do names.append(scenario.name) -%}
    {%- set tiers = scenario.get('sla_tiers') -%}
    {%- if tiers -%}
        {%- do scope_conditions.update({scenario.name:
            "customers.sla_tier in ('" ~ tiers | join("', '") ~ "')"}) -%}
    {%- else -%}
        {%- do scope_conditions.update({scenario.name: 'true'}) -%}
    {%- endif -%}
    {%- set share = scenario.get('expedited_share', 0) -%}
    {%- set multiplier = scenario.get('frequency_multiplier', 1) -%}
    {%- if share is not number or share < 0 or share > 1 -%}
        {%- do exceptions.raise_compiler_error(
            "service_scenarios " ~ scenario.name
            ~ ": expedited_share must lie in [0, 1]") -%}
    {%- endif -%}
    {%- if multiplier is not number or multiplier <= 0 -%}
        {%- do exceptions.raise_compiler_error(
            "service_scenarios " ~ scenario.name
            ~ ": frequency_multiplier must be a number > 0") -%}
    {%- endif -%}
{%- endfor -%}

with window_customers as (
    select
        customer_id,
        net_revenue,
        cost_to_serve,
        cost_to_serve_margin,
        warehouse_labour_cost,
        order_administration_cost
    from {{ ref('int_customers__window_profitability') }}
),

service_drivers as (
    select
        customer_id,
        standard_shipment_count,
        expedited_shipment_count,
        standard_weight_kg,
        order_level_labor_share
    from {{ ref('int_customers__service_drivers') }}
),

customers as (
    select
        customer_id,
        sla_tier
    from {{ ref('dim_customers') }}
),

freight_rates as (
    select * from {{ ref('int_shipments__freight_rates') }}
),

scenarios as (
    -- A typed, empty first branch, so that an empty var is an empty table.
    select
        {{ dbt.cast('null', dbt.type_string()) }} as scenario,
        {{ dbt.cast('null', dbt.type_string()) }} as sla_tier_scope,
        {{ dbt.cast('null', type_double()) }} as expedited_share,
        {{ dbt.cast('null', type_double()) }} as frequency_multiplier
    where 1 = 0
    {%- for scenario in scenarios %}
        union all
        select
            '{{ scenario.name }}' as scenario,
            '{{ scenario.get("sla_tiers", ["all"]) | join(", ") }}'
                as sla_tier_scope,
            {{ dbt.cast(scenario.get('expedited_share', 0), type_double()) }}
                as expedited_share,
            {{ dbt.cast(
                scenario.get('frequency_multiplier', 1), type_double()) }}
                as frequency_multiplier
    {%- endfor %}
),

scoped as (
    select
        scenarios.scenario,
        window_customers.customer_id,
        customers.sla_tier,
        scenarios.sla_tier_scope,
        scenarios.expedited_share,
        scenarios.frequency_multiplier,
        window_customers.net_revenue,
        window_customers.cost_to_serve,
        window_customers.cost_to_serve_margin,
        window_customers.warehouse_labour_cost,
        window_customers.order_administration_cost,
        service_drivers.standard_shipment_count,
        service_drivers.expedited_shipment_count,
        service_drivers.standard_weight_kg,
        coalesce(service_drivers.order_level_labor_share, 0)
            as order_level_labor_share,
        case
            {%- for scenario in scenarios %}
                when scenarios.scenario = '{{ scenario.name }}'
                    then {{ scope_conditions[scenario.name] }}
            {%- endfor %}
            else false
        end as is_in_scope
    from scenarios
    cross join window_customers
    left join service_drivers
        on window_customers.customer_id = service_drivers.customer_id
    left join customers
        on window_customers.customer_id = customers.customer_id
),

modeled as (
    select
        scoped.*,
        case
            when scoped.is_in_scope
                then scoped.expedited_share * scoped.standard_weight_kg
            else 0
        end as moved_weight_kg,
        case
            when scoped.is_in_scope
                then
                    (scoped.frequency_multiplier - 1)
                    * (
                        scoped.standard_shipment_count
                        + scoped.expedited_shipment_count
                    )
            else 0
        end as added_shipment_count,
        case
            when scoped.is_in_scope
                then
                    scoped.expedited_share * scoped.standard_weight_kg
                    * (
                        freight_rates.expedited_freight_cost_per_kg
                        - freight_rates.standard_freight_cost_per_kg
                    )
                    + (scoped.frequency_multiplier - 1) * (
                        scoped.standard_shipment_count
                        * freight_rates.standard_cost_per_shipment
                        + scoped.expedited_shipment_count
                        * freight_rates.expedited_cost_per_shipment
                    )
            else 0
        end as freight_delta,
        case
            when scoped.is_in_scope
                then
                    (scoped.frequency_multiplier - 1) * (
                        scoped.order_administration_cost
                        + scoped.warehouse_labour_cost
                        * scoped.order_level_labor_share
                    )
            else 0
        end as handling_delta
    from scoped
    cross join freight_rates
),

rounded as (
    select
        modeled.*,
        {{ dbt.cast('round(modeled.freight_delta, 2)', 'decimal(18, 2)') }}
            as modeled_freight_delta,
        {{ dbt.cast('round(modeled.handling_delta, 2)', 'decimal(18, 2)') }}
            as modeled_handling_delta
    from modeled
),

final as (
    select
        rounded.scenario,
        rounded.customer_id,
        rounded.sla_tier,
        rounded.sla_tier_scope,
        rounded.expedited_share,
        rounded.frequency_multiplier,
        rounded.net_revenue,
        rounded.moved_weight_kg,
        rounded.added_shipment_count,
        rounded.cost_to_serve as baseline_cost_to_serve,
        rounded.modeled_freight_delta,
        rounded.modeled_handling_delta,
        {{ dbt.cast(
            'rounded.cost_to_serve + rounded.modeled_freight_delta'
            ~ ' + rounded.modeled_handling_delta', 'decimal(18, 2)') }}
            as modeled_cost_to_serve,
        rounded.cost_to_serve_margin as baseline_margin,
        rounded.cost_to_serve_margin
        - {{ dbt.cast('rounded.modeled_freight_delta', type_double()) }}
        - {{ dbt.cast('rounded.modeled_handling_delta', type_double()) }}
            as modeled_margin,
        0 - {{ dbt.cast(
            'rounded.modeled_freight_delta + rounded.modeled_handling_delta',
            type_double()) }} as margin_delta,
        rounded.is_in_scope
    from rounded
)

select * from final
