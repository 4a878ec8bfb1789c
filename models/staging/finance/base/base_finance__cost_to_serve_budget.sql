{#- Every raw budget row, typed, with validation flags. As for the general
    ledger, a quarantined or repeated row stops the build (test
    assert_finance_extracts_fully_staged). -#}
{%- set rules = [
    dq_key_rule(['budget_month', 'cost_pool', 'cost_center']),
    dq_required_rule(['budget_amount']),
    dq_rule(
        'absurd_amount', 'error',
        'abs(budget_amount) > ' ~ var('dq_max_gl_amount'),
        "'above var dq_max_gl_amount " ~ var('dq_max_gl_amount') ~ ": '"
        ~ " || " ~ dq_value_detail('budget_amount')),
    dq_early_date_rule(['budget_month']),
] -%}

with source as (
    select * from {{ source('finance', 'cost_to_serve_budget') }}
),

typed as (
    select
        {{ cast_date('budget_month') }} as budget_month,
        lower({{ cast_text('cost_pool') }}) as cost_pool,
        upper({{ cast_text('cost_center') }}) as cost_center,
        {{ cast_double('budget_amount') }} as budget_amount,
        {{ dq_invalid_columns() }}
    from source
),

monthly as (
    -- any day of the month is read as its month
    select
        {{ dbt.cast(dbt.date_trunc('month', 'typed.budget_month'), 'date') }}
            as budget_month,
        typed.cost_pool,
        typed.cost_center,
        typed.budget_amount,
        typed.dq_invalid_number,
        typed.dq_invalid_date,
        typed.dq_invalid_boolean
    from typed
),

validated as (
    {{ dq_validate(
        'monthly', ['budget_month', 'cost_pool', 'cost_center'], rules,
        tiebreak_columns=['budget_amount']) }}
)

select * from validated
