{#-
    Rule-based customer segments per period (grain customer_id,
    period_index), from the time-decayed features:

      volume_tier  high / medium / low: customers ranked by decayed net
                   revenue; high while the cumulative revenue share before
                   the customer is below var rule_volume_high_share, medium
                   below var rule_volume_medium_share, else low
      margin_tier  profitable / marginal / unprofitable: decayed
                   cost-to-serve margin as a share of decayed revenue at or
                   above var rule_margin_profitable_rate, at or above 0, or
                   below 0
      risk_tier    high_risk when the credit rating is in var
                   rule_high_risk_ratings or payment days exceed
                   var rule_high_risk_payment_days, else normal

    rule_segment joins the tiers named in var rule_segment_grid with '_'
    (default volume x margin, e.g. high_volume_profitable).
-#}
with features as (
    select * from {{ ref('int_customers__time_decayed_features') }}
),

customers as (
    select
        customer_id,
        credit_rating
    from {{ ref('dim_customers') }}
),

ranked as (
    select
        features.customer_id,
        features.period_index,
        features.decayed_net_revenue,
        features.decayed_cost_to_serve_margin,
        features.payment_days,
        coalesce(
            sum(features.decayed_net_revenue) over (
                partition by features.period_index
                order by
                    features.decayed_net_revenue desc, features.customer_id asc
                rows between unbounded preceding and 1 preceding
            ), 0
        ) / nullif(sum(features.decayed_net_revenue) over (
            partition by features.period_index
        ), 0) as cumulative_share_before
    from features
),

tiers as (
    select
        ranked.customer_id,
        ranked.period_index,
        case
            when
                ranked.cumulative_share_before
                < {{ var('rule_volume_high_share') }} then 'high_volume'
            when
                ranked.cumulative_share_before
                < {{ var('rule_volume_medium_share') }} then 'medium_volume'
            else 'low_volume'
        end as volume_tier,
        case
            when
                ranked.decayed_cost_to_serve_margin
                >= {{ var('rule_margin_profitable_rate') }}
                * ranked.decayed_net_revenue
                and ranked.decayed_cost_to_serve_margin > 0
                then 'profitable'
            when ranked.decayed_cost_to_serve_margin >= 0 then 'marginal'
            else 'unprofitable'
        end as margin_tier,
        case
            when
                customers.credit_rating in (
                    {%- for rating in var('rule_high_risk_ratings') -%}
                        '{{ rating }}'{{ ", " if not loop.last }}
                    {%- endfor -%}
                )
                or ranked.payment_days
                > {{ var('rule_high_risk_payment_days') }}
                then 'high_risk'
            else 'normal_risk'
        end as risk_tier
    from ranked
    inner join customers
        on ranked.customer_id = customers.customer_id
),

final as (
    select
        tiers.customer_id,
        tiers.period_index,
        tiers.volume_tier,
        tiers.margin_tier,
        tiers.risk_tier,
        {{ dbt.concat(rule_grid_parts('tiers')) }} as rule_segment
    from tiers
)

select * from final
