{{ config(severity='warn') }}
{#- A row of seed segment_kpi_targets naming a customer segment no
    customer carries sets no target (segment names come from the
    clustering's labels, which differ from one data set to another): each
    such row is returned, as a warning. -#}
with targets as (
    select
        customer_segment,
        kpi
    from {{ ref('segment_kpi_targets') }}
    where customer_segment != '*'
),

segments as (
    select distinct segment
    from {{ ref('segment_kpis') }}
)

select
    targets.customer_segment,
    targets.kpi
from targets
left join segments
    on targets.customer_segment = segments.segment
where segments.segment is null
