{#- budget_variance carries every cent of the general ledger (mapped
    accounts) and of the cost-to-serve budget: per month, its actual and
    budget totals equal the seeds' totals, computed here directly. Returns
    the months that differ. -#}
with general_ledger as (
    select
        general_ledger.posting_month as budget_month,
        sum(general_ledger.amount) as gl_amount
    from {{ ref('stg_finance__general_ledger') }} as general_ledger
    inner join {{ ref('cost_pool_mapping') }} as pool_mapping
        on
            {{ dbt.cast('general_ledger.gl_account', dbt.type_string()) }}
            = {{ dbt.cast('pool_mapping.gl_account', dbt.type_string()) }}
    group by 1
),

budget as (
    select
        budget_month,
        sum(budget_amount) as budget_amount
    from {{ ref('stg_finance__cost_to_serve_budget') }}
    group by 1
),

variances as (
    select
        budget_month,
        sum(actual_amount) as actual_amount,
        sum(budget_amount) as budget_amount
    from {{ ref('budget_variance') }}
    group by 1
),

months as (
    select budget_month from general_ledger
    union
    select budget_month from budget
)

select
    months.budget_month,
    general_ledger.gl_amount,
    variances.actual_amount,
    budget.budget_amount as seed_budget_amount,
    variances.budget_amount
from months
left join general_ledger
    on months.budget_month = general_ledger.budget_month
left join budget
    on months.budget_month = budget.budget_month
left join variances
    on months.budget_month = variances.budget_month
where
    coalesce(general_ledger.gl_amount, 0)
    <> coalesce(variances.actual_amount, 0)
    or coalesce(budget.budget_amount, 0)
    <> coalesce(variances.budget_amount, 0)
