{#- One row per customer segment, month and KPI (grain segment, month, kpi):
    every KPI of segment_kpis (macro segment_kpi_definitions) against the
    targets of seed segment_kpi_targets (the segment's own row, else the
    '*' row) and its status (macro segment_kpi_status): no_target when no
    target row covers it. -#}
with segment_kpis as (
    select * from {{ ref('segment_kpis') }}
),

actuals as (
    {{ segment_kpi_unpivot('segment_kpis', 'month') }}
),

final as (
    {{ segment_kpis_against_targets('actuals', 'month') }}
)

select * from final
