{#- One row per clustering method and k (grain method, k): silhouette,
    explained variance and the gain of each over k - 1, whether k was chosen
    (segment-proliferation rule: see int_customers__clusters), and, on the
    chosen rows, the share of customers whose segment changed since the
    previous assignment (period 1 -> period 0) and the share whose final
    segment differs from the algorithm's after business rules. -#}
with scores as (
    select
        method,
        k,
        silhouette,
        explained_variance,
        inertia,
        fit_customers,
        segments,
        smallest_cluster_customers,
        is_chosen
    from {{ ref('int_customers__clusters') }}
    where record_type = 'score'
),

assignments as (
    select
        method,
        period_index,
        customer_id,
        segment
    from {{ ref('int_customers__clusters') }}
    where record_type = 'assignment' and period_index in (0, 1)
),

segments as (
    select * from {{ ref('int_customers__segment_decisions') }}
),

stability as (
    select
        current_period.method,
        avg(case
            when current_period.segment = previous_period.segment then 0.0
            else 1.0
        end) as changed_share_since_previous
    from assignments as current_period
    inner join assignments as previous_period
        on
            current_period.method = previous_period.method
            and current_period.customer_id = previous_period.customer_id
            and previous_period.period_index = 1
    where current_period.period_index = 0
    group by 1
),

rule_effect as (
    select
        avg(case
            when segments.segment = segments.algorithm_segment then 0.0
            else 1.0
        end) as overridden_share,
        max(segments.segment_method) as active_method
    from segments
    where segments.segment_method <> 'manual_override'
),

final as (
    select
        scores.method,
        scores.k,
        scores.silhouette,
        scores.explained_variance,
        scores.inertia,
        scores.fit_customers,
        scores.segments,
        scores.smallest_cluster_customers,
        scores.silhouette - lag(scores.silhouette) over (
            partition by scores.method order by scores.k
        ) as silhouette_gain,
        scores.explained_variance - lag(scores.explained_variance) over (
            partition by scores.method order by scores.k
        ) as explained_variance_gain,
        case
            when scores.is_chosen then stability.changed_share_since_previous
        end as changed_share_since_previous,
        case
            when scores.is_chosen and scores.method = rule_effect.active_method
                then rule_effect.overridden_share
        end as business_rule_change_share,
        scores.is_chosen,
        scores.method = rule_effect.active_method as is_active_method
    from scores
    left join stability
        on scores.method = stability.method
    cross join rule_effect
)

select * from final
