-- What each role of seed serving_roles may see of each mart column: the
-- one map the API, the dashboard and the PostgreSQL grants apply.

with

roles as (
    select
        role,
        region_scope,
        customer_segment_scope,
        '|' || coalesce(may_see, '') || '|' as may_see_list,
        '|' || schemas || '|' as schema_list,
        region_scope <> '*' or customer_segment_scope <> '*' as is_scoped
    from {{ ref('serving_roles') }}
),

columns_of_marts as (
    select * from {{ ref('serving_mart_columns') }}
),

judged as (
    select
        roles.role,
        columns_of_marts.mart_schema,
        columns_of_marts.mart_name,
        columns_of_marts.column_name,
        columns_of_marts.sensitivity,
        case
            when roles.is_scoped and columns_of_marts.has_customer_id
                then 'customer'
            when
                roles.is_scoped
                and roles.customer_segment_scope = '*'
                and columns_of_marts.has_region
                then 'region'
            when roles.is_scoped then 'unscoped'
            else 'all'
        end as row_scope,
        case
            when
                roles.schema_list
                not like '%|' || columns_of_marts.mart_schema || '|%'
                then 'schema not granted'
            when
                columns_of_marts.sensitivity in (
                    'cost', 'margin', 'customer_identifying'
                )
                and roles.may_see_list
                not like '%|' || columns_of_marts.sensitivity || '|%'
                then 'sensitivity not granted'
        end as schema_or_tag_denial
    from roles
    cross join columns_of_marts
),

denials as (
    select
        *,
        coalesce(
            schema_or_tag_denial,
            case
                when
                    row_scope = 'unscoped'
                    and sensitivity in (
                        'cost', 'margin', 'customer_identifying'
                    )
                    then 'rows of other regions or segments'
            end
        ) as denial_reason
    from judged
)

select
    role,
    mart_schema,
    mart_name,
    column_name,
    sensitivity,
    row_scope,
    denial_reason,
    denial_reason is null as is_visible
from denials
