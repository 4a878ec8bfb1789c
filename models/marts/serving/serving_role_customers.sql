-- The customers whose rows each role may see: those of its region and
-- customer segment scope (seed serving_roles; '*' is every one).

with

roles as (
    select
        role,
        region_scope,
        customer_segment_scope
    from {{ ref('serving_roles') }}
),

customers as (
    select
        dim_customers.customer_id,
        dim_customers.region,
        customer_segments.segment
    from {{ ref('dim_customers') }} as dim_customers
    left join {{ ref('customer_segments') }} as customer_segments
        on dim_customers.customer_id = customer_segments.customer_id
)

select
    roles.role,
    customers.customer_id,
    customers.region,
    customers.segment as customer_segment
from roles
inner join customers
    on
        (roles.region_scope = '*' or roles.region_scope = customers.region)
        and (
            roles.customer_segment_scope = '*'
            or '|' || roles.customer_segment_scope || '|'
            like '%|' || customers.segment || '|%'
        )
