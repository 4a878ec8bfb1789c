{#-
    One row per customer clustering feature (grain feature): the population
    stability index of the feature at this build against the previous build
    that segmented (segment_feature_bins, the latest build other than this
    one):

      PSI = sum over the reference's bins of (c - r) x ln(c / r)

    where r is the reference's share of customers in the bin and c this
    build's share in the same bin, each at least var drift_psi_min_share (an
    empty bin would make the log infinite). Status: stable below
    var drift_psi_thresholds.moderate, moderate below .significant,
    significant from it; no_reference when no earlier build has bins
    for the feature (the first build).
-#}
{%- set thresholds = var('drift_psi_thresholds') -%}
{%- set floor = var('drift_psi_min_share') -%}

with bins as (
    select
        build_id,
        built_at,
        feature,
        bin_index,
        lower_edge,
        upper_edge,
        entity_share
    from {{ ref('segment_feature_bins') }}
),

reference_build as (
    select
        build_id,
        built_at
    from bins
    where build_id != '{{ invocation_id }}'
    group by 1, 2
    order by 2 desc
    limit 1
),

reference_marker as (
    -- one row, nulls at the first build
    select
        max(build_id) as build_id,
        max(built_at) as built_at
    from reference_build
),

reference as (
    select bins.*
    from bins
    inner join reference_build
        on bins.build_id = reference_build.build_id
),

features as (
    {{ customer_feature_values() }}
),

feature_list as (
    {%- for feature in customer_clustering_features() %}
        select '{{ feature }}' as feature
        {{- '\n        union all' if not loop.last }}
    {%- endfor %}
),

current_counts as (
    select
        reference.feature,
        reference.bin_index,
        count(features.feature_value) as entities
    from reference
    left join features
        on {{ segment_feature_in_bin('reference', 'features') }}
    group by 1, 2
),

compared as (
    select
        reference.feature,
        reference.bin_index,
        greatest(reference.entity_share, {{ floor }})
            as reference_share,
        greatest(
            {{ dbt.cast('current_counts.entities', type_double()) }}
            / nullif(sum(current_counts.entities) over (
                partition by reference.feature
            ), 0),
            {{ floor }}
        ) as current_share
    from reference
    inner join current_counts
        on
            reference.feature = current_counts.feature
            and reference.bin_index = current_counts.bin_index
),

indexed as (
    select
        feature,
        count(*) as bins,
        sum(
            (current_share - reference_share)
            * ln(current_share / reference_share)
        ) as psi
    from compared
    group by 1
),

current_entities as (
    select
        feature,
        count(*) as entities
    from features
    group by 1
),

final as (
    select
        feature_list.feature,
        reference_marker.build_id as reference_build_id,
        reference_marker.built_at as reference_built_at,
        coalesce(current_entities.entities, 0) as entities,
        indexed.bins,
        indexed.psi,
        case
            when indexed.psi is null then 'no_reference'
            when indexed.psi >= {{ thresholds.significant }}
                then 'significant'
            when indexed.psi >= {{ thresholds.moderate }} then 'moderate'
            else 'stable'
        end as drift_status
    from feature_list
    cross join reference_marker
    left join indexed
        on feature_list.feature = indexed.feature
    left join current_entities
        on feature_list.feature = current_entities.feature
)

select * from final
