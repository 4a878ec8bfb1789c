{#- Summed over segments, segment_working_capital equals
    customer_working_capital: every customer is in exactly one segment and
    no amount is lost. Returns a row when a total differs by a cent or more.
-#}
with by_segment as (
    select
        sum(customer_count) as customers,
        sum(receivables_outstanding) as receivables,
        sum(cash_tied_up) as cash
    from {{ ref('segment_working_capital') }}
),

by_customer as (
    select
        count(*) as customers,
        sum(receivables_outstanding) as receivables,
        sum(cash_tied_up) as cash
    from {{ ref('customer_working_capital') }}
)

select
    by_segment.customers,
    by_customer.customers as expected_customers,
    by_segment.receivables,
    by_customer.receivables as expected_receivables,
    by_segment.cash,
    by_customer.cash as expected_cash
from by_segment
cross join by_customer
where
    by_segment.customers <> by_customer.customers
    or abs(by_segment.receivables - by_customer.receivables) >= 0.01
    or abs(by_segment.cash - by_customer.cash) >= 0.01
