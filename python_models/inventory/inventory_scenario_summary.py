"""Stress scenarios summarised per product segment (grain scenario, segment).

A dbt Python model (self-contained: pandas only) over
``inventory_policy_scenarios``. Per scenario and product segment (AX .. CZ):
how many SKU x DC policies there are and how many get automatic parameters,
the safety stock (units and value at unit cost) the scenario calls for and
its change against base, and the stockout risk of keeping the base reorder
points, over the automatic policies only:

    mean_stockout_risk_at_base_rop      plain mean over SKU x DC
    demand_weighted_stockout_risk       sum(risk x d') / sum(d'), d' the
                                        scenario's daily demand
    demand_weighted_fill_rate_at_base_rop  the same weighting of the fill rate
    expected_stockouts_per_year         sum(risk x replenishment cycles a
                                        year, D' / Q): stockout events a
                                        year if the base ROPs are kept
"""

from __future__ import annotations

import pandas as pd

KEYS = ["scenario", "segment"]

OUTPUT_COLUMNS: dict[str, str] = {
    "scenario": "string",
    "segment": "string",
    "scenario_order": "Int64",
    "demand_increase_pct": "float64",
    "lead_time_increase_days": "float64",
    "policy_count": "Int64",
    "automatic_policy_count": "Int64",
    "safety_stock_units": "float64",
    "safety_stock_value": "float64",
    "base_safety_stock_value": "float64",
    "safety_stock_value_change": "float64",
    "reorder_point_units": "float64",
    "mean_stockout_risk_at_base_rop": "float64",
    "demand_weighted_stockout_risk": "float64",
    "demand_weighted_fill_rate_at_base_rop": "float64",
    "expected_stockouts_per_year": "float64",
}


def summarize_scenarios(scenarios: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario and segment with the totals and risk measures of the module docstring.

    Risk measures are over automatic policies (make_to_order and
    review_required rows have no reorder point to keep); they are null for a
    segment without automatic policies.
    """
    frame = scenarios.copy()
    automatic = frame["is_automatic"].fillna(False).astype(bool)
    demand = frame["demand_mean_daily"].astype(float).where(automatic, 0.0)
    risk = frame["stockout_risk_at_base_rop"].astype(float)
    fill = frame["fill_rate_at_base_rop"].astype(float)
    frame["automatic"] = automatic.astype(int)
    frame["weight"] = demand.where(risk.notna(), 0.0)
    frame["risk_weighted"] = (risk * demand).where(automatic, 0.0)
    frame["fill_weighted"] = (fill * demand).where(automatic, 0.0)
    frame["base_safety_stock_value"] = frame["base_safety_stock_units"].astype(float) * frame["unit_cost"].astype(
        float
    )
    grouped = frame.groupby(KEYS, sort=True).agg(
        scenario_order=("scenario_order", "first"),
        demand_increase_pct=("demand_increase_pct", "first"),
        lead_time_increase_days=("lead_time_increase_days", "first"),
        policy_count=("sku_id", "size"),
        automatic_policy_count=("automatic", "sum"),
        safety_stock_units=("safety_stock_units", "sum"),
        safety_stock_value=("safety_stock_value", "sum"),
        base_safety_stock_value=("base_safety_stock_value", "sum"),
        reorder_point_units=("reorder_point_units", "sum"),
        mean_stockout_risk_at_base_rop=("stockout_risk_at_base_rop", "mean"),
        weight=("weight", "sum"),
        risk_weighted=("risk_weighted", "sum"),
        fill_weighted=("fill_weighted", "sum"),
        expected_stockouts_per_year=("expected_stockouts_per_year", "sum"),
    )
    weight = grouped["weight"].where(grouped["weight"] > 0)
    grouped["demand_weighted_stockout_risk"] = grouped["risk_weighted"] / weight
    grouped["demand_weighted_fill_rate_at_base_rop"] = grouped["fill_weighted"] / weight
    grouped["safety_stock_value_change"] = grouped["safety_stock_value"] - grouped["base_safety_stock_value"]
    has_automatic = grouped["automatic_policy_count"] > 0
    grouped["expected_stockouts_per_year"] = grouped["expected_stockouts_per_year"].where(has_automatic)
    result = grouped.reset_index().sort_values(["scenario_order", "segment"]).reset_index(drop=True)
    out = pd.DataFrame(index=result.index)
    for column, kind in OUTPUT_COLUMNS.items():
        values = result[column]
        out[column] = values.astype("string") if kind == "string" else pd.to_numeric(values).astype(kind)
    return out


def _to_pandas(relation) -> pd.DataFrame:
    """A pandas DataFrame from whatever the engine's dbt.ref returns."""
    for attribute in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, attribute):
            return getattr(relation, attribute)()
    return pd.DataFrame(relation)


def model(dbt, session):
    dbt.config(materialized="table")
    return summarize_scenarios(_to_pandas(dbt.ref("inventory_policy_scenarios")))
