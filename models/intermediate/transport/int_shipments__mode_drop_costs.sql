{#- The fixed cost of a delivery in each transport mode over the trailing
    window (grain mode); see the YAML. -#}
with window_shipments as (
    select
        mode,
        weight_kg,
        freight_cost
    from {{ ref('int_shipments__priced_in_window') }}
),

by_mode as (
    select
        mode,
        count(*) as shipments,
        sum(weight_kg) as weight_kg,
        sum(freight_cost) as freight_cost,
        avg(weight_kg) as average_weight_kg,
        avg(freight_cost) as average_freight_cost,
        covar_pop(weight_kg, freight_cost)
        / nullif(var_pop(weight_kg), 0) as marginal_cost_per_kg
    from window_shipments
    group by 1
),

final as (
    select
        mode,
        shipments,
        weight_kg,
        freight_cost,
        marginal_cost_per_kg,
        -- the intercept of the line, floored at 0 and capped at the average
        -- shipment's cost; a mode of one weight has no slope: all of its
        -- cost is per drop
        least(
            greatest(
                average_freight_cost
                - coalesce(marginal_cost_per_kg, 0) * average_weight_kg,
                0
            ),
            average_freight_cost
        ) as cost_per_drop
    from by_mode
)

select * from final
