{#- Every staged general-ledger row with its cost pool (grain
    posting_month, gl_account, cost_center): the one place the ledger
    meets seed cost_pool_mapping (int_cost_pools__accounts). gl_account is
    text on both sides, so a numeric account in the extract and a text one
    in the seed still match. Unmapped rows are kept (is_mapped false, pool
    columns null) for gl_reconciliation to report; allocation_driver has
    the mapping's shared_dc resolved, mapped_allocation_driver is the
    seed's own value.
    Read by the allocation, the GL and freight reconciliations and the
    budget variance. -#}
with general_ledger as (
    select
        posting_month,
        {{ dbt.cast('gl_account', dbt.type_string()) }} as gl_account,
        gl_account_name,
        cost_center,
        amount
    from {{ ref('stg_finance__general_ledger') }}
),

mapping as (
    select
        gl_account,
        cost_pool,
        cost_behaviour,
        driver_scope,
        mapped_allocation_driver,
        allocation_driver
    from {{ ref('int_cost_pools__accounts') }}
),

final as (
    select
        general_ledger.posting_month,
        general_ledger.gl_account,
        general_ledger.gl_account_name,
        general_ledger.cost_center,
        general_ledger.amount,
        mapping.gl_account is not null as is_mapped,
        mapping.cost_pool,
        mapping.cost_behaviour,
        mapping.driver_scope,
        mapping.mapped_allocation_driver,
        mapping.allocation_driver
    from general_ledger
    left join mapping
        on general_ledger.gl_account = mapping.gl_account
)

select * from final
