{#- Demand forecasts: one valid row per (forecast_month, sku_id, dc_id);
    is_zero_velocity_high_forecast marks rows the planning rule flagged. -#}
with validated as (
    select * from {{ ref('base_crm__demand_forecasts') }}
),

final as (
    select
        validated.sku_id,
        validated.dc_id,
        validated.forecast_qty,
        validated.dq_warn__zero_velocity_high_forecast is not null
            as is_zero_velocity_high_forecast,
        validated.forecast_month
    from validated
    where not validated.dq_is_duplicate and not validated.dq_is_quarantined
)

select * from final
