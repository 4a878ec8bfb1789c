"""Profitability marts end to end: whale curve, segment P&L, renegotiation
list and service scenarios, each checked against figures recomputed here in
pandas from the built upstream tables (customer_profitability, fct_orders,
fct_shipments, fct_warehouse_activities, stg_erp__invoices, dim_customers).

Reads the shared full build of the small extracts (fixture small_build).
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO

pytestmark = pytest.mark.e2e

MARTS = [
    "customer_whale_curve",
    "segment_profitability",
    "customer_renegotiation_list",
    "service_change_scenarios",
]
VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
CENT = 0.01


def _fail_message(result) -> str:
    return (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]


@pytest.fixture(scope="module")
def built(small_build):
    """The shared small build (the profitability marts and their inputs)."""
    project, _ = small_build
    con = duckdb.connect(str(project.warehouse), read_only=True)
    yield project, con
    con.close()


def _df(con, query: str) -> pd.DataFrame:
    return con.execute(query).df()


@pytest.fixture(scope="module")
def window(built):
    """(start, end) month of the trailing window, recomputed here."""
    _, con = built
    end = pd.Timestamp(con.execute("select max(month) from cost_to_serve.customer_profitability").fetchone()[0])
    start = end - pd.DateOffset(months=VARS["profitability_window_months"] - 1)
    return start, end


@pytest.fixture(scope="module")
def window_customers(built, window) -> pd.DataFrame:
    """customer_profitability summed over the window, per customer."""
    _, con = built
    start, end = window
    rows = _df(con, "select * from cost_to_serve.customer_profitability")
    rows["month"] = pd.to_datetime(rows["month"])
    rows = rows[(rows["month"] >= start) & (rows["month"] <= end)]
    money = ["net_revenue", "gross_margin", "cost_to_serve_margin"]
    pools = [f"{pool}_cost" for pool in VARS["cost_pools"]]
    totals = rows.groupby("customer_id")[money + pools + ["cost_to_serve"]].sum()
    return totals.astype(float)


def _in_window(dates: pd.Series, window) -> pd.Series:
    start, end = window
    dates = pd.to_datetime(dates)
    return (dates >= start) & (dates < end + pd.DateOffset(months=1))


def test_every_profitability_test_ran_and_passed(built):
    project, _ = built
    results = json.loads((project.root / "target" / "run_results.json").read_text())["results"]
    names = [*MARTS, "profitability", "int_customers__", "int_shipments__freight_rates"]
    mine = [
        r
        for r in results
        if r["unique_id"].startswith(("test.", "unit_test.")) and any(name in r["unique_id"] for name in names)
    ]
    unit_tests = {r["unique_id"].split(".")[-1] for r in mine if r["unique_id"].startswith("unit_test.")}
    assert {"customer_whale_curve_ranks_and_accumulates", "service_change_scenarios_arithmetic"} <= unit_tests
    assert len(mine) >= 60
    assert all(r["status"] == "pass" for r in mine), [r["unique_id"] for r in mine if r["status"] != "pass"]


def test_whale_curve_matches_recomputation(built, window_customers):
    _, con = built
    curve = _df(con, "select * from profitability.customer_whale_curve order by profit_rank")
    expected = window_customers.reset_index().sort_values(
        ["cost_to_serve_margin", "customer_id"], ascending=[False, True]
    )
    expected["cumulative"] = expected["cost_to_serve_margin"].cumsum()
    total = expected["cost_to_serve_margin"].sum()

    assert list(curve["customer_id"]) == list(expected["customer_id"])
    assert list(curve["profit_rank"]) == list(range(1, len(expected) + 1))
    np.testing.assert_allclose(curve["cumulative_margin"], expected["cumulative"], atol=CENT)
    assert curve["cumulative_margin"].iloc[-1] == pytest.approx(total, abs=CENT)
    assert curve["cumulative_margin_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["cumulative_margin_share"].max() == pytest.approx((expected["cumulative"] / total).max())
    assert curve["is_unprofitable"].sum() == (expected["cost_to_serve_margin"] < 0).sum()
    assert curve["cumulative_customer_share"].iloc[-1] == pytest.approx(1.0)


def test_segment_pnl_sums_to_customer_profitability(built):
    _, con = built
    customers = _df(con, "select * from cost_to_serve.customer_profitability")
    segments = _df(con, "select * from profitability.segment_profitability")
    assigned = _df(con, "select segment from segmentation.customer_segments")
    assert set(segments["segment"]) <= set(assigned["segment"]) | {VARS["profitability_default_segment"]}
    assert len(set(segments["segment"])) > 1
    measures = ["net_revenue", "gross_margin", "cost_to_serve", "cost_to_serve_margin"]
    by_month = customers.groupby("month")[measures + ["order_count"]].sum().astype(float)
    by_month["customers"] = customers.groupby("month")["customer_id"].nunique()
    seg = segments.groupby("month")[measures + ["orders", "customers"]].sum().astype(float)
    assert set(seg.index) == set(by_month.index)
    for measure in measures:
        np.testing.assert_allclose(seg[measure], by_month.loc[seg.index, measure], atol=CENT)
    assert (seg["orders"] == by_month.loc[seg.index, "order_count"]).all()
    assert (seg["customers"] == by_month.loc[seg.index, "customers"]).all()


def test_renegotiation_list_drivers_match_recomputation(built, window, window_customers):
    _, con = built
    factor = VARS["renegotiation_adverse_factor"]
    listed = _df(con, "select * from profitability.customer_renegotiation_list").set_index("customer_id")

    # The list is exactly the customers with a negative margin over the window.
    losing = window_customers[window_customers["cost_to_serve_margin"] < 0]
    assert set(listed.index) == set(losing.index)
    ranked = listed.sort_values("renegotiation_rank")
    assert ranked["margin_at_stake"].is_monotonic_decreasing

    # Rush share and units per order from served (shipped) orders.
    orders = _df(con, "select * from core.fct_orders")
    orders = orders[
        _in_window(orders["order_date"], window)
        & orders["order_status"].isin(VARS["renegotiation_order_statuses"])
        & orders["customer_id"].isin(window_customers.index)
    ]
    per_customer = orders.groupby("customer_id").agg(
        orders=("order_id", "count"),
        expedited=("is_expedited", "sum"),
        units=("quantity_shipped", "sum"),
    )
    rush = (per_customer["expedited"] / per_customer["orders"]).astype(float)
    units = (per_customer["units"] / per_customer["orders"]).astype(float)

    # Payment days: invoice-amount-weighted days to pay of paid invoices.
    invoices = _df(con, "select * from staging.stg_erp__invoices where paid_date is not null")
    invoices = invoices[
        _in_window(invoices["invoice_date"], window) & invoices["customer_id"].isin(window_customers.index)
    ]
    days = (pd.to_datetime(invoices["paid_date"]) - pd.to_datetime(invoices["invoice_date"])).dt.days
    invoices = invoices.assign(weighted=invoices["invoice_amount"] * days)
    sums = invoices.groupby("customer_id")[["weighted", "invoice_amount"]].sum()
    payment_days = sums["weighted"] / sums["invoice_amount"]

    for name, values in [("rush_share", rush), ("units_per_order", units), ("payment_days", payment_days)]:
        assert listed[f"median_{name}"].iloc[0] == pytest.approx(values.median()), name
        np.testing.assert_allclose(listed[name], values.loc[listed.index], rtol=1e-9, err_msg=name)

    median_rush = rush.median()
    expected_rush_flag = (rush >= factor * median_rush) & (rush > median_rush)
    assert (listed["is_rush_share_adverse"] == expected_rush_flag.loc[listed.index]).all()
    median_units = units.median()
    expected_units_flag = (units * factor <= median_units) & (units < median_units)
    assert (listed["is_units_per_order_adverse"] == expected_units_flag.loc[listed.index]).all()


def _scenario(name: str) -> dict:
    """A row of seed service_scenarios, read from its CSV: tiers as a list, the numbers as floats."""
    rows = pd.read_csv(REPO / "seeds" / "reference" / "service_scenarios.csv", keep_default_na=False)
    row = rows.set_index("scenario").loc[name]
    return {
        "sla_tiers": row["sla_tiers"].split(),
        "expedited_share": float(row["expedited_share"]),
        "frequency_multiplier": float(row["frequency_multiplier"]),
    }


@pytest.fixture(scope="module")
def freight_rates(built, window) -> dict:
    """Average rate per kg and fitted cost per shipment, per class."""
    _, con = built
    shipments = _df(con, "select * from core.fct_shipments where weight_kg > 0 and freight_cost is not null")
    shipments = shipments[_in_window(shipments["ship_date"], window)]
    rates = {}
    for expedited, group in shipments.groupby("is_expedited"):
        slope, intercept = np.polyfit(group["weight_kg"], group["freight_cost"], 1)
        rates[bool(expedited)] = {
            "per_kg": group["freight_cost"].sum() / group["weight_kg"].sum(),
            "per_shipment": max(intercept, 0.0),
        }
    return rates


def test_expedite_scenario_prices_moved_weight_at_observed_rates(built, window, freight_rates):
    _, con = built
    name = "expedite_gold"
    scenario = _scenario(name)
    modeled = _df(con, f"select * from profitability.service_change_scenarios where scenario = '{name}'")
    tiers = _df(con, "select customer_id, sla_tier from core.dim_customers").set_index("customer_id")["sla_tier"]
    shipments = _df(con, "select * from core.fct_shipments")
    shipments = shipments[_in_window(shipments["ship_date"], window) & ~shipments["is_expedited"]]
    standard_weight = shipments.groupby("customer_id")["weight_kg"].sum()

    in_scope = modeled["customer_id"].map(tiers).isin(scenario["sla_tiers"])
    assert (modeled["is_in_scope"] == in_scope).all()
    out = modeled[~in_scope]
    assert (out["modeled_freight_delta"] == 0).all() and (out["modeled_handling_delta"] == 0).all()

    rate_gap = freight_rates[True]["per_kg"] - freight_rates[False]["per_kg"]
    inside = modeled[in_scope].set_index("customer_id")
    expected = scenario["expedited_share"] * standard_weight.reindex(inside.index).fillna(0) * rate_gap
    np.testing.assert_allclose(inside["modeled_freight_delta"].astype(float), expected, atol=CENT)
    assert (inside["modeled_handling_delta"] == 0).all()
    np.testing.assert_allclose(
        inside["modeled_margin"], inside["baseline_margin"] - inside["modeled_freight_delta"].astype(float), atol=CENT
    )


def test_frequency_scenario_scales_order_costs(built, window, window_customers, freight_rates):
    _, con = built
    name = "double_frequency_bronze"
    scenario = _scenario(name)
    step = scenario["frequency_multiplier"] - 1
    modeled = _df(con, f"select * from profitability.service_change_scenarios where scenario = '{name}'")
    inside = modeled[modeled["is_in_scope"]].set_index("customer_id")
    assert len(inside) > 0

    shipments = _df(con, "select * from core.fct_shipments")
    shipments = shipments[_in_window(shipments["ship_date"], window)]
    counts = shipments.groupby(["customer_id", "is_expedited"]).size().unstack(fill_value=0)
    counts = counts.reindex(inside.index).fillna(0)
    freight = step * (
        counts.get(False, 0) * freight_rates[False]["per_shipment"]
        + counts.get(True, 0) * freight_rates[True]["per_shipment"]
    )

    activities = _df(con, "select * from core.fct_warehouse_activities where is_order_related")
    activities = activities[_in_window(activities["activity_date"], window)]
    order_level = activities["activity_type"].isin(VARS["scenario_order_level_activity_types"])
    minutes = activities.assign(order_level=activities["labor_minutes"].where(order_level, 0.0))
    minutes = minutes.groupby("customer_id")[["labor_minutes", "order_level"]].sum()
    share = (minutes["order_level"] / minutes["labor_minutes"]).reindex(inside.index).fillna(0)
    pools = window_customers.loc[inside.index]
    handling = step * (pools["order_administration_cost"] + pools["warehouse_labour_cost"] * share)

    np.testing.assert_allclose(inside["modeled_freight_delta"].astype(float), freight, atol=CENT)
    np.testing.assert_allclose(inside["modeled_handling_delta"].astype(float), handling, atol=CENT)
    np.testing.assert_allclose(
        inside["modeled_cost_to_serve"].astype(float),
        inside["baseline_cost_to_serve"].astype(float) + freight + handling,
        atol=2 * CENT,
    )
