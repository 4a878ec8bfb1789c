{#- One row per budget month, cost pool and cost centre (grain
    budget_month, cost_pool, cost_center): actual cost (general ledger by
    cost pool through seed cost_pool_mapping, int_cost_pools__accounts)
    against seed
    cost_to_serve_budget, with the variance split into a volume and a rate
    effect that add up to it.

    Each pool is measured by the driver of its representative account: the
    account with the largest total GL amount (ties: lowest account number),
    whose allocation_driver (shared_dc resolved through var
    dc_overhead_allocation_method, as in int_cost_allocations__orders)
    and cost_behaviour stand for the pool.

      actual_volume    driver volume of the cost centre and month (the
                       company-wide volume for driver_scope company and for
                       cost centres that are not a DC, e.g. HQ)
      budgeted_volume  average actual volume of the trailing
                       var budget_volume_basis_months history months (the
                       actual volume when there is no history)
      budget_rate      budget / budgeted_volume
      actual_rate      actual / actual_volume
      volume_effect    (actual_volume - budgeted_volume) * budget_rate
      rate_effect      (actual_rate - budget_rate) * actual_volume
                       = actual - budget_rate * actual_volume

    Fixed pools, and rows without a budget rate (no budgeted volume), carry
    the whole variance as a spending (rate) effect. rate_effect takes the
    rounding cent, so volume_effect + rate_effect = variance exactly. -#}

with gl_pools as (
    select
        posting_month,
        gl_account,
        cost_center,
        cost_pool,
        amount
    from {{ ref('int_general_ledger__pooled') }}
    where is_mapped
),

mapping as (
    select
        gl_account,
        cost_pool,
        cost_behaviour,
        allocation_driver,
        driver_scope
    from {{ ref('int_cost_pools__accounts') }}
),

budget as (
    select
        budget_month,
        cost_pool,
        cost_center,
        budget_amount
    from {{ ref('stg_finance__cost_to_serve_budget') }}
),

drivers as (
    select
        driver_month,
        cost_center,
        allocation_driver,
        driver_quantity
    from {{ ref('int_orders__cost_drivers') }}
),

distribution_centers as (
    select dc_id
    from {{ ref('dim_distribution_centers') }}
),

account_totals as (
    select
        gl_pools.gl_account,
        sum(gl_pools.amount) as total_amount
    from gl_pools
    group by 1
),

pool_drivers as (
    -- The representative account of each pool: its largest by GL amount.
    select
        mapping.cost_pool,
        mapping.gl_account as driver_gl_account,
        mapping.cost_behaviour,
        mapping.driver_scope,
        mapping.allocation_driver,
        row_number() over (
            partition by mapping.cost_pool
            order by
                coalesce(account_totals.total_amount, 0) desc,
                mapping.gl_account asc
        ) as account_rank
    from mapping
    left join account_totals
        on mapping.gl_account = account_totals.gl_account
),

actuals as (
    select
        gl_pools.posting_month as budget_month,
        gl_pools.cost_pool,
        gl_pools.cost_center,
        sum(gl_pools.amount) as actual_amount
    from gl_pools
    group by 1, 2, 3
),

cells as (
    -- Every month, pool and cost centre with a budget or an actual.
    select
        coalesce(budget.budget_month, actuals.budget_month) as budget_month,
        coalesce(budget.cost_pool, actuals.cost_pool) as cost_pool,
        coalesce(budget.cost_center, actuals.cost_center) as cost_center,
        coalesce(budget.budget_amount, 0) as budget_amount,
        coalesce(actuals.actual_amount, 0) as actual_amount
    from budget
    full outer join actuals
        on
            budget.budget_month = actuals.budget_month
            and budget.cost_pool = actuals.cost_pool
            and budget.cost_center = actuals.cost_center
),

scoped_cells as (
    select
        cells.*,
        pool_drivers.driver_gl_account,
        pool_drivers.allocation_driver,
        pool_drivers.cost_behaviour,
        case
            when pool_drivers.driver_scope = 'company' then 'company'
            when distribution_centers.dc_id is null then 'company'
            else 'cost_center'
        end as volume_scope
    from cells
    left join pool_drivers
        on
            cells.cost_pool = pool_drivers.cost_pool
            and pool_drivers.account_rank = 1
    left join distribution_centers
        on cells.cost_center = distribution_centers.dc_id
),

history_months as (
    select distinct drivers.driver_month
    from drivers
),

center_volumes as (
    select
        drivers.driver_month,
        drivers.cost_center,
        drivers.allocation_driver,
        sum(drivers.driver_quantity) as driver_volume
    from drivers
    group by 1, 2, 3
),

company_volumes as (
    select
        drivers.driver_month,
        drivers.allocation_driver,
        sum(drivers.driver_quantity) as driver_volume
    from drivers
    group by 1, 2
),

series_keys as (
    select distinct
        scoped_cells.cost_pool,
        scoped_cells.cost_center,
        scoped_cells.allocation_driver,
        scoped_cells.volume_scope
    from scoped_cells
),

volume_series as (
    -- Driver volume of every pool and cost centre in every history month
    -- (0 when the driver had no volume there).
    select
        series_keys.cost_pool,
        series_keys.cost_center,
        history_months.driver_month,
        coalesce(
            case series_keys.volume_scope
                when 'company' then company_volumes.driver_volume
                else center_volumes.driver_volume
            end, 0
        ) as driver_volume
    from series_keys
    cross join history_months
    left join center_volumes
        on
            history_months.driver_month = center_volumes.driver_month
            and series_keys.cost_center = center_volumes.cost_center
            and series_keys.allocation_driver
            = center_volumes.allocation_driver
    left join company_volumes
        on
            history_months.driver_month = company_volumes.driver_month
            and series_keys.allocation_driver
            = company_volumes.allocation_driver
),

volumes as (
    select
        scoped_cells.budget_month,
        scoped_cells.cost_pool,
        scoped_cells.cost_center,
        coalesce(max(current_month.driver_volume), 0) as actual_volume,
        avg(basis.driver_volume) as trailing_average_volume,
        count(basis.driver_month) as trailing_month_count
    from scoped_cells
    left join volume_series as current_month
        on
            scoped_cells.cost_pool = current_month.cost_pool
            and scoped_cells.cost_center = current_month.cost_center
            and scoped_cells.budget_month = current_month.driver_month
    left join volume_series as basis
        on
            scoped_cells.cost_pool = basis.cost_pool
            and scoped_cells.cost_center = basis.cost_center
            and scoped_cells.budget_month > basis.driver_month
            and basis.driver_month >= {{ dbt.dateadd(
                'month',
                -1 * var('budget_volume_basis_months'),
                'scoped_cells.budget_month') }}
    group by 1, 2, 3
),

rated as (
    select
        scoped_cells.*,
        volumes.actual_volume,
        volumes.trailing_month_count,
        case
            when volumes.trailing_month_count > 0
                then volumes.trailing_average_volume
            else volumes.actual_volume
        end as budgeted_volume,
        scoped_cells.actual_amount - scoped_cells.budget_amount as variance
    from scoped_cells
    inner join volumes
        on
            scoped_cells.budget_month = volumes.budget_month
            and scoped_cells.cost_pool = volumes.cost_pool
            and scoped_cells.cost_center = volumes.cost_center
),

rates as (
    select
        rated.*,
        rated.budget_amount / nullif(rated.budgeted_volume, 0)
            as budget_rate,
        rated.actual_amount / nullif(rated.actual_volume, 0) as actual_rate
    from rated
),

effects as (
    select
        rates.*,
        case
            when rates.cost_behaviour = 'fixed' then 0
            when rates.budget_rate is null then 0
            else round(
                (rates.actual_volume - rates.budgeted_volume)
                * rates.budget_rate, 2
            )
        end as volume_effect
    from rates
),

final as (
    select
        effects.cost_pool,
        effects.cost_center,
        effects.driver_gl_account,
        effects.allocation_driver,
        effects.cost_behaviour,
        effects.volume_scope,
        case
            when
                abs(effects.volume_effect)
                > abs(effects.variance - effects.volume_effect)
                then 'volume'
            else 'rate'
        end as primary_driver,
        {{ dbt.cast('effects.actual_amount', 'decimal(18, 2)') }}
            as actual_amount,
        {{ dbt.cast('effects.budget_amount', 'decimal(18, 2)') }}
            as budget_amount,
        {{ dbt.cast('effects.variance', 'decimal(18, 2)') }} as variance,
        {{ dbt.cast(
            '100.0 * effects.variance / nullif(effects.budget_amount, 0)',
            type_double()) }} as variance_pct,
        {{ dbt.cast('effects.actual_volume', type_double()) }}
            as actual_volume,
        {{ dbt.cast('effects.budgeted_volume', type_double()) }}
            as budgeted_volume,
        effects.trailing_month_count,
        {{ dbt.cast('effects.actual_rate', type_double()) }} as actual_rate,
        {{ dbt.cast('effects.budget_rate', type_double()) }} as budget_rate,
        {{ dbt.cast('effects.volume_effect', 'decimal(18, 2)') }}
            as volume_effect,
        {{ dbt.cast('effects.variance - effects.volume_effect',
            'decimal(18, 2)') }} as rate_effect,
        coalesce(
            abs(100.0 * effects.variance / nullif(effects.budget_amount, 0))
            > {{ var('budget_variance_threshold_pct') }},
            effects.variance <> 0
        ) as is_flagged,
        {{ dbt.cast('effects.budget_month', 'date') }} as budget_month
    from effects
)

select * from final
