{#- Every raw warehouse-activity row, typed, with validation flags
    (check_wms__activities: its DC, order and order line). -#}
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
    dq_range_rule(
        'invalid_labor_minutes', 'labor_minutes',
        0, var('dq_max_labor_minutes')),
    dq_range_rule('negative_quantity', 'units_handled', low=0),
    dq_unknown_enum_rule('activity_type', 'activity_type', 'activity_type_raw'),
    dq_future_rule(['activity_ts']),
    dq_early_date_rule(['activity_ts']),
] -%}

with refreshed as (
    {{ typed_wms_activities(where=refresh_raw_filter(
        refresh, 'wms', 'wms_activities', ['activity_id'],
        [['order', 'order_id'], ['since', 'activity_ts']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['activity_id'], rules,
        tiebreak_columns=['activity_ts', 'labor_minutes']) }}
)

select * from validated
