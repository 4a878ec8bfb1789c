{#- CRM accounts: latest valid service terms per customer_id. -#}
with validated as (
    select * from {{ ref('base_crm__accounts') }}
),

final as (
    select
        validated.customer_id,
        validated.account_manager,
        validated.sla_tier,
        validated.target_otif_pct,
        validated.late_penalty_pct,
        validated.is_strategic,
        validated.contract_start_date,
        validated.contract_end_date,
        validated.updated_at
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
