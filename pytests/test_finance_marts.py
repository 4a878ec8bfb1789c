"""Finance marts end to end: freight reconciliation, budget variance and
customer working capital, each checked against figures recomputed here in
pandas directly from the raw and finance extracts and the reference seeds.

One build per module: a small, defect-free data set (so every raw row is
staged and the raw files are the truth) and only the finance marts and their
parents (`dbt build --select +<mart> --indirect-selection cautious`), to keep
the run short.
"""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO, Project, copy_project

pytestmark = pytest.mark.e2e

MARTS = ["freight_reconciliation", "budget_variance", "customer_working_capital"]
VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
CENT = 0.01


def _fail_message(result) -> str:
    return (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The finance marts built once from small, defect-free Parquet extracts."""
    from scw.generator import generate

    base = tmp_path_factory.mktemp("finance")
    root = copy_project(base / "project")
    project = Project(root=root, raw=base / "raw", truth=base / "truth", warehouse=base / "warehouse.duckdb")
    generate(
        scale="small",
        seed=7,
        out=project.raw,
        fmt="parquet",
        truth_out=project.truth,
        defect_rate=0.0,
    )
    # cautious: skip tests of the selected models that also read a model
    # outside the selection (e.g. relationships to dim_dates).
    result = project.dbt("build", "--select", *(f"+{mart}" for mart in MARTS), "--indirect-selection", "cautious")
    assert result.returncode == 0, _fail_message(result)
    con = duckdb.connect(str(project.warehouse), read_only=True)
    yield project, con, result
    con.close()


def _raw(project: Project, table: str) -> pd.DataFrame:
    return pd.read_parquet(project.raw / f"{table}.parquet")


def _seed(project: Project, path: str) -> pd.DataFrame:
    return pd.read_csv(project.root / "seeds" / path, dtype={"gl_account": str})


def _finance(project: Project, name: str) -> pd.DataFrame:
    """A finance extract of the generated data set (raw/finance/)."""
    return pd.read_csv(project.raw / "finance" / name, dtype={"gl_account": str})


def _mart(con, name: str) -> pd.DataFrame:
    return con.execute(f"select * from finance.{name}").df()


def _month(values) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def test_build_runs_every_finance_test(built):
    _, _, result = built
    output = result.stdout.replace(" ", "")
    assert "ERROR=0" in output
    for name in [
        "assert_freight_reconciliation_ties_to_tms_and_gl",
        "assert_freight_status_follows_tolerance_rules",
        "assert_budget_variance_effects_add_up",
        "assert_budget_variance_ties_to_gl_and_budget",
        "assert_customer_receivables_tie_to_open_invoices",
        "budget_variance_splits_volume_and_rate",
    ]:
        assert name in result.stdout, name


def test_defect_free_extracts_are_fully_staged(built):
    """Precondition of the recomputations below: the raw files are the truth."""
    project, con, _ = built
    for table, staged in [
        ("tms_shipments", "core.fct_shipments"),
        ("erp_invoices", "staging.stg_erp__invoices"),
        ("erp_sales_order_lines", "core.fct_order_lines"),
        ("wms_inventory_snapshots", "core.fct_inventory_snapshots"),
    ]:
        assert len(_raw(project, table)) == con.execute(f"select count(*) from {staged}").fetchone()[0]


# ---- freight_reconciliation ---------------------------------------------------


@pytest.fixture(scope="module")
def freight(built):
    """The mart and the same figures recomputed from raw shipments and the general ledger."""
    project, con, _ = built
    shipments = _raw(project, "tms_shipments")
    tms = (
        shipments.assign(posting_month=_month(shipments["ship_ts"]), cost_center=shipments["origin_dc_id"])
        .groupby(["posting_month", "cost_center"], as_index=False)["freight_cost"]
        .sum()
    )
    mapping = _seed(project, "reference/cost_pool_mapping.csv")
    ledger = _finance(project, "general_ledger.csv")
    freight_accounts = mapping.loc[mapping["cost_pool"] == "outbound_freight", "gl_account"]
    gl = (
        ledger[ledger["gl_account"].isin(freight_accounts)]
        .assign(posting_month=lambda frame: _month(frame["posting_month"]))
        .groupby(["posting_month", "cost_center"], as_index=False)["amount"]
        .sum()
    )
    expected = tms.merge(gl, on=["posting_month", "cost_center"], how="outer").fillna(0.0)
    mart = _mart(con, "freight_reconciliation").assign(
        posting_month=lambda frame: pd.to_datetime(frame["posting_month"])
    )
    joined = expected.merge(mart, on=["posting_month", "cost_center"], how="outer", indicator=True)
    return joined


def test_freight_ties_to_raw_shipments_and_gl_seed(freight):
    assert (freight["_merge"] == "both").all()
    assert np.allclose(freight["tms_freight_cost"].astype(float), freight["freight_cost"], atol=CENT / 2 + 1e-9)
    assert np.allclose(freight["gl_freight_amount"].astype(float), freight["amount"], atol=1e-9)
    assert freight["tms_freight_cost"].astype(float).sum() == pytest.approx(freight["freight_cost"].sum(), abs=1.0)


def test_freight_status_follows_the_rules(freight):
    tolerance = VARS["freight_tolerance_pct"]
    frame = freight.sort_values(["cost_center", "posting_month"]).copy()
    frame["diff"] = frame["amount"] - frame["freight_cost"].round(2)
    frame["cumulative"] = frame.groupby("cost_center")["diff"].cumsum()
    following = frame.assign(posting_month=frame["posting_month"] - pd.DateOffset(months=1))[
        ["posting_month", "cost_center", "diff", "freight_cost"]
    ]
    frame = frame.merge(following, on=["posting_month", "cost_center"], how="left", suffixes=("", "_next"))
    pct = 100 * frame["diff"] / frame["freight_cost"].round(2)
    two_month = (
        100
        * (frame["diff"] + frame["diff_next"])
        / (frame["freight_cost"].round(2) + frame["freight_cost_next"].round(2))
    )
    accrual_lag = frame["cumulative"].abs() <= VARS["freight_accrual_lag_pct"] / 100 * frame["freight_cost"].round(2)
    expected = np.select(
        [
            frame["diff"].abs() <= VARS["freight_match_tolerance"],
            pct.abs() <= tolerance,
            (two_month.abs() <= tolerance) | accrual_lag,
        ],
        ["matched", "within_tolerance", "timing_difference"],
        "investigate",
    )
    assert (frame["status"] == expected).all()
    assert np.allclose(frame["cumulative_difference"].astype(float), frame["cumulative"], atol=1e-6)
    # The accrual pattern of the demo GL: tolerance or timing months, and
    # the last month (its remainder never posted) has no next month but is
    # explained by the accrual lag.
    assert {"within_tolerance", "timing_difference"} & set(frame["status"])
    last = frame[frame["posting_month"] == frame["posting_month"].max()]
    assert not last["has_next_month"].any()
    assert last["status"].isin(["within_tolerance", "timing_difference"]).all()


# ---- budget_variance ----------------------------------------------------------


@pytest.fixture(scope="module")
def budget(built):
    """The mart joined to actual and budget recomputed from the seeds."""
    project, con, _ = built
    mapping = _seed(project, "reference/cost_pool_mapping.csv")
    ledger = _finance(project, "general_ledger.csv").merge(mapping[["gl_account", "cost_pool"]], on="gl_account")
    actual = (
        ledger.rename(columns={"posting_month": "budget_month"})
        .groupby(["budget_month", "cost_pool", "cost_center"], as_index=False)["amount"]
        .sum()
    )
    plan = _finance(project, "cost_to_serve_budget.csv")
    expected = actual.merge(plan, on=["budget_month", "cost_pool", "cost_center"], how="outer").fillna(0.0)
    expected["budget_month"] = pd.to_datetime(expected["budget_month"])
    mart = _mart(con, "budget_variance").assign(budget_month=lambda frame: pd.to_datetime(frame["budget_month"]))
    return expected.merge(mart, on=["budget_month", "cost_pool", "cost_center"], how="outer", indicator=True)


def test_budget_variance_ties_to_seeds_and_flags_the_threshold(budget):
    assert (budget["_merge"] == "both").all()
    assert np.allclose(budget["actual_amount"].astype(float), budget["amount"], atol=1e-9)
    assert np.allclose(budget["budget_amount_x"], budget["budget_amount_y"].astype(float), atol=1e-9)
    pct = 100 * (budget["amount"] - budget["budget_amount_x"]) / budget["budget_amount_x"]
    assert np.allclose(budget["variance_pct"], pct, atol=1e-9)
    assert (budget["is_flagged"] == (pct.abs() > VARS["budget_variance_threshold_pct"])).all()
    effects = budget["volume_effect"].astype(float) + budget["rate_effect"].astype(float)
    assert np.allclose(effects, budget["variance"].astype(float), atol=1e-9)


def test_every_deliberate_budget_variance_is_flagged(built, budget):
    project, _, _ = built
    manifest = json.loads((project.truth / "generation_manifest.json").read_text())
    deliberate = manifest["budget_deliberate_variances"]
    assert deliberate
    for variance in deliberate:
        cells = budget[
            (budget["budget_month"] == pd.Timestamp(variance["budget_month"]))
            & (budget["cost_pool"] == variance["cost_pool"])
        ]
        assert len(cells) > 0, variance
        assert cells["is_flagged"].all(), variance
        assert np.allclose(cells["variance_pct"], variance["actual_vs_budget_pct"], atol=0.06), variance
        assert cells["primary_driver"].isin(["volume", "rate"]).all()


def test_hq_administration_volume_and_effects_recomputed(built, budget):
    """order_administration at HQ: company-wide weighted orders from the raw
    orders and channel weights, the trailing-average budgeted volume and the
    volume/rate split, all recomputed here."""
    project, _, _ = built
    orders = _raw(project, "erp_sales_orders")
    lines = _raw(project, "erp_sales_order_lines")
    weights = _seed(project, "reference/order_channel_cost_weights.csv").set_index("order_channel")["admin_weight"]
    with_lines = orders[orders["order_id"].isin(lines["order_id"])]
    weighted = (
        with_lines.assign(
            month=_month(with_lines["order_ts"]), weight=with_lines["order_channel"].map(weights).fillna(1.0)
        )
        .groupby("month")["weight"]
        .sum()
    )
    history = sorted(
        set(_month(orders["order_ts"]))
        | set(_month(_raw(project, "tms_shipments")["ship_ts"]))
        | set(_month(_raw(project, "wms_activities")["activity_ts"]))
        | set(_month(_raw(project, "erp_returns")["return_date"]))
        | set(_month(_raw(project, "erp_invoices")["invoice_date"]))
    )
    basis = VARS["budget_volume_basis_months"]
    hq = budget[(budget["cost_pool"] == "order_administration") & (budget["cost_center"] == "HQ")]
    assert len(hq) > basis
    assert (hq["allocation_driver"] == "weighted_orders").all()
    assert (hq["volume_scope"] == "company").all()
    for row in hq.itertuples():
        month = row.budget_month
        window = [m for m in history if month - pd.DateOffset(months=basis) <= m < month]
        actual_volume = weighted.get(month, 0.0)
        budgeted_volume = np.mean([weighted.get(m, 0.0) for m in window]) if window else actual_volume
        budget_rate = row.budget_amount_x / budgeted_volume
        volume_effect = round((actual_volume - budgeted_volume) * budget_rate, 2)
        assert row.actual_volume == pytest.approx(actual_volume, rel=1e-9)
        assert row.budgeted_volume == pytest.approx(budgeted_volume, rel=1e-9)
        assert float(row.volume_effect) == pytest.approx(volume_effect, abs=CENT)
        rate_effect = (row.amount / actual_volume - budget_rate) * actual_volume
        assert float(row.rate_effect) == pytest.approx(rate_effect, abs=CENT)


# ---- customer_working_capital -------------------------------------------------


@pytest.fixture(scope="module")
def working_capital(built):
    """The mart joined to DSO, receivables and DIO recomputed from raw files."""
    project, con, _ = built
    invoices = _raw(project, "erp_invoices")
    for column in ["invoice_date", "due_date", "paid_date"]:
        invoices[column] = pd.to_datetime(invoices[column])
    # the build's as-of date: the latest staged order (var as_of_date unset)
    as_of = pd.Timestamp(con.execute("select max(order_date) from core.fct_orders").fetchone()[0])
    start = as_of - pd.DateOffset(months=VARS["working_capital_lookback_months"])
    days = (as_of - start).days
    invoices = invoices[invoices["invoice_date"] <= as_of]
    paid = invoices["paid_date"].notna() & (invoices["paid_date"] <= as_of)
    invoices = invoices.assign(
        open_amount=np.where(paid, 0.0, invoices["invoice_amount"]),
        overdue_amount=np.where(~paid & (invoices["due_date"] < as_of), invoices["invoice_amount"], 0.0),
        days_to_pay=(invoices["paid_date"].where(paid, as_of) - invoices["invoice_date"]).dt.days,
    )
    receivables = invoices.groupby("customer_id")[["open_amount", "overdue_amount"]].sum()
    trailing = invoices[invoices["invoice_date"] > start].assign(
        weighted_days=lambda frame: frame["invoice_amount"] * frame["days_to_pay"]
    )
    dso = (
        trailing.groupby("customer_id")["weighted_days"].sum() / trailing.groupby("customer_id")["invoice_amount"].sum()
    )

    products = _raw(project, "erp_products").set_index("sku_id")["unit_cost"]
    orders = _raw(project, "erp_sales_orders")[["order_id", "customer_id", "ship_from_dc_id", "order_ts"]]
    lines = _raw(project, "erp_sales_order_lines").merge(orders, on="order_id")
    order_date = pd.to_datetime(lines["order_ts"]).dt.normalize()
    lines = lines[(order_date > start) & (order_date <= as_of)]
    lines = lines.assign(cogs=lines["quantity_shipped"] * lines["sku_id"].map(products))
    snapshots = _raw(project, "wms_inventory_snapshots")
    snapshot_date = pd.to_datetime(snapshots["snapshot_date"])
    snapshots = snapshots[(snapshot_date > start) & (snapshot_date <= as_of)]
    stock = (
        snapshots.assign(value=snapshots["on_hand_qty"] * snapshots["sku_id"].map(products))
        .groupby(["sku_id", "dc_id"])["value"]
        .mean()
    )
    sku_cogs = lines.groupby(["sku_id", "ship_from_dc_id"])["cogs"].sum()
    sku_cogs = sku_cogs[sku_cogs > 0]
    sku_cogs.index = sku_cogs.index.set_names(["sku_id", "dc_id"])
    days_on_hand = (stock.reindex(sku_cogs.index).fillna(0.0) / (sku_cogs / days)).clip(upper=VARS["max_days_on_hand"])
    customer_cogs = lines.groupby(["customer_id", "sku_id", "ship_from_dc_id"], as_index=False)["cogs"].sum()
    customer_cogs["days_on_hand"] = [
        days_on_hand.get((sku, dc), np.nan)
        for sku, dc in zip(customer_cogs["sku_id"], customer_cogs["ship_from_dc_id"])
    ]
    customer_cogs["weighted"] = customer_cogs["cogs"] * customer_cogs["days_on_hand"]
    per_customer = customer_cogs.groupby("customer_id").agg(cogs=("cogs", "sum"), weighted=("weighted", "sum"))
    dio = per_customer["weighted"] / per_customer["cogs"]
    inventory = per_customer["cogs"] / days * dio

    expected = pd.DataFrame(
        {
            "expected_receivables": receivables["open_amount"],
            "expected_overdue": receivables["overdue_amount"],
            "expected_dso": dso,
            "expected_dio": dio,
            "expected_inventory": inventory,
        }
    ).fillna({"expected_receivables": 0.0, "expected_overdue": 0.0, "expected_inventory": 0.0})
    mart = _mart(con, "customer_working_capital").set_index("customer_id")
    joined = mart.join(expected, how="left").fillna(
        {"expected_receivables": 0.0, "expected_overdue": 0.0, "expected_inventory": 0.0}
    )
    joined["expected_cash"] = joined["expected_receivables"] + joined["expected_inventory"]
    return joined, as_of


def test_working_capital_as_of_the_last_invoice(working_capital):
    mart, as_of = working_capital
    assert (pd.to_datetime(mart["as_of_date"]) == as_of).all()


def test_receivables_and_dso_recomputed_from_raw_invoices(working_capital):
    mart, _ = working_capital
    assert np.allclose(mart["receivables_outstanding"].astype(float), mart["expected_receivables"], atol=CENT)
    assert np.allclose(mart["overdue_receivables"].astype(float), mart["expected_overdue"], atol=CENT)
    both = mart["dso_days"].notna()
    assert (both == mart["expected_dso"].notna()).all()
    assert np.allclose(mart.loc[both, "dso_days"], mart.loc[both, "expected_dso"], rtol=1e-9)
    assert mart["receivables_outstanding"].astype(float).sum() > 0


def test_dio_and_cash_tied_up_recomputed_from_raw_files(working_capital):
    mart, _ = working_capital
    both = mart["dio_days"].notna()
    assert (both == mart["expected_dio"].notna()).all()
    assert np.allclose(mart.loc[both, "dio_days"], mart.loc[both, "expected_dio"], rtol=1e-9)
    assert np.allclose(mart["inventory_tied_up"].astype(float), mart["expected_inventory"], atol=CENT)
    assert np.allclose(mart["cash_tied_up"].astype(float), mart["expected_cash"], atol=2 * CENT)
    top = mart["cash_tied_up"].astype(float).nlargest(5).index
    assert list(top) == list(mart["expected_cash"].nlargest(5).index)
