{#- Shipments: one valid row per shipment_id. -#}
with validated as (
    select * from {{ ref('base_tms__shipments') }}
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
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
