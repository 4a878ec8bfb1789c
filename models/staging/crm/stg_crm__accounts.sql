{#- CRM accounts: latest valid service terms per customer_id. -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_crm__accounts'), ref('check_crm__accounts'),
        ['customer_id']) }}
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
)

select * from final
