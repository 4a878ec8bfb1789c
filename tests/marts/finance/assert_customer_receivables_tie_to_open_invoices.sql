{#- Summed over customers, customer_working_capital's receivables and
    overdue receivables equal the invoices of stg_erp__invoices open at the
    as-of date (dated by then, not paid by then; overdue: due before it),
    computed here directly. Returns a row when they differ by more than
    var gl_tie_out_tolerance. -#}
with as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('customer_working_capital') }}
),

open_invoices as (
    select
        sum(invoices.invoice_amount) as receivables_outstanding,
        sum(
            case
                when invoices.due_date < as_of.as_of_date
                    then invoices.invoice_amount
                else 0
            end
        ) as overdue_receivables
    from {{ ref('stg_erp__invoices') }} as invoices
    cross join as_of
    where
        invoices.invoice_date <= as_of.as_of_date
        and (
            invoices.paid_date is null
            or invoices.paid_date > as_of.as_of_date
        )
),

customers as (
    select
        sum(receivables_outstanding) as receivables_outstanding,
        sum(overdue_receivables) as overdue_receivables
    from {{ ref('customer_working_capital') }}
)

select
    open_invoices.receivables_outstanding as expected_receivables,
    customers.receivables_outstanding,
    open_invoices.overdue_receivables as expected_overdue,
    customers.overdue_receivables
from open_invoices
cross join customers
where
    abs(
        coalesce(open_invoices.receivables_outstanding, 0)
        - customers.receivables_outstanding
    ) > {{ var('gl_tie_out_tolerance') }}
    or abs(
        coalesce(open_invoices.overdue_receivables, 0)
        - customers.overdue_receivables
    ) > {{ var('gl_tie_out_tolerance') }}
