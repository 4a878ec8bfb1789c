{#- Every raw invoice row, typed, with validation flags. An invoice of an
    unknown or quarantined order is quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['invoice_id'],
    refresh_delete=[['order', 'order_id'], ['customer', 'customer_id'], ['since', 'invoice_date'], ['since', 'paid_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_ceiling_rule('amount', ['invoice_amount']),
    dq_key_rule(['invoice_id']),
    dq_required_rule(['order_id', 'customer_id', 'invoice_date', 'due_date',
        'invoice_amount']),
    dq_rule(
        'customer_mismatch', 'error',
        'order_customer_id is not null and customer_id <> order_customer_id',
        dq_value_detail('customer_id') ~ " || ' but order has '"
        ~ " || order_customer_id"),
    dq_rule(
        'due_before_invoice', 'error', 'due_date < invoice_date',
        dq_value_detail('due_date')),
    dq_rule(
        'paid_before_invoice', 'warn', 'paid_date < invoice_date',
        dq_value_detail('paid_date')),
    dq_future_rule(['invoice_date', 'paid_date']),
    dq_early_date_rule(['invoice_date', 'paid_date']),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with orders as (
    {{ dq_parent_states(ref('base_erp__sales_orders'), ['order_id']) }}
),

order_customers as (
    select
        order_id,
        customer_id as order_customer_id
    from {{ ref('stg_erp__sales_orders') }}
),

refreshed as (
    {{ typed_erp_invoices(where=refresh_raw_filter(
        refresh, 'erp', 'erp_invoices', ['invoice_id'],
        [['order', 'order_id'], ['customer', 'customer_id'], ['since', 'invoice_date'], ['since', 'paid_date']])) }}
),

checked as (
    select
        refreshed.*,
        orders.parent_state as order_state,
        order_customers.order_customer_id
    from refreshed
    left join orders
        on refreshed.order_id = orders.order_id
    left join order_customers
        on refreshed.order_id = order_customers.order_id
),

validated as (
    {{ dq_validate(
        'checked', ['invoice_id'], rules,
        tiebreak_columns=['invoice_date', 'invoice_amount']) }}
)

select * from validated
