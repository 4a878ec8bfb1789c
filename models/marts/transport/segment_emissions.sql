{#- CO2 and cost to serve per customer segment and month; see the YAML. A
    rollup of shipment_emissions, a mart of the same area. -#}
with shipment_emissions as (
    select
        customer_segment,
        ship_month,
        weight_kg,
        tonne_km,
        co2_kg,
        emission_status
    from {{ ref('shipment_emissions') }}
),

monthly_profitability as (
    select
        customer_id,
        month,
        order_count,
        cost_to_serve
    from {{ ref('int_customers__monthly_profitability') }}
),

customer_segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segments') }}
),

emissions as (
    select
        customer_segment,
        ship_month as month,
        count(*) as shipments,
        count(case when emission_status <> 'computed' then 1 end)
            as shipments_without_co2,
        sum(weight_kg) as weight_kg,
        sum(tonne_km) as tonne_km,
        sum(co2_kg) as co2_kg
    from shipment_emissions
    group by 1, 2
),

costs as (
    select
        coalesce(
            customer_segments.segment,
            '{{ var("profitability_default_segment") }}'
        ) as customer_segment,
        monthly_profitability.month,
        {{ dbt.cast('sum(monthly_profitability.order_count)',
            dbt.type_bigint()) }} as orders,
        sum(monthly_profitability.cost_to_serve) as cost_to_serve
    from monthly_profitability
    left join customer_segments
        on monthly_profitability.customer_id = customer_segments.customer_id
    group by 1, 2
),

final as (
    select
        coalesce(emissions.customer_segment, costs.customer_segment)
            as customer_segment,
        coalesce(costs.orders, 0) as orders,
        coalesce(emissions.shipments, 0) as shipments,
        coalesce(emissions.shipments_without_co2, 0) as shipments_without_co2,
        coalesce(emissions.weight_kg, 0) as weight_kg,
        coalesce(emissions.tonne_km, 0) as tonne_km,
        coalesce(emissions.co2_kg, 0) as co2_kg,
        {{ dbt.cast('coalesce(costs.cost_to_serve, 0)', 'decimal(18, 2)') }}
            as cost_to_serve,
        emissions.co2_kg / nullif(costs.orders, 0) as co2_kg_per_order,
        emissions.co2_kg
        / nullif({{ dbt.cast('costs.cost_to_serve', type_double()) }}, 0)
        * 1000 as co2_kg_per_1000_cost_to_serve,
        coalesce(emissions.month, costs.month) as month
    from emissions
    full outer join costs
        on
            emissions.customer_segment = costs.customer_segment
            and emissions.month = costs.month
)

select * from final
