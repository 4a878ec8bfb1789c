{#- Summed over customers, customer_profitability.cost_to_serve equals the
    general-ledger operating costs of the month, computed here from the GL
    seed itself. Returns the months that differ by more than the tolerance.
-#}
with general_ledger as (
    select
        posting_month as month,
        sum(amount) as gl_amount
    from {{ ref('stg_finance__general_ledger') }}
    group by 1
),

customers as (
    select
        month,
        sum(cost_to_serve) as cost_to_serve
    from {{ ref('customer_profitability') }}
    group by 1
)

select
    general_ledger.month,
    general_ledger.gl_amount,
    customers.cost_to_serve
from general_ledger
left join customers
    on general_ledger.month = customers.month
where
    customers.cost_to_serve is null
    or abs(general_ledger.gl_amount - customers.cost_to_serve)
    > {{ var('gl_tie_out_tolerance') }}
