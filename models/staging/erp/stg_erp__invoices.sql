{#- Invoices: one valid row per invoice_id. -#}
with validated as (
    select * from {{ ref('base_erp__invoices') }}
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
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
