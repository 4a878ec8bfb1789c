{#- Every raw sales-order header row, typed, with dedupe and validation
    flags. An order whose customer or DC is not staged is quarantined. -#}
{%- set rules = [
    dq_key_rule(['order_id']),
    dq_required_rule(['customer_id', 'order_ts', 'ship_from_dc_id',
        'order_status', 'updated_at']),
    dq_reference_rule(
        'unknown_customer', 'customer_id', 'is_customer_known'),
    dq_reference_rule('unknown_dc', 'ship_from_dc_id', 'is_dc_known'),
    dq_future_rule(['order_ts', 'updated_at']),
    dq_unknown_enum_rule('order_channel', 'order_channel', 'order_channel_raw'),
    dq_unknown_enum_rule('priority', 'priority', 'priority_raw'),
    dq_unknown_enum_rule('order_status', 'order_status', 'order_status_raw'),
    dq_rule(
        'delivery_requested_before_order', 'warn',
        'requested_delivery_date < ' ~ dbt.cast('order_ts', 'date'),
        dq_value_detail('requested_delivery_date')),
] -%}

with source as (
    select * from {{ source('erp', 'erp_sales_orders') }}
),

customers as (
    select customer_id from {{ ref('stg_erp__customers') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

typed as (
    select
        {{ cast_text('order_id') }} as order_id,
        {{ cast_text('customer_id') }} as customer_id,
        {{ cast_text('ship_from_dc_id') }} as ship_from_dc_id,
        {{ normalize_enum(cast_text('order_channel'), 'order_channel') }}
            as order_channel,
        {{ cast_text('order_channel') }} as order_channel_raw,
        {{ normalize_enum(cast_text('priority'), 'priority') }} as priority,
        {{ cast_text('priority') }} as priority_raw,
        {{ normalize_enum(cast_text('order_status'), 'order_status') }}
            as order_status,
        {{ cast_text('order_status') }} as order_status_raw,
        {{ cast_date('requested_delivery_date') }} as requested_delivery_date,
        {{ cast_timestamp('order_ts') }} as order_ts,
        {{ cast_timestamp('updated_at') }} as updated_at
    from source
),

checked as (
    select
        typed.*,
        customers.customer_id is not null as is_customer_known,
        distribution_centers.dc_id is not null as is_dc_known
    from typed
    left join customers
        on typed.customer_id = customers.customer_id
    left join distribution_centers
        on typed.ship_from_dc_id = distribution_centers.dc_id
),

validated as (
    {{ dq_validate(
        'checked', ['order_id'], rules,
        order_by='updated_at', tiebreak_columns=['order_status', 'order_ts']) }}
)

select * from validated
