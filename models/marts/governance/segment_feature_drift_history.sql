{#-
    segment_feature_drift at every build that segments (grain build_id,
    feature), kept across builds (incremental, never rebuilt:
    full_refresh=false): each build's population stability index of each
    clustering feature against the build before, for the drift over time
    (the governance report lists it per build and per year).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['build_id', 'feature'],
    full_refresh=false,
    on_schema_change='fail',
) }}

with drift as (
    select
        feature,
        reference_build_id,
        entities,
        psi,
        drift_status
    from {{ ref('segment_feature_drift') }}
),

final as (
    select
        {{ governance_build_columns() | indent(8) }},
        feature,
        reference_build_id,
        entities,
        psi,
        drift_status
    from drift
)

select * from final
