{#- Every raw shipment row, typed, with validation flags
    (check_tms__shipments: its order, carrier and DC). -#}
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
    dq_range_rule('negative_freight_cost', 'freight_cost', low=0),
    dq_range_rule('negative_weight', 'weight_kg', low=0),
    dq_rule(
        'delivered_before_shipped', 'error', 'delivered_ts < ship_ts',
        dq_value_detail('delivered_ts')),
    dq_unknown_enum_rule('mode', 'mode', 'mode_raw'),
    dq_future_rule(['ship_ts', 'delivered_ts']),
    dq_early_date_rule(['ship_ts', 'delivered_ts']),
] -%}

with refreshed as (
    {{ typed_tms_shipments(where=refresh_raw_filter(
        refresh, 'tms', 'tms_shipments', ['shipment_id'],
        [['order', 'order_id'], ['since', 'ship_ts'], ['since', 'delivered_ts']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['shipment_id'], rules,
        tiebreak_columns=['ship_ts', 'freight_cost']) }}
)

select * from validated
