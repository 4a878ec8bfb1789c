{#-
    Are some regions or channels served better or worse than their
    profitability explains? (grain dimension, dimension_value, outcome)

    Each customer with a cost-to-serve margin in the segmentation window
    (int_customers__window_profitability) falls in one of var
    bias_check_profit_bands bands of that margin (ntile). What profitability
    alone explains of an outcome is its mean over the customer's band, over
    every region and channel. Two outcomes:

      otif_rate             the service delivered: the customer's OTIF
                            orders over its orders with OTIF known, placed
                            in the window (fct_orders)
      service_level_target  the segment outcome: the mean service level
                            target of the customer's segment's policies
                            (segment_policy_matrix)

    Per region and per channel: the customers, their mean outcome, the mean
    of what their bands explain, and the gap between the two. A gap of at
    least var bias_check_gap_thresholds[outcome] either way, over at least
    var bias_check_min_customers customers, is flagged: the region or
    channel gets a service its profitability does not explain, which the
    steering committee should be able to justify.
-#}
{%- set thresholds = var('bias_check_gap_thresholds') -%}

with customers as (
    select
        customer_id,
        segment
    from {{ ref('customer_segments') }}
),

attributes as (
    select
        customer_id,
        region,
        channel
    from {{ ref('dim_customers') }}
),

profitability as (
    select
        customer_id,
        cost_to_serve_margin,
        window_start_month,
        window_end_month
    from {{ ref('int_customers__window_profitability') }}
),

profit_window as (
    select
        min(window_start_month) as start_month,
        max(window_end_month) as end_month
    from profitability
),

service as (
    select
        orders.customer_id,
        count(case when orders.is_otif then 1 end) as otif_orders,
        count(orders.is_otif) as otif_measured_orders
    from {{ ref('fct_orders') }} as orders
    cross join profit_window
    where
        orders.order_date >= profit_window.start_month
        and orders.order_date < {{ dbt.dateadd(
            'month', 1, 'profit_window.end_month') }}
    group by 1
),

levels as (
    select
        customer_segment,
        avg(service_level_target) as service_level_target
    from {{ ref('segment_policy_matrix') }}
    group by 1
),

banded as (
    select
        customers.customer_id,
        attributes.region,
        attributes.channel,
        levels.service_level_target,
        {{ dbt.cast('service.otif_orders', type_double()) }}
        / nullif(service.otif_measured_orders, 0) as otif_rate,
        ntile({{ var('bias_check_profit_bands') }}) over (
            order by
                profitability.cost_to_serve_margin,
                customers.customer_id
        ) as profit_band
    from customers
    inner join profitability
        on customers.customer_id = profitability.customer_id
    left join attributes
        on customers.customer_id = attributes.customer_id
    left join service
        on customers.customer_id = service.customer_id
    left join levels
        on customers.segment = levels.customer_segment
),

outcomes as (
    select
        customer_id,
        region,
        channel,
        profit_band,
        'otif_rate' as outcome,
        otif_rate as actual
    from banded
    where otif_rate is not null
    union all
    select
        customer_id,
        region,
        channel,
        profit_band,
        'service_level_target' as outcome,
        service_level_target as actual
    from banded
    where service_level_target is not null
),

explained as (
    select
        outcomes.*,
        avg(outcomes.actual) over (
            partition by outcomes.outcome, outcomes.profit_band
        ) as explained
    from outcomes
),

by_dimension as (
    select
        'region' as dimension,
        region as dimension_value,
        outcome,
        actual,
        explained
    from explained
    union all
    select
        'channel' as dimension,
        channel as dimension_value,
        outcome,
        actual,
        explained
    from explained
),

grouped as (
    select
        dimension,
        coalesce(dimension_value, 'unknown') as dimension_value,
        outcome,
        count(*) as customers,
        avg(actual) as actual_mean,
        avg(explained) as explained_mean
    from by_dimension
    group by 1, 2, 3
),

-- noqa: disable=LT02
thresholds as (
    {%- for outcome, threshold in thresholds.items() %}
    select
        '{{ outcome }}' as outcome,
        {{ threshold }} as gap_threshold
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),
-- noqa: enable=LT02

final as (
    select
        grouped.*,
        grouped.actual_mean - grouped.explained_mean as unexplained_gap,
        thresholds.gap_threshold
    from grouped
    left join thresholds
        on grouped.outcome = thresholds.outcome
)

select
    final.*,
    coalesce(
        final.customers >= {{ var('bias_check_min_customers') }}
        and abs(final.unexplained_gap) >= final.gap_threshold,
        false
    ) as is_flagged
from final
