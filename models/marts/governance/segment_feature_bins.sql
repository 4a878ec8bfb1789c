{#-
    The distribution of each customer clustering feature at each build that
    segments (grain build_id, feature, bin_index), kept across builds
    (incremental, never rebuilt: full_refresh=false), as the reference the
    next build's drift is measured against (segment_feature_drift).

    Bins are the feature's deciles at that build: ntile(10) over the current
    period's customers, each bin up to and including its largest value
    (upper_edge), the last open-ended; deciles that share an edge (many
    equal values) merge into one bin. entity_share is the build's own customers in
    the bin over its customers with a value.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['build_id', 'feature', 'bin_index'],
    full_refresh=false,
    on_schema_change='fail',
) }}

with features as (
    {{ customer_feature_values() }}
),

deciles as (
    select
        feature,
        feature_value,
        ntile(10) over (partition by feature order by feature_value) as decile
    from features
),

edges as (
    select
        deciles.feature,
        deciles.decile,
        max(deciles.feature_value) as upper_edge
    from deciles
    group by 1, 2
),

distinct_edges as (
    select distinct
        feature,
        upper_edge
    from edges
),

bins as (
    select
        feature,
        row_number() over (partition by feature order by upper_edge)
            as bin_index,
        upper_edge,
        lag(upper_edge) over (partition by feature order by upper_edge)
            as lower_edge,
        count(*) over (partition by feature) as bin_count
    from distinct_edges
),

bounded as (
    -- the last bin is open-ended, so that the next build's larger values
    -- fall in it
    select
        feature,
        bin_index,
        lower_edge,
        case when bin_index < bin_count then upper_edge end as upper_edge
    from bins
),

counted as (
    select
        bounded.feature,
        bounded.bin_index,
        bounded.lower_edge,
        bounded.upper_edge,
        count(features.feature_value) as entities
    from bounded
    left join features
        on {{ segment_feature_in_bin('bounded', 'features') }}
    group by 1, 2, 3, 4
),

final as (
    select
        {{ governance_build_columns() | indent(8) }},
        feature,
        bin_index,
        lower_edge,
        upper_edge,
        entities,
        {{ dbt.cast('entities', type_double()) }}
        / sum(entities) over (partition by feature) as entity_share
    from counted
)

select * from final
