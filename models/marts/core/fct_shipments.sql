{#- One row per shipment: carrier, mode, freight cost and delivery
    performance. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['shipment_id'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}

with shipments as (
    select * from {{ ref('int_shipments__delivery') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'order', 'order_id', literal=true) }}
    {%- endif %}
),

final as (
    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.customer_id,
        shipments.carrier_id,
        shipments.origin_dc_id,
        shipments.consolidation_id,
        shipments.mode,
        shipments.destination_region,
        shipments.weight_kg,
        shipments.volume_m3,
        shipments.freight_cost,
        shipments.freight_cost_per_kg,
        shipments.transit_days,
        shipments.days_late,
        shipments.is_temperature_controlled,
        shipments.is_expedited,
        shipments.is_consolidated,
        shipments.is_delivered,
        shipments.is_on_time,
        shipments.ship_date,
        shipments.promised_delivery_date,
        shipments.delivered_date,
        shipments.ship_ts,
        shipments.delivered_ts
    from shipments
)

select * from final
