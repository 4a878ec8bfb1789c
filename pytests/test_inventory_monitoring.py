"""Inventory monitoring marts end to end on small generated extracts.

The shared full build of the small extracts (fixture small_build),
including the real inventory_policies Python model, then
independent recomputations in pandas from the built core marts and the seeds:

- shortage_allocation: customer priority from seed shortage_priority_rules
  (first matching rule), profitability rank from customer_profitability,
  latest available stock per SKU x DC, and the greedy allocation in
  priority order;
- inventory_performance and inventory_performance_by_segment: fill rate
  (shipped / ordered units) and stockout frequency per SKU x DC, per segment
  and per segment x month, and the misalignment flag against the policy;
- procurement_commitment_utilisation: received units per contract period
  and the status rule.
"""

from __future__ import annotations

import fnmatch

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO

pytestmark = pytest.mark.e2e

VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
MARTS = [
    "shortage_allocation",
    "inventory_performance",
    "inventory_performance_by_segment",
    "obsolescence_risk",
    "procurement_commitment_utilisation",
    "contract_lot_sizes",
]
KEYS = ["sku_id", "dc_id"]
SINGULAR_TESTS = [
    "assert_shortage_allocation_never_exceeds_available_stock",
    "assert_shortage_allocation_serves_lines_in_priority_order",
    "assert_shortage_allocation_covers_every_open_order_line",
    "assert_inventory_performance_ties_to_order_lines_and_snapshots",
    "assert_segment_performance_ties_to_order_lines_and_snapshots",
    "assert_misaligned_skus_miss_their_fill_rate_target_by_more_than_tolerance",
    "assert_obsolescence_score_is_the_weighted_mean_of_its_risks",
    "assert_obsolescence_risk_covers_every_stocked_sku_dc",
    "assert_contract_utilisation_ties_to_matched_receipts",
    "assert_contract_status_follows_utilisation_tolerance",
    "assert_contract_lot_sizes_spread_the_whole_commitment",
    "shortage_allocation_serves_lines_in_priority_order",
    "procurement_commitment_utilisation_prorates_and_classifies",
    "int_customers__shortage_priority_first_matching_rule_wins",
]


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
    project, result = small_build
    read = lambda query: _read(project.warehouse, query)  # noqa: E731
    frames = {name: read(f"select * from inventory.{name}") for name in MARTS}
    frames |= {
        "policies": read("select * from inventory.inventory_policies"),
        "lines": read(
            "select order_id, line_number, customer_id, sku_id, ship_from_dc_id as dc_id,"
            " order_status, quantity, quantity_shipped, cogs, order_date, order_ts from core.fct_order_lines"
        ),
        "snapshots": read("select * from core.fct_inventory_snapshots"),
        # the build's as-of date: the latest staged order (var as_of_date unset)
        "as_of": read("select max(order_date) as as_of_date from core.fct_orders"),
        "customers": read("select customer_id, sla_tier, is_strategic from core.dim_customers"),
        "customer_segments": read("select customer_id, segment from segmentation.customer_segments"),
        "profitability": read(
            "select customer_id, month, cost_to_serve_margin from cost_to_serve.customer_profitability"
        ),
        "product_segments": read("select sku_id, segment from segmentation.product_segments"),
        "receipts": read("select * from staging.stg_erp__purchase_receipts"),
        "products": read("select sku_id, category, supplier_id from core.dim_products"),
    }
    for frame in frames.values():
        for column in frame.columns:
            is_date_name = column.endswith("_date") or column in ("month", "valid_from", "valid_to")
            if is_date_name and not pd.api.types.is_numeric_dtype(frame[column]):
                frame[column] = pd.to_datetime(frame[column])
    return project, result, frames


def test_every_monitoring_test_ran_and_passed(built):
    _, result, _ = built
    assert "ERROR=0" in result.stdout.replace(" ", "")
    for name in SINGULAR_TESTS:
        assert name in result.stdout, name


# --------------------------------------------------------------------------- shortage allocation


@pytest.fixture(scope="module")
def expected_priority(built) -> pd.DataFrame:
    """Tier (first matching rule) and profitability rank per customer."""
    _, _, frames = built
    rules = (
        pd.read_csv(REPO / "seeds/reference/shortage_priority_rules.csv", dtype=str)
        .assign(
            rule_order=lambda f: f["rule_order"].astype(int), priority_tier=lambda f: f["priority_tier"].astype(int)
        )
        .sort_values("rule_order")
    )
    customers = frames["customers"].merge(frames["customer_segments"], on="customer_id", how="left")
    customers["segment"] = customers["segment"].fillna("unsegmented")

    def first_rule(row) -> pd.Series:
        strategic = "true" if pd.notna(row["is_strategic"]) and bool(row["is_strategic"]) else "false"
        sla_tier = row["sla_tier"] if isinstance(row["sla_tier"], str) else ""
        for rule in rules.itertuples():
            if (
                fnmatch.fnmatchcase(row["segment"], rule.customer_segment_pattern)
                and fnmatch.fnmatchcase(sla_tier, rule.sla_tier_pattern)
                and rule.strategic_pattern in ("*", strategic)
            ):
                return pd.Series({"rule_id": rule.rule_id, "tier": rule.priority_tier})
        return pd.Series({"rule_id": None, "tier": np.nan})

    customers = customers.join(customers.apply(first_rule, axis=1))
    profitability = frames["profitability"]
    latest = profitability["month"].max()
    start = latest - pd.DateOffset(months=VARS["shortage_profitability_window_months"])
    margin = profitability[profitability["month"] > start].groupby("customer_id")["cost_to_serve_margin"].sum()
    customers["margin"] = customers["customer_id"].map(margin)
    customers = customers.assign(no_margin=customers["margin"].isna().astype(int)).sort_values(
        ["no_margin", "margin", "customer_id"], ascending=[True, False, True]
    )
    customers["profitability_rank"] = np.arange(1, len(customers) + 1)
    return customers.set_index("customer_id")


@pytest.fixture(scope="module")
def expected_allocation(built, expected_priority) -> pd.DataFrame:
    """Greedy allocation of the latest available stock to open lines in priority order."""
    _, _, frames = built
    snapshots = frames["snapshots"]
    latest = snapshots.groupby("dc_id")["snapshot_date"].transform("max")
    stock = snapshots[snapshots["snapshot_date"] == latest].assign(
        available=lambda f: (f["on_hand_qty"] - f["allocated_qty"]).clip(lower=0.0)
    )[KEYS + ["available"]]
    lines = frames["lines"]
    lines = lines[lines["order_status"] == "open"].copy()
    lines["requested"] = (lines["quantity"] - lines["quantity_shipped"]).clip(lower=0.0)
    lines = lines.merge(stock, on=KEYS, how="left").fillna({"available": 0.0})
    lines["tier"] = lines["customer_id"].map(expected_priority["tier"])
    lines["rule_id"] = lines["customer_id"].map(expected_priority["rule_id"])
    lines["profitability_rank"] = lines["customer_id"].map(expected_priority["profitability_rank"])
    lines = lines.sort_values(KEYS + ["tier", "profitability_rank", "order_ts", "order_id", "line_number"])
    rows = []
    for _, group in lines.groupby(KEYS, sort=False):
        remaining = float(group["available"].iloc[0])
        demand = group["requested"].sum()
        for rank, line in enumerate(group.itertuples(), start=1):
            allocated = min(line.requested, max(remaining, 0.0))
            remaining -= line.requested
            if demand <= line.available:
                reason = "sufficient_stock"
            elif line.available <= 0:
                reason = "no_stock"
            elif allocated >= line.requested:
                reason = "served_by_priority"
            elif allocated > 0:
                reason = "partially_allocated"
            else:
                reason = "stock_exhausted"
            rows.append(
                {
                    "order_id": line.order_id,
                    "line_number": line.line_number,
                    "priority_rank": rank,
                    "priority_tier": line.tier,
                    "priority_rule_id": line.rule_id,
                    "requested_units": line.requested,
                    "allocated_units": allocated,
                    "available_units": line.available,
                    "reason": reason,
                }
            )
    return pd.DataFrame(rows).set_index(["order_id", "line_number"]).sort_index()


def test_shortage_allocation_matches_pandas(built, expected_allocation):
    _, _, frames = built
    mart = frames["shortage_allocation"].set_index(["order_id", "line_number"]).sort_index()
    assert len(expected_allocation) > 0, "the small data set has open order lines"
    assert mart.index.equals(expected_allocation.index)
    for column in ["requested_units", "allocated_units", "available_units"]:
        np.testing.assert_allclose(mart[column], expected_allocation[column], atol=1e-9, err_msg=column)
    for column in ["priority_rank", "priority_tier"]:
        assert (mart[column].astype(int) == expected_allocation[column].astype(int)).all(), column
    assert (mart["priority_rule_id"] == expected_allocation["priority_rule_id"]).all()
    assert (mart["reason"] == expected_allocation["reason"]).all()
    np.testing.assert_allclose(mart["shortfall_units"], mart["requested_units"] - mart["allocated_units"])


def test_shortage_allocation_totals(built):
    _, _, frames = built
    mart = frames["shortage_allocation"]
    per_pair = mart.groupby(KEYS).agg(allocated=("allocated_units", "sum"), available=("available_units", "first"))
    assert (per_pair["allocated"] <= per_pair["available"] + 1e-9).all()
    short = mart[mart["is_shortage"]]
    assert len(short) > 0, "the small data set has SKU x DCs short of stock"
    # Where stock is short, it is used up entirely.
    short_pairs = short.groupby(KEYS).agg(allocated=("allocated_units", "sum"), available=("available_units", "first"))
    np.testing.assert_allclose(short_pairs["allocated"], short_pairs["available"], atol=1e-9)


# --------------------------------------------------------------------------- fill rate and stockouts


@pytest.fixture(scope="module")
def window(built) -> tuple[pd.Timestamp, pd.Timestamp]:
    _, _, frames = built
    as_of = frames["as_of"]["as_of_date"].iloc[0]
    start = (as_of.to_period("M") - (VARS["inventory_performance_window_months"] - 1)).to_timestamp()
    performance = frames["inventory_performance"]
    assert (performance["as_of_date"] == as_of).all()
    assert (performance["window_start_date"] == start).all()
    return start, as_of


@pytest.fixture(scope="module")
def expected_performance(built, window) -> pd.DataFrame:
    """Fill rate and stockout frequency per SKU x DC over the window."""
    _, _, frames = built
    start, as_of = window
    lines = frames["lines"]
    lines = lines[
        lines["order_status"].isin(VARS["fill_rate_order_statuses"])
        & (lines["order_date"] >= start)
        & (lines["order_date"] <= as_of)
    ]
    orders = lines.groupby(KEYS).agg(
        order_line_count=("order_id", "size"),
        ordered_units=("quantity", "sum"),
        shipped_units=("quantity_shipped", "sum"),
    )
    snapshots = frames["snapshots"]
    snapshots = snapshots[(snapshots["snapshot_date"] >= start) & (snapshots["snapshot_date"] <= as_of)]
    stock = snapshots.groupby(KEYS).agg(
        snapshot_count=("snapshot_date", "size"), stockout_snapshot_count=("is_stockout", "sum")
    )
    frame = orders.join(stock, how="outer")
    policies = frames["policies"].set_index(KEYS)
    frame = frame.join(policies[[VARS["policy_fill_rate_target"]]].rename(columns=lambda _: "target"), how="outer")
    frame = frame.fillna(
        {
            "order_line_count": 0,
            "ordered_units": 0.0,
            "shipped_units": 0.0,
            "snapshot_count": 0,
            "stockout_snapshot_count": 0,
        }
    )
    frame["fill_rate"] = frame["shipped_units"] / frame["ordered_units"].where(frame["ordered_units"] > 0)
    frame["stockout_rate"] = frame["stockout_snapshot_count"] / frame["snapshot_count"].where(
        frame["snapshot_count"] > 0
    )
    frame["has_policy"] = frame.index.isin(policies.index)
    frame["misaligned"] = (
        frame["has_policy"]
        & frame["target"].notna()
        & (frame["order_line_count"] >= VARS["policy_misalignment_min_order_lines"])
        & (frame["fill_rate"] < frame["target"] - VARS["policy_misalignment_tolerance"])
    )
    return frame.sort_index()


def test_fill_rate_and_stockouts_per_sku_dc_match_pandas(built, expected_performance):
    _, _, frames = built
    mart = frames["inventory_performance"].set_index(KEYS).sort_index()
    expected = expected_performance
    assert mart.index.equals(expected.index)
    for column in ["ordered_units", "shipped_units", "fill_rate", "stockout_rate"]:
        np.testing.assert_allclose(
            mart[column].astype(float), expected[column].astype(float), atol=1e-9, err_msg=column
        )
    assert (mart["snapshot_count"] == expected["snapshot_count"]).all()
    assert (mart["has_policy"] == expected["has_policy"]).all()
    assert ((mart["misalignment_status"] == "misaligned") == expected["misaligned"]).all()
    assert mart["misalignment_status"].eq("misaligned").any(), "some SKU x DC misses its target on small data"


def test_fill_rate_and_stockouts_per_segment_match_pandas(built, expected_performance):
    _, _, frames = built
    segments = frames["product_segments"].set_index("sku_id")["segment"]
    expected = expected_performance.reset_index()
    expected["segment"] = expected["sku_id"].map(segments)
    by_segment = expected.groupby("segment")[
        ["ordered_units", "shipped_units", "snapshot_count", "stockout_snapshot_count"]
    ].sum()
    mart = (
        frames["inventory_performance"]
        .groupby("segment")[["ordered_units", "shipped_units", "snapshot_count", "stockout_snapshot_count"]]
        .sum()
    )
    pd.testing.assert_frame_equal(mart.sort_index(), by_segment.sort_index(), check_dtype=False)
    fill_rate = by_segment["shipped_units"] / by_segment["ordered_units"]
    assert ((fill_rate > 0.5) & (fill_rate <= 1.0)).all()


def test_segment_month_summary_matches_pandas(built, window):
    _, _, frames = built
    _, as_of = window
    segments = frames["product_segments"].set_index("sku_id")["segment"]
    lines = frames["lines"]
    lines = lines[lines["order_status"].isin(VARS["fill_rate_order_statuses"]) & (lines["order_date"] <= as_of)]
    lines = lines.assign(
        segment=lines["sku_id"].map(segments), month=lines["order_date"].dt.to_period("M").dt.to_timestamp()
    )
    orders = lines.groupby(["segment", "month"]).agg(
        ordered_units=("quantity", "sum"), shipped_units=("quantity_shipped", "sum")
    )
    snapshots = frames["snapshots"]
    snapshots = snapshots[snapshots["snapshot_date"] <= as_of]
    snapshots = snapshots.assign(
        segment=snapshots["sku_id"].map(segments), month=snapshots["snapshot_date"].dt.to_period("M").dt.to_timestamp()
    )
    stock = snapshots.groupby(["segment", "month"]).agg(
        snapshot_count=("snapshot_date", "size"), stockout_snapshot_count=("is_stockout", "sum")
    )
    expected = orders.join(stock, how="outer").fillna(0.0)
    expected["fill_rate"] = expected["shipped_units"] / expected["ordered_units"].where(expected["ordered_units"] > 0)
    expected["stockout_rate"] = expected["stockout_snapshot_count"] / expected["snapshot_count"].where(
        expected["snapshot_count"] > 0
    )
    mart = frames["inventory_performance_by_segment"].set_index(["segment", "month"]).sort_index()
    expected = expected.sort_index()
    assert mart.index.equals(expected.index)
    for column in ["ordered_units", "shipped_units", "fill_rate", "stockout_rate"]:
        np.testing.assert_allclose(
            mart[column].astype(float), expected[column].astype(float), atol=1e-9, err_msg=column
        )


# --------------------------------------------------------------------------- contracts and obsolescence


def test_contract_utilisation_matches_pandas(built):
    _, _, frames = built
    contracts = pd.read_csv(REPO / "seeds/reference/procurement_contracts.csv", dtype=str, keep_default_na=False)
    receipts = frames["receipts"]
    as_of = frames["as_of"]["as_of_date"].iloc[0]
    mart = frames["procurement_commitment_utilisation"]
    assert (mart["as_of_date"] == as_of).all()
    for contract in contracts.itertuples():
        # Receipts that can count against this contract only (the demo contracts do not overlap).
        if contract.sku_id:
            skus = {contract.sku_id}
        else:
            products = frames["products"]
            skus = set(
                products[
                    (products["category"] == contract.category) & (products["supplier_id"] == contract.supplier_id)
                ]["sku_id"]
            )
        if contract.applies_to_segments.strip() != "*":
            allowed = set(contract.applies_to_segments.split(";"))
            segments = frames["product_segments"].set_index("sku_id")["segment"]
            skus = {sku for sku in skus if segments.get(sku) in allowed}
        valid_from, valid_to = pd.Timestamp(contract.valid_from), pd.Timestamp(contract.valid_to)
        matched = receipts[
            receipts["sku_id"].isin(skus)
            & (receipts["supplier_id"] == contract.supplier_id)
            & (receipts["receipt_date"] >= valid_from)
            & (receipts["receipt_date"] <= min(valid_to, as_of))
        ]
        freq = "M" if contract.period == "month" else "Q"
        received = matched.groupby(matched["receipt_date"].dt.to_period(freq))["quantity_received"].sum()
        rows = mart[mart["contract_id"] == contract.contract_id].set_index("period_start_date").sort_index()
        expected_periods = pd.period_range(valid_from, min(valid_to, as_of), freq=freq)
        assert list(rows.index) == [period.start_time for period in expected_periods], contract.contract_id
        got = rows["received_quantity"].to_numpy()
        want = np.array([received.get(period, 0.0) for period in expected_periods])
        np.testing.assert_allclose(got, want, err_msg=contract.contract_id)
        # Commitment pro-rated by the covered days of each period.
        starts = [max(period.start_time, valid_from) for period in expected_periods]
        ends = [min(period.end_time.normalize(), valid_to, as_of) for period in expected_periods]
        covered = np.array([(end - start).days + 1 for start, end in zip(starts, ends)])
        days = np.array(
            [
                period.end_time.normalize().day
                if freq == "M"
                else (period.end_time.normalize() - period.start_time).days + 1
                for period in expected_periods
            ]
        )
        committed = float(contract.committed_quantity_per_period) * covered / days
        np.testing.assert_allclose(rows["committed_quantity_to_date"].to_numpy(), committed)
        tolerance = VARS["procurement_utilisation_tolerance_pct"]
        utilisation = 100 * want / committed
        status = np.select(
            [utilisation < 100 - tolerance, utilisation > 100 + tolerance], ["under_used", "over_used"], "on_track"
        )
        assert list(rows["status"]) == list(status), contract.contract_id


def test_obsolescence_candidates_follow_the_threshold(built):
    _, _, frames = built
    risk = frames["obsolescence_risk"]
    assert len(risk) > 0
    assert risk["obsolescence_score"].between(0, 100).all()
    threshold = VARS["obsolescence_disposition_threshold"]
    assert (risk["is_disposition_candidate"] == (risk["obsolescence_score"] >= threshold)).all()
    # End-of-life stock is riskier than growth stock on average.
    by_stage = risk.groupby("lifecycle_stage")["obsolescence_score"].mean()
    assert by_stage["end_of_life"] > by_stage["growth"]
    # Turnover recomputed for the stock: annual COGS / average inventory value.
    turnover = risk["annual_cogs"] / risk["average_inventory_value"].where(risk["average_inventory_value"] > 0)
    np.testing.assert_allclose(risk["inventory_turnover"].astype(float), turnover.astype(float), rtol=1e-9)


def test_obsolescence_demand_figures_match_the_order_lines(built):
    """Average daily demand, annual COGS and the last demand date of every
    stocked SKU x DC, recomputed from the order lines with pandas: demand
    leaves out the excluded statuses, COGS counts every line of the lookback."""
    _, _, frames = built
    risk = frames["obsolescence_risk"].set_index(KEYS).sort_index()
    lines = frames["lines"].dropna(subset=["dc_id"])
    as_of = risk["as_of_date"].max()
    days = VARS["obsolescence_lookback_days"]
    start = as_of - pd.Timedelta(days=days)
    lines = lines[lines["order_date"] <= as_of]
    counted = ~lines["order_status"].fillna("").isin(VARS["product_demand_excluded_order_statuses"])
    in_lookback = lines["order_date"] > start
    units = lines[counted & in_lookback].groupby(KEYS)["quantity"].sum()
    cogs = lines[in_lookback].groupby(KEYS)["cogs"].sum()
    last = lines[counted].groupby(KEYS)["order_date"].max()
    want_units = units.reindex(risk.index).fillna(0.0) / days
    want_cogs = cogs.reindex(risk.index).fillna(0.0) * 365.0 / days
    np.testing.assert_allclose(risk["average_daily_demand_units"].astype(float), want_units.astype(float), rtol=1e-9)
    np.testing.assert_allclose(risk["annual_cogs"].astype(float), want_cogs.astype(float), rtol=1e-9)
    pd.testing.assert_series_equal(
        pd.to_datetime(risk["last_demand_date"]).astype("datetime64[ns]"),
        last.reindex(risk.index).astype("datetime64[ns]"),
        check_names=False,
    )
    assert (want_units > 0).mean() > 0.5  # most stocked SKU x DCs sold in the lookback


def test_lifecycle_risk_is_the_seed_value_of_the_stage(built):
    """lifecycle_risk of every row is seed obsolescence_lifecycle_risk's value
    for its stage, the 'unknown' row's for a stage the seed does not list."""
    _, _, frames = built
    risk = frames["obsolescence_risk"]
    seed = pd.read_csv(REPO / "seeds" / "reference" / "obsolescence_lifecycle_risk.csv")
    by_stage = dict(zip(seed["lifecycle_stage"], seed["lifecycle_risk"], strict=True))
    want = risk["lifecycle_stage"].map(lambda stage: by_stage.get(stage, by_stage["unknown"]))
    np.testing.assert_allclose(risk["lifecycle_risk"].astype(float), want.astype(float))
    assert risk["lifecycle_stage"].nunique() >= 3
