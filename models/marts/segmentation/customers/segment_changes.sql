{#- Log of segment changes (grain entity_type, entity_id, as_of_date): for
    every customer and period end, the change from the previous period's
    assignment to this period's (reason reassigned_by_<method>), and for
    the current period the business-rule decisions that differ from the
    algorithm (reason = the rule's code). Periods are
    var resegmentation_frequency_months apart. -#}
with history as (
    select * from {{ ref('int_customers__segment_history') }}
),

segments as (
    select * from {{ ref('int_customers__segment_decisions') }}
),

reassigned as (
    select
        'customer' as entity_type,
        current_period.customer_id as entity_id,
        previous_period.segment as from_segment,
        current_period.segment as to_segment,
        'reassigned_by_' || current_period.segment_method as reason,
        current_period.period_end_date as as_of_date
    from history as current_period
    inner join history as previous_period
        on
            current_period.customer_id = previous_period.customer_id
            and current_period.period_index + 1 = previous_period.period_index
    where current_period.segment <> previous_period.segment
),

ruled as (
    select
        'customer' as entity_type,
        segments.customer_id as entity_id,
        segments.algorithm_segment as from_segment,
        segments.segment as to_segment,
        segments.reason_code as reason,
        segments.as_of_date
    from segments
    where segments.segment <> segments.algorithm_segment
),

unioned as (
    select * from reassigned
    union all
    select * from ruled
),

final as (
    select
        unioned.entity_type,
        unioned.entity_id,
        unioned.from_segment,
        unioned.to_segment,
        unioned.reason,
        {{ dbt.cast('unioned.as_of_date', 'date') }} as as_of_date
    from unioned
)

select * from final
