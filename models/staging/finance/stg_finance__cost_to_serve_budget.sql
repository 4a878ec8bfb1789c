{#- Cost-to-serve budget: one row per budget month, cost pool and cost
    centre. -#}
with validated as (
    select * from {{ ref('base_finance__cost_to_serve_budget') }}
),

final as (
    select
        validated.budget_month,
        validated.cost_pool,
        validated.cost_center,
        validated.budget_amount
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
