{#-
    The algorithm's segment of every customer in every period (grain
    customer_id, period_index), before business rules, by the method in
    var customer_segmentation_method (kmeans, hierarchical or rules).
    segment_rank orders segments by the mean decayed net revenue of their
    members in the current period (1 = most valuable); a move to a segment
    with a larger rank is a downgrade. A customer without an order in the
    var inactive_after_months months before the period end is 'inactive'
    (ranked last).
-#}
{%- set method = var('customer_segmentation_method') -%}
{%- if method not in ['kmeans', 'hierarchical', 'rules'] -%}
    {%- do exceptions.raise_compiler_error(
        "var customer_segmentation_method must be kmeans, hierarchical or"
        ~ " rules, got '" ~ method ~ "'") -%}
{%- endif -%}

-- the logic version's change control runs first
-- depends_on: {{ ref('int_segmentation__logic_version') }}
with customers as (
    select customer_id from {{ ref('dim_customers') }}
),

periods as (
    select * from {{ ref('int_segmentation__periods') }}
),

features as (
    select * from {{ ref('int_customers__time_decayed_features') }}
),

{% if method == 'rules' -%}
assigned as (
    select
        customer_id,
        period_index,
        rule_segment as segment,
        {{ dbt.cast('null', type_double()) }} as distance_ratio
    from {{ ref('int_customers__rule_segments') }}
),
{%- else -%}
    assigned as (
        select
            customer_id,
            period_index,
            segment,
            distance_ratio
        from {{ ref('int_customers__clusters') }}
        where record_type = 'assignment' and method = '{{ method }}'
    ),
{%- endif %}

segment_values as (
    select
        assigned.segment,
        avg(features.decayed_net_revenue) as mean_decayed_revenue
    from assigned
    inner join features
        on
            assigned.customer_id = features.customer_id
            and assigned.period_index = features.period_index
    where assigned.period_index = 0
    group by 1
),

segment_ranks as (
    select
        segment_values.segment,
        row_number() over (
            order by
                segment_values.mean_decayed_revenue desc,
                segment_values.segment asc
        ) as segment_rank
    from segment_values
),

final as (
    select
        customers.customer_id,
        periods.period_index,
        case
            when
                assigned.segment is null
                or features.last_order_date <= {{ dbt.dateadd(
                    'month', -1 * var('inactive_after_months'),
                    'periods.period_end_date') }}
                then 'inactive'
            else assigned.segment
        end as segment,
        case
            when
                assigned.segment is null
                or features.last_order_date <= {{ dbt.dateadd(
                    'month', -1 * var('inactive_after_months'),
                    'periods.period_end_date') }}
                then 999
            else coalesce(segment_ranks.segment_rank, 998)
        end as segment_rank,
        assigned.distance_ratio,
        '{{ method }}' as segment_method,
        periods.period_end_date
    from customers
    cross join periods
    left join assigned
        on
            customers.customer_id = assigned.customer_id
            and periods.period_index = assigned.period_index
    left join features
        on
            customers.customer_id = features.customer_id
            and periods.period_index = features.period_index
    left join segment_ranks
        on assigned.segment = segment_ranks.segment
)

select * from final
