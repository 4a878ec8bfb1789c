{#- One row per valid invoice (grain invoice_id): the invoiced order and
    customer, amount, dates, whether it is paid and, once paid, the days it
    took. The one source of payment days: a figure at another date (the
    working-capital as-of date, the end of a segmentation period) applies
    macros invoice_is_paid_by and invoice_days_open to these columns. A
    refresh redoes the invoices of a changed order or customer (whose check,
    check_erp__invoices, may have changed), or invoiced or paid in the
    window. -#}
{%- set redo = [['order', 'order_id'], ['customer', 'customer_id'],
    ['since', 'invoice_date'], ['since', 'paid_date']] -%}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['invoice_id'],
    refresh_delete=redo,
) }}
{%- set refresh = refresh_context() -%}

with invoices as (
    select
        invoice_id,
        order_id,
        customer_id,
        invoice_amount,
        invoice_date,
        due_date,
        paid_date
    from {{ ref('stg_erp__invoices') }}
    {%- if refresh.active %}
    where
        {%- for kind, column in redo %}
        {{ 'or ' if not loop.first }}{{ refresh_condition(refresh, kind, column) }}
        {%- endfor %}
    {%- endif %}
),

final as (
    select
        invoice_id,
        order_id,
        customer_id,
        invoice_amount,
        paid_date is not null as is_paid,
        case
            when paid_date is null then invoice_amount else 0
        end as open_amount,
        {{ dbt.cast(dbt.datediff('invoice_date', 'paid_date', 'day'),
            dbt.type_bigint()) }} as days_to_pay,
        invoice_date,
        due_date,
        paid_date
    from invoices
)

select * from final
