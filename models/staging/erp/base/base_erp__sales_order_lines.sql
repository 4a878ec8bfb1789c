{#- Every raw order-line row, typed, with dedupe and validation flags
    (check_erp__sales_order_lines: its order and SKU). -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['order_id', 'line_number'],
    refresh_delete=[['order', 'order_id']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['quantity_ordered', 'quantity_shipped']),
    dq_ceiling_rule('unit_price', ['unit_price']),
    dq_key_rule(['order_id', 'line_number']),
    dq_required_rule(['sku_id', 'quantity_ordered', 'quantity_shipped',
        'unit_price', 'updated_at']),
    dq_rule(
        'negative_quantity', 'error',
        'quantity_ordered < 0 or quantity_shipped < 0',
        dq_value_detail('quantity_ordered') ~ " || ' '"
        ~ " || " ~ dq_value_detail('quantity_shipped')),
    dq_rule(
        'shipped_exceeds_ordered', 'error',
        'quantity_shipped > quantity_ordered and quantity_ordered >= 0',
        dq_value_detail('quantity_shipped')),
    dq_range_rule('negative_price', 'unit_price', low=0),
    dq_range_rule(
        'invalid_discount', 'discount_pct', 0, var('dq_max_discount_pct')),
    dq_future_rule(['updated_at']),
    dq_early_date_rule(['updated_at']),
] -%}

with refreshed as (
    {{ typed_erp_sales_order_lines(where=refresh_raw_filter(
        refresh, 'erp', 'erp_sales_order_lines', ['order_id', 'line_number'],
        [['order', 'order_id'], ['since', 'updated_at']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['order_id', 'line_number'], rules,
        order_by='updated_at',
        tiebreak_columns=['quantity_ordered', 'quantity_shipped', 'sku_id']) }}
)

select * from validated
