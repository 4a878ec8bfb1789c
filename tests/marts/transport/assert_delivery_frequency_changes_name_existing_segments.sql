{{ config(severity='warn') }}
{#- A row of seed delivery_frequency_changes that names a customer segment
    no customer carries changes nothing in delivery_frequency_scenarios:
    segment names come from the clustering's labels, which differ from one
    data set to another. Returns each such row (a warning: the scenario is
    still built, with that segment out of its scope). -#}
with changes as (
    select
        scenario,
        customer_segment
    from {{ ref('delivery_frequency_changes') }}
    where customer_segment != '*'
),

segments as (
    select distinct customer_segment
    from {{ ref('delivery_frequency_scenarios') }}
)

select
    changes.scenario,
    changes.customer_segment
from changes
left join segments
    on changes.customer_segment = segments.customer_segment
where segments.customer_segment is null
