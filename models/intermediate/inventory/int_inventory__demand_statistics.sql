{#-
    Time-decayed daily demand statistics per stocking location, computed
    from the days with demand only (int_inventory__daily_demand) (see the YAML for the formulas). Zero
    days add weight but no units: their weight sums are closed-form
    geometric series, so no per-day series is ever built.
-#}
{%- set half_life = dbt.cast(var('decay_half_life_days'), type_double()) -%}

with locations as (
    select
        sku_id,
        dc_id,
        series_start_date,
        as_of_date
    from {{ ref('int_inventory__stocking_locations') }}
),

daily_demand as (
    select
        sku_id,
        dc_id,
        demand_date,
        demand_units
    from {{ ref('int_inventory__daily_demand') }}
    where demand_line_count > 0
),

daily_units as (
    select
        locations.sku_id,
        locations.dc_id,
        daily_demand.demand_date,
        locations.as_of_date,
        daily_demand.demand_units as units
    from daily_demand
    inner join locations
        on
            daily_demand.sku_id = locations.sku_id
            and daily_demand.dc_id = locations.dc_id
            and daily_demand.demand_date >= locations.series_start_date
            and daily_demand.demand_date <= locations.as_of_date
),

weighted_sums as (
    select
        daily_units.sku_id,
        daily_units.dc_id,
        sum(daily_units.units) as demand_units,
        sum(
            {{ time_decay_weight(
                'daily_units.demand_date', 'daily_units.as_of_date') }}
            * daily_units.units
        ) as sum_wx,
        sum(
            {{ time_decay_weight(
                'daily_units.demand_date', 'daily_units.as_of_date') }}
            * daily_units.units * daily_units.units
        ) as sum_wxx
    from daily_units
    group by 1, 2
),

location_weights as (
    -- n days of ages 0 .. n - 1, weight r ^ age with r = 0.5 ^ (1 / h):
    -- sum w = (1 - r ^ n) / (1 - r), sum w^2 = (1 - r ^ 2n) / (1 - r ^ 2).
    select
        sku_id,
        dc_id,
        {{ dbt.datediff('series_start_date', 'as_of_date', 'day') }}
            as days_before_as_of,
        power(0.5, 1.0 / {{ half_life }}) as decay_ratio
    from locations
),

weights as (
    select
        sku_id,
        dc_id,
        greatest(days_before_as_of + 1, 0) as demand_days,
        (1 - power(decay_ratio, greatest(days_before_as_of + 1, 0)))
        / (1 - decay_ratio) as sum_w,
        (1 - power(decay_ratio, 2 * greatest(days_before_as_of + 1, 0)))
        / (1 - decay_ratio * decay_ratio) as sum_ww
    from location_weights
),

moments as (
    select
        weights.sku_id,
        weights.dc_id,
        weights.demand_days,
        coalesce(weighted_sums.demand_units, 0) as demand_units,
        coalesce(weighted_sums.sum_wx, 0)
        / nullif(weights.sum_w, 0) as weighted_mean,
        -- sum w (x - mean)^2 = sum w x^2 - (sum w x)^2 / sum w
        coalesce(weighted_sums.sum_wxx, 0)
        - coalesce(weighted_sums.sum_wx, 0) * coalesce(weighted_sums.sum_wx, 0)
        / nullif(weights.sum_w, 0) as weighted_deviations,
        weights.sum_w - weights.sum_ww / nullif(weights.sum_w, 0)
            as variance_denominator
    from weights
    left join weighted_sums
        on
            weights.sku_id = weighted_sums.sku_id
            and weights.dc_id = weighted_sums.dc_id
),

final as (
    select
        sku_id,
        dc_id,
        {{ dbt.cast('demand_days', dbt.type_bigint()) }} as demand_days,
        {{ dbt.cast('demand_units', type_double()) }} as demand_units,
        {{ dbt.cast('coalesce(weighted_mean, 0)', type_double()) }}
            as demand_mean_daily,
        {{ dbt.cast(
            'case when variance_denominator > 1e-12 then sqrt(greatest('
            ~ 'weighted_deviations / variance_denominator, 0)) else 0 end',
            type_double()) }} as demand_sd_daily
    from moments
)

select * from final
