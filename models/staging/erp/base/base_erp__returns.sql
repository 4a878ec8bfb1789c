{#- Every raw return row, typed, with validation flags. A return of a line
    that is not staged (unknown, or quarantined with its order) is
    quarantined. -#}
{%- set rules = [
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
] + dq_parent_rules('order_line', 'line_key', 'line_state') -%}

with source as (
    select * from {{ source('erp', 'erp_returns') }}
),

order_lines as (
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

typed as (
    select
        {{ cast_text('return_id') }} as return_id,
        {{ cast_text('order_id') }} as order_id,
        {{ cast_int('line_number') }} as line_number,
        {{ cast_text('sku_id') }} as sku_id,
        {{ normalize_enum(cast_text('return_reason'), 'return_reason') }}
            as return_reason,
        {{ cast_text('return_reason') }} as return_reason_raw,
        {{ cast_double('quantity_returned') }} as quantity_returned,
        {{ cast_date('return_date') }} as return_date
    from source
),

checked as (
    select
        typed.*,
        {{ dbt.concat([
            'typed.order_id', "'|'",
            dbt.cast('typed.line_number', dbt.type_string())]) }} as line_key,
        order_lines.parent_state as line_state,
        staged_lines.line_sku_id,
        staged_lines.line_quantity_shipped
    from typed
    left join order_lines
        on
            typed.order_id = order_lines.order_id
            and typed.line_number = order_lines.line_number
    left join staged_lines
        on
            typed.order_id = staged_lines.order_id
            and typed.line_number = staged_lines.line_number
),

validated as (
    {{ dq_validate(
        'checked', ['return_id'], rules,
        tiebreak_columns=['return_date', 'quantity_returned']) }}
)

select * from validated
