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
        validated.amount
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
