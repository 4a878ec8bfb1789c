{#- Every raw purchase-receipt row, typed, with validation flags
    (check_erp__purchase_receipts: its SKU and DC). A refresh redoes the
    receipts dated (ordered or received) in the window. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['receipt_id'],
    refresh_delete=[['since', 'po_date'], ['since', 'receipt_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('quantity', ['quantity_received']),
    dq_ceiling_rule('unit_price', ['unit_cost']),
    dq_key_rule(['receipt_id']),
    dq_required_rule(['sku_id', 'dc_id', 'supplier_id', 'po_date',
        'receipt_date', 'quantity_received']),
    dq_range_rule('negative_quantity', 'quantity_received', low=0),
    dq_range_rule('negative_unit_cost', 'unit_cost', low=0),
    dq_rule(
        'receipt_before_po', 'error', 'receipt_date < po_date',
        dq_value_detail('receipt_date')),
    dq_future_rule(['po_date', 'receipt_date']),
    dq_early_date_rule(['po_date', 'receipt_date']),
] -%}

with typed as (
    {{ typed_erp_purchase_receipts(where=refresh_raw_filter(
        refresh, 'erp', 'erp_purchase_receipts', ['receipt_id'],
        [['since', 'po_date'], ['since', 'receipt_date']])) }}
),

validated as (
    {{ dq_validate(
        'typed', ['receipt_id'], rules,
        tiebreak_columns=['receipt_date', 'quantity_received']) }}
)

select * from validated
