{#- Every raw return row, typed, with validation flags. A return of a line
    that is not staged (unknown, or quarantined with its order) is
    quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['return_id'],
    refresh_delete=[['order', 'order_id'], ['product', 'sku_id'], ['since', 'return_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['quantity_returned']),
    dq_key_rule(['return_id']),
    dq_required_rule(['order_id', 'line_number', 'sku_id', 'return_date',
        'quantity_returned']),
    dq_range_rule('negative_quantity', 'quantity_returned', low=0),
    dq_rule(
        'sku_mismatch', 'error',
        'line_sku_id is not null and sku_id <> line_sku_id',
        dq_value_detail('sku_id') ~ " || ' but line has ' || line_sku_id"),
    dq_rule(
        'returned_exceeds_shipped', 'warn',
        'quantity_returned > line_quantity_shipped',
        dq_value_detail('quantity_returned')),
    dq_unknown_enum_rule('return_reason', 'return_reason', 'return_reason_raw'),
    dq_future_rule(['return_date']),
    dq_early_date_rule(['return_date']),
] + dq_parent_rules('order_line', 'line_key', 'line_state') -%}

with order_lines as (
    {{ dq_parent_states(
        ref('base_erp__sales_order_lines'), ['order_id', 'line_number']) }}
),

staged_lines as (
    select
        order_id,
        line_number,
        sku_id as line_sku_id,
        quantity_shipped as line_quantity_shipped
    from {{ ref('stg_erp__sales_order_lines') }}
),

refreshed as (
    {{ typed_erp_returns(where=refresh_raw_filter(
        refresh, 'erp', 'erp_returns', ['return_id'],
        [['order', 'order_id'], ['product', 'sku_id'], ['since', 'return_date']])) }}
),

checked as (
    select
        refreshed.*,
        {{ dbt.concat([
            'refreshed.order_id', "'|'",
            dbt.cast('refreshed.line_number', dbt.type_string())]) }} as line_key,
        order_lines.parent_state as line_state,
        staged_lines.line_sku_id,
        staged_lines.line_quantity_shipped
    from refreshed
    left join order_lines
        on
            refreshed.order_id = order_lines.order_id
            and refreshed.line_number = order_lines.line_number
    left join staged_lines
        on
            refreshed.order_id = staged_lines.order_id
            and refreshed.line_number = staged_lines.line_number
),

validated as (
    {{ dq_validate(
        'checked', ['return_id'], rules,
        tiebreak_columns=['return_date', 'quantity_returned']) }}
)

select * from validated
