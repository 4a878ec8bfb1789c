{#- Every budget variance is fully explained: volume_effect + rate_effect =
    variance (to the cent), volume_effect = (actual_volume -
    budgeted_volume) * budget_rate and rate_effect = (actual_rate -
    budget_rate) * actual_volume for variable pools with volume, and a
    fixed pool's variance is all rate effect. Returns the rows that break
    it (tolerance 0.01). -#}
with variances as (
    select
        budget_month,
        cost_pool,
        cost_center,
        cost_behaviour,
        variance,
        volume_effect,
        rate_effect,
        actual_volume,
        budgeted_volume,
        actual_rate,
        budget_rate
    from {{ ref('budget_variance') }}
)

select *
from variances
where
    abs(volume_effect + rate_effect - variance) > 0.01
    or (
        cost_behaviour = 'fixed'
        and (volume_effect <> 0 or rate_effect <> variance)
    )
    or (
        cost_behaviour = 'variable'
        and budget_rate is not null
        and abs(
            volume_effect
            - (actual_volume - budgeted_volume) * budget_rate
        ) > 0.01
    )
    or (
        cost_behaviour = 'variable'
        and budget_rate is not null
        and actual_volume > 0
        and abs(rate_effect - (actual_rate - budget_rate) * actual_volume)
        > 0.01
    )
