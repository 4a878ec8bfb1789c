"""Inventory policies end to end on small generated extracts.

The shared full build of the small extracts (fixture small_build), then
independent checks in pandas from the built core
marts and staging tables:

- every active SKU x DC has exactly one policy row (recomputed from the
  snapshots, order lines and forecasts);
- the time-decayed daily demand mean and sd and the SKU x DC lead times,
  recomputed from fct_order_lines and the receipts;
- safety stock (z sigma) and ROP = d (L + R) + SS, recomputed with scipy;
- the scenario mart: base and every stress scenario for every policy,
  stressed safety stock >= base, base stockout risk = 1 - CSL;
- a rebuild of inventory_policies with var inventory_safety_stock_method
  fill_rate meets the fill-rate targets.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO
from scipy.stats import norm

pytestmark = pytest.mark.e2e

VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
KEYS = ["sku_id", "dc_id"]


def _fail_message(result) -> str:
    return (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]


def _read(warehouse, query: str) -> pd.DataFrame:
    """Run a query and close the connection (dbt needs the write lock afterwards)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(small_build):
    project, _ = small_build
    read = lambda query: _read(project.warehouse, query)  # noqa: E731
    frames = {
        "policies": read("select * from inventory.inventory_policies"),
        "scenarios": read("select * from inventory.inventory_policy_scenarios"),
        "summary": read("select * from inventory.inventory_scenario_summary"),
        "segments": read("select sku_id, is_active, as_of_date from segmentation.product_segments"),
        "snapshots": read("select sku_id, dc_id, snapshot_date from core.fct_inventory_snapshots"),
        "lines": read(
            "select sku_id, ship_from_dc_id as dc_id, order_status, quantity, order_date from core.fct_order_lines"
        ),
        "forecasts": read(
            "select sku_id, dc_id, forecast_month, is_zero_velocity_high_forecast"
            " from staging.stg_crm__demand_forecasts"
        ),
        "receipts": read("select sku_id, dc_id, lead_time_days, receipt_date from staging.stg_erp__purchase_receipts"),
    }
    return {"project": project, **frames}


def _window(built) -> tuple[pd.Timestamp, pd.Timestamp]:
    as_of = pd.Timestamp(built["segments"]["as_of_date"].max())
    return as_of - pd.Timedelta(days=VARS["inventory_demand_window_days"] - 1), as_of


def _demand_lines(built) -> pd.DataFrame:
    lines = built["lines"]
    excluded = VARS["product_demand_excluded_order_statuses"] or []
    lines = lines[lines["dc_id"].notna() & ~lines["order_status"].isin(excluded)].copy()
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    return lines


def test_every_active_sku_dc_has_exactly_one_policy(built):
    start, as_of = _window(built)
    snapshots = built["snapshots"].assign(snapshot_date=lambda f: pd.to_datetime(f["snapshot_date"]))
    stocked = snapshots[snapshots["snapshot_date"].between(start, as_of)][KEYS]
    lines = _demand_lines(built)
    sold = lines[lines["order_date"].between(start, as_of)][KEYS]
    forecasts = built["forecasts"].assign(forecast_month=lambda f: pd.to_datetime(f["forecast_month"]))
    planned = forecasts[forecasts["forecast_month"] >= as_of.to_period("M").to_timestamp()][KEYS]
    active = built["segments"].loc[built["segments"]["is_active"], ["sku_id"]]
    expected = pd.concat([stocked, sold, planned]).drop_duplicates().merge(active, on="sku_id")

    policies = built["policies"]
    assert not policies.duplicated(KEYS).any()
    assert set(map(tuple, policies[KEYS].to_numpy())) == set(map(tuple, expected[KEYS].to_numpy()))
    assert len(policies) > 100


def test_decayed_demand_matches_order_lines(built):
    """d and sd_d of a sample of SKU x DCs from fct_order_lines: weights 0.5^(age / half-life)."""
    start, as_of = _window(built)
    lines = _demand_lines(built)
    policies = built["policies"]
    sample = policies[policies["demand_units"] > 0].sample(25, random_state=1)
    half_life = VARS["decay_half_life_days"]
    for row in sample.itertuples():
        first = pd.Timestamp(row.as_of_date) - pd.Timedelta(days=int(row.demand_days) - 1)
        assert first >= start
        days = pd.date_range(first, as_of, freq="D")
        mine = lines[(lines["sku_id"] == row.sku_id) & (lines["dc_id"] == row.dc_id)]
        units = mine.groupby("order_date")["quantity"].sum().reindex(days, fill_value=0.0).to_numpy()
        weights = 0.5 ** ((as_of - days).days.to_numpy() / half_life)
        mean = np.sum(weights * units) / weights.sum()
        variance = np.sum(weights * (units - mean) ** 2) / (weights.sum() - np.sum(weights**2) / weights.sum())
        assert row.demand_mean_daily == pytest.approx(mean, rel=1e-9)
        assert row.demand_sd_daily == pytest.approx(np.sqrt(variance), rel=1e-9)
        assert row.demand_units == pytest.approx(units.sum())


def test_lead_times_follow_the_receipts(built):
    _, as_of = _window(built)
    receipts = built["receipts"].assign(receipt_date=lambda f: pd.to_datetime(f["receipt_date"]))
    start = as_of - pd.Timedelta(days=VARS["inventory_lead_time_window_days"] - 1)
    receipts = receipts[receipts["receipt_date"].between(start, as_of)]
    stats = receipts.groupby(KEYS)["lead_time_days"].agg(["count", "mean", "std"]).reset_index()
    policies = built["policies"].merge(stats, on=KEYS, how="left")
    own = policies[policies["lead_time_basis"] == "sku_dc"]
    assert len(own) > 0
    assert (own["count"] >= VARS["inventory_min_lead_time_receipts"]).all()
    assert np.allclose(own["lead_time_mean_days"], own["mean"])
    assert np.allclose(own["lead_time_sd_days"], own["std"].fillna(0.0))
    fallback = policies[policies["lead_time_basis"] != "sku_dc"]
    assert (fallback["count"].fillna(0) < VARS["inventory_min_lead_time_receipts"]).all()


def test_safety_stock_and_reorder_point_recomputed(built):
    policies = built["policies"]
    auto = policies[policies["is_automatic"]]
    assert set(auto["policy_type"]) <= {"forward_stocking", "central_stocking"}
    review = np.where(auto["review_type"] == "periodic", VARS["inventory_review_period_days"], 0.0)
    protection = auto["lead_time_mean_days"] + review
    sigma = np.sqrt(
        protection * auto["demand_sd_daily"] ** 2 + auto["demand_mean_daily"] ** 2 * auto["lead_time_sd_days"] ** 2
    )
    assert np.allclose(auto["protection_period_days"], protection)
    assert np.allclose(auto["protection_demand_sd_units"], sigma)
    if VARS["inventory_safety_stock_method"] == "cycle_service_level":
        expected_ss = np.maximum(norm.ppf(auto["cycle_service_level_target"]) * sigma, 0.0)
        assert np.allclose(auto["safety_stock_units"], expected_ss)
    assert np.allclose(auto["reorder_point_units"], auto["demand_mean_daily"] * protection + auto["safety_stock_units"])
    assert (auto["reorder_point_units"] >= auto["safety_stock_units"]).all()
    assert (auto["safety_stock_units"] >= 0).all()
    assert (auto["max_units"] >= auto["min_units"]).all()
    assert (auto["order_quantity_units"] == np.ceil(auto["order_quantity_units"])).all()
    assert (auto["order_quantity_units"] >= auto["moq_units"].fillna(0)).all()
    others = policies[~policies["is_automatic"]]
    assert (others[["safety_stock_units", "reorder_point_units", "order_quantity_units"]] == 0).all().all()


def test_flagged_forecasts_are_reviewed_not_planned(built):
    _, as_of = _window(built)
    forecasts = built["forecasts"].assign(forecast_month=lambda f: pd.to_datetime(f["forecast_month"]))
    open_months = forecasts["forecast_month"] >= as_of.to_period("M").to_timestamp()
    flagged = forecasts[forecasts["is_zero_velocity_high_forecast"] & open_months][KEYS].drop_duplicates()
    rows = built["policies"].merge(flagged, on=KEYS)
    assert len(rows) == len(flagged)
    assert (rows["policy_type"] == "review_required").all()
    assert rows["is_zero_velocity_high_forecast"].all()
    assert (built["policies"]["policy_type"] == "review_required").sum() >= len(flagged)


def test_scenarios_stress_every_policy(built):
    scenarios, policies = built["scenarios"], built["policies"]
    seed = pd.read_csv(REPO / "seeds" / "reference" / "inventory_stress_scenarios.csv")
    names = ["base"] + list(seed["scenario"])
    assert sorted(scenarios["scenario"].unique()) == sorted(names)
    assert (scenarios.groupby("scenario").size() == len(policies)).all()
    base = scenarios[scenarios["scenario"] == "base"].merge(policies, on=KEYS, suffixes=("", "_policy"))
    assert np.allclose(base["safety_stock_units"], base["safety_stock_units_policy"])
    auto = base[base["is_automatic"]]
    assert np.allclose(auto["stockout_risk_at_base_rop"], 1 - auto["expected_cycle_service_level"])
    merged = scenarios.merge(
        base[KEYS + ["safety_stock_units"]].rename(columns={"safety_stock_units": "base_ss"}), on=KEYS
    )
    stressed = merged[merged["scenario"] != "base"]
    assert len(stressed) == len(policies) * (len(names) - 1)
    assert (stressed["safety_stock_units"] >= stressed["base_ss"] - 1e-9).all()
    auto_stressed = stressed[stressed["is_automatic"]]
    base_risk = auto.set_index(KEYS)["stockout_risk_at_base_rop"]
    risk = auto_stressed.set_index(KEYS)["stockout_risk_at_base_rop"]
    assert (risk >= base_risk.reindex(risk.index) - 1e-12).all()
    summary = built["summary"]
    assert set(summary["scenario"]) == set(names)
    assert np.isclose(summary["safety_stock_value"].sum(), scenarios["safety_stock_value"].sum())


def test_fill_rate_method_meets_fill_rate_targets(built, tmp_path):
    project = built["project"].fork(tmp_path)
    result = project.dbt(
        "run", "--select", "inventory_policies", extra_vars={"inventory_safety_stock_method": "fill_rate"}
    )
    assert result.returncode == 0, _fail_message(result)
    policies = _read(project.warehouse, "select * from inventory.inventory_policies")
    auto = policies[policies["is_automatic"]]
    assert (auto["safety_stock_method"] == "fill_rate").all()
    assert np.allclose(auto["safety_stock_units"], auto["safety_stock_fill_rate_units"])
    assert np.allclose(auto["service_level_target"], auto["fill_rate_target"])
    assert (auto["expected_fill_rate"] >= auto["fill_rate_target"] - 1e-9).all()
    positive = auto[auto["safety_stock_units"] > 0]
    assert len(positive) > 0
    assert np.allclose(positive["expected_fill_rate"], positive["fill_rate_target"], atol=1e-9)
