{#-
    One row per active SKU x DC (grain sku_id, dc_id): the stocking
    locations inventory_policies sets parameters for, as of the product
    segments' as-of date (build_as_of_date()).

    Demand window: the var inventory_demand_window_days days ending at the
    as-of date. A SKU x DC is a stocking location when the SKU is active
    (product_segments.is_active) and, at that DC,
      - it had an inventory snapshot in the demand window (is_stocked_at_dc),
      - or an order line shipped from the DC was ordered in the window
        (has_demand_in_window; order statuses of
        var product_demand_excluded_order_statuses left out),
      - or it has a demand forecast for the as-of month or later
        (has_open_forecast: a planned stocking location).
    is_zero_velocity_high_forecast: one of those open forecasts was flagged
    by the planning rule of stg_crm__demand_forecasts (high forecast, no
    recent demand); the policy does not use the SKU x DC automatically.

    series_start_date: first day of the daily demand series, the later of
    the window start and the location's first activity (first snapshot or
    order line at the DC), so a SKU launched in the window is not diluted
    by days before it existed there.
-#}
{%- set window_days = var('inventory_demand_window_days') | int -%}
{%- set excluded_statuses = var('product_demand_excluded_order_statuses') -%}

with product_segments as (
    select
        sku_id,
        segment,
        abc_class,
        xyz_class,
        velocity_class,
        as_of_date
    from {{ ref('int_products__segments') }}
    where is_active
),

products as (
    select
        sku_id,
        supplier_id,
        unit_cost
    from {{ ref('dim_products') }}
),

snapshots as (
    select
        sku_id,
        dc_id,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
),

order_lines as (
    select
        sku_id,
        ship_from_dc_id as dc_id,
        order_date
    from {{ ref('fct_order_lines') }}
    where
        ship_from_dc_id is not null
        {%- if excluded_statuses %}
            and coalesce(order_status, '') not in (
                {{ "'" ~ excluded_statuses | join("', '") ~ "'" }}
            )
        {%- endif %}
),

forecasts as (
    select
        sku_id,
        dc_id,
        is_zero_velocity_high_forecast,
        forecast_month
    from {{ ref('stg_crm__demand_forecasts') }}
),

demand_window as (
    select
        max(as_of_date) as as_of_date,
        {{ dbt.cast(dbt.dateadd(
            'day', 1 - window_days, 'max(as_of_date)'), 'date') }}
            as window_start_date,
        {{ dbt.cast(dbt.date_trunc('month', 'max(as_of_date)'), 'date') }}
            as as_of_month
    from product_segments
),

snapshot_locations as (
    select
        snapshots.sku_id,
        snapshots.dc_id,
        min(snapshots.snapshot_date) as first_activity_date,
        max(
            case
                when
                    snapshots.snapshot_date
                    >= demand_window.window_start_date
                    then 1
                else 0
            end
        ) = 1 as is_stocked_at_dc
    from snapshots
    cross join demand_window
    where snapshots.snapshot_date <= demand_window.as_of_date
    group by 1, 2
),

order_locations as (
    select
        order_lines.sku_id,
        order_lines.dc_id,
        min(order_lines.order_date) as first_activity_date,
        max(
            case
                when
                    order_lines.order_date
                    >= demand_window.window_start_date
                    then 1
                else 0
            end
        ) = 1 as has_demand_in_window
    from order_lines
    cross join demand_window
    where order_lines.order_date <= demand_window.as_of_date
    group by 1, 2
),

forecast_locations as (
    select
        forecasts.sku_id,
        forecasts.dc_id,
        max(
            case when forecasts.is_zero_velocity_high_forecast then 1 else 0 end
        ) = 1 as is_zero_velocity_high_forecast
    from forecasts
    cross join demand_window
    where forecasts.forecast_month >= demand_window.as_of_month
    group by 1, 2
),

candidates as (
    select
        sku_id,
        dc_id
    from snapshot_locations
    where is_stocked_at_dc
    union
    select
        sku_id,
        dc_id
    from order_locations
    where has_demand_in_window
    union
    select
        sku_id,
        dc_id
    from forecast_locations
),

final as (
    select
        candidates.sku_id,
        candidates.dc_id,
        products.supplier_id,
        product_segments.segment,
        product_segments.abc_class,
        product_segments.xyz_class,
        product_segments.velocity_class,
        case
            when coalesce(order_locations.has_demand_in_window, false)
                then product_segments.velocity_class
            else 'none'
        end as velocity_class_at_dc,
        products.unit_cost,
        coalesce(snapshot_locations.is_stocked_at_dc, false)
            as is_stocked_at_dc,
        coalesce(order_locations.has_demand_in_window, false)
            as has_demand_in_window,
        forecast_locations.sku_id is not null as has_open_forecast,
        coalesce(forecast_locations.is_zero_velocity_high_forecast, false)
            as is_zero_velocity_high_forecast,
        demand_window.window_start_date,
        greatest(
            demand_window.window_start_date,
            coalesce(
                least(
                    snapshot_locations.first_activity_date,
                    order_locations.first_activity_date
                ),
                snapshot_locations.first_activity_date,
                order_locations.first_activity_date,
                demand_window.window_start_date
            )
        ) as series_start_date,
        demand_window.as_of_date
    from candidates
    inner join product_segments
        on candidates.sku_id = product_segments.sku_id
    inner join products
        on candidates.sku_id = products.sku_id
    cross join demand_window
    left join snapshot_locations
        on
            candidates.sku_id = snapshot_locations.sku_id
            and candidates.dc_id = snapshot_locations.dc_id
    left join order_locations
        on
            candidates.sku_id = order_locations.sku_id
            and candidates.dc_id = order_locations.dc_id
    left join forecast_locations
        on
            candidates.sku_id = forecast_locations.sku_id
            and candidates.dc_id = forecast_locations.dc_id
)

select * from final
