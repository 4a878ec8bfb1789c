{#-
    One row per SKU x DC (grain sku_id, dc_id) that had an inventory
    snapshot or an order line in the monitoring window, or has an inventory
    policy: realised service against the policy's target. The window is the
    var inventory_performance_window_months calendar months ending with the
    month of the monitoring as-of date (int_inventory__latest_snapshot), the
    as-of month up to that date.

      stockout_rate = stockout snapshots / snapshots (share of snapshots
          with nothing available, fct_inventory_snapshots.is_stockout)
      fill_rate     = shipped units / ordered units of the order lines whose
          status is in var fill_rate_order_statuses
      target_fill_rate = the column of inventory_policies named by
          var policy_fill_rate_target: expected_fill_rate (the fill rate
          the policy's parameters should deliver), fill_rate_target (the
          segment's fill-rate target) or service_level_target

    misalignment_status: no_policy (no row in inventory_policies),
    no_target (a policy without a target, e.g. make_to_order),
    insufficient_demand (fewer than var policy_misalignment_min_order_lines
    order lines in the window), misaligned (fill_rate below target_fill_rate
    by more than var policy_misalignment_tolerance, a 0-1 share), else
    aligned. segment is the SKU's current product segment.
-#}
{%- set window_months = var('inventory_performance_window_months') | int -%}
{%- set target_column = var('policy_fill_rate_target') -%}
{%- set target_columns = [
    'expected_fill_rate', 'fill_rate_target', 'service_level_target'] -%}
{%- if target_column not in target_columns -%}
    {{ exceptions.raise_compiler_error(
        "var policy_fill_rate_target must be one of "
        ~ target_columns | join(', ') ~ ", got " ~ target_column) }}
{%- endif -%}

with monthly as (
    select * from {{ ref('int_inventory__monthly_performance') }}
),

policies as (
    select
        sku_id,
        dc_id,
        policy_type,
        {{ dbt.cast('service_level_target', type_double()) }}
            as service_level_target,
        {{ dbt.cast(target_column, type_double()) }} as target_fill_rate
    from {{ ref('inventory_policies') }}
),

segments as (
    select
        sku_id,
        segment
    from {{ ref('int_products__segments') }}
),

as_of as (
    select max(as_of_date) as as_of_date
    from {{ ref('int_inventory__latest_snapshot') }}
),

window_bounds as (
    select
        {{ dbt.cast(dbt.dateadd('month', 1 - window_months,
            dbt.date_trunc('month', 'as_of.as_of_date')), 'date') }}
            as window_start_date,
        as_of.as_of_date
    from as_of
),

window_totals as (
    select
        monthly.sku_id,
        monthly.dc_id,
        sum(monthly.snapshot_count) as snapshot_count,
        sum(monthly.stockout_snapshot_count) as stockout_snapshot_count,
        sum(monthly.order_line_count) as order_line_count,
        sum(monthly.ordered_units) as ordered_units,
        sum(monthly.shipped_units) as shipped_units
    from monthly
    cross join window_bounds
    where monthly.month >= window_bounds.window_start_date
    group by 1, 2
),

pairs as (
    select
        coalesce(window_totals.sku_id, policies.sku_id) as sku_id,
        coalesce(window_totals.dc_id, policies.dc_id) as dc_id,
        policies.policy_type,
        coalesce(window_totals.snapshot_count, 0) as snapshot_count,
        coalesce(window_totals.stockout_snapshot_count, 0)
            as stockout_snapshot_count,
        coalesce(window_totals.order_line_count, 0) as order_line_count,
        coalesce(window_totals.ordered_units, 0.0) as ordered_units,
        coalesce(window_totals.shipped_units, 0.0) as shipped_units,
        policies.service_level_target,
        policies.target_fill_rate,
        policies.sku_id is not null as has_policy
    from window_totals
    full outer join policies
        on
            window_totals.sku_id = policies.sku_id
            and window_totals.dc_id = policies.dc_id
),

measured as (
    select
        pairs.*,
        {{ dbt.cast('pairs.stockout_snapshot_count', type_double()) }}
        / nullif(pairs.snapshot_count, 0) as stockout_rate,
        pairs.shipped_units / nullif(pairs.ordered_units, 0) as fill_rate
    from pairs
),

final as (
    select
        measured.sku_id,
        measured.dc_id,
        segments.segment,
        measured.policy_type,
        case
            when not measured.has_policy then 'no_policy'
            when measured.target_fill_rate is null then 'no_target'
            when
                measured.order_line_count
                < {{ var('policy_misalignment_min_order_lines') }}
                or measured.fill_rate is null
                then 'insufficient_demand'
            when
                measured.fill_rate < measured.target_fill_rate
                - {{ var('policy_misalignment_tolerance') }}
                then 'misaligned'
            else 'aligned'
        end as misalignment_status,
        {{ dbt.cast('measured.snapshot_count', dbt.type_bigint()) }}
            as snapshot_count,
        {{ dbt.cast('measured.stockout_snapshot_count',
            dbt.type_bigint()) }} as stockout_snapshot_count,
        measured.stockout_rate,
        {{ dbt.cast('measured.order_line_count', dbt.type_bigint()) }}
            as order_line_count,
        measured.ordered_units,
        measured.shipped_units,
        measured.fill_rate,
        measured.service_level_target,
        measured.target_fill_rate,
        measured.target_fill_rate - measured.fill_rate as fill_rate_gap,
        measured.has_policy,
        window_bounds.window_start_date,
        window_bounds.as_of_date
    from measured
    cross join window_bounds
    left join segments
        on measured.sku_id = segments.sku_id
)

select * from final
