{#- Shipments and fulfilment nodes that break a transport or handling rule
    (grain exception_type, record_key); see the YAML. Reads
    shipment_mode_assignments, a mart of the same area. -#}
{%- set is_cold = 'coalesce(shipments.is_temperature_controlled, false)' -%}
{%- set otif_tiers =
    "'" ~ var('transport_otif_floor_sla_tiers') | join("', '") ~ "'" -%}
with assignments as (
    select
        shipment_id,
        order_id,
        actual_carrier_id,
        assignment_status,
        reason,
        is_consolidation_allowed
    from {{ ref('shipment_mode_assignments') }}
),

shipments as (
    select
        shipment_id,
        customer_id,
        origin_dc_id,
        destination_region,
        mode,
        is_temperature_controlled,
        is_consolidated
    from {{ ref('int_shipments__transport_measures') }}
),

requirements as (
    select
        order_id,
        has_chilled_goods
    from {{ ref('int_orders__transport_requirements') }}
),

customers as (
    select
        customer_id,
        sla_tier,
        target_otif_pct
    from {{ ref('dim_customers') }}
),

lane_performance as (
    select
        origin_dc_id,
        destination_region,
        carrier_id,
        on_time_pct
    from {{ ref('int_carriers__lane_performance') }}
),

node_exceptions as (
    select * from {{ ref('int_distribution_centers__handling_exceptions') }}
),

shipped as (
    select
        assignments.*,
        shipments.customer_id,
        shipments.origin_dc_id,
        shipments.destination_region,
        shipments.mode,
        shipments.is_temperature_controlled,
        shipments.is_consolidated,
        coalesce(requirements.has_chilled_goods, false) as has_chilled_goods,
        -- the TMS splits an order into a cold and an ambient shipment: its
        -- chilled goods kept the cold chain when one of them did
        {{ dbt.bool_or(is_cold) }}
            over (partition by assignments.order_id) as order_has_cold_shipment
    from assignments
    inner join shipments
        on assignments.shipment_id = shipments.shipment_id
    left join requirements
        on assignments.order_id = requirements.order_id
),

shipment_exceptions as (
    select
        'no_recommendation' as exception_type,
        shipment_id,
        order_id,
        actual_carrier_id as carrier_id,
        origin_dc_id as dc_id,
        'warning' as severity,
        'no mode and carrier to recommend: ' || reason as detail
    from shipped
    where assignment_status = 'no_recommendation'

    union all

    select
        'chilled_shipped_ambient' as exception_type,
        shipment_id,
        order_id,
        actual_carrier_id as carrier_id,
        origin_dc_id as dc_id,
        'error' as severity,
        'the order has chilled or frozen goods and none of its shipments'
        || ' was temperature-controlled; this one went by '
        || coalesce(mode, 'an unknown mode') as detail
    from shipped
    where has_chilled_goods and not order_has_cold_shipment

    union all

    select
        'consolidation_not_allowed' as exception_type,
        shipment_id,
        order_id,
        actual_carrier_id as carrier_id,
        origin_dc_id as dc_id,
        'warning' as severity,
        'consolidated, but the segment''s transport policy forbids it'
            as detail
    from shipped
    where is_consolidated and not coalesce(is_consolidation_allowed, true)

    union all

    select
        'carrier_below_otif_floor' as exception_type,
        shipped.shipment_id,
        shipped.order_id,
        shipped.actual_carrier_id as carrier_id,
        shipped.origin_dc_id as dc_id,
        'warning' as severity,
        customers.sla_tier || ' customer (OTIF target '
        || {{ dbt.cast('customers.target_otif_pct', dbt.type_string()) }}
        || ' %) on a carrier with '
        || {{ dbt.cast('round(lane_performance.on_time_pct, 1)',
            dbt.type_string()) }}
        || ' % on time on the lane' as detail
    from shipped
    inner join customers
        on shipped.customer_id = customers.customer_id
    inner join lane_performance
        on
            shipped.origin_dc_id = lane_performance.origin_dc_id
            and shipped.destination_region
            = lane_performance.destination_region
            and shipped.actual_carrier_id = lane_performance.carrier_id
    where
        customers.sla_tier in ({{ otif_tiers }})
        and lane_performance.on_time_pct < customers.target_otif_pct
),

final as (
    select
        exception_type,
        shipment_id as record_key,
        shipment_id,
        order_id,
        carrier_id,
        dc_id,
        {{ dbt.cast('null', dbt.type_string()) }} as sku_id,
        severity,
        detail
    from shipment_exceptions

    union all

    select
        exception_type,
        sku_id || '|' || dc_id as record_key,
        {{ dbt.cast('null', dbt.type_string()) }} as shipment_id,
        {{ dbt.cast('null', dbt.type_string()) }} as order_id,
        {{ dbt.cast('null', dbt.type_string()) }} as carrier_id,
        dc_id,
        sku_id,
        'error' as severity,
        handling_class || ' product: '
        || {{ dbt.cast('on_hand_units', dbt.type_string()) }}
        || ' units on hand, '
        || {{ dbt.cast('shipped_order_lines', dbt.type_string()) }}
        || ' order lines shipped, at a DC without '
        || case
            when exception_type = 'temperature_product_at_uncontrolled_dc'
                then 'temperature control'
            else
                'the capability its class needs'
                || ' (seed dc_handling_capabilities)'
        end as detail
    from node_exceptions
)

select * from final
