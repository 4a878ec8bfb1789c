{#-
    The quality of the customer clustering at each build that segments
    (grain build_id): the chosen fit of the active method
    (segmentation_diagnostics, is_chosen and is_active_method), with its
    silhouette, explained variance, fitted customers, smallest cluster and
    the share of customers it moved since the previous period. Kept across
    builds (incremental, never rebuilt: full_refresh=false), so the quality
    can be followed over time (the governance report lists it per build and
    per year).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['build_id'],
    full_refresh=false,
    on_schema_change='fail',
) }}

with diagnostics as (
    select
        method,
        k,
        silhouette,
        explained_variance,
        fit_customers,
        smallest_cluster_customers,
        changed_share_since_previous
    from {{ ref('segmentation_diagnostics') }}
    where is_chosen and is_active_method
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('customer_segments') }}
),

final as (
    select
        {{ governance_build_columns() | indent(8) }},
        {{ dbt.cast('as_of.as_of_date', 'date') }} as as_of_date,
        diagnostics.method,
        diagnostics.k,
        diagnostics.silhouette,
        diagnostics.explained_variance,
        diagnostics.fit_customers,
        diagnostics.smallest_cluster_customers,
        diagnostics.changed_share_since_previous
    from diagnostics
    cross join as_of
)

select * from final
