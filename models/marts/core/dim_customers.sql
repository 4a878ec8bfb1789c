{#- One row per customer: ERP master data, CRM service terms and the
    customer hierarchy (up to four levels, the top parent first). -#}
-- depends_on: {{ ref('stg_refresh__changed_keys') }}
-- (a refresh compares this table's previous rows with the new extracts
-- there, before it is rebuilt)
with customers as (
    select * from {{ ref('stg_erp__customers') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

hierarchy as (
    select
        customers.customer_id,
        coalesce(
            level_3.parent_customer_id,
            level_2.parent_customer_id,
            level_1.parent_customer_id,
            customers.parent_customer_id,
            customers.customer_id
        ) as top_parent_customer_id,
        case
            when level_3.parent_customer_id is not null then 5
            when level_2.parent_customer_id is not null then 4
            when level_1.parent_customer_id is not null then 3
            when customers.parent_customer_id is not null then 2
            else 1
        end as hierarchy_level
    from customers
    left join customers as level_1
        on customers.parent_customer_id = level_1.customer_id
    left join customers as level_2
        on level_1.parent_customer_id = level_2.customer_id
    left join customers as level_3
        on level_2.parent_customer_id = level_3.customer_id
),

child_counts as (
    select
        customers.parent_customer_id as customer_id,
        count(*) as child_customer_count
    from customers
    where customers.parent_customer_id is not null
    group by 1
),

final as (
    select
        customers.customer_id,
        customers.parent_customer_id,
        hierarchy.top_parent_customer_id,
        customers.customer_name,
        customers.channel,
        customers.region,
        customers.country_code,
        customers.credit_rating,
        coalesce(accounts.sla_tier, 'unassigned') as sla_tier,
        accounts.account_manager,
        hierarchy.hierarchy_level,
        coalesce(child_counts.child_customer_count, 0)
            as child_customer_count,
        customers.payment_terms_days,
        accounts.target_otif_pct,
        accounts.late_penalty_pct,
        coalesce(accounts.is_strategic, false) as is_strategic,
        accounts.customer_id is not null as has_crm_account,
        accounts.contract_start_date,
        accounts.contract_end_date,
        customers.created_at,
        customers.updated_at
    from customers
    inner join hierarchy
        on customers.customer_id = hierarchy.customer_id
    left join accounts
        on customers.customer_id = accounts.customer_id
    left join child_counts
        on customers.customer_id = child_counts.customer_id
)

select * from final
