{#-
    One row per SKU of dim_products (grain sku_id): XYZ class and velocity
    from weekly demand over the demand window.

    Demand window: the var xyz_lookback_weeks calendar weeks (Monday
    week_start_date of dim_dates) ending with the last week that is complete
    on the as-of date (the as-of week itself only when the as-of date is a
    Sunday), so a partial week never deflates the last observation. Weekly
    demand = units ordered (fct_order_lines.quantity) of the SKU's lines
    placed in the week, lines of an order status in
    var product_demand_excluded_order_statuses left out; a week without
    demand counts as 0 (SKU x week spine).

        weekly_demand_mean = avg(weekly units), weekly_demand_sd = sample sd
        demand_cv = sd / mean (null when the SKU had no demand)
        xyz_class X when cv <= var xyz_x_max_cv, Y when <= var xyz_y_max_cv,
        else Z; Z when cv is null
        order_lines_per_week = order lines in the window / weeks
        velocity_class fast (>= var velocity_fast_min_lines_per_week),
        medium (>= var velocity_medium_min_lines_per_week), slow (> 0), none

    last_order_date is the SKU's latest (not excluded) order line up to the
    as-of date, at any time.
-#}
{%- set lookback_weeks = var('xyz_lookback_weeks') | int -%}
{%- set excluded_statuses = var('product_demand_excluded_order_statuses') -%}
{%- set x_max_cv = dbt.cast(var('xyz_x_max_cv'), type_double()) -%}
{%- set y_max_cv = dbt.cast(var('xyz_y_max_cv'), type_double()) -%}
{%- set fast_min = dbt.cast(
    var('velocity_fast_min_lines_per_week'), type_double()) -%}
{%- set medium_min = dbt.cast(
    var('velocity_medium_min_lines_per_week'), type_double()) -%}
{#- Monday of the last week complete on the as-of date: the Monday of
    the day after the as-of date, minus one week. -#}
{%- set day_after_as_of = dbt.dateadd('day', 1, 'as_of.as_of_date') -%}
{%- set last_week_start = dbt.dateadd(
    'day', -7, dbt.date_trunc('week', day_after_as_of)) -%}

with products as (
    select sku_id from {{ ref('dim_products') }}
),

order_lines as (
    select
        sku_id,
        quantity,
        order_date
    from {{ ref('fct_order_lines') }}
    {%- if excluded_statuses %}
        where coalesce(order_status, '') not in (
            {{ "'" ~ excluded_statuses | join("', '") ~ "'" }}
        )
    {%- endif %}
),

calendar as (
    select week_start_date from {{ ref('dim_dates') }}
),

as_of as (
    select {{ build_as_of_date() }} as as_of_date
),

last_week as (
    select
        as_of.as_of_date,
        {{ dbt.cast(last_week_start, 'date') }} as last_week_start_date
    from as_of
),

demand_window as (
    select
        as_of_date,
        {{ dbt.cast(dbt.dateadd(
            'week', 1 - lookback_weeks, 'last_week_start_date'), 'date') }}
            as window_start_date,
        {{ dbt.cast(dbt.dateadd(
            'day', 6, 'last_week_start_date'), 'date') }}
            as window_end_date,
        last_week_start_date
    from last_week
),

window_weeks as (
    select distinct calendar.week_start_date
    from calendar
    cross join demand_window
    where
        calendar.week_start_date >= demand_window.window_start_date
        and calendar.week_start_date <= demand_window.last_week_start_date
),

sku_weeks as (
    select
        products.sku_id,
        window_weeks.week_start_date
    from products
    cross join window_weeks
),

weekly_lines as (
    select
        order_lines.sku_id,
        {{ dbt.cast(dbt.date_trunc('week', 'order_lines.order_date'), 'date') }}
            as week_start_date,
        sum(order_lines.quantity) as units_ordered,
        count(*) as order_line_count
    from order_lines
    cross join demand_window
    where
        order_lines.order_date >= demand_window.window_start_date
        and order_lines.order_date <= demand_window.window_end_date
    group by 1, 2
),

weekly_demand as (
    select
        sku_weeks.sku_id,
        sku_weeks.week_start_date,
        coalesce(weekly_lines.units_ordered, 0.0) as units_ordered,
        coalesce(weekly_lines.order_line_count, 0) as order_line_count
    from sku_weeks
    left join weekly_lines
        on
            sku_weeks.sku_id = weekly_lines.sku_id
            and sku_weeks.week_start_date = weekly_lines.week_start_date
),

demand_stats as (
    select
        sku_id,
        count(*) as window_week_count,
        sum(
            case when units_ordered > 0 then 1 else 0 end
        ) as weeks_with_demand,
        sum(units_ordered) as units_ordered,
        sum(order_line_count) as order_line_count,
        avg(units_ordered) as weekly_demand_mean,
        stddev_samp(units_ordered) as weekly_demand_sd
    from weekly_demand
    group by 1
),

last_orders as (
    select
        order_lines.sku_id,
        max(order_lines.order_date) as last_order_date
    from order_lines
    cross join as_of
    where order_lines.order_date <= as_of.as_of_date
    group by 1
),

measured as (
    select
        products.sku_id,
        {{ dbt.cast('demand_stats.window_week_count', dbt.type_bigint()) }}
            as window_week_count,
        {{ dbt.cast(
            'coalesce(demand_stats.weeks_with_demand, 0)',
            dbt.type_bigint()) }} as weeks_with_demand,
        {{ dbt.cast(
            'coalesce(demand_stats.units_ordered, 0)', type_double()) }}
            as units_ordered,
        {{ dbt.cast(
            'coalesce(demand_stats.order_line_count, 0)',
            dbt.type_bigint()) }} as order_line_count,
        demand_stats.weekly_demand_mean,
        demand_stats.weekly_demand_sd,
        case
            when demand_stats.weekly_demand_mean > 0
                then
                    demand_stats.weekly_demand_sd
                    / demand_stats.weekly_demand_mean
        end as demand_cv,
        coalesce(
            demand_stats.order_line_count
            / {{ dbt.cast(
                'nullif(demand_stats.window_week_count, 0)',
                type_double()) }},
            0.0
        ) as order_lines_per_week,
        last_orders.last_order_date
    from products
    left join demand_stats
        on products.sku_id = demand_stats.sku_id
    left join last_orders
        on products.sku_id = last_orders.sku_id
),

final as (
    select
        measured.sku_id,
        case
            when measured.demand_cv is null then 'Z'
            when measured.demand_cv <= {{ x_max_cv }} then 'X'
            when measured.demand_cv <= {{ y_max_cv }} then 'Y'
            else 'Z'
        end as xyz_class,
        case
            when measured.order_lines_per_week >= {{ fast_min }} then 'fast'
            when measured.order_lines_per_week >= {{ medium_min }}
                then 'medium'
            when measured.order_lines_per_week > 0 then 'slow'
            else 'none'
        end as velocity_class,
        measured.window_week_count,
        measured.weeks_with_demand,
        measured.units_ordered,
        measured.order_line_count,
        measured.weekly_demand_mean,
        measured.weekly_demand_sd,
        measured.demand_cv,
        measured.order_lines_per_week,
        measured.last_order_date,
        demand_window.window_start_date,
        demand_window.window_end_date,
        demand_window.as_of_date
    from measured
    cross join demand_window
)

select * from final
