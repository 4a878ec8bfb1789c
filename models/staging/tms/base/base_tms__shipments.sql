{#- Every raw shipment row, typed, with validation flags. A shipment of an
    unknown or quarantined order is quarantined. -#}
{%- set rules = [
    dq_key_rule(['shipment_id']),
    dq_required_rule(['order_id', 'carrier_id', 'origin_dc_id', 'ship_ts',
        'freight_cost', 'weight_kg']),
    dq_reference_rule('unknown_carrier', 'carrier_id', 'is_carrier_known'),
    dq_reference_rule('unknown_dc', 'origin_dc_id', 'is_dc_known'),
    dq_range_rule('negative_freight_cost', 'freight_cost', low=0),
    dq_range_rule('negative_weight', 'weight_kg', low=0),
    dq_rule(
        'delivered_before_shipped', 'error', 'delivered_ts < ship_ts',
        dq_value_detail('delivered_ts')),
    dq_unknown_enum_rule('mode', 'mode', 'mode_raw'),
    dq_future_rule(['ship_ts', 'delivered_ts']),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with source as (
    select * from {{ source('tms', 'tms_shipments') }}
),

orders as (
    {{ dq_parent_states(ref('base_erp__sales_orders'), ['order_id']) }}
),

carriers as (
    select carrier_id from {{ ref('stg_tms__carriers') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

typed as (
    select
        {{ cast_text('shipment_id') }} as shipment_id,
        {{ cast_text('order_id') }} as order_id,
        {{ cast_text('carrier_id') }} as carrier_id,
        {{ cast_text('origin_dc_id') }} as origin_dc_id,
        {{ cast_text('consolidation_id') }} as consolidation_id,
        {{ normalize_enum(cast_text('mode'), 'mode') }} as mode,
        {{ cast_text('mode') }} as mode_raw,
        lower({{ cast_text('destination_region') }}) as destination_region,
        {{ cast_double('weight_kg') }} as weight_kg,
        {{ cast_double('volume_m3') }} as volume_m3,
        {{ cast_double('freight_cost') }} as freight_cost,
        coalesce({{ cast_bool('is_temperature_controlled') }}, false)
            as is_temperature_controlled,
        coalesce({{ cast_bool('is_expedited') }}, false) as is_expedited,
        {{ cast_date('promised_delivery_date') }} as promised_delivery_date,
        {{ cast_timestamp('ship_ts') }} as ship_ts,
        {{ cast_timestamp('delivered_ts') }} as delivered_ts
    from source
),

checked as (
    select
        typed.*,
        orders.parent_state as order_state,
        carriers.carrier_id is not null as is_carrier_known,
        distribution_centers.dc_id is not null as is_dc_known
    from typed
    left join orders
        on typed.order_id = orders.order_id
    left join carriers
        on typed.carrier_id = carriers.carrier_id
    left join distribution_centers
        on typed.origin_dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['shipment_id'], rules,
        tiebreak_columns=['ship_ts', 'freight_cost']) }}
)

select * from validated
