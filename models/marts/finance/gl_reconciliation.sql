{#- One row per general-ledger row (grain posting_month, gl_account,
    cost_center): the GL amount, what the allocation spread to orders,
    the difference and a status. tied: within var gl_tie_out_tolerance;
    unmapped: the account has no cost pool in seed cost_pool_mapping;
    unallocated: no driver or revenue to carry it; difference: anything
    else. The test assert_allocated_costs_tie_to_gl fails the build unless
    every row is tied. -#}
with general_ledger as (
    select * from {{ ref('int_general_ledger__pooled') }}
),

allocations as (
    select * from {{ ref('int_cost_allocations__orders') }}
),

allocated as (
    select
        allocations.posting_month,
        allocations.gl_account,
        allocations.cost_center,
        min(allocations.allocation_basis) as allocation_basis,
        sum(allocations.allocated_amount) as allocated_amount,
        count(*) as allocated_line_count
    from allocations
    group by 1, 2, 3
),

final as (
    select
        general_ledger.gl_account,
        general_ledger.cost_center,
        general_ledger.gl_account_name,
        general_ledger.cost_pool,
        general_ledger.cost_behaviour,
        general_ledger.mapped_allocation_driver as allocation_driver,
        coalesce(allocated.allocation_basis, 'unallocated')
            as allocation_basis,
        case
            when not general_ledger.is_mapped then 'unmapped'
            when allocated.allocated_amount is null then 'unallocated'
            when
                abs(general_ledger.amount - allocated.allocated_amount)
                <= {{ var('gl_tie_out_tolerance') }} then 'tied'
            else 'difference'
        end as status,
        {{ dbt.cast('general_ledger.amount', 'decimal(18, 2)') }}
            as gl_amount,
        {{ dbt.cast('coalesce(allocated.allocated_amount, 0)',
            'decimal(18, 2)') }} as allocated_amount,
        {{ dbt.cast(
            'general_ledger.amount - coalesce(allocated.allocated_amount, 0)',
            'decimal(18, 2)') }} as difference,
        coalesce(allocated.allocated_line_count, 0) as allocated_line_count,
        general_ledger.posting_month
    from general_ledger
    left join allocated
        on
            general_ledger.posting_month = allocated.posting_month
            and general_ledger.gl_account = allocated.gl_account
            and general_ledger.cost_center = allocated.cost_center
)

select * from final
