{#-
    One row per customer (grain customer_id): the current segment and why,
    as decided in int_customers__segment_decisions (the algorithm's segment
    through the business rules: overrides, strategic holds, inactivity).
-#}
with decisions as (
    select * from {{ ref('int_customers__segment_decisions') }}
),

final as (
    select
        decisions.customer_id,
        decisions.segment,
        decisions.segment_method,
        decisions.reason_code,
        decisions.reason,
        decisions.algorithm_segment,
        decisions.previous_segment,
        decisions.override_approver,
        decisions.distance_ratio,
        decisions.is_strategic,
        decisions.is_between_segments,
        decisions.override_valid_to,
        decisions.as_of_date
    from decisions
)

select * from final
