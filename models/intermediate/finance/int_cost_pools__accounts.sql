{#- One row per GL account of seed cost_pool_mapping (grain gl_account):
    its cost pool, behaviour and driver scope, and its allocation driver
    with shared_dc resolved through var dc_overhead_allocation_method
    (macro shared_dc_driver); mapped_allocation_driver is the seed's own
    value. gl_account is text, so a numeric account in the seed matches a
    text one in the ledger. The one reading of the mapping: the pooled
    ledger and the budget variance's pool drivers read it here. -#}

with mapping as (
    select
        {{ dbt.cast('gl_account', dbt.type_string()) }} as gl_account,
        cost_pool,
        cost_behaviour,
        driver_scope,
        allocation_driver
    from {{ ref('cost_pool_mapping') }}
),

final as (
    select
        gl_account,
        cost_pool,
        cost_behaviour,
        driver_scope,
        allocation_driver as mapped_allocation_driver,
        case allocation_driver
            when 'shared_dc' then '{{ shared_dc_driver() }}'
            else allocation_driver
        end as allocation_driver
    from mapping
)

select * from final
