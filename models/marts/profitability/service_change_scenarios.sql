{#- One row per service scenario and customer active in the trailing window
    (grain scenario, customer_id): what the customer's cost to serve and
    margin over the window would have been under a service change of seed
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
    select
        scenario,
        -- 'gold silver' reads 'gold, silver'
        coalesce(
            replace(replace(nullif(trim(sla_tiers), ''), '  ', ' '), ' ', ', '),
            'all'
        ) as sla_tier_scope,
        -- ' gold silver ': a tier is in scope when ' <tier> ' occurs in it
        ' ' || trim(sla_tiers) || ' ' as sla_tier_list,
        nullif(trim(sla_tiers), '') is null as is_every_tier,
        expedited_share,
        frequency_multiplier
    from {{ ref('service_scenarios') }}
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
        -- a customer without shipments in the window has none to change
        coalesce(service_drivers.standard_shipment_count, 0)
            as standard_shipment_count,
        coalesce(service_drivers.expedited_shipment_count, 0)
            as expedited_shipment_count,
        coalesce(service_drivers.standard_weight_kg, 0) as standard_weight_kg,
        coalesce(service_drivers.order_level_labor_share, 0)
            as order_level_labor_share,
        coalesce(
            scenarios.is_every_tier
            or scenarios.sla_tier_list
            like ('% ' || customers.sla_tier || ' %'),
            false
        ) as is_in_scope
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
