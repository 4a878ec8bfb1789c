-- segment_size_shifts: a build's entities, summed over its segments, are
-- its decisions in segment_decision_log, and each change is the difference
-- of the two builds' counts there
with shifts as (
    select
        build_id,
        entity_type,
        sum(entities) as entities
    from {{ ref('segment_size_shifts') }}
    group by 1, 2
),

decisions as (
    select
        build_id,
        entity_type,
        count(*) as entities
    from {{ ref('segment_decision_log') }}
    group by 1, 2
),

compared as (
    select
        coalesce(shifts.build_id, decisions.build_id) as build_id,
        coalesce(shifts.entity_type, decisions.entity_type) as entity_type,
        shifts.entities as shift_entities,
        decisions.entities as logged_entities
    from shifts
    full outer join decisions
        on
            shifts.build_id = decisions.build_id
            and shifts.entity_type = decisions.entity_type
)

select *
from compared
where shift_entities is distinct from logged_entities
