{#- The shipments of the trailing window that carry a weight and a freight
    cost: those the transport marts price and compare; see the YAML. -#}
with profitability_window as (
    select * from {{ ref('int_profitability__window') }}
),

measures as (
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
        weight_kg,
        freight_cost,
        distance_km,
        transit_days,
        is_temperature_controlled,
        is_expedited,
        is_consolidated,
        is_delivered,
        is_on_time,
        is_order_in_full,
        is_otif,
        is_damaged,
        ship_date,
        ship_month
    from {{ ref('int_shipments__transport_measures') }}
    where weight_kg > 0 and freight_cost is not null
),

final as (
    select measures.*
    from measures
    inner join profitability_window
        on
            measures.ship_date >= profitability_window.window_start_month
            and measures.ship_date < profitability_window.window_until_date
)

select * from final
