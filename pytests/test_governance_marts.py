"""Governance marts end to end: segment_kpis and product_segment_kpis, each
KPI recomputed here in pandas from the core facts, the staged returns and
the reference seeds' CSV files, and compared with the marts.

The perfect order, days on hand, days to pay and CO2 are worked out here
from their definitions (README, "Governance"), not read from the
intermediate models that define them in the warehouse.

Reads the shared full build of the small extracts (fixture small_build).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO

pytestmark = pytest.mark.e2e

VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]
SEEDS = REPO / "seeds" / "reference"
DEFAULT_SEGMENT = VARS["profitability_default_segment"]


@pytest.fixture(scope="module")
def con(small_build):
    project, _ = small_build
    connection = duckdb.connect(str(project.warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def as_of(con) -> pd.Timestamp:
    return pd.Timestamp(con.execute("select as_of_date from intermediate.int_calendar__as_of_date").fetchall()[0][0])


def _month(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).dt.to_period("M").dt.to_timestamp()


@pytest.fixture(scope="module")
def segment_of(con) -> pd.DataFrame:
    """Each customer's current segment, from the published customer_segments."""
    customers = con.execute("select customer_id from core.dim_customers").df()
    segments = con.execute("select customer_id, segment from segmentation.customer_segments").df()
    frame = customers.merge(segments, on="customer_id", how="left")
    frame["segment"] = frame["segment"].fillna(DEFAULT_SEGMENT)
    return frame


@pytest.fixture(scope="module")
def days_on_hand(con, as_of) -> pd.DataFrame:
    """SKU x DC x month: average inventory value, cogs, days of the month to the as-of date, days on hand."""
    snapshots = con.execute(
        "select sku_id, dc_id, inventory_value, snapshot_date from core.fct_inventory_snapshots"
    ).df()
    snapshots = snapshots[pd.to_datetime(snapshots["snapshot_date"]) <= as_of]
    snapshots["month"] = _month(snapshots["snapshot_date"])
    stock = snapshots.groupby(["sku_id", "dc_id", "month"], as_index=False)["inventory_value"].mean()
    lines = con.execute("select sku_id, ship_from_dc_id as dc_id, cogs, order_date from core.fct_order_lines").df()
    lines = lines[pd.to_datetime(lines["order_date"]) <= as_of]
    lines["month"] = _month(lines["order_date"])
    sales = lines.groupby(["sku_id", "dc_id", "month"], as_index=False)["cogs"].sum()
    frame = stock.merge(sales, on=["sku_id", "dc_id", "month"], how="outer").fillna(
        {"inventory_value": 0.0, "cogs": 0.0}
    )
    month_end = frame["month"] + pd.offsets.MonthBegin(1)
    frame["period_days"] = (np.minimum(month_end, as_of + pd.Timedelta(days=1)) - frame["month"]).dt.days
    frame["days_on_hand"] = np.where(
        frame["cogs"] > 0,
        np.minimum(frame["inventory_value"] / (frame["cogs"] / frame["period_days"]), VARS["max_days_on_hand"]),
        np.nan,
    )
    return frame


@pytest.fixture(scope="module")
def expected_kpis(con, as_of, segment_of, days_on_hand) -> pd.DataFrame:
    """segment_kpis worked out from the facts."""
    orders = con.execute(
        """
        select o.order_id, o.customer_id, o.net_revenue, o.order_date, o.is_on_time, o.is_in_full, o.is_otif,
               c.total_cost_to_serve
        from core.fct_orders as o
        inner join cost_to_serve.cost_to_serve_orders as c using (order_id)
        """
    ).df()
    orders["month"] = _month(orders["order_date"])
    orders = orders.merge(segment_of, on="customer_id", how="left")
    returns = con.execute("select order_id, return_reason from staging.stg_erp__returns").df()
    damaged = set(returns.loc[returns["return_reason"].isin(VARS["perfect_order_damage_return_reasons"]), "order_id"])
    invoiced = con.execute("select order_id, sum(invoice_amount) as invoiced from core.fct_invoices group by 1").df()
    orders = orders.merge(invoiced, on="order_id", how="left")
    orders["is_damage_free"] = ~orders["order_id"].isin(damaged)
    accurate = (orders["invoiced"] - orders["net_revenue"]).round(2).abs() <= VARS["perfect_order_invoice_tolerance"]
    orders["measured"] = orders["is_on_time"].notna() & orders["is_in_full"].notna() & orders["invoiced"].notna()
    orders["perfect"] = (
        orders["measured"]
        & orders["is_on_time"].fillna(False).astype(bool)
        & orders["is_in_full"].fillna(False).astype(bool)
        & orders["is_damage_free"]
        & accurate
    )

    shipments = con.execute(
        """
        select s.order_id, s.mode, s.weight_kg, s.destination_region, dc.region as origin_region
        from core.fct_shipments as s
        left join core.dim_distribution_centers as dc on s.origin_dc_id = dc.dc_id
        """
    ).df()
    shipments = shipments.merge(
        pd.read_csv(SEEDS / "transport_region_distances.csv"), on=["origin_region", "destination_region"], how="left"
    )
    shipments = shipments.merge(
        pd.read_csv(SEEDS / "transport_emission_factors.csv")[["mode", "co2e_kg_per_tonne_km"]], on="mode", how="left"
    )
    shipments["co2_kg"] = shipments["weight_kg"] / 1000 * shipments["distance_km"] * shipments["co2e_kg_per_tonne_km"]
    co2 = shipments.groupby("order_id", as_index=False)["co2_kg"].sum(min_count=1)
    orders = orders.merge(co2, on="order_id", how="left")

    by_order = orders.groupby(["segment", "month"]).agg(
        orders=("order_id", "size"),
        total_cost_to_serve=("total_cost_to_serve", "sum"),
        otif_measured_orders=("is_otif", "count"),
        otif_orders=("is_otif", lambda flags: int((flags == True).sum())),  # noqa: E712
        perfect_order_measured_orders=("measured", "sum"),
        perfect_orders=("perfect", "sum"),
        co2_kg=("co2_kg", "sum"),
    )

    lines = con.execute(
        "select customer_id, sku_id, ship_from_dc_id as dc_id, order_status, quantity, quantity_shipped, cogs,"
        " order_date from core.fct_order_lines"
    ).df()
    lines["month"] = _month(lines["order_date"])
    lines = lines.merge(segment_of, on="customer_id", how="left")
    counted = lines["order_status"].isin(VARS["fill_rate_order_statuses"])
    lines["ordered_units"] = np.where(counted, lines["quantity"], 0.0)
    lines["shipped_units"] = np.where(counted, lines["quantity_shipped"], 0.0)
    lines = lines.merge(
        days_on_hand[["sku_id", "dc_id", "month", "days_on_hand"]], on=["sku_id", "dc_id", "month"], how="left"
    )
    lines["stocked_cogs"] = np.where(lines["days_on_hand"].notna(), lines["cogs"], 0.0)
    lines["weighted_days"] = lines["stocked_cogs"] * lines["days_on_hand"].fillna(0.0)
    by_line = lines.groupby(["segment", "month"])[
        ["ordered_units", "shipped_units", "stocked_cogs", "weighted_days"]
    ].sum()

    invoices = con.execute("select customer_id, invoice_amount, invoice_date, paid_date from core.fct_invoices").df()
    invoices = invoices[pd.to_datetime(invoices["invoice_date"]) <= as_of]
    paid = pd.to_datetime(invoices["paid_date"])
    end = paid.where(paid.notna() & (paid <= as_of), as_of)
    invoices["days_to_pay"] = (end - pd.to_datetime(invoices["invoice_date"])).dt.days
    invoices["weighted"] = invoices["invoice_amount"] * invoices["days_to_pay"]
    invoices["month"] = _month(invoices["invoice_date"])
    invoices = invoices.merge(segment_of, on="customer_id", how="left")
    by_invoice = invoices.groupby(["segment", "month"])[["invoice_amount", "weighted"]].sum()

    frame = by_order.join(by_line, how="left").join(by_invoice, how="left").reset_index()
    frame["cost_per_order"] = frame["total_cost_to_serve"] / frame["orders"]
    frame["otif_rate"] = frame["otif_orders"] / frame["otif_measured_orders"].replace(0, np.nan)
    frame["fill_rate"] = frame["shipped_units"] / frame["ordered_units"].replace(0, np.nan)
    frame["perfect_order_rate"] = frame["perfect_orders"] / frame["perfect_order_measured_orders"].replace(0, np.nan)
    frame["dio_days"] = frame["weighted_days"] / frame["stocked_cogs"].replace(0, np.nan)
    frame["inventory_turnover"] = 365.0 / frame["dio_days"]
    frame["dso_days"] = frame["weighted"] / frame["invoice_amount"].replace(0, np.nan)
    frame["co2_kg_per_order"] = frame["co2_kg"] / frame["orders"]
    return frame


KPIS = [
    "orders",
    "cost_per_order",
    "otif_rate",
    "fill_rate",
    "perfect_order_rate",
    "dio_days",
    "inventory_turnover",
    "dso_days",
    "co2_kg_per_order",
]


def test_segment_kpis_equal_the_facts_recomputed(con, expected_kpis):
    mart = con.execute(f"select segment, month, {', '.join(KPIS)} from governance.segment_kpis").df()
    mart["month"] = pd.to_datetime(mart["month"])
    # every segment and month with orders is in the mart
    merged = expected_kpis.merge(mart, on=["segment", "month"], how="left", suffixes=("_expected", ""))
    assert merged["orders"].notna().all()
    for kpi in KPIS:
        np.testing.assert_allclose(
            merged[kpi].astype(float), merged[f"{kpi}_expected"].astype(float), rtol=1e-9, atol=1e-9, err_msg=kpi
        )
    # the rest are the zero rows of segments without orders in a month
    extra = mart.merge(expected_kpis[["segment", "month"]], on=["segment", "month"], how="left", indicator=True)
    assert (extra.loc[extra["_merge"] == "left_only", "orders"] == 0).all()


def test_segment_kpis_cover_every_segment_and_month(con, segment_of):
    rows = con.execute("select segment, month from governance.segment_kpis").df()
    months = con.execute("select distinct order_month from cost_to_serve.cost_to_serve_orders").df()
    assert len(rows) == segment_of["segment"].nunique() * len(months)


def test_the_perfect_order_is_rarer_than_each_of_its_components(con):
    """On the small extracts every component fails somewhere, so the perfect
    order rate is below OTIF and each measured component's rate."""
    totals = con.execute(
        """
        select sum(perfect_orders), sum(perfect_order_measured_orders), sum(on_time_orders),
               sum(in_full_orders), sum(damage_free_orders), sum(invoice_accurate_orders)
        from governance.segment_kpis
        """
    ).fetchall()[0]
    perfect, measured, *components = totals
    assert 0 < perfect < min(components) <= measured


def test_product_segment_kpis_equal_the_facts_recomputed(con, days_on_hand):
    cells = con.execute("select sku_id, segment from segmentation.product_segments").df()
    stock = days_on_hand.merge(cells, on="sku_id", how="left")
    stock["segment"] = stock["segment"].fillna(DEFAULT_SEGMENT)
    by_cell = stock.groupby(["segment", "month"]).agg(
        inventory=("inventory_value", "sum"), cogs=("cogs", "sum"), period_days=("period_days", "max")
    )
    by_cell["dio_days"] = by_cell["inventory"] / (by_cell["cogs"] / by_cell["period_days"]).replace(0, np.nan)
    by_cell["inventory_turnover"] = (
        365.0 * by_cell["cogs"] / by_cell["period_days"] / by_cell["inventory"].replace(0, np.nan)
    )
    mart = con.execute("select segment, month, dio_days, inventory_turnover from governance.product_segment_kpis").df()
    mart["month"] = pd.to_datetime(mart["month"])
    merged = by_cell.reset_index().merge(mart, on=["segment", "month"], how="inner", suffixes=("_expected", ""))
    assert len(merged) > 0
    for kpi in ["dio_days", "inventory_turnover"]:
        np.testing.assert_allclose(
            merged[kpi].astype(float), merged[f"{kpi}_expected"].astype(float), rtol=1e-9, atol=1e-9, err_msg=kpi
        )
