{#- One row per customer that needs a manual segment decision (grain
    customer_id): it falls between two segments (its nearest centroid is at
    least var between_segments_distance_ratio as far as the second
    nearest), or it has an override for a segment that the current method
    does not produce. The customer keeps its assigned segment until someone
    decides (for example with an override in seed
    customer_segment_overrides). -#}
with segments as (
    select * from {{ ref('int_customers__segment_decisions') }}
),

known_segments as (
    select distinct history.segment
    from {{ ref('int_customers__segment_history') }} as history
),

final as (
    select
        segments.customer_id,
        segments.segment,
        segments.algorithm_segment,
        case
            when segments.is_between_segments then 'between_segments'
            else 'override_to_unknown_segment'
        end as exception_reason,
        segments.distance_ratio,
        segments.as_of_date
    from segments
    left join known_segments
        on segments.segment = known_segments.segment
    where
        segments.is_between_segments
        or (
            segments.reason_code = 'manual_override'
            and known_segments.segment is null
        )
)

select * from final
