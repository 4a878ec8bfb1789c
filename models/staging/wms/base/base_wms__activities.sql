{#- Every raw warehouse-activity row, typed, with validation flags. Order
    work for an order that is not staged is quarantined with the order. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['activity_id'],
    refresh_delete=[['order', 'order_id'], ['since', 'activity_ts']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['units_handled']),
    dq_key_rule(['activity_id']),
    dq_required_rule(['dc_id', 'activity_type', 'activity_ts',
        'labor_minutes']),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
    dq_range_rule(
        'invalid_labor_minutes', 'labor_minutes',
        0, var('dq_max_labor_minutes')),
    dq_range_rule('negative_quantity', 'units_handled', low=0),
    dq_rule(
        'unknown_order_line', 'error',
        "line_number is not null and order_state = 'staged'"
        ~ " and not is_line_known",
        dq_value_detail('line_number')),
    dq_unknown_enum_rule('activity_type', 'activity_type', 'activity_type_raw'),
    dq_future_rule(['activity_ts']),
    dq_early_date_rule(['activity_ts']),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

orders as (
    {{ dq_parent_states(ref('base_erp__sales_orders'), ['order_id']) }}
),

order_lines as (
    select
        order_id,
        line_number
    from {{ ref('stg_erp__sales_order_lines') }}
),

refreshed as (
    {{ typed_wms_activities(where=refresh_raw_filter(
        refresh, 'wms', 'wms_activities', ['activity_id'],
        [['order', 'order_id'], ['since', 'activity_ts']])) }}
),

checked as (
    select
        refreshed.*,
        distribution_centers.dc_id is not null as is_dc_known,
        orders.parent_state as order_state,
        order_lines.order_id is not null as is_line_known
    from refreshed
    left join distribution_centers
        on refreshed.dc_id = distribution_centers.dc_id
    left join orders
        on refreshed.order_id = orders.order_id
    left join order_lines
        on
            refreshed.order_id = order_lines.order_id
            and refreshed.line_number = order_lines.line_number
),

validated as (
    {{ dq_validate(
        'checked', ['activity_id'], rules,
        tiebreak_columns=['activity_ts', 'labor_minutes']) }}
)

select * from validated
