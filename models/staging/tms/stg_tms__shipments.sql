{#- Shipments: one valid row per shipment_id. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_tms__shipments'), ref('check_tms__shipments'),
        ['shipment_id']) }}
),

final as (
    select
        validated.shipment_id,
        validated.order_id,
        validated.carrier_id,
        validated.origin_dc_id,
        validated.consolidation_id,
        validated.mode,
        validated.destination_region,
        validated.weight_kg,
        validated.volume_m3,
        validated.freight_cost,
        validated.is_temperature_controlled,
        validated.is_expedited,
        validated.promised_delivery_date,
        validated.ship_ts,
        validated.delivered_ts
    from validated
)

select * from final
