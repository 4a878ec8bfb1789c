{#- The invoices of an unknown or quarantined order, or billed to another
    customer than the order's: they are quarantined. -#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['invoice_id', 'dq_key_version'],
    refresh_delete=[['order', 'order_id'], ['customer', 'customer_id'], ['since', 'invoice_date'], ['since', 'paid_date']],
) }}
{%- set refresh = refresh_context() -%}
{%- set rules = [
    dq_rule(
        'customer_mismatch', 'error',
        'order_customer_id is not null and customer_id <> order_customer_id',
        dq_value_detail('customer_id') ~ " || ' but order has '"
        ~ " || order_customer_id"),
] + dq_parent_rules('order', 'order_id', 'order_state') -%}

with invoices as (
    {{ dq_surviving_rows(
        ref('base_erp__invoices'), ['invoice_id'],
        ['order_id', 'customer_id', 'invoice_date', 'paid_date'],
        refresh, [['order', 'order_id'], ['customer', 'customer_id'], ['since', 'invoice_date'], ['since', 'paid_date']]) }}
),

orders as (
    select
        order_id,
        parent_state
    from {{ ref('stg_erp__sales_order_states') }}
),

order_customers as (
    select
        order_id,
        customer_id as order_customer_id
    from {{ ref('stg_erp__sales_orders') }}
),

checked as (
    select
        invoices.*,
        orders.parent_state as order_state,
        order_customers.order_customer_id
    from invoices
    left join orders
        on invoices.order_id = orders.order_id
    left join order_customers
        on invoices.order_id = order_customers.order_id
),

final as (
    {{ dq_check('checked', ['invoice_id'], rules,
        carried=['order_id', 'customer_id', 'invoice_date', 'paid_date']) }}
)

select * from final
