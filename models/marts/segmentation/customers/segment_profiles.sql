{#- One row per clustering method and segment (grain method, segment): the
    cluster's centroid in business units (the mean feature values of its
    members in the current period), its size and its share of decayed
    revenue and cost-to-serve margin, so a sales director can read what
    each segment is. -#}
with centroids as (
    select * from {{ ref('int_customers__clusters') }}
    where record_type = 'centroid'
),

assignments as (
    select
        method,
        customer_id,
        segment
    from {{ ref('int_customers__clusters') }}
    where record_type = 'assignment' and period_index = 0
),

features as (
    select * from {{ ref('int_customers__time_decayed_features') }}
    where period_index = 0
),

sizes as (
    select
        assignments.method,
        assignments.segment,
        count(*) as customer_count,
        sum(features.decayed_net_revenue) as decayed_net_revenue,
        sum(features.decayed_cost_to_serve_margin)
            as decayed_cost_to_serve_margin
    from assignments
    inner join features
        on assignments.customer_id = features.customer_id
    group by 1, 2
),

pivoted as (
    select
        centroids.method,
        centroids.segment,
        min(centroids.cluster_id) as cluster_id,
        {%- for feature in [
            'avg_order_value', 'decayed_order_count', 'lines_per_order',
            'rush_order_share', 'returns_rate', 'discount_rate',
            'peak_quarter_share', 'payment_days'] %}
        max(case
            when centroids.feature_name = '{{ feature }}'
                then centroids.feature_value
            end) as centroid_{{ feature }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from centroids
    group by 1, 2
),

final as (
    select
        pivoted.method,
        pivoted.segment,
        pivoted.cluster_id,
        sizes.customer_count,
        sizes.customer_count * 1.0
        / sum(sizes.customer_count) over (partition by pivoted.method)
            as customer_share,
        sizes.decayed_net_revenue
        / sum(sizes.decayed_net_revenue) over (partition by pivoted.method)
            as revenue_share,
        sizes.decayed_cost_to_serve_margin
        / nullif(sizes.decayed_net_revenue, 0) as cost_to_serve_margin_rate,
        pivoted.centroid_avg_order_value,
        pivoted.centroid_decayed_order_count,
        pivoted.centroid_lines_per_order,
        pivoted.centroid_rush_order_share,
        pivoted.centroid_returns_rate,
        pivoted.centroid_discount_rate,
        pivoted.centroid_peak_quarter_share,
        pivoted.centroid_payment_days
    from pivoted
    inner join sizes
        on
            pivoted.method = sizes.method
            and pivoted.segment = sizes.segment
)

select * from final
