{#- One row per staged invoice dated on or before the working-capital
    as-of date (grain invoice_id): whether it was paid by then, the days it
    took to pay (or has been open, when unpaid at the as-of date) and whether
    it is overdue.

    as_of_date is the build's (int_calendar__as_of_date: var as_of_date,
    or the latest order date). A payment dated after the as-of date counts
    as unpaid at the as-of date. -#}

with invoices as (
    select
        invoice_id,
        order_id,
        customer_id,
        invoice_amount,
        invoice_date,
        due_date,
        paid_date
    from {{ ref('fct_invoices') }}
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

dated as (
    select
        invoices.*,
        as_of.as_of_date,
        {{ invoice_is_paid_by('invoices.paid_date', 'as_of.as_of_date') }}
            as is_paid
    from invoices
    cross join as_of
    where invoices.invoice_date <= as_of.as_of_date
),

final as (
    select
        dated.invoice_id,
        dated.order_id,
        dated.customer_id,
        dated.invoice_amount,
        case
            when dated.is_paid then dated.invoice_amount else 0
        end as paid_amount,
        case
            when dated.is_paid then 0 else dated.invoice_amount
        end as open_amount,
        {{ invoice_days_open(
            'dated.invoice_date', 'dated.paid_date', 'dated.as_of_date') }}
            as days_to_pay,
        dated.is_paid,
        not dated.is_paid and dated.due_date < dated.as_of_date
            as is_overdue,
        dated.invoice_date,
        dated.due_date,
        dated.paid_date,
        dated.as_of_date
    from dated
)

select * from final
