{#- One row: freight rates observed on the shipments shipped in the trailing
    window with a positive weight, for standard (is_expedited false) and
    expedited shipments separately. They price the service scenarios:

      <class>_freight_cost_per_kg   average rate: sum(freight_cost) /
                                    sum(weight_kg) of the class
      <class>_marginal_cost_per_kg  slope b of the least-squares line
                                    freight_cost = a + b * weight_kg over
                                    the class's shipments:
                                    b = covar_pop(weight, cost) / var_pop(weight)
      <class>_cost_per_shipment     intercept a = avg(cost) - b * avg(weight),
                                    floored at 0: what one more shipment
                                    costs before its weight (the fixed part
                                    that splitting a load into more, smaller
                                    shipments adds)

    Null when the class has no shipments (the scenarios then cannot price
    it, and their tie-out test fails rather than report a zero delta). -#}
with profitability_window as (
    select * from {{ ref('int_profitability__window') }}
),

shipments as (
    select
        weight_kg,
        freight_cost,
        is_expedited,
        ship_date
    from {{ ref('fct_shipments') }}
    where weight_kg > 0 and freight_cost is not null
),

window_shipments as (
    select shipments.*
    from shipments
    inner join profitability_window
        on
            shipments.ship_date >= profitability_window.window_start_month
            and shipments.ship_date < profitability_window.window_until_date
),

by_class as (
    select
        window_shipments.is_expedited,
        count(*) as shipment_count,
        sum(window_shipments.weight_kg) as weight_kg,
        sum(window_shipments.freight_cost) as freight_cost,
        avg(window_shipments.weight_kg) as average_weight_kg,
        avg(window_shipments.freight_cost) as average_freight_cost,
        covar_pop(window_shipments.weight_kg, window_shipments.freight_cost)
        / nullif(var_pop(window_shipments.weight_kg), 0)
            as marginal_cost_per_kg
    from window_shipments
    group by 1
),

rates as (
    select
        by_class.is_expedited,
        by_class.shipment_count,
        by_class.weight_kg,
        by_class.freight_cost,
        by_class.freight_cost / by_class.weight_kg as freight_cost_per_kg,
        by_class.marginal_cost_per_kg,
        greatest(
            by_class.average_freight_cost
            - by_class.marginal_cost_per_kg * by_class.average_weight_kg,
            0
        ) as cost_per_shipment
    from by_class
),

final as (
    select
        coalesce(standard.shipment_count, 0) as standard_shipment_count,
        coalesce(expedited.shipment_count, 0) as expedited_shipment_count,
        standard.weight_kg as standard_weight_kg,
        expedited.weight_kg as expedited_weight_kg,
        standard.freight_cost_per_kg as standard_freight_cost_per_kg,
        expedited.freight_cost_per_kg as expedited_freight_cost_per_kg,
        standard.marginal_cost_per_kg as standard_marginal_cost_per_kg,
        expedited.marginal_cost_per_kg as expedited_marginal_cost_per_kg,
        standard.cost_per_shipment as standard_cost_per_shipment,
        expedited.cost_per_shipment as expedited_cost_per_shipment,
        profitability_window.window_start_month,
        profitability_window.window_end_month
    from profitability_window
    left join rates as standard
        on not standard.is_expedited
    left join rates as expedited
        on expedited.is_expedited
)

select * from final
