{#- Invoices: one valid row per invoice_id. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_erp__invoices'), ref('check_erp__invoices'),
        ['invoice_id']) }}
),

final as (
    select
        validated.invoice_id,
        validated.order_id,
        validated.customer_id,
        validated.invoice_amount,
        validated.invoice_date,
        validated.due_date,
        validated.paid_date
    from validated
)

select * from final
