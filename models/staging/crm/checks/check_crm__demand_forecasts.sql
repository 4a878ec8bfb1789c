{#- The forecasts of a SKU or DC that is not staged are quarantined.
    Planning rule: a forecast of at least var('dq_high_forecast_units') for a
    SKU x DC that had no order line in the trailing
    var('dq_zero_velocity_lookback_days') days of order history is flagged
    (zero_velocity_high_forecast) before any policy uses it. -#}
{%- set rules = [
    dq_reference_rule('unknown_sku', 'sku_id', 'is_sku_known'),
    dq_reference_rule('unknown_dc', 'dc_id', 'is_dc_known'),
    dq_rule(
        'zero_velocity_high_forecast', 'warn',
        'forecast_qty >= ' ~ var('dq_high_forecast_units')
        ~ ' and not has_recent_demand',
        dq_value_detail('forecast_qty')
        ~ " || ' with no order line in the last "
        ~ var('dq_zero_velocity_lookback_days') ~ " days'"),
] -%}

with forecasts as (
    {{ dq_surviving_rows(
        ref('base_crm__demand_forecasts'),
        ['forecast_month', 'sku_id', 'dc_id'], ['forecast_qty']) }}
),

products as (
    select sku_id from {{ ref('stg_erp__products') }}
),

distribution_centers as (
    select dc_id from {{ ref('stg_wms__distribution_centers') }}
),

orders as (
    select
        order_id,
        ship_from_dc_id,
        order_ts
    from {{ ref('stg_erp__sales_orders') }}
),

order_lines as (
    select
        order_id,
        sku_id
    from {{ ref('stg_erp__sales_order_lines') }}
),

history_end as (
    select max(orders.order_ts) as last_order_ts
    from orders
),

recent_demand as (
    select distinct
        order_lines.sku_id,
        orders.ship_from_dc_id as dc_id
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    cross join history_end
    where
        orders.order_ts > {{ dbt.dateadd(
            'day', -1 * var('dq_zero_velocity_lookback_days'),
            'history_end.last_order_ts') }}
),

checked as (
    select
        forecasts.*,
        products.sku_id is not null as is_sku_known,
        distribution_centers.dc_id is not null as is_dc_known,
        recent_demand.sku_id is not null as has_recent_demand
    from forecasts
    left join products
        on forecasts.sku_id = products.sku_id
    left join distribution_centers
        on forecasts.dc_id = distribution_centers.dc_id
    left join recent_demand
        on
            forecasts.sku_id = recent_demand.sku_id
            and forecasts.dc_id = recent_demand.dc_id
),

final as (
    {{ dq_check(
        'checked', ['forecast_month', 'sku_id', 'dc_id'], rules) }}
)

select * from final
