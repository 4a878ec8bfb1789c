{#- One row per customer segment, quarter and KPI (grain segment,
    quarter_start, kpi): the steering committee's quarterly business review. The measures
    of segment_kpis are summed over the quarter's months and the KPIs taken
    again from the sums (macro segment_kpi_definitions, never an average of
    monthly rates), then set against seed segment_kpi_targets as
    segment_kpi_scorecard is, with the previous quarter's value beside
    them. -#}
{%- set measures = segment_kpi_measures() -%}

with segment_kpis as (
    select * from {{ ref('segment_kpis') }}
),

quarters as (
    select
        segment,
        {{ dbt.cast(dbt.date_trunc('quarter', 'month'), 'date') }}
            as quarter_start,
        {%- for measure in measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        count(*) as months
    from segment_kpis
    group by 1, 2
),

quarter_kpis as (
    select
        {%- for kpi in segment_kpi_definitions() %}
            {{ kpi.sql }} as {{ kpi.name }},
        {%- endfor %}
        quarters.*
    from quarters
),

actuals as (
    {{ segment_kpi_unpivot('quarter_kpis', 'quarter_start') }}
),

scored as (
    {{ segment_kpis_against_targets('actuals', 'quarter_start') }}
),

final as (
    select
        scored.segment,
        scored.quarter_start,
        quarter_kpis.months,
        {{ dbt.cast('quarter_kpis.orders', dbt.type_bigint()) }} as orders,
        quarter_kpis.net_revenue,
        {{ dbt.cast('quarter_kpis.total_cost_to_serve', 'decimal(18, 2)') }}
            as total_cost_to_serve,
        scored.kpi,
        scored.kpi_group,
        scored.actual,
        lag(scored.actual) over (
            partition by scored.segment, scored.kpi
            order by scored.quarter_start
        ) as previous_quarter_actual,
        scored.target,
        scored.direction,
        scored.at_risk_tolerance,
        scored.target_source,
        scored.status
    from scored
    inner join quarter_kpis
        on
            scored.segment = quarter_kpis.segment
            and scored.quarter_start = quarter_kpis.quarter_start
)

select * from final
