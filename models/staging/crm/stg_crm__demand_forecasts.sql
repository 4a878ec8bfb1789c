{#- Demand forecasts: one valid row per (forecast_month, sku_id, dc_id);
    is_zero_velocity_high_forecast marks rows the planning rule flagged
    (check_crm__demand_forecasts). -#}
with validated as (
    {{ dq_clean_rows(
        ref('base_crm__demand_forecasts'), ref('check_crm__demand_forecasts'),
        ['forecast_month', 'sku_id', 'dc_id']) }}
),

flagged as (
    select
        forecast_month,
        sku_id,
        dc_id
    from {{ ref('check_crm__demand_forecasts') }}
    where dq_warn__zero_velocity_high_forecast is not null
),

final as (
    select
        validated.sku_id,
        validated.dc_id,
        validated.forecast_qty,
        flagged.sku_id is not null as is_zero_velocity_high_forecast,
        validated.forecast_month
    from validated
    left join flagged
        on
            validated.forecast_month = flagged.forecast_month
            and validated.sku_id = flagged.sku_id
            and validated.dc_id = flagged.dc_id
)

select * from final
