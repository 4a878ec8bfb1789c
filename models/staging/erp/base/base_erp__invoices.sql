{#- Every raw invoice row, typed, with validation flags
    (check_erp__invoices: its order and the order's customer). -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['invoice_id'],
    refresh_delete=[['order', 'order_id'], ['since', 'invoice_date'], ['since', 'paid_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('amount', ['invoice_amount']),
    dq_key_rule(['invoice_id']),
    dq_required_rule(['order_id', 'customer_id', 'invoice_date', 'due_date',
        'invoice_amount']),
    dq_rule(
        'due_before_invoice', 'error', 'due_date < invoice_date',
        dq_value_detail('due_date')),
    dq_rule(
        'paid_before_invoice', 'warn', 'paid_date < invoice_date',
        dq_value_detail('paid_date')),
    dq_future_rule(['invoice_date', 'paid_date']),
    dq_early_date_rule(['invoice_date', 'paid_date']),
] -%}

with refreshed as (
    {{ typed_erp_invoices(where=refresh_raw_filter(
        refresh, 'erp', 'erp_invoices', ['invoice_id'],
        [['order', 'order_id'], ['since', 'invoice_date'], ['since', 'paid_date']])) }}
),

validated as (
    {{ dq_validate(
        'refreshed', ['invoice_id'], rules,
        tiebreak_columns=['invoice_date', 'invoice_amount']) }}
)

select * from validated
