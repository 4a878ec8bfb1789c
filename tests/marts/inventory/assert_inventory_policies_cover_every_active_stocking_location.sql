{#-
    inventory_policies has a row for exactly the active SKU x DCs: an active
    SKU (product_segments) with an inventory snapshot at the DC, or an order
    line shipped from the DC (excluded order statuses left out), in the
    var inventory_demand_window_days days up to the as-of date, or a
    forecast at the DC for the as-of month or later. Recomputed here from
    the marts and the forecasts, independently of the intermediate models.
    Returns the SKU x DCs that are missing or extra.
-#}
{%- set window_days = var('inventory_demand_window_days') | int -%}
{%- set excluded_statuses = var('product_demand_excluded_order_statuses') -%}

with policies as (
    select
        sku_id,
        dc_id
    from {{ ref('inventory_policies') }}
),

active_skus as (
    select
        sku_id,
        as_of_date
    from {{ ref('product_segments') }}
    where is_active
),

as_of as (
    select
        max(as_of_date) as as_of_date,
        {{ dbt.dateadd('day', 1 - window_days, 'max(as_of_date)') }}
            as window_start_date
    from active_skus
),

snapshots as (
    select distinct
        snapshots.sku_id,
        snapshots.dc_id
    from {{ ref('fct_inventory_snapshots') }} as snapshots
    cross join as_of
    where
        snapshots.snapshot_date >= as_of.window_start_date
        and snapshots.snapshot_date <= as_of.as_of_date
),

order_lines as (
    select distinct
        order_lines.sku_id,
        order_lines.ship_from_dc_id as dc_id
    from {{ ref('fct_order_lines') }} as order_lines
    cross join as_of
    where
        order_lines.ship_from_dc_id is not null
        and order_lines.order_date >= as_of.window_start_date
        and order_lines.order_date <= as_of.as_of_date
        {%- if excluded_statuses %}
            and coalesce(order_lines.order_status, '') not in (
                {{ "'" ~ excluded_statuses | join("', '") ~ "'" }}
            )
        {%- endif %}
),

forecasts as (
    select distinct
        forecasts.sku_id,
        forecasts.dc_id
    from {{ ref('stg_crm__demand_forecasts') }} as forecasts
    cross join as_of
    where
        forecasts.forecast_month
        >= {{ dbt.date_trunc('month', 'as_of.as_of_date') }}
),

expected as (
    select
        locations.sku_id,
        locations.dc_id
    from (
        select
            sku_id,
            dc_id
        from snapshots
        union
        select
            sku_id,
            dc_id
        from order_lines
        union
        select
            sku_id,
            dc_id
        from forecasts
    ) as locations
    inner join active_skus
        on locations.sku_id = active_skus.sku_id
),

missing as (
    select
        expected.sku_id,
        expected.dc_id,
        'missing' as problem
    from expected
    left join policies
        on
            expected.sku_id = policies.sku_id
            and expected.dc_id = policies.dc_id
    where policies.sku_id is null
),

extra as (
    select
        policies.sku_id,
        policies.dc_id,
        'not an active stocking location' as problem
    from policies
    left join expected
        on
            policies.sku_id = expected.sku_id
            and policies.dc_id = expected.dc_id
    where expected.sku_id is null
)

select * from missing
union all
select * from extra
