{{ config(schema='intermediate', materialized='table') }}
{#-
    One row per stocking location and day (grain sku_id, dc_id,
    demand_date): the daily demand series inventory_policies estimates the
    demand mean and standard deviation from.

    Days: every calendar day (dim_dates) from the location's
    series_start_date to the as-of date, zero-demand days included.
    units_ordered: units ordered (fct_order_lines.quantity) of the lines
    shipped from the DC that were ordered that day (order_date: the day the
    demand arose, not the day it could be served), order statuses of
    var product_demand_excluded_order_statuses left out.
    decay_weight: time_decay_weight(demand_date) as of the as-of date,
    0.5 ^ (age in days / var decay_half_life_days).
-#}
{%- set excluded_statuses = var('product_demand_excluded_order_statuses') -%}
{%- set decay_weight = time_decay_weight(
    'calendar.date_day', as_of_date='locations.as_of_date') -%}

with locations as (
    select
        sku_id,
        dc_id,
        series_start_date,
        as_of_date
    from {{ ref('int_inventory__stocking_locations') }}
),

order_lines as (
    select
        sku_id,
        ship_from_dc_id as dc_id,
        quantity,
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

calendar as (
    select date_day from {{ ref('dim_dates') }}
),

series_span as (
    select
        min(series_start_date) as first_date,
        max(as_of_date) as last_date
    from locations
),

daily_lines as (
    select
        order_lines.sku_id,
        order_lines.dc_id,
        order_lines.order_date as demand_date,
        sum(order_lines.quantity) as units_ordered,
        count(*) as order_line_count
    from order_lines
    cross join series_span
    where
        order_lines.order_date >= series_span.first_date
        and order_lines.order_date <= series_span.last_date
    group by 1, 2, 3
),

location_days as (
    select
        locations.sku_id,
        locations.dc_id,
        calendar.date_day as demand_date,
        {{ decay_weight }} as decay_weight
    from locations
    inner join calendar
        on
            locations.series_start_date <= calendar.date_day
            and locations.as_of_date >= calendar.date_day
),

final as (
    select
        location_days.sku_id,
        location_days.dc_id,
        {{ dbt.cast(
            'coalesce(daily_lines.units_ordered, 0)', type_double()) }}
            as units_ordered,
        {{ dbt.cast(
            'coalesce(daily_lines.order_line_count, 0)', dbt.type_bigint()) }}
            as order_line_count,
        location_days.decay_weight,
        location_days.demand_date
    from location_days
    left join daily_lines
        on
            location_days.sku_id = daily_lines.sku_id
            and location_days.dc_id = daily_lines.dc_id
            and location_days.demand_date = daily_lines.demand_date
)

select * from final
