{#-
    One row per customer (grain customer_id): the current segment and why,
    the one definition of a customer's segment. The mart customer_segments
    publishes it; every other area reads it from here.
    The algorithm's segment (int_customers__segment_history, method var
    customer_segmentation_method) passes through business rules, each
    recorded as a reason code:

      manual_override      an approved override of seed
                           customer_segment_overrides is valid on the as-of
                           date (valid_from <= as-of <= valid_to)
      strategic_hold       a strategic customer whose segment dropped, but
                           for fewer than var downgrade_persistence_periods
                           consecutive periods: it keeps the segment it held
                           before the drop
      downgrade_persisted  a strategic customer whose lower segment held for
                           the whole persistence window: downgraded
      inactive             no order in var inactive_after_months months
      algorithm / rules    the method's assignment, unchanged

    A customer between two segments (distance ratio at least var
    between_segments_distance_ratio) keeps its nearest segment and is listed
    in segment_exceptions for a manual decision.
-#}
{%- set persistence = var('downgrade_persistence_periods') -%}

with history as (
    select * from {{ ref('int_customers__segment_history') }}
),

customers as (
    select
        customer_id,
        is_strategic
    from {{ ref('dim_customers') }}
),

overrides as (
    select * from {{ ref('customer_segment_overrides') }}
),

as_of as (
    select max(period_end_date) as as_of_date
    from history
),

active_overrides as (
    select
        overrides.customer_id,
        overrides.segment,
        overrides.reason,
        overrides.approver,
        overrides.valid_to,
        row_number() over (
            partition by overrides.customer_id
            order by overrides.valid_from desc
        ) as override_rank
    from overrides
    cross join as_of
    where
        overrides.valid_from <= as_of.as_of_date
        and (
            overrides.valid_to is null
            or overrides.valid_to >= as_of.as_of_date
        )
),

reference as (
    -- The segment held before the persistence window.
    select
        customer_id,
        segment as reference_segment,
        segment_rank as reference_rank
    from history
    where period_index = {{ persistence }}
),

window_counts as (
    select
        history.customer_id,
        sum(case
            when history.segment_rank > reference.reference_rank then 1
            else 0
        end) as periods_below_reference
    from history
    inner join reference
        on history.customer_id = reference.customer_id
    where history.period_index < {{ persistence }}
    group by 1
),

current_period as (
    select
        history.customer_id,
        history.segment as algorithm_segment,
        history.segment_rank,
        history.distance_ratio,
        history.segment_method
    from history
    where history.period_index = 0
),

previous_period as (
    select
        history.customer_id,
        history.segment as previous_segment
    from history
    where history.period_index = 1
),

decided as (
    select
        current_period.customer_id,
        current_period.algorithm_segment,
        current_period.segment_method as algorithm_method,
        current_period.distance_ratio,
        previous_period.previous_segment,
        reference.reference_segment,
        customers.is_strategic,
        active_overrides.segment as override_segment,
        active_overrides.reason as override_reason,
        active_overrides.approver as override_approver,
        active_overrides.valid_to as override_valid_to,
        window_counts.periods_below_reference,
        case
            when active_overrides.segment is not null then 'manual_override'
            when
                customers.is_strategic
                and current_period.segment_rank > reference.reference_rank
                and window_counts.periods_below_reference < {{ persistence }}
                then 'strategic_hold'
            when
                customers.is_strategic
                and current_period.segment_rank > reference.reference_rank
                then 'downgrade_persisted'
            when current_period.algorithm_segment = 'inactive'
                then 'inactive'
            when current_period.segment_method = 'rules' then 'rules'
            else 'algorithm'
        end as reason_code
    from current_period
    inner join customers
        on current_period.customer_id = customers.customer_id
    left join previous_period
        on current_period.customer_id = previous_period.customer_id
    left join reference
        on current_period.customer_id = reference.customer_id
    left join window_counts
        on current_period.customer_id = window_counts.customer_id
    left join active_overrides
        on
            current_period.customer_id = active_overrides.customer_id
            and active_overrides.override_rank = 1
),

final as (
    select
        decided.customer_id,
        case decided.reason_code
            when 'manual_override' then decided.override_segment
            when 'strategic_hold' then decided.reference_segment
            else decided.algorithm_segment
        end as segment,
        case decided.reason_code
            when 'manual_override' then 'manual_override'
            else decided.algorithm_method
        end as segment_method,
        decided.reason_code,
        case decided.reason_code
            when 'manual_override'
                then
                    'override: ' || decided.override_reason
                    || ' (approved by ' || decided.override_approver
                    || coalesce(
                        ', valid to '
                        || {{ dbt.cast('decided.override_valid_to',
                        dbt.type_string()) }}, ''
                    )
                    || ')'
            when 'strategic_hold'
                then
                    'strategic customer kept in ' || decided.reference_segment
                    || ': dropped to ' || decided.algorithm_segment || ' for '
                    || {{ dbt.cast('decided.periods_below_reference',
                    dbt.type_string()) }}
                    || ' of {{ persistence }} periods'
            when 'downgrade_persisted'
                then
                    'strategic customer downgraded from '
                    || decided.reference_segment || ': lower for '
                    || '{{ persistence }} consecutive periods'
            when 'inactive'
                then
                    'no order in the last {{ var("inactive_after_months") }}'
                    || ' months'
            else 'assigned by ' || decided.algorithm_method
        end as reason,
        decided.algorithm_segment,
        decided.previous_segment,
        decided.override_approver,
        decided.distance_ratio,
        decided.is_strategic,
        coalesce(
            decided.distance_ratio
            >= {{ var('between_segments_distance_ratio') }}, false
        ) as is_between_segments,
        decided.override_valid_to,
        as_of.as_of_date
    from decided
    cross join as_of
)

select * from final
