{#-
    Data-quality rule "flagged before the policy uses them": every active
    SKU x DC with an open forecast (as-of month or later) that the
    zero-velocity/high-forecast rule of stg_crm__demand_forecasts flagged
    is in inventory_policies with the flag set, policy_type
    review_required and no automatic parameters. Returns the offenders.
-#}
with flagged as (
    select distinct
        forecasts.sku_id,
        forecasts.dc_id
    from {{ ref('stg_crm__demand_forecasts') }} as forecasts
    inner join {{ ref('product_segments') }} as segments
        on forecasts.sku_id = segments.sku_id
    where
        forecasts.is_zero_velocity_high_forecast
        and segments.is_active
        and forecasts.forecast_month
        >= {{ dbt.date_trunc('month', 'segments.as_of_date') }}
),

policies as (
    select
        sku_id,
        dc_id,
        policy_type,
        safety_stock_units,
        reorder_point_units,
        order_quantity_units,
        is_zero_velocity_high_forecast
    from {{ ref('inventory_policies') }}
),

final as (
    select
        flagged.sku_id,
        flagged.dc_id,
        policies.policy_type,
        policies.safety_stock_units,
        policies.reorder_point_units,
        policies.order_quantity_units
    from flagged
    left join policies
        on
            flagged.sku_id = policies.sku_id
            and flagged.dc_id = policies.dc_id
    where
        policies.sku_id is null
        or not policies.is_zero_velocity_high_forecast
        or policies.policy_type <> 'review_required'
        or policies.safety_stock_units <> 0
        or policies.reorder_point_units <> 0
        or policies.order_quantity_units <> 0
)

select * from final
