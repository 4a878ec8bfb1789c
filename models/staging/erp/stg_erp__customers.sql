{#- Customers: latest valid version per customer_id. A parent that is
    unknown (flagged in data_quality_exceptions) or did not reach staging is
    cleared, so the hierarchy only links staged customers. -#}
with validated as (
    select * from {{ ref('base_erp__customers') }}
),

staged as (
    select validated.*
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
),

final as (
    select
        staged.customer_id,
        staged.customer_name,
        parents.customer_id as parent_customer_id,
        staged.channel,
        staged.region,
        staged.country_code,
        staged.credit_rating,
        staged.payment_terms_days,
        staged.created_at,
        staged.updated_at
    from staged
    left join staged as parents
        on
            staged.parent_customer_id = parents.customer_id
            and staged.dq_warn__unknown_parent_customer is null
)

select * from final
