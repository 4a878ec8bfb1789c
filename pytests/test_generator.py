"""Tests of the demo-data generator: determinism, the input contract, consistency,
injected defects, realism and the command line. Fast: tiny/small scales only."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import make_dataset
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from scw.generator.config import ARCHETYPE_NAMES, ARCHETYPES, ENUMS, SCALES, History
from scw.generator.contract import KEYS, TABLES
from scw.generator.defects import BAD_CHANNELS, BAD_MODES, RULES, defect_count
from scw.generator.finance import GL_ACCOUNTS

END = pd.Timestamp("2026-10-31 23:59:59")
SEEDS = ("general_ledger.csv", "cost_to_serve_budget.csv")
TRUTH = ("customer_archetypes.csv", "injected_defects.csv", "generation_manifest.json")
#: Event dates/timestamps that must not lie after the end of history in clean data.
#: Plan dates (requested/promised delivery, due date, contract end, forecast month) may.
EVENT_COLUMNS = {
    "erp_customers": ["created_at", "updated_at"],
    "erp_products": ["updated_at"],
    "erp_sales_orders": ["order_ts", "updated_at"],
    "erp_sales_order_lines": ["updated_at"],
    "erp_purchase_receipts": ["po_date", "receipt_date"],
    "erp_invoices": ["invoice_date", "paid_date"],
    "erp_returns": ["return_date"],
    "wms_inventory_snapshots": ["snapshot_date"],
    "wms_activities": ["activity_ts"],
    "tms_shipments": ["ship_ts", "delivered_ts"],
    "crm_accounts": ["contract_start_date", "updated_at"],
}
MODIFIED_IN_PLACE = {
    ("erp_customers", "unknown_channel"): "channel",
    ("erp_sales_orders", "unknown_customer"): "customer_id",
    ("erp_sales_orders", "future_date"): "order_ts",
    ("tms_shipments", "unknown_mode"): "mode",
}
PARQUET_TYPES = {
    "string": pa.string(),
    "date": pa.date32(),
    "double": pa.float64(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
}


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.*"))}


def _keys(frame: pd.DataFrame, table: str) -> pd.Series:
    """Record keys as the manifest writes them (``a|b|c``, dates ISO)."""
    parts = []
    for col in KEYS[table]:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime("%Y-%m-%d")
        parts.append(values.astype(str))
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


def _net(lines: pd.DataFrame) -> pd.Series:
    return lines["quantity_shipped"] * lines["unit_price"] * (1 - lines["discount_pct"] / 100)


# ------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path):
    first = make_dataset(tmp_path / "a", fmt="csv", defect_rate=0.003)
    second = make_dataset(tmp_path / "b", fmt="csv", defect_rate=0.003)
    other = make_dataset(tmp_path / "c", fmt="csv", defect_rate=0.003, seed=8)
    digest = _digest(first.root)
    assert len(digest) == len(TABLES) + len(SEEDS) + len(TRUTH)
    assert digest == _digest(second.root)
    differing = {k for k, v in _digest(other.root).items() if digest[k] != v}
    assert "raw/erp_sales_order_lines.csv" in differing


def test_parquet_output_is_deterministic_too(tmp_path, tiny_clean):
    again = make_dataset(tmp_path / "again")
    assert _digest(again.raw) == _digest(tiny_clean.raw)


# ------------------------------------------------------------------------ the contract


def test_parquet_has_exactly_the_contract_columns_and_types(tiny_clean):
    for table, columns in TABLES.items():
        schema = pq.read_schema(tiny_clean.raw / f"{table}.parquet")
        assert schema.names == [c.name for c in columns], table
        for col in columns:
            actual = schema.field(col.name).type
            if col.kind == "timestamp":
                assert pa.types.is_timestamp(actual) and actual.tz is None, (table, col.name)
            else:
                assert actual == PARQUET_TYPES[col.kind], (table, col.name, actual)


def test_csv_has_exactly_the_contract_columns_and_value_formats(tmp_path):
    data = make_dataset(tmp_path, fmt="csv")
    patterns = {
        "date": r"\d{4}-\d{2}-\d{2}",
        "timestamp": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
        "bool": r"true|false",
        "int64": r"-?\d+",
        "double": r"-?\d+(\.\d+)?",
    }
    for table, columns in TABLES.items():
        path = data.raw / f"{table}.csv"
        assert path.read_text().splitlines()[0] == ",".join(c.name for c in columns)
        frame = data.table(table)
        for col in columns:
            values = frame[col.name].dropna()
            if col.kind in patterns:
                assert values.str.fullmatch(patterns[col.kind]).all(), (table, col.name)
            if col.kind == "double":
                assert values.str.fullmatch(rf"-?\d+\.\d{{{col.decimals}}}").all(), (table, col.name)
            if not col.nullable:
                assert frame[col.name].notna().all(), (table, col.name)


def test_identifiers_are_prefixed_strings(tiny_clean_tables):
    t = tiny_clean_tables
    expected = {
        ("erp_customers", "customer_id"): r"C\d{6}",
        ("erp_products", "sku_id"): r"SKU\d{5}",
        ("wms_distribution_centers", "dc_id"): r"DC\d{2}",
        ("erp_products", "supplier_id"): r"SUP\d{3}",
        ("tms_carriers", "carrier_id"): r"CAR\d{2}",
        ("erp_sales_orders", "order_id"): r"O\d{7}",
        ("tms_shipments", "shipment_id"): r"SHP\d{7}",
        ("wms_activities", "activity_id"): r"ACT\d{8}",
        ("erp_purchase_receipts", "receipt_id"): r"RCV\d{6}",
        ("erp_purchase_receipts", "po_id"): r"PO\d{6}",
        ("erp_invoices", "invoice_id"): r"INV\d{7}",
        ("erp_returns", "return_id"): r"RET\d{6}",
        ("tms_shipments", "consolidation_id"): r"CONS\d{6}",
    }
    for (table, col), pattern in expected.items():
        values = t[table][col].dropna()
        assert len(values) and values.str.fullmatch(pattern).all(), (table, col)


def test_keys_are_unique_in_clean_data(tiny_clean_tables):
    for table, keys in KEYS.items():
        frame = tiny_clean_tables[table]
        assert frame[list(keys)].notna().all().all(), table
        assert not frame.duplicated(list(keys)).any(), table


def test_foreign_keys_resolve_in_clean_data(tiny_clean_tables):
    t = tiny_clean_tables
    customers = set(t["erp_customers"]["customer_id"])
    products = set(t["erp_products"]["sku_id"])
    dcs = set(t["wms_distribution_centers"]["dc_id"])
    orders = t["erp_sales_orders"].set_index("order_id")
    lines = t["erp_sales_order_lines"]
    line_sku = lines.set_index(["order_id", "line_number"])["sku_id"]

    assert set(orders["customer_id"]) <= customers
    assert set(orders["ship_from_dc_id"]) <= dcs
    assert set(lines["order_id"]) <= set(orders.index)
    assert set(lines["sku_id"]) <= products
    shipments = t["tms_shipments"]
    assert set(shipments["order_id"]) <= set(orders.index)
    assert set(shipments["carrier_id"]) <= set(t["tms_carriers"]["carrier_id"])
    assert (
        shipments["origin_dc_id"].to_numpy() == orders.loc[shipments["order_id"], "ship_from_dc_id"].to_numpy()
    ).all()
    invoices = t["erp_invoices"]
    assert (invoices["customer_id"].to_numpy() == orders.loc[invoices["order_id"], "customer_id"].to_numpy()).all()
    returns = t["erp_returns"]
    assert (
        line_sku.loc[list(zip(returns["order_id"], returns["line_number"]))].to_numpy() == returns["sku_id"].to_numpy()
    ).all()
    activities = t["wms_activities"]
    assert set(activities["dc_id"]) <= dcs
    assert set(activities["order_id"].dropna()) <= set(orders.index)
    with_line = activities.dropna(subset=["line_number"])
    assert len(with_line)
    assert pd.MultiIndex.from_arrays([with_line["order_id"], with_line["line_number"]]).isin(line_sku.index).all()
    receipts = t["erp_purchase_receipts"]
    assert set(receipts["sku_id"]) <= products and set(receipts["dc_id"]) <= dcs
    product_supplier = t["erp_products"].set_index("sku_id")["supplier_id"]
    assert (product_supplier.loc[receipts["sku_id"]].to_numpy() == receipts["supplier_id"].to_numpy()).all()
    for table in ("wms_inventory_snapshots", "crm_demand_forecasts"):
        assert set(t[table]["sku_id"]) <= products and set(t[table]["dc_id"]) <= dcs
    cust = t["erp_customers"]
    parents = cust.dropna(subset=["parent_customer_id"])
    assert len(parents) and set(parents["parent_customer_id"]) <= customers
    assert (parents["parent_customer_id"] != parents["customer_id"]).all()
    assert sorted(t["crm_accounts"]["customer_id"]) == sorted(customers)


def test_enumerations_in_clean_data(tiny_clean_tables):
    for (table, col), allowed in ENUMS.items():
        assert set(tiny_clean_tables[table][col]) <= set(allowed), (table, col)
    dcs = tiny_clean_tables["wms_distribution_centers"]
    assert dcs["is_temperature_controlled"].any()


def test_quantities_statuses_and_children(tiny_clean_tables):
    t = tiny_clean_tables
    lines, orders = t["erp_sales_order_lines"], t["erp_sales_orders"]
    assert (lines["quantity_shipped"] >= 0).all() and (lines["quantity_ordered"] > 0).all()
    assert (lines["quantity_shipped"] <= lines["quantity_ordered"]).all()
    assert (lines["quantity_shipped"] < lines["quantity_ordered"]).any()  # short ships exist
    status = orders.set_index("order_id")["order_status"]
    not_shipped = set(status[status != "shipped"].index)
    cancelled = set(status[status == "cancelled"].index)
    assert cancelled and (status == "open").any()
    assert lines.loc[lines["order_id"].isin(not_shipped), "quantity_shipped"].eq(0).all()
    for table in ("tms_shipments", "erp_invoices", "erp_returns"):
        assert not t[table]["order_id"].isin(not_shipped).any(), table
    activities = t["wms_activities"]
    assert not activities["order_id"].isin(cancelled).any()
    open_ts = orders.loc[orders["order_status"] == "open", "order_ts"]
    assert (open_ts >= END - pd.Timedelta(days=14)).all()
    shipped = set(status[status == "shipped"].index)
    assert set(t["tms_shipments"]["order_id"]) == shipped == set(t["erp_invoices"]["order_id"])
    returns = t["erp_returns"].merge(lines, on=["order_id", "line_number"])
    assert (returns["quantity_returned"] >= 1).all()
    assert (returns["quantity_returned"] <= returns["quantity_shipped"]).all()
    first_ship = t["tms_shipments"].groupby("order_id")["ship_ts"].min()
    assert (returns["return_date"].to_numpy() > first_ship.loc[returns["order_id"]].dt.normalize().to_numpy()).all()


def test_no_event_after_end_of_history_in_clean_data(tiny_clean_tables):
    start = pd.Timestamp("2026-05-01")
    for table, columns in EVENT_COLUMNS.items():
        for col in columns:
            values = tiny_clean_tables[table][col].dropna()
            assert (values <= END).all(), (table, col)
    orders = tiny_clean_tables["erp_sales_orders"]
    assert (orders["order_ts"] >= start).all()
    assert (orders["updated_at"] >= orders["order_ts"]).all()
    cust = tiny_clean_tables["erp_customers"]
    assert (cust["updated_at"] >= cust["created_at"]).all()
    shipments = tiny_clean_tables["tms_shipments"]
    assert shipments["delivered_ts"].isna().mean() < 0.05
    assert (shipments["delivered_ts"].dropna() > shipments.loc[shipments["delivered_ts"].notna(), "ship_ts"]).all()
    months = tiny_clean_tables["crm_demand_forecasts"]["forecast_month"]
    assert months.min() == start and months.max() == pd.Timestamp("2027-01-01") and (months.dt.day == 1).all()


def test_invoice_amount_is_the_sum_of_line_net_revenue(tiny_clean_tables):
    t = tiny_clean_tables
    lines = t["erp_sales_order_lines"]
    net = _net(lines).groupby(lines["order_id"]).sum().round(2)
    invoices = t["erp_invoices"].set_index("order_id")
    assert np.allclose(invoices["invoice_amount"], net.loc[invoices.index], atol=0.005)
    assert (
        (invoices["due_date"] - invoices["invoice_date"]).dt.days.to_numpy()
        == t["erp_customers"].set_index("customer_id").loc[invoices["customer_id"], "payment_terms_days"].to_numpy()
    ).all()


def test_shipment_weight_is_the_sum_of_line_weights(tiny_clean_tables):
    t = tiny_clean_tables
    lines = t["erp_sales_order_lines"].merge(t["erp_products"][["sku_id", "unit_weight_kg"]], on="sku_id")
    line_weight = (lines["quantity_shipped"] * lines["unit_weight_kg"]).groupby(lines["order_id"]).sum()
    shipped_weight = t["tms_shipments"].groupby("order_id")["weight_kg"].sum()
    assert np.allclose(shipped_weight, line_weight.loc[shipped_weight.index], atol=0.01)
    assert (t["tms_shipments"]["freight_cost"] > 0).all()
    shipments_per_order = t["tms_shipments"].groupby("order_id").size()
    assert shipments_per_order.max() <= 3 and (shipments_per_order > 1).any()


def test_temperature_controlled_and_expedited_modes(tiny_clean_tables):
    shipments = tiny_clean_tables["tms_shipments"]
    cold = shipments["is_temperature_controlled"]
    assert cold.any() and (shipments.loc[cold, "mode"] == "reefer").all()
    expedited = shipments[shipments["is_expedited"] & ~cold]
    assert expedited["mode"].isin(["parcel", "expedited_air"]).all()
    consolidated = shipments.dropna(subset=["consolidation_id"])
    groups = consolidated.groupby("consolidation_id")
    assert (groups["order_id"].nunique() >= 2).all()
    assert (groups[["origin_dc_id", "destination_region", "carrier_id"]].nunique() == 1).all().all()
    assert (groups["ship_ts"].agg(lambda s: s.dt.normalize().nunique()) == 1).all()


# ------------------------------------------------------------------------------ defects


def test_defect_rate_zero_writes_an_empty_manifest(tiny_clean):
    assert tiny_clean.manifest().empty


def test_every_defect_kind_is_injected_at_the_rate(tiny_clean, tiny_defects):
    manifest = tiny_defects.manifest()
    assert set(manifest["rule"]) == set(RULES)
    rows = tiny_clean.counts
    rate = tiny_defects.kwargs["defect_rate"]
    expected = {
        ("erp_customers", "unknown_channel"): rows["erp_customers"],
        ("erp_customers", "duplicate_key"): rows["erp_customers"],
        ("erp_products", "duplicate_key"): rows["erp_products"],
        ("erp_sales_orders", "unknown_customer"): rows["erp_sales_orders"],
        ("erp_sales_orders", "future_date"): rows["erp_sales_orders"],
        ("erp_sales_order_lines", "duplicate_key"): rows["erp_sales_order_lines"],
        ("erp_sales_order_lines", "negative_quantity"): rows["erp_sales_order_lines"],
        ("erp_sales_order_lines", "unknown_sku"): rows["erp_sales_order_lines"],
        ("tms_shipments", "missing_key"): rows["tms_shipments"],
        ("tms_shipments", "unknown_mode"): rows["tms_shipments"],
        ("wms_activities", "missing_key"): rows["wms_activities"],
    }
    counts = manifest.groupby(["source_table", "rule"]).size()
    for (table, rule), base in expected.items():
        assert counts[(table, rule)] == defect_count(rate, base), (table, rule)
    zero_velocity = manifest[manifest["rule"] == "zero_velocity_high_forecast"]
    skus = {key.split("|")[1] for key in zero_velocity["record_key"]}
    assert len(skus) == defect_count(rate, rows["erp_products"])
    assert (manifest.loc[manifest["rule"] == "missing_key", "record_key"] == "").all()


def test_each_manifest_record_is_present_as_described(tiny_defects):
    t = tiny_defects.tables()
    manifest = tiny_defects.manifest()
    by_rule = {rule: set(group["record_key"]) for rule, group in manifest.groupby(["source_table", "rule"])}
    by_rule = {f"{table}.{rule}": keys for (table, rule), keys in by_rule.items()}
    lines, orders = t["erp_sales_order_lines"], t["erp_sales_orders"]
    line_keys = _keys(lines, "erp_sales_order_lines")

    dup = lines[line_keys.isin(by_rule["erp_sales_order_lines.duplicate_key"])]
    assert len(dup) == 2 * len(by_rule["erp_sales_order_lines.duplicate_key"])
    assert dup.duplicated(keep=False).all()  # exact copies
    neg = lines[line_keys.isin(by_rule["erp_sales_order_lines.negative_quantity"])]
    assert len(neg) and (neg["quantity_ordered"] < 0).all() and (neg["quantity_shipped"] == 0).all()
    unknown_sku = lines[line_keys.isin(by_rule["erp_sales_order_lines.unknown_sku"])]
    assert len(unknown_sku) and not unknown_sku["sku_id"].isin(t["erp_products"]["sku_id"]).any()
    # apart from the listed lines every line is clean
    listed = set().union(*(by_rule[f"erp_sales_order_lines.{r}"] for r in ("negative_quantity", "unknown_sku")))
    assert (lines.loc[~line_keys.isin(listed), "quantity_ordered"] > 0).all()

    unknown_customer = orders[orders["order_id"].isin(by_rule["erp_sales_orders.unknown_customer"])]
    assert len(unknown_customer) and not unknown_customer["customer_id"].isin(t["erp_customers"]["customer_id"]).any()
    assert (unknown_customer["order_ts"] < END - pd.Timedelta(days=100)).all()  # quarantine keeps recent lines
    future = orders[orders["order_id"].isin(by_rule["erp_sales_orders.future_date"])]
    assert len(future) and (future["order_ts"] > END + pd.DateOffset(years=30)).all()
    assert (orders.loc[~orders["order_id"].isin(by_rule["erp_sales_orders.future_date"]), "order_ts"] <= END).all()

    for table, key, attribute in (
        ("erp_customers", "customer_id", "customer_name"),
        ("erp_products", "sku_id", "unit_cost"),
    ):
        frame = t[table]
        dup = frame[frame[key].isin(by_rule[f"{table}.duplicate_key"])].sort_values([key, "updated_at"])
        assert len(dup) == 2 * len(by_rule[f"{table}.duplicate_key"])
        older, newer = dup.groupby(key).nth(0), dup.groupby(key).nth(1)
        assert (older["updated_at"].to_numpy() < newer["updated_at"].to_numpy()).all()
        assert (older[attribute].to_numpy() != newer[attribute].to_numpy()).all()
        others = [c for c in frame.columns if c not in (attribute, "updated_at")]
        assert older[others].reset_index(drop=True).equals(newer[others].reset_index(drop=True))

    customers = t["erp_customers"]
    bad_channel = customers[customers["customer_id"].isin(by_rule["erp_customers.unknown_channel"])]
    assert (
        len(bad_channel)
        and not bad_channel["channel"].str.strip().str.lower().isin(ENUMS[("erp_customers", "channel")]).any()
    )
    shipments = t["tms_shipments"]
    bad_mode = shipments[shipments["shipment_id"].isin(by_rule["tms_shipments.unknown_mode"])]
    assert len(bad_mode) and not bad_mode["mode"].str.strip().str.lower().isin(ENUMS[("tms_shipments", "mode")]).any()
    assert (
        shipments["shipment_id"].isna().sum()
        == (manifest["source_table"].eq("tms_shipments") & manifest["rule"].eq("missing_key")).sum()
    )
    assert (
        t["wms_activities"]["activity_id"].isna().sum()
        == (manifest["source_table"].eq("wms_activities") & manifest["rule"].eq("missing_key")).sum()
    )

    forecasts = t["crm_demand_forecasts"]
    listed_rows = forecasts[
        _keys(forecasts, "crm_demand_forecasts").isin(by_rule["crm_demand_forecasts.zero_velocity_high_forecast"])
    ]
    zv_skus = set(listed_rows["sku_id"])
    assert len(listed_rows) == len(by_rule["crm_demand_forecasts.zero_velocity_high_forecast"])
    assert (listed_rows["forecast_qty"] >= 500).all()
    assert not lines["sku_id"].isin(zv_skus).any()
    assert len(forecasts[forecasts["sku_id"].isin(zv_skus)]) == len(listed_rows)  # every such row is listed


def test_defects_change_nothing_but_the_listed_records(tiny_clean, tiny_clean_tables, tiny_defects):
    manifest = tiny_defects.manifest()
    zv_skus = {k.split("|")[1] for k in manifest.loc[manifest["rule"] == "zero_velocity_high_forecast", "record_key"]}
    for table in TABLES:
        clean, dirty = tiny_clean_tables[table], tiny_defects.table(table)
        merged = dirty.merge(clean, how="outer", indicator=True)
        changed = merged[merged["_merge"] != "both"]
        listed = set(manifest.loc[manifest["source_table"] == table, "record_key"])
        has_key = changed[list(KEYS[table])].notna().all(axis=1)
        keys = set(_keys(changed[has_key], table))
        if table == "erp_products":
            keys -= zv_skus  # the never-sold SKUs behind zero_velocity_high_forecast
        assert keys <= listed, (table, sorted(keys - listed)[:5])
        n_missing = ((manifest["source_table"] == table) & (manifest["rule"] == "missing_key")).sum()
        assert (~has_key).sum() == n_missing, table
    # records modified in place differ from the clean record in exactly one column
    for (table, rule), column in MODIFIED_IN_PLACE.items():
        keys = manifest.loc[(manifest["source_table"] == table) & (manifest["rule"] == rule), "record_key"]
        key = KEYS[table][0]
        clean = tiny_clean_tables[table].set_index(key).loc[keys]
        dirty = tiny_defects.table(table).set_index(key).loc[keys]
        assert (clean[column] != dirty[column]).all(), (table, rule)
        assert clean.drop(columns=column).equals(dirty.drop(columns=column)), (table, rule)


@pytest.mark.parametrize("data_set", ["tiny_defects", "small_default"])
def test_zero_velocity_rule_flags_exactly_the_listed_forecasts(data_set, request):
    """The warehouse rule: forecast >= 500 for a SKU x DC without an order line in the last 90 days."""
    data = request.getfixturevalue(data_set)
    t = data.tables()
    lines = t["erp_sales_order_lines"].merge(
        t["erp_sales_orders"][["order_id", "order_ts", "ship_from_dc_id"]], on="order_id"
    )
    recent = lines[lines["order_ts"].between(END - pd.Timedelta(days=90), END)]
    active = set(zip(recent["sku_id"], recent["ship_from_dc_id"]))
    forecasts = t["crm_demand_forecasts"]
    high = forecasts[forecasts["forecast_qty"] >= 500]
    flagged = high[[pair not in active for pair in zip(high["sku_id"], high["dc_id"])]]
    manifest = data.manifest()
    listed = set(manifest.loc[manifest["rule"] == "zero_velocity_high_forecast", "record_key"])
    assert set(_keys(flagged, "crm_demand_forecasts")) == listed


def test_archetype_catalogue_follows_the_archetype_codes():
    assert tuple(a.name for a in ARCHETYPES) == ARCHETYPE_NAMES


def test_bad_enum_values_stay_unknown_after_trim_and_lower():
    assert not {v.strip().lower() for v in BAD_CHANNELS} & set(ENUMS[("erp_customers", "channel")])
    assert not {v.strip().lower() for v in BAD_MODES} & set(ENUMS[("tms_shipments", "mode")])


# ------------------------------------------------------------------------------ realism


def test_revenue_is_concentrated_in_the_top_customers(small_default):
    lines = small_default.table("erp_sales_order_lines")
    orders = small_default.table("erp_sales_orders")
    revenue = _net(lines).groupby(lines["order_id"].map(orders.set_index("order_id")["customer_id"])).sum()
    top = revenue.sort_values(ascending=False).head(int(np.ceil(0.2 * len(revenue))))
    assert top.sum() / revenue.sum() >= 0.6


def test_archetype_truth_covers_every_customer_and_is_recoverable(small_default):
    truth = pd.read_csv(small_default.truth / "customer_archetypes.csv")
    customers = small_default.table("erp_customers")
    assert set(truth["customer_id"]) == set(customers["customer_id"]) and truth["customer_id"].is_unique
    assert truth["archetype"].nunique() == 5

    orders, lines = small_default.table("erp_sales_orders"), small_default.table("erp_sales_order_lines")
    orders = orders[orders["customer_id"].isin(truth["customer_id"]) & (orders["order_ts"] <= END)]
    per_order = lines.groupby("order_id").agg(
        units=("quantity_ordered", "sum"), n=("line_number", "size"), discount=("discount_pct", "mean")
    )
    o = orders.join(per_order, on="order_id")
    o["month"] = o["order_ts"].dt.month
    returns = small_default.table("erp_returns").merge(orders[["order_id", "customer_id"]], on="order_id")
    invoices = small_default.table("erp_invoices")
    monthly = o.groupby(["customer_id", "month"]).size().unstack(fill_value=0)
    features = pd.DataFrame(
        {
            "log_size": np.log(o.groupby("customer_id")["units"].mean().clip(lower=1)),
            "orders_per_month": np.log(o.groupby("customer_id").size() / 12),
            "lines_per_order": np.log(o.groupby("customer_id")["n"].mean()),
            "rush": o.assign(r=o["priority"] == "expedited").groupby("customer_id")["r"].mean(),
            "returns": returns.groupby("customer_id").size() / o.groupby("customer_id")["n"].sum(),
            "discount": o.groupby("customer_id")["discount"].mean(),
            "seasonality": monthly.max(axis=1) / monthly.mean(axis=1),
            "payment_days": (invoices["paid_date"] - invoices["invoice_date"])
            .dt.days.groupby(invoices["customer_id"])
            .mean(),
        }
    ).fillna(0)
    labels = truth.set_index("customer_id").loc[features.index, "archetype"]
    scaled = StandardScaler().fit_transform(features)
    predicted = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(scaled)
    assert adjusted_rand_score(labels, predicted) >= 0.8


def test_general_ledger_and_budget(small_default):
    gl = pd.read_csv(small_default.seeds / "general_ledger.csv", dtype={"gl_account": str})
    months = History.from_end_month("2026-10", SCALES["small"].n_months).months.astype("datetime64[D]").astype(str)
    dcs = list(small_default.table("wms_distribution_centers")["dc_id"])
    assert list(gl.columns) == ["posting_month", "gl_account", "gl_account_name", "cost_center", "amount"]
    assert set(gl["gl_account"]) == set(GL_ACCOUNTS)
    assert (gl["amount"] != 0).all() and not gl.duplicated(["posting_month", "gl_account", "cost_center"]).any()
    for account in GL_ACCOUNTS:
        centers = ["HQ"] if account in ("6400", "6600") else dcs
        rows = gl[gl["gl_account"] == account]
        assert len(rows) == len(months) * len(centers), account
        assert set(rows["posting_month"]) == set(months) and set(rows["cost_center"]) == set(centers)
    shipments = small_default.table("tms_shipments").dropna(subset=["shipment_id"])
    freight = gl.loc[gl["gl_account"] == "6200", "amount"].sum()
    assert abs(freight / shipments["freight_cost"].sum() - 1) < 0.02
    text = (small_default.seeds / "general_ledger.csv").read_text().splitlines()
    assert all(re.fullmatch(r"\d{4}-\d{2}-01,\d{4},[^,]+,(DC\d{2}|HQ),-?\d+\.\d{2}", row) for row in text[1:])

    budget = pd.read_csv(small_default.seeds / "cost_to_serve_budget.csv")
    assert list(budget.columns) == ["budget_month", "cost_pool", "cost_center", "budget_amount"]
    assert set(budget["cost_pool"]) == {
        "warehouse_labour",
        "returns_processing",
        "outbound_freight",
        "dc_overhead",
        "order_administration",
        "inventory_carrying",
    }
    assert set(budget["budget_month"]) == set(months)
    pools = gl.assign(
        cost_pool=gl["gl_account"].map(
            {
                "6100": "warehouse_labour",
                "6150": "returns_processing",
                "6200": "outbound_freight",
                "6300": "dc_overhead",
                "6350": "dc_overhead",
                "6400": "order_administration",
                "6500": "inventory_carrying",
                "6600": "order_administration",
            }
        )
    )
    actual = pools.groupby(["posting_month", "cost_pool", "cost_center"])["amount"].sum()
    ratio = (
        actual.loc[list(zip(budget["budget_month"], budget["cost_pool"], budget["cost_center"]))].to_numpy()
        / budget["budget_amount"]
    )
    assert (abs(ratio - 1) > 0.14).any() and (abs(ratio - 1) < 0.1).mean() > 0.85


def test_supplier_disruption_doubles_lead_times(small_default):
    import json

    manifest = json.loads((small_default.truth / "generation_manifest.json").read_text())
    disruption = manifest["supplier_disruption"]
    receipts = small_default.table("erp_purchase_receipts")
    receipts["lead"] = (receipts["receipt_date"] - receipts["po_date"]).dt.days
    in_window = receipts["po_date"].dt.strftime("%Y-%m").isin(disruption["months"])
    hit = receipts["supplier_id"].isin(disruption["supplier_ids"])
    ratio = receipts.loc[hit & in_window, "lead"].mean() / receipts.loc[hit & ~in_window, "lead"].mean()
    assert 1.6 < ratio < 2.4


# -------------------------------------------------------------------------- command line


def test_cli_writes_all_tables_seeds_and_truth(tmp_path):
    out, seeds, truth = tmp_path / "raw", tmp_path / "finance", tmp_path / "truth"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scw",
            "generate",
            "--scale",
            "tiny",
            "--seed",
            "3",
            "--format",
            "csv",
            "--out",
            str(out),
            "--finance-out",
            str(seeds),
            "--truth-out",
            str(truth),
            "--end-month",
            "2025-12",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert sorted(p.name for p in seeds.iterdir()) == sorted(SEEDS)
    assert sorted(p.name for p in truth.iterdir()) == sorted(TRUTH)
    assert "erp_sales_order_lines" in result.stdout
    orders = pd.read_csv(out / "erp_sales_orders.csv", parse_dates=["order_ts"])
    assert orders["order_ts"].min() >= pd.Timestamp("2025-07-01")


def test_cli_rejects_bad_arguments():
    result = subprocess.run(
        [sys.executable, "-m", "scw", "generate", "--scale", "huge"], capture_output=True, text=True
    )
    assert result.returncode != 0 and "invalid choice" in result.stderr
    help_text = subprocess.run([sys.executable, "-m", "scw", "--help"], capture_output=True, text=True).stdout
    assert "generate" in help_text
