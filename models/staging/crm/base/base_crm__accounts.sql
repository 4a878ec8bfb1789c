{#- Every raw CRM account row, typed, with dedupe and validation flags
    (check_crm__accounts: its ERP customer). -#}
{%- set rules = [
    dq_key_rule(['customer_id']),
    dq_required_rule(['sla_tier', 'is_strategic', 'updated_at']),
    dq_range_rule('invalid_target_otif', 'target_otif_pct', 0, 100),
    dq_range_rule('invalid_late_penalty', 'late_penalty_pct', 0, 100),
    dq_rule(
        'contract_ends_before_start', 'warn',
        'contract_end_date < contract_start_date',
        dq_value_detail('contract_end_date')),
    dq_unknown_enum_rule('sla_tier', 'sla_tier', 'sla_tier_raw'),
    dq_future_rule(['updated_at']),
    dq_early_date_rule(['updated_at']),
] -%}

with source as (
    select * from {{ source('crm', 'crm_accounts') }}
),

typed as (
    select
        {{ cast_text('customer_id') }} as customer_id,
        {{ cast_text('account_manager') }} as account_manager,
        {{ normalize_enum(cast_text('sla_tier'), 'sla_tier') }} as sla_tier,
        {{ cast_text('sla_tier') }} as sla_tier_raw,
        {{ cast_double('target_otif_pct') }} as target_otif_pct,
        {{ cast_double('late_penalty_pct') }} as late_penalty_pct,
        {{ cast_bool('is_strategic') }} as is_strategic,
        {{ cast_date('contract_start_date') }} as contract_start_date,
        {{ cast_date('contract_end_date') }} as contract_end_date,
        {{ cast_timestamp('updated_at') }} as updated_at,
        {{ dq_invalid_columns() }}
    from source
),

validated as (
    {{ dq_validate(
        'typed', ['customer_id'], rules,
        order_by='updated_at', tiebreak_columns=['sla_tier']) }}
)

select * from validated
