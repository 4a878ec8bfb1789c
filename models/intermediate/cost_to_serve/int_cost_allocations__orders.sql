{#-
    Activity-based allocation of every general-ledger row to orders (grain
    posting_month, gl_account, cost_center, order_id).

    Each GL row (month, account, cost centre) is mapped to a cost pool and an
    allocation driver by seed cost_pool_mapping (int_general_ledger__pooled). Its amount is spread over
    the orders that carry that driver in the same month (and, for
    driver_scope cost_center, the same DC) in proportion to their driver
    quantity: driver rate = pool cost / driver volume.

    Fully absorbing: when a month and cost centre has no volume of the
    driver, the amount is spread by the net revenue of the cost centre's
    orders that month, else by company-wide net revenue that month
    (allocation_basis says which). Only a month without any revenue leaves
    a GL row unallocated, and gl_reconciliation then fails the build.

    Amounts are allocated in whole cents with the largest-remainder method,
    so the allocated cents of every GL row add up exactly to its amount.
-#}
{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    refresh_delete=[['months', 'posting_month']],
) }}
{%- set refresh = refresh_context(cost_months=true) -%}
{#- A refresh re-allocates the months of int_refresh__cost_months whole. -#}

with gl_pools as (
    select
        posting_month,
        gl_account,
        cost_center,
        cost_pool,
        cost_behaviour,
        driver_scope,
        allocation_driver,
        amount
    from {{ ref('int_general_ledger__pooled') }}
    where is_mapped
    {{- refresh_filter(refresh, 'months', 'posting_month', 'and') }}
),

drivers as (
    select * from {{ ref('int_orders__cost_drivers') }}
    {%- if refresh.active %}
    where {{ refresh_condition(refresh, 'months', 'driver_month') }}
    {%- endif %}
),

center_totals as (
    select
        drivers.driver_month,
        drivers.cost_center,
        drivers.allocation_driver,
        sum(drivers.driver_quantity) as driver_total
    from drivers
    group by 1, 2, 3
),

company_totals as (
    select
        drivers.driver_month,
        drivers.allocation_driver,
        sum(drivers.driver_quantity) as driver_total
    from drivers
    group by 1, 2
),

gl_basis as (
    -- The first basis with volume: the pool's own driver, then the cost
    -- centre's net revenue, then the company's net revenue.
    select
        gl_pools.*,
        case
            when
                gl_pools.driver_scope = 'company'
                and own_company.driver_total > 0 then 'driver'
            when
                gl_pools.driver_scope = 'cost_center'
                and own_center.driver_total > 0 then 'driver'
            when
                gl_pools.driver_scope = 'cost_center'
                and revenue_center.driver_total > 0
                then 'cost_center_revenue'
            when revenue_company.driver_total > 0 then 'company_revenue'
            else 'unallocated'
        end as allocation_basis,
        -- the total volume of that basis, the denominator of every share
        case
            when
                gl_pools.driver_scope = 'company'
                and own_company.driver_total > 0
                then own_company.driver_total
            when
                gl_pools.driver_scope = 'cost_center'
                and own_center.driver_total > 0
                then own_center.driver_total
            when
                gl_pools.driver_scope = 'cost_center'
                and revenue_center.driver_total > 0
                then revenue_center.driver_total
            else revenue_company.driver_total
        end as basis_total
    from gl_pools
    left join center_totals as own_center
        on
            gl_pools.posting_month = own_center.driver_month
            and gl_pools.cost_center = own_center.cost_center
            and gl_pools.allocation_driver = own_center.allocation_driver
    left join company_totals as own_company
        on
            gl_pools.posting_month = own_company.driver_month
            and gl_pools.allocation_driver = own_company.allocation_driver
    left join center_totals as revenue_center
        on
            gl_pools.posting_month = revenue_center.driver_month
            and gl_pools.cost_center = revenue_center.cost_center
            and revenue_center.allocation_driver = 'net_revenue'
    left join company_totals as revenue_company
        on
            gl_pools.posting_month = revenue_company.driver_month
            and revenue_company.allocation_driver = 'net_revenue'
),

gl_targets as (
    -- One row per GL row that has a basis, numbered so that the per-order
    -- steps below carry one integer instead of month, account and centre.
    select
        gl_basis.*,
        row_number() over (
            order by
                gl_basis.posting_month,
                gl_basis.gl_account,
                gl_basis.cost_center
        ) as gl_row_id,
        {{ dbt.cast('round(gl_basis.amount * 100, 0)', dbt.type_bigint()) }}
            as amount_cents,
        case
            when gl_basis.allocation_basis = 'driver'
                then gl_basis.allocation_driver
            else 'net_revenue'
        end as basis_driver,
        case
            when gl_basis.allocation_basis = 'driver'
                then gl_basis.driver_scope
            when gl_basis.allocation_basis = 'cost_center_revenue'
                then 'cost_center'
            else 'company'
        end as basis_scope
    from gl_basis
    where gl_basis.allocation_basis <> 'unallocated'
),

company_drivers as (
    -- Company-wide volume per order, for the drivers a company-scope GL row
    -- is spread by.
    select
        drivers.driver_month,
        drivers.allocation_driver,
        drivers.order_id,
        sum(drivers.driver_quantity) as driver_quantity
    from drivers
    where
        drivers.allocation_driver in (
            select gl_targets.basis_driver
            from gl_targets
            where gl_targets.basis_scope = 'company'
        )
    group by 1, 2, 3
),

matched as (
    select
        gl_targets.gl_row_id,
        gl_targets.amount_cents,
        gl_targets.basis_total,
        drivers.order_id,
        drivers.driver_quantity
    from gl_targets
    inner join drivers
        on
            gl_targets.posting_month = drivers.driver_month
            and gl_targets.cost_center = drivers.cost_center
            and gl_targets.basis_driver = drivers.allocation_driver
    where gl_targets.basis_scope = 'cost_center'

    union all

    select
        gl_targets.gl_row_id,
        gl_targets.amount_cents,
        gl_targets.basis_total,
        company_drivers.order_id,
        company_drivers.driver_quantity
    from gl_targets
    inner join company_drivers
        on
            gl_targets.posting_month = company_drivers.driver_month
            and gl_targets.basis_driver = company_drivers.allocation_driver
    where gl_targets.basis_scope = 'company'
),

floored as (
    select
        matched.gl_row_id,
        matched.order_id,
        matched.driver_quantity,
        matched.driver_quantity / matched.basis_total as allocation_share,
        floor(
            matched.amount_cents * matched.driver_quantity
            / matched.basis_total
        ) as floor_cents,
        -- rounded to 1e-9 cent so that float noise does not order fractions
        -- that are equal (ties then go by order id)
        round(
            matched.amount_cents * matched.driver_quantity / matched.basis_total
            - floor(
                matched.amount_cents * matched.driver_quantity
                / matched.basis_total
            ),
            9
        ) as fraction_cents
    from matched
),

remainders as (
    -- Cents that flooring left over, per GL row.
    select
        gl_targets.gl_row_id,
        max(gl_targets.amount_cents) - sum(floored.floor_cents)
            as remainder_cents
    from gl_targets
    inner join floored
        on gl_targets.gl_row_id = floored.gl_row_id
    group by 1
),

ranked as (
    -- Largest remainder: the cents lost to flooring go, one each, to the
    -- orders with the largest fractions (ties by order).
    select
        floored.*,
        row_number() over (
            partition by floored.gl_row_id
            order by
                floored.fraction_cents desc,
                floored.order_id asc
        ) as remainder_rank
    from floored
),

final as (
    select
        gl_targets.posting_month,
        gl_targets.gl_account,
        gl_targets.cost_center,
        ranked.order_id,
        gl_targets.cost_pool,
        gl_targets.cost_behaviour,
        gl_targets.allocation_driver,
        gl_targets.allocation_basis,
        ranked.driver_quantity,
        ranked.allocation_share,
        {{ dbt.cast(
            '(ranked.floor_cents + case when ranked.remainder_rank'
            ~ ' <= remainders.remainder_cents then 1 else 0 end) / 100.0',
            'decimal(18, 2)') }} as allocated_amount
    from ranked
    inner join gl_targets
        on ranked.gl_row_id = gl_targets.gl_row_id
    inner join remainders
        on ranked.gl_row_id = remainders.gl_row_id
)

select * from final
