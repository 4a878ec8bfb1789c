{#- General ledger: one row per posting month, GL account and cost centre. -#}
with validated as (
    select * from {{ ref('base_finance__general_ledger') }}
),

final as (
    select
        validated.posting_month,
        validated.gl_account,
        validated.gl_account_name,
        validated.cost_center,
        -- a double in the base model, so that the absurd_amount rule sees
        -- a value beyond decimal(18, 2); every staged row lies within var
        -- dq_max_gl_amount
        {{ dbt.cast('validated.amount', 'decimal(18, 2)') }} as amount
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
