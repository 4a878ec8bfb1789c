{#- Every raw general-ledger row, typed, with validation flags. Unlike an
    operational extract, a ledger row that is quarantined or a second row of
    the same month, account and cost centre stops the build (test
    assert_finance_extracts_fully_staged): its money would otherwise be
    missing from the allocation and the reconciliation. -#}
{%- set rules = [
    dq_key_rule(['posting_month', 'gl_account', 'cost_center']),
    dq_required_rule(['amount']),
    dq_rule(
        'absurd_amount', 'error',
        'abs(amount) > ' ~ var('dq_max_gl_amount'),
        "'above var dq_max_gl_amount " ~ var('dq_max_gl_amount') ~ ": '"
        ~ " || " ~ dq_value_detail('amount')),
    dq_early_date_rule(['posting_month']),
] -%}

with source as (
    select * from {{ source('finance', 'general_ledger') }}
),

typed as (
    select
        {{ cast_date('posting_month') }} as posting_month,
        {{ cast_text('gl_account') }} as gl_account,
        {{ cast_text('gl_account_name') }} as gl_account_name,
        upper({{ cast_text('cost_center') }}) as cost_center,
        {{ cast_double('amount') }} as amount,
        {{ dq_invalid_columns() }}
    from source
),

monthly as (
    -- any day of the month is read as its month
    select
        {{ dbt.cast(dbt.date_trunc('month', 'typed.posting_month'), 'date') }}
            as posting_month,
        typed.gl_account,
        typed.gl_account_name,
        typed.cost_center,
        typed.amount,
        typed.dq_invalid_number,
        typed.dq_invalid_date,
        typed.dq_invalid_boolean
    from typed
),

validated as (
    {{ dq_validate(
        'monthly', ['posting_month', 'gl_account', 'cost_center'], rules,
        tiebreak_columns=['amount']) }}
)

select * from validated
