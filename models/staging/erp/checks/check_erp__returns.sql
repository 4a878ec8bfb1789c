{#- The returns of a line that is not staged (unknown, or quarantined with
    its order) or of another SKU than the line's are quarantined; a return
    of more than the line shipped is flagged. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['return_id', 'dq_key_version'],
    refresh_delete=[['order', 'order_id'], ['product', 'sku_id'], ['since', 'return_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_rule(
        'sku_mismatch', 'error',
        'line_sku_id is not null and sku_id <> line_sku_id',
        dq_value_detail('sku_id') ~ " || ' but line has ' || line_sku_id"),
    dq_rule(
        'returned_exceeds_shipped', 'warn',
        'quantity_returned > line_quantity_shipped',
        dq_value_detail('quantity_returned')),
] + dq_parent_rules('order_line', 'line_key', 'line_state') -%}

with returns as (
    {{ dq_surviving_rows(
        ref('base_erp__returns'), ['return_id'],
        ['order_id', 'line_number', 'sku_id', 'quantity_returned', 'return_date'],
        refresh, [['order', 'order_id'], ['product', 'sku_id'], ['since', 'return_date']]) }}
),

order_lines as (
    {{ dq_parent_states(
        ref('base_erp__sales_order_lines'),
        ref('check_erp__sales_order_lines'),
        ['order_id', 'line_number']) }}
),

staged_lines as (
    select
        order_id,
        line_number,
        sku_id as line_sku_id,
        quantity_shipped as line_quantity_shipped
    from {{ ref('stg_erp__sales_order_lines') }}
),

checked as (
    select
        returns.*,
        {{ dbt.concat([
            'returns.order_id', "'|'",
            dbt.cast('returns.line_number', dbt.type_string())]) }}
            as line_key,
        order_lines.parent_state as line_state,
        staged_lines.line_sku_id,
        staged_lines.line_quantity_shipped
    from returns
    left join order_lines
        on
            returns.order_id = order_lines.order_id
            and returns.line_number = order_lines.line_number
    left join staged_lines
        on
            returns.order_id = staged_lines.order_id
            and returns.line_number = staged_lines.line_number
),

final as (
    {{ dq_check('checked', ['return_id'], rules,
        carried=['order_id', 'sku_id', 'return_date']) }}
)

select * from final
