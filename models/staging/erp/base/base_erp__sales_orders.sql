{#- Every raw sales-order header row, typed, with dedupe and validation
    flags (check_erp__sales_orders: its customer and DC). -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_key_rule(['order_id']),
    dq_required_rule(['customer_id', 'order_ts', 'ship_from_dc_id',
        'order_status', 'updated_at']),
    dq_future_rule(['order_ts', 'updated_at']),
    dq_early_date_rule(['order_ts', 'updated_at']),
    dq_unknown_enum_rule('order_channel', 'order_channel', 'order_channel_raw'),
    dq_unknown_enum_rule('priority', 'priority', 'priority_raw'),
    dq_unknown_enum_rule('order_status', 'order_status', 'order_status_raw'),
    dq_rule(
        'delivery_requested_before_order', 'warn',
        'requested_delivery_date < ' ~ dbt.cast('order_ts', 'date'),
        dq_value_detail('requested_delivery_date')),
] -%}

with refreshed as (
    {{ typed_erp_sales_orders(where=refresh_raw_filter(
        refresh, 'erp', 'erp_sales_orders', ['order_id'],
        [['order', 'order_id'], ['since', 'updated_at']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['order_id'], rules,
        order_by='updated_at', tiebreak_columns=['order_status', 'order_ts']) }}
)

select * from validated
