{#- Every raw return row, typed, with validation flags
    (check_erp__returns: its order line). -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['return_id'],
    refresh_delete=[['order', 'order_id'], ['since', 'return_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['quantity_returned']),
    dq_key_rule(['return_id']),
    dq_required_rule(['order_id', 'line_number', 'sku_id', 'return_date',
        'quantity_returned']),
    dq_range_rule('negative_quantity', 'quantity_returned', low=0),
    dq_unknown_enum_rule('return_reason', 'return_reason', 'return_reason_raw'),
    dq_future_rule(['return_date']),
    dq_early_date_rule(['return_date']),
] -%}

with refreshed as (
    {{ typed_erp_returns(where=refresh_raw_filter(
        refresh, 'erp', 'erp_returns', ['return_id'],
        [['order', 'order_id'], ['since', 'return_date']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['return_id'], rules,
        tiebreak_columns=['return_date', 'quantity_returned']) }}
)

select * from validated
