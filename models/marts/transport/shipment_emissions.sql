{#- One row per shipment with its tonne-km and CO2; see the YAML. Published
    from int_shipments__emissions, which defines them. -#}
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
    tonne_km,
    co2e_kg_per_tonne_km,
    co2_kg,
    ship_date,
    ship_month
from {{ ref('int_shipments__emissions') }}
