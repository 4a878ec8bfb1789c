{#- One row per shipment with its tonne-km and CO2; see the YAML. The one
    definition of a shipment's emissions: the transport mart
    shipment_emissions publishes it and segment_kpis (governance) reads
    it. -#}
with shipments as (
    select * from {{ ref('int_shipments__transport_measures') }}
),

emission_factors as (
    select
        mode,
        co2e_kg_per_tonne_km
    from {{ ref('transport_emission_factors') }}
),

measured as (
    select
        shipments.*,
        emission_factors.co2e_kg_per_tonne_km,
        shipments.weight_kg / 1000.0 * shipments.distance_km as tonne_km,
        case
            when shipments.weight_kg is null or shipments.weight_kg < 0
                then 'no_weight'
            when shipments.distance_km is null then 'no_lane_distance'
            when emission_factors.co2e_kg_per_tonne_km is null
                then 'no_emission_factor'
            else 'computed'
        end as emission_status
    from shipments
    left join emission_factors
        on shipments.mode = emission_factors.mode
),

final as (
    select
        shipment_id,
        order_id,
        customer_id,
        customer_segment,
        carrier_id,
        origin_dc_id,
        origin_region,
        destination_region,
        mode,
        emission_status,
        weight_kg,
        distance_km,
        case when emission_status = 'computed' then tonne_km end as tonne_km,
        co2e_kg_per_tonne_km,
        case
            when emission_status = 'computed'
                then tonne_km * co2e_kg_per_tonne_km
        end as co2_kg,
        ship_date,
        ship_month
    from measured
)

select * from final
