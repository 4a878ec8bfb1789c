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
        -- a double in the base model, so that the absurd_amount rule sees
        -- a value beyond decimal(18, 2); every staged row lies within var
        -- dq_max_gl_amount
        {{ dbt.cast('validated.budget_amount', 'decimal(18, 2)') }}
            as budget_amount
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
