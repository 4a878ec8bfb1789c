{#- Every raw invoice row, typed, with validation flags. An invoice of an
    unknown or quarantined order is quarantined. -#}
{%- set rules = [
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
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with source as (
    select * from {{ source('erp', 'erp_invoices') }}
),

orders as (
    {{ dq_parent_states(ref('base_erp__sales_orders'), ['order_id']) }}
),

order_customers as (
    select
        order_id,
        customer_id as order_customer_id
    from {{ ref('stg_erp__sales_orders') }}
),

typed as (
    select
        {{ cast_text('invoice_id') }} as invoice_id,
        {{ cast_text('order_id') }} as order_id,
        {{ cast_text('customer_id') }} as customer_id,
        {{ cast_double('invoice_amount') }} as invoice_amount,
        {{ cast_date('invoice_date') }} as invoice_date,
        {{ cast_date('due_date') }} as due_date,
        {{ cast_date('paid_date') }} as paid_date
    from source
),

checked as (
    select
        typed.*,
        orders.parent_state as order_state,
        order_customers.order_customer_id
    from typed
    left join orders
        on typed.order_id = orders.order_id
    left join order_customers
        on typed.order_id = order_customers.order_id
),

validated as (
    {{ dq_validate(
        'checked', ['invoice_id'], rules,
        tiebreak_columns=['invoice_date', 'invoice_amount']) }}
)

select * from validated
