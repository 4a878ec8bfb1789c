{#-
    One row per customer of dim_customers (grain customer_id): the priority
    with which its open order lines are served in a shortage
    (shortage_allocation).

      priority_tier / priority_rule_id  the first rule of seed
          shortage_priority_rules, in rule_order, whose patterns match the
          customer's current segment (int_customers__segment_decisions;
          'unsegmented' when it has none), strategic flag and SLA tier ('*' is a wildcard)
      profitability_rank  1 = the largest cost-to-serve margin summed over
          the var shortage_profitability_window_months months of
          customer_profitability ending at its latest month; customers
          without a row in the window rank after all others (ties by
          customer_id), so every customer has a distinct rank
-#}
{%- set window_months = var('shortage_profitability_window_months') | int -%}

with customers as (
    select
        customer_id,
        sla_tier,
        is_strategic
    from {{ ref('dim_customers') }}
),

segments as (
    select
        customer_id,
        segment
    from {{ ref('int_customers__segment_decisions') }}
),

profitability as (
    select
        customer_id,
        cost_to_serve_margin,
        month
    from {{ ref('int_customers__monthly_profitability') }}
),

rules as (
    select
        rule_order,
        rule_id,
        customer_segment_pattern,
        strategic_pattern,
        sla_tier_pattern,
        priority_tier
    from {{ ref('shortage_priority_rules') }}
),

latest_month as (
    select max(profitability.month) as month
    from profitability
),

window_margin as (
    select
        profitability.customer_id,
        sum(profitability.cost_to_serve_margin) as cost_to_serve_margin
    from profitability
    cross join latest_month
    where
        profitability.month
        > {{ dbt.dateadd('month', -window_months, 'latest_month.month') }}
    group by 1
),

attributes as (
    select
        customers.customer_id,
        coalesce(segments.segment, 'unsegmented') as customer_segment,
        coalesce(customers.sla_tier, '') as sla_tier,
        case
            when customers.is_strategic then 'true' else 'false'
        end as strategic_text,
        window_margin.cost_to_serve_margin,
        coalesce(customers.is_strategic, false) as is_strategic
    from customers
    left join segments
        on customers.customer_id = segments.customer_id
    left join window_margin
        on customers.customer_id = window_margin.customer_id
),

matches as (
    select
        attributes.customer_id,
        rules.rule_id,
        rules.priority_tier,
        row_number() over (
            partition by attributes.customer_id
            order by rules.rule_order
        ) as match_order
    from attributes
    inner join rules
        on
            attributes.customer_segment
            like replace(rules.customer_segment_pattern, '*', '%')
            and attributes.sla_tier
            like replace(rules.sla_tier_pattern, '*', '%')
            and (
                rules.strategic_pattern = '*'
                or attributes.strategic_text = rules.strategic_pattern
            )
),

final as (
    select
        attributes.customer_id,
        attributes.customer_segment,
        nullif(attributes.sla_tier, '') as sla_tier,
        matches.rule_id as priority_rule_id,
        matches.priority_tier,
        row_number() over (
            order by
                case
                    when attributes.cost_to_serve_margin is null then 1
                    else 0
                end,
                attributes.cost_to_serve_margin desc,
                attributes.customer_id asc
        ) as profitability_rank,
        attributes.cost_to_serve_margin
            as window_cost_to_serve_margin,
        attributes.is_strategic
    from attributes
    left join matches
        on
            attributes.customer_id = matches.customer_id
            and matches.match_order = 1
)

select * from final
