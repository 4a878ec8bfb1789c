{#- The warehouse activities at a DC that is not staged, for an order that
    is not staged (unknown or quarantined), or for a line the staged order
    does not have: they are quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['activity_id', 'dq_key_version'],
    refresh_delete=[['order', 'order_id'], ['since', 'activity_ts']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
    dq_rule(
        'unknown_order_line', 'error',
        "line_number is not null and order_state = 'staged'"
        ~ " and not is_line_known",
        dq_value_detail('line_number')),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with activities as (
    {{ dq_surviving_rows(
        ref('base_wms__activities'), ['activity_id'],
        ['dc_id', 'order_id', 'line_number', 'activity_ts'],
        refresh, [['order', 'order_id'], ['since', 'activity_ts']]) }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

orders as (
    select
        order_id,
        parent_state
    from {{ ref('stg_erp__sales_order_states') }}
),

order_lines as (
    select
        order_id,
        line_number
    from {{ ref('stg_erp__sales_order_lines') }}
),

checked as (
    select
        activities.*,
        distribution_centers.dc_id is not null as is_dc_known,
        orders.parent_state as order_state,
        order_lines.order_id is not null as is_line_known
    from activities
    left join distribution_centers
        on activities.dc_id = distribution_centers.dc_id
    left join orders
        on activities.order_id = orders.order_id
    left join order_lines
        on
            activities.order_id = order_lines.order_id
            and activities.line_number = order_lines.line_number
),

final as (
    {{ dq_check('checked', ['activity_id'], rules,
        carried=['order_id', 'activity_ts']) }}
)

select * from final
