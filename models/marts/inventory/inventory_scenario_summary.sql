{{ config(tags=['periodic']) }}
{#-
    Stress scenarios summed per product segment (grain scenario, segment),
    in SQL over inventory_policy_scenarios (one row per scenario, SKU and
    DC). Risk measures are over the automatic policies only (make_to_order
    and review_required rows have no reorder point to keep) and are null
    for a segment without any:

        mean_stockout_risk_at_base_rop         plain mean over SKU x DC
        demand_weighted_stockout_risk          sum(risk x d') / sum(d')
        demand_weighted_fill_rate_at_base_rop  sum(fill x d') / sum(d')
        expected_stockouts_per_year            sum(risk x D' / Q)

    d' is the scenario's daily demand mean; the weights are those of the
    automatic policies with a risk.
-#}
with scenarios as (
    select
        scenario,
        segment,
        scenario_order,
        demand_increase_pct,
        lead_time_increase_days,
        coalesce(is_automatic, false) as is_automatic,
        demand_mean_daily,
        safety_stock_units,
        safety_stock_value,
        base_safety_stock_units * unit_cost as base_safety_stock_value,
        reorder_point_units,
        stockout_risk_at_base_rop,
        fill_rate_at_base_rop,
        expected_stockouts_per_year
    from {{ ref('inventory_policy_scenarios') }}
),

summed as (
    select
        scenario,
        segment,
        min(scenario_order) as scenario_order,
        min(demand_increase_pct) as demand_increase_pct,
        min(lead_time_increase_days) as lead_time_increase_days,
        count(*) as policy_count,
        sum(case when is_automatic then 1 else 0 end) as automatic_policy_count,
        coalesce(sum(safety_stock_units), 0) as safety_stock_units,
        coalesce(sum(safety_stock_value), 0) as safety_stock_value,
        coalesce(sum(base_safety_stock_value), 0) as base_safety_stock_value,
        coalesce(sum(reorder_point_units), 0) as reorder_point_units,
        avg(
            case when is_automatic then stockout_risk_at_base_rop end
        ) as mean_stockout_risk_at_base_rop,
        sum(
            case
                when is_automatic and stockout_risk_at_base_rop is not null
                    then demand_mean_daily
            end
        ) as risk_weight,
        sum(
            case
                when is_automatic
                    then stockout_risk_at_base_rop * demand_mean_daily
            end
        ) as risk_weighted,
        sum(
            case
                when is_automatic
                    then fill_rate_at_base_rop * demand_mean_daily
            end
        ) as fill_weighted,
        sum(
            case when is_automatic then expected_stockouts_per_year end
        ) as expected_stockouts_per_year
    from scenarios
    group by 1, 2
),

final as (
    select
        scenario,
        segment,
        {{ dbt.cast('scenario_order', dbt.type_bigint()) }} as scenario_order,
        demand_increase_pct,
        lead_time_increase_days,
        {{ dbt.cast('policy_count', dbt.type_bigint()) }} as policy_count,
        {{ dbt.cast('automatic_policy_count', dbt.type_bigint()) }}
            as automatic_policy_count,
        safety_stock_units,
        safety_stock_value,
        base_safety_stock_value,
        safety_stock_value - base_safety_stock_value
            as safety_stock_value_change,
        reorder_point_units,
        mean_stockout_risk_at_base_rop,
        case
            when risk_weight > 0 then risk_weighted / risk_weight
        end as demand_weighted_stockout_risk,
        case
            when risk_weight > 0 then fill_weighted / risk_weight
        end as demand_weighted_fill_rate_at_base_rop,
        case
            when automatic_policy_count > 0
                then coalesce(expected_stockouts_per_year, 0)
        end as expected_stockouts_per_year
    from summed
)

select * from final
