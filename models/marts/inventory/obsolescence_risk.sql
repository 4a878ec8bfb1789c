{#-
    One row per SKU x DC holding stock (on_hand_units > 0) at the latest
    snapshot of its DC (grain sku_id, dc_id): how likely the stock is to
    become obsolete, as a score from 0 (no risk) to 100, from four risk
    components of 0-1 each, over the var obsolescence_lookback_days days
    ending at the monitoring as-of date (int_inventory__latest_snapshot):

      turnover_risk    inventory_turnover = annual COGS / average inventory
                       value (COGS of the lines shipped from the DC in the
                       lookback x 365 / lookback days; average of the
                       snapshot inventory values, a missing snapshot counted
                       as 0); 1 at or below var obsolescence_turnover_low,
                       0 at or above var obsolescence_turnover_high, linear
                       between
      lifecycle_risk   lifecycle_risk of seed obsolescence_lifecycle_risk for
                       the stage (its 'unknown' row for any other stage)
      shelf_life_risk  days_of_supply / shelf_life_days (days_of_supply =
                       on hand / average daily demand; demand = units
                       ordered, statuses in
                       var product_demand_excluded_order_statuses left out,
                       from int_inventory__daily_demand):
                       0 up to var obsolescence_shelf_life_ratio_start, 1 from
                       var obsolescence_shelf_life_ratio_full, linear
                       between; 1 without demand; 0 without a shelf life
      stock_age_risk   stock_age_weeks = weeks since the later of the last
                       receipt and the last demand at the DC (weeks without
                       movement): 0 up to var obsolescence_stock_age_start_weeks,
                       1 from var obsolescence_stock_age_full_weeks, linear
                       between; 1 when the stock never moved

    obsolescence_score = 100 * sum(weight x risk) / sum(weights), weights
    var obsolescence_weights. risk_driver is the component with the largest
    weighted contribution (none when the score is 0). A SKU x DC whose score
    is at least var obsolescence_disposition_threshold is a disposition
    candidate (sell off, transfer, write down). inventory_value_at_risk =
    inventory_value x score / 100.
-#}
{%- set lookback_days = var('obsolescence_lookback_days') | int -%}
{%- set weights = var('obsolescence_weights') -%}
{%- set weight_total = weights['turnover'] + weights['lifecycle']
    + weights['shelf_life'] + weights['stock_age'] -%}
{#- 0 at ZERO_AT, 1 at ONE_AT, linear between, clamped to [0, 1]. -#}
{%- set ramp = 'greatest(0.0, least(1.0, '
    ~ '(VALUE - ZERO_AT) / (ONE_AT - ZERO_AT)))' -%}

with lifecycle_risks as (
    select
        lifecycle_stage,
        lifecycle_risk
    from {{ ref('obsolescence_lifecycle_risk') }}
),

stock as (
    select
        sku_id,
        dc_id,
        on_hand_units,
        inventory_value,
        snapshot_date,
        as_of_date
    from {{ ref('int_inventory__latest_snapshot') }}
    where on_hand_units > 0
),

products as (
    select
        sku_id,
        lifecycle_stage,
        shelf_life_days,
        unit_cost,
        is_perishable
    from {{ ref('dim_products') }}
),

segments as (
    select
        sku_id,
        segment
    from {{ ref('int_products__segments') }}
),

snapshots as (
    select
        sku_id,
        dc_id,
        inventory_value,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
),

daily_demand as (
    select
        sku_id,
        dc_id,
        demand_date,
        demand_units,
        demand_line_count,
        cogs
    from {{ ref('int_inventory__daily_demand') }}
),

receipts as (
    select
        sku_id,
        dc_id,
        receipt_date
    from {{ ref('int_purchase_receipts__contract_matched') }}
),

bounds as (
    select
        max(stock.as_of_date) as as_of_date,
        {{ dbt.dateadd('day', -lookback_days, 'max(stock.as_of_date)') }}
            as lookback_start_date
    from stock
),

dc_snapshot_counts as (
    select
        snapshots.dc_id,
        count(distinct snapshots.snapshot_date) as snapshot_count
    from snapshots
    cross join bounds
    where
        snapshots.snapshot_date > bounds.lookback_start_date
        and snapshots.snapshot_date <= bounds.as_of_date
    group by 1
),

inventory_values as (
    select
        snapshots.sku_id,
        snapshots.dc_id,
        sum(snapshots.inventory_value) as inventory_value_sum
    from snapshots
    cross join bounds
    where
        snapshots.snapshot_date > bounds.lookback_start_date
        and snapshots.snapshot_date <= bounds.as_of_date
    group by 1, 2
),

demand as (
    select
        daily_demand.sku_id,
        daily_demand.dc_id,
        sum(case
            when daily_demand.demand_date > bounds.lookback_start_date
                then daily_demand.cogs
            else 0
        end) as lookback_cogs,
        sum(case
            when daily_demand.demand_date > bounds.lookback_start_date
                then daily_demand.demand_units
            else 0
        end) as lookback_demand_units,
        max(case
            when daily_demand.demand_line_count > 0
                then daily_demand.demand_date
        end) as last_demand_date
    from daily_demand
    cross join bounds
    where daily_demand.demand_date <= bounds.as_of_date
    group by 1, 2
),

last_receipts as (
    select
        receipts.sku_id,
        receipts.dc_id,
        max(receipts.receipt_date) as last_receipt_date
    from receipts
    cross join bounds
    where receipts.receipt_date <= bounds.as_of_date
    group by 1, 2
),

measures as (
    select
        stock.sku_id,
        stock.dc_id,
        segments.segment,
        coalesce(products.lifecycle_stage, 'unknown') as lifecycle_stage,
        stock.on_hand_units,
        stock.inventory_value,
        coalesce(demand.lookback_cogs, 0.0)
        * 365.0 / {{ lookback_days }} as annual_cogs,
        coalesce(inventory_values.inventory_value_sum, 0.0)
        / nullif(dc_snapshot_counts.snapshot_count, 0)
            as average_inventory_value,
        coalesce(demand.lookback_demand_units, 0.0)
        / {{ lookback_days }}.0 as average_daily_demand_units,
        products.shelf_life_days,
        coalesce(products.is_perishable, false) as is_perishable,
        demand.last_demand_date,
        last_receipts.last_receipt_date,
        stock.snapshot_date,
        bounds.as_of_date
    from stock
    cross join bounds
    left join products
        on stock.sku_id = products.sku_id
    left join segments
        on stock.sku_id = segments.sku_id
    left join dc_snapshot_counts
        on stock.dc_id = dc_snapshot_counts.dc_id
    left join inventory_values
        on
            stock.sku_id = inventory_values.sku_id
            and stock.dc_id = inventory_values.dc_id
    left join demand
        on
            stock.sku_id = demand.sku_id
            and stock.dc_id = demand.dc_id
    left join last_receipts
        on
            stock.sku_id = last_receipts.sku_id
            and stock.dc_id = last_receipts.dc_id
),

ratios as (
    select
        measures.*,
        measures.annual_cogs
        / nullif(measures.average_inventory_value, 0) as inventory_turnover,
        measures.on_hand_units
        / nullif(measures.average_daily_demand_units, 0) as days_of_supply,
        {{ dbt.datediff(
            'measures.last_receipt_date', 'measures.as_of_date', 'day') }}
        / 7.0 as weeks_since_last_receipt,
        {{ dbt.datediff(
            'measures.last_demand_date', 'measures.as_of_date', 'day') }}
        / 7.0 as weeks_since_last_demand
    from measures
),

components as (
    select
        ratios.*,
        case
            when ratios.weeks_since_last_receipt is null
                then ratios.weeks_since_last_demand
            when ratios.weeks_since_last_demand is null
                then ratios.weeks_since_last_receipt
            when
                ratios.weeks_since_last_receipt
                < ratios.weeks_since_last_demand
                then ratios.weeks_since_last_receipt
            else ratios.weeks_since_last_demand
        end as stock_age_weeks,
        ratios.days_of_supply
        / nullif(ratios.shelf_life_days, 0) as shelf_life_ratio,
        case
            when ratios.inventory_turnover is null then 0.0
            else {{ ramp
                | replace('VALUE', 'ratios.inventory_turnover')
                | replace('ZERO_AT', var('obsolescence_turnover_high'))
                | replace('ONE_AT', var('obsolescence_turnover_low')) }}
        end as turnover_risk,
        {{ dbt.cast(
            'coalesce(stage_risk.lifecycle_risk, unknown_risk.lifecycle_risk)',
            type_double()) }} as lifecycle_risk
    from ratios
    left join lifecycle_risks as stage_risk
        on ratios.lifecycle_stage = stage_risk.lifecycle_stage
    left join lifecycle_risks as unknown_risk
        on unknown_risk.lifecycle_stage = 'unknown'
),

risks as (
    select
        components.*,
        case
            when coalesce(components.shelf_life_days, 0) <= 0 then 0.0
            when components.days_of_supply is null then 1.0
            else {{ ramp
                | replace('VALUE', 'components.shelf_life_ratio')
                | replace('ZERO_AT',
                    var('obsolescence_shelf_life_ratio_start'))
                | replace('ONE_AT',
                    var('obsolescence_shelf_life_ratio_full')) }}
        end as shelf_life_risk,
        case
            when components.stock_age_weeks is null then 1.0
            else {{ ramp
                | replace('VALUE', 'components.stock_age_weeks')
                | replace('ZERO_AT',
                    var('obsolescence_stock_age_start_weeks'))
                | replace('ONE_AT',
                    var('obsolescence_stock_age_full_weeks')) }}
        end as stock_age_risk
    from components
),

weighted as (
    select
        risks.*,
        {{ weights['turnover'] }} * risks.turnover_risk
            as turnover_contribution,
        {{ weights['lifecycle'] }} * risks.lifecycle_risk
            as lifecycle_contribution,
        {{ weights['shelf_life'] }} * risks.shelf_life_risk
            as shelf_life_contribution,
        {{ weights['stock_age'] }} * risks.stock_age_risk
            as stock_age_contribution
    from risks
),

scored as (
    select
        weighted.*,
        -- rounded to 1e-9 first, so that float noise in the inputs does not
        -- move a score that is exactly halfway between two cents
        round(round(100.0 * (
            weighted.turnover_contribution
            + weighted.lifecycle_contribution
            + weighted.shelf_life_contribution
            + weighted.stock_age_contribution
        ) / {{ weight_total }}, 9), 2) as obsolescence_score
    from weighted
),

final as (
    select
        scored.sku_id,
        scored.dc_id,
        scored.segment,
        scored.lifecycle_stage,
        case
            when scored.obsolescence_score <= 0 then 'none'
            when
                scored.turnover_contribution >= scored.lifecycle_contribution
                and scored.turnover_contribution
                >= scored.shelf_life_contribution
                and scored.turnover_contribution
                >= scored.stock_age_contribution
                then 'turnover'
            when
                scored.lifecycle_contribution
                >= scored.shelf_life_contribution
                and scored.lifecycle_contribution
                >= scored.stock_age_contribution
                then 'lifecycle'
            when
                scored.shelf_life_contribution
                >= scored.stock_age_contribution
                then 'shelf_life'
            else 'stock_age'
        end as risk_driver,
        scored.obsolescence_score,
        scored.turnover_risk,
        scored.lifecycle_risk,
        scored.shelf_life_risk,
        scored.stock_age_risk,
        scored.on_hand_units,
        scored.inventory_value,
        scored.inventory_value * scored.obsolescence_score / 100.0
            as inventory_value_at_risk,
        scored.annual_cogs,
        scored.average_inventory_value,
        scored.inventory_turnover,
        scored.average_daily_demand_units,
        scored.days_of_supply,
        scored.shelf_life_days,
        scored.shelf_life_ratio,
        scored.weeks_since_last_receipt,
        scored.weeks_since_last_demand,
        scored.stock_age_weeks,
        scored.is_perishable,
        scored.obsolescence_score
        >= {{ var('obsolescence_disposition_threshold') }}
            as is_disposition_candidate,
        scored.last_receipt_date,
        scored.last_demand_date,
        scored.snapshot_date,
        scored.as_of_date
    from scored
)

select * from final
