{#- The obsolescence score is 100 x the weighted mean of the four risks
    (weights var obsolescence_weights), a disposition candidate is exactly
    a score of at least var obsolescence_disposition_threshold, and the
    value at risk is the inventory value times the score. -#}
{%- set weights = var('obsolescence_weights') -%}

with risk as (
    select
        sku_id,
        dc_id,
        obsolescence_score,
        turnover_risk,
        lifecycle_risk,
        shelf_life_risk,
        stock_age_risk,
        inventory_value,
        inventory_value_at_risk,
        is_disposition_candidate
    from {{ ref('obsolescence_risk') }}
),

expected as (
    select
        risk.*,
        100.0 * (
            {{ weights['turnover'] }} * risk.turnover_risk
            + {{ weights['lifecycle'] }} * risk.lifecycle_risk
            + {{ weights['shelf_life'] }} * risk.shelf_life_risk
            + {{ weights['stock_age'] }} * risk.stock_age_risk
        ) / (
            {{ weights['turnover'] }} + {{ weights['lifecycle'] }}
            + {{ weights['shelf_life'] }} + {{ weights['stock_age'] }}
        ) as expected_score
    from risk
)

select *
from expected
where
    abs(obsolescence_score - expected_score) > 0.005 + 1e-9
    or is_disposition_candidate
    <> (
        obsolescence_score
        >= {{ var('obsolescence_disposition_threshold') }}
    )
    or abs(
        inventory_value_at_risk
        - inventory_value * obsolescence_score / 100.0
    ) > 1e-6
