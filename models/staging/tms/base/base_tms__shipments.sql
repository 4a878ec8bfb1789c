{#- Every raw shipment row, typed, with validation flags. A shipment of an
    unknown or quarantined order is quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['shipment_id'],
    refresh_delete=[['order', 'order_id'], ['since', 'ship_ts'], ['since', 'delivered_ts']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('amount', ['freight_cost']),
    dq_ceiling_rule('weight_kg', ['weight_kg']),
    dq_ceiling_rule('volume_m3', ['volume_m3']),
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
    dq_early_date_rule(['ship_ts', 'delivered_ts']),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with orders as (
    {{ dq_parent_states(ref('base_erp__sales_orders'), ['order_id']) }}
),

carriers as (
    select carrier_id from {{ ref('stg_tms__carriers') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

refreshed as (
    {{ typed_tms_shipments(where=refresh_raw_filter(
        refresh, 'tms', 'tms_shipments', ['shipment_id'],
        [['order', 'order_id'], ['since', 'ship_ts'], ['since', 'delivered_ts']])) }}
),

checked as (
    select
        refreshed.*,
        orders.parent_state as order_state,
        carriers.carrier_id is not null as is_carrier_known,
        distribution_centers.dc_id is not null as is_dc_known
    from refreshed
    left join orders
        on refreshed.order_id = orders.order_id
    left join carriers
        on refreshed.carrier_id = carriers.carrier_id
    left join distribution_centers
        on refreshed.origin_dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['shipment_id'], rules,
        tiebreak_columns=['ship_ts', 'freight_cost']) }}
)

select * from validated
