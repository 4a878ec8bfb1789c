{#-
    How many customers and products each segment holds at each build that
    segments, and how that moved since the build before (grain build_id,
    entity_type, segment), from segment_decision_log. A segment absent from
    one of the two builds counts zero there, so a segment that appears or
    disappears shows as a shift of its whole size.
-#}
with decisions as (
    select
        build_id,
        built_at,
        entity_type,
        segment
    from {{ ref('segment_decision_log') }}
),

builds as (
    select
        entity_type,
        build_id,
        built_at,
        lag(build_id) over (
            partition by entity_type order by built_at, build_id
        ) as previous_build_id
    from (
        select distinct
            entity_type,
            build_id,
            built_at
        from decisions
    ) as distinct_builds
),

sizes as (
    select
        build_id,
        entity_type,
        segment,
        count(*) as entities
    from decisions
    group by 1, 2, 3
),

totals as (
    select
        build_id,
        entity_type,
        sum(entities) as total_entities
    from sizes
    group by 1, 2
),

-- every segment of a build or of its previous build
pairs as (
    select
        builds.build_id,
        builds.built_at,
        builds.previous_build_id,
        builds.entity_type,
        sizes.segment
    from builds
    inner join sizes
        on
            builds.build_id = sizes.build_id
            and builds.entity_type = sizes.entity_type
    union
    select
        builds.build_id,
        builds.built_at,
        builds.previous_build_id,
        builds.entity_type,
        sizes.segment
    from builds
    inner join sizes
        on
            builds.previous_build_id = sizes.build_id
            and builds.entity_type = sizes.entity_type
),

final as (
    select
        pairs.build_id,
        pairs.built_at,
        pairs.entity_type,
        pairs.segment,
        coalesce(current_sizes.entities, 0) as entities,
        {{ dbt.cast('coalesce(current_sizes.entities, 0)', type_double()) }}
        / current_totals.total_entities as entity_share,
        pairs.previous_build_id,
        case
            when pairs.previous_build_id is not null
                then coalesce(previous_sizes.entities, 0)
        end as previous_entities,
        case
            when pairs.previous_build_id is not null
                then
                    {{ dbt.cast(
                        'coalesce(previous_sizes.entities, 0)',
                        type_double()) }}
                    / previous_totals.total_entities
        end as previous_entity_share
    from pairs
    inner join totals as current_totals
        on
            pairs.build_id = current_totals.build_id
            and pairs.entity_type = current_totals.entity_type
    left join sizes as current_sizes
        on
            pairs.build_id = current_sizes.build_id
            and pairs.entity_type = current_sizes.entity_type
            and pairs.segment = current_sizes.segment
    left join sizes as previous_sizes
        on
            pairs.previous_build_id = previous_sizes.build_id
            and pairs.entity_type = previous_sizes.entity_type
            and pairs.segment = previous_sizes.segment
    left join totals as previous_totals
        on
            pairs.previous_build_id = previous_totals.build_id
            and pairs.entity_type = previous_totals.entity_type
)

select
    final.*,
    final.entities - final.previous_entities as entity_change,
    final.entity_share - final.previous_entity_share as share_change
from final
