{#- Every raw sales-order header row, typed, with dedupe and validation
    flags. An order whose customer or DC is not staged is quarantined. -#}
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
    dq_reference_rule(
        'unknown_customer', 'customer_id', 'is_customer_known'),
    dq_reference_rule('unknown_dc', 'ship_from_dc_id', 'is_dc_known'),
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

with customers as (
    select customer_id from {{ ref('stg_erp__customers') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

refreshed as (
    {{ typed_erp_sales_orders(where=refresh_raw_filter(
        refresh, 'erp', 'erp_sales_orders', ['order_id'],
        [['order', 'order_id'], ['since', 'updated_at']])) }}
),

checked as (
    select
        refreshed.*,
        customers.customer_id is not null as is_customer_known,
        distribution_centers.dc_id is not null as is_dc_known
    from refreshed
    left join customers
        on refreshed.customer_id = customers.customer_id
    left join distribution_centers
        on refreshed.ship_from_dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['order_id'], rules,
        order_by='updated_at', tiebreak_columns=['order_status', 'order_ts']) }}
)

select * from validated
