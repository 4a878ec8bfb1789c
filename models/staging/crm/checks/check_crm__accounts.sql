{#- The CRM accounts of a customer that is not staged in ERP: they are
    quarantined. -#}
{%- set rules = [
    dq_reference_rule('unknown_customer', 'customer_id', 'is_customer_known'),
] -%}

with accounts as (
    {{ dq_surviving_rows(ref('base_crm__accounts'), ['customer_id'], []) }}
),

customers as (
    select customer_id from {{ ref('stg_erp__customers') }}
),

checked as (
    select
        accounts.*,
        customers.customer_id is not null as is_customer_known
    from accounts
    left join customers
        on accounts.customer_id = customers.customer_id
),

final as (
    {{ dq_check('checked', ['customer_id'], rules) }}
)

select * from final
