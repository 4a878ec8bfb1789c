{#- Every general-ledger row is allocated in full: the order-line
    allocations of each (month, account, cost centre) add up to the GL amount
    within var gl_tie_out_tolerance. Returns the rows that do not tie. -#}
select
    posting_month,
    gl_account,
    cost_center,
    status,
    gl_amount,
    allocated_amount,
    case status
        when 'unmapped' then 'the account has no row in seed cost_pool_mapping'
        when 'unallocated'
            then 'no order carries the pool driver or net revenue that month'
        else 'the allocations do not add up to the GL amount'
    end as reason
from {{ ref('gl_reconciliation') }}
where
    status <> 'tied'
    or abs(gl_amount - allocated_amount) > {{ var('gl_tie_out_tolerance') }}
