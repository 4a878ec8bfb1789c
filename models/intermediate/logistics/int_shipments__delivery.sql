{#- One row per staged shipment with its customer and delivery performance.
    A shipment is on time when it was delivered on or before the promised
    date; is_on_time is null while it is still in transit. -#}
with shipments as (
    select * from {{ ref('stg_tms__shipments') }}
),

orders as (
    select
        order_id,
        customer_id
    from {{ ref('stg_erp__sales_orders') }}
),

final as (
    select
        shipments.shipment_id,
        shipments.order_id,
        orders.customer_id,
        shipments.carrier_id,
        shipments.origin_dc_id,
        shipments.consolidation_id,
        shipments.mode,
        shipments.destination_region,
        shipments.weight_kg,
        shipments.volume_m3,
        shipments.freight_cost,
        case
            when shipments.weight_kg > 0
                then shipments.freight_cost / shipments.weight_kg
        end as freight_cost_per_kg,
        {{ dbt.cast(dbt.datediff(
            dbt.cast('shipments.ship_ts', 'date'),
            dbt.cast('shipments.delivered_ts', 'date'), 'day'),
            dbt.type_bigint()) }} as transit_days,
        case
            when shipments.delivered_ts is not null
                then greatest({{ dbt.cast(dbt.datediff(
                    'shipments.promised_delivery_date',
                    dbt.cast('shipments.delivered_ts', 'date'), 'day'),
                    dbt.type_bigint()) }}, 0)
        end as days_late,
        shipments.is_temperature_controlled,
        shipments.is_expedited,
        shipments.consolidation_id is not null as is_consolidated,
        shipments.delivered_ts is not null as is_delivered,
        case
            when shipments.delivered_ts is not null
                then
                    {{ dbt.cast('shipments.delivered_ts', 'date') }}
                    <= shipments.promised_delivery_date
        end as is_on_time,
        {{ dbt.cast('shipments.ship_ts', 'date') }} as ship_date,
        shipments.promised_delivery_date,
        {{ dbt.cast('shipments.delivered_ts', 'date') }} as delivered_date,
        shipments.ship_ts,
        shipments.delivered_ts
    from shipments
    inner join orders
        on shipments.order_id = orders.order_id
)

select * from final
