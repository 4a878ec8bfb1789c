{#- A contract period is under_used below 100 % minus
    var procurement_utilisation_tolerance_pct of its commitment to date,
    over_used above 100 % plus it, and on_track in between. -#}
{%- set tolerance = var('procurement_utilisation_tolerance_pct') -%}

select
    contract_id,
    period_start_date,
    status,
    utilisation_pct
from {{ ref('procurement_commitment_utilisation') }}
where
    status <> case
        when utilisation_pct < 100 - {{ tolerance }} then 'under_used'
        when utilisation_pct > 100 + {{ tolerance }} then 'over_used'
        else 'on_track'
    end
