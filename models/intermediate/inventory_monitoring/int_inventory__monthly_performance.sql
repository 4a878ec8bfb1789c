{{ config(
    materialized=refresh_materialized(),
    incremental_strategy='refresh',
    on_schema_change='fail',
    unique_key=['sku_id', 'dc_id', 'month'],
    refresh_delete=[['months', 'month'], ['product', 'sku_id']],
) }}
{#-
    One row per SKU x DC x month (grain sku_id, dc_id, month) with any
    inventory snapshot or any order line of the SKU shipped from the DC in
    the month, up to the inventory monitoring as-of date
    (int_inventory__latest_snapshot.as_of_date):

      snapshot_count / stockout_snapshot_count  snapshots of the month and
          those with nothing available (fct_inventory_snapshots.is_stockout)
      order_line_count, ordered_units, shipped_units  order lines placed in
          the month whose order status is in var fill_rate_order_statuses
          (open orders are not due yet; cancelled ones are left out unless
          listed), by fulfilling DC (ship_from_dc_id)

    Read by inventory_performance (SKU x DC over a window) and
    inventory_performance_by_segment (segment x month).

    A refresh recomputes the months it re-allocates (int_refresh__cost_months:
    the months of the changed orders and of the snapshots in the window) and
    every month of a changed product.
-#}
{%- set refresh = refresh_context(cost_months=true) -%}
{%- set statuses = var('fill_rate_order_statuses') -%}
{#- a refresh's rows: those of its months and of its changed products -#}
{%- set refreshed_snapshots = '' -%}
{%- set refreshed_lines = '' -%}
{%- if refresh.active -%}
    {%- set refreshed_snapshots = ' where ' ~ refresh_condition(
        refresh, 'months', 'snapshot_date') ~ ' or ' ~ refresh_condition(
        refresh, 'product', 'sku_id') -%}
    {%- set refreshed_lines = ' and (' ~ refresh_condition(
        refresh, 'months', 'order_date') ~ ' or ' ~ refresh_condition(
        refresh, 'product', 'sku_id') ~ ')' -%}
{%- endif -%}

with snapshots as (
    select
        sku_id,
        dc_id,
        is_stockout,
        snapshot_date
    from {{ ref('fct_inventory_snapshots') }}
    {{- refreshed_snapshots }}
),

order_lines as (
    select
        sku_id,
        ship_from_dc_id,
        quantity,
        quantity_shipped,
        order_date
    from {{ ref('fct_order_lines') }}
    where order_status in ({{ "'" ~ statuses | join("', '") ~ "'" }})
    {{- refreshed_lines }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_inventory__latest_snapshot') }}
),

stock_months as (
    select
        snapshots.sku_id,
        snapshots.dc_id,
        {{ dbt.cast(dbt.date_trunc('month', 'snapshots.snapshot_date'),
            'date') }} as month,
        count(*) as snapshot_count,
        sum(case when snapshots.is_stockout then 1 else 0 end)
            as stockout_snapshot_count
    from snapshots
    cross join as_of
    where snapshots.snapshot_date <= as_of.as_of_date
    group by 1, 2, 3
),

order_months as (
    select
        order_lines.sku_id,
        order_lines.ship_from_dc_id as dc_id,
        {{ dbt.cast(dbt.date_trunc('month', 'order_lines.order_date'),
            'date') }} as month,
        count(*) as order_line_count,
        sum(order_lines.quantity) as ordered_units,
        sum(order_lines.quantity_shipped) as shipped_units
    from order_lines
    cross join as_of
    where
        order_lines.order_date <= as_of.as_of_date
        and order_lines.ship_from_dc_id is not null
    group by 1, 2, 3
),

final as (
    select
        coalesce(stock_months.sku_id, order_months.sku_id) as sku_id,
        coalesce(stock_months.dc_id, order_months.dc_id) as dc_id,
        {{ dbt.cast('coalesce(stock_months.snapshot_count, 0)',
            dbt.type_bigint()) }} as snapshot_count,
        {{ dbt.cast('coalesce(stock_months.stockout_snapshot_count, 0)',
            dbt.type_bigint()) }} as stockout_snapshot_count,
        {{ dbt.cast('coalesce(order_months.order_line_count, 0)',
            dbt.type_bigint()) }} as order_line_count,
        coalesce(order_months.ordered_units, 0.0) as ordered_units,
        coalesce(order_months.shipped_units, 0.0) as shipped_units,
        coalesce(stock_months.month, order_months.month) as month
    from stock_months
    full outer join order_months
        on
            stock_months.sku_id = order_months.sku_id
            and stock_months.dc_id = order_months.dc_id
            and stock_months.month = order_months.month
)

select * from final
