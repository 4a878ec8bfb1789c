{#- segment_emissions holds every shipment and its CO2 once, and the whole
    cost to serve: its shipments equal fct_shipments' count, its co2_kg the
    sum of shipment_emissions.co2_kg, and its cost_to_serve that of
    customer_profitability. Returns each total that does not tie. -#}
{%- set tolerance = var('profitability_tie_out_tolerance') -%}

with segments as (
    select
        coalesce(sum(shipments), 0) as shipments,
        coalesce(sum(co2_kg), 0) as co2_kg,
        coalesce(sum(cost_to_serve), 0) as cost_to_serve
    from {{ ref('segment_emissions') }}
),

shipments as (
    select
        count(*) as shipments,
        coalesce(sum(co2_kg), 0) as co2_kg
    from {{ ref('shipment_emissions') }}
),

core_shipments as (
    select count(*) as shipments
    from {{ ref('fct_shipments') }}
),

costs as (
    select coalesce(sum(cost_to_serve), 0) as cost_to_serve
    from {{ ref('customer_profitability') }}
),

totals as (
    select
        'shipments' as total,
        {{ dbt.cast('segments.shipments', type_double()) }} as in_segments,
        {{ dbt.cast('core_shipments.shipments', type_double()) }}
            as expected
    from segments
    cross join core_shipments

    union all

    select
        'co2_kg' as total,
        segments.co2_kg as in_segments,
        shipments.co2_kg as expected
    from segments
    cross join shipments

    union all

    select
        'cost_to_serve' as total,
        {{ dbt.cast('segments.cost_to_serve', type_double()) }}
            as in_segments,
        {{ dbt.cast('costs.cost_to_serve', type_double()) }} as expected
    from segments
    cross join costs
)

select
    total,
    in_segments,
    expected
from totals
where abs(in_segments - expected) > {{ tolerance }}
