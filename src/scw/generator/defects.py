"""Injected data-quality defects and their manifest (``injected_defects.csv``).

Defects are applied to the finished contract tables. Each kind gets
``max(1, round(rate * rows))`` records (rows of the table it lives in;
zero_velocity_high_forecast: ``rate * SKUs`` new SKUs, every forecast row of
which is listed), the
targets of different kinds are disjoint (a defective order carries exactly one
defect, and line/shipment/activity defects avoid orders and customers that
carry another one), and every injected record is listed in the manifest.
Defects that add a line add one that did not ship, so invoices, shipment
weights and pick activities of the real lines stay consistent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import History
from .contract import IdFormatter, to_contract
from .entities import Entities, make_products

RULES = (
    "duplicate_key",
    "negative_quantity",
    "unknown_sku",
    "unknown_customer",
    "missing_key",
    "future_date",
    "unknown_channel",
    "unknown_mode",
    "zero_velocity_high_forecast",
)
BAD_CHANNELS = ("b2b", "Retial", "whsale", "e-com", "B2C", "dist.")
BAD_MODES = ("rail", "drone", "barge", "sea", "pipeline")
ZERO_VELOCITY_MIN_FORECAST = 500
FUTURE_YEARS = 36
#: Orders given a defect that quarantines them are at least this old at the end of history.
QUARANTINE_MIN_AGE_DAYS = 100
MANIFEST_COLUMNS = ["source_table", "record_key", "rule", "detail"]


def defect_count(rate: float, rows: int) -> int:
    """Number of records of one defect kind for a table of ``rows`` rows."""
    return max(1, int(round(rate * rows))) if rate > 0 else 0


def _ts(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _numbers(series: pd.Series, prefix: str) -> np.ndarray:
    """Numeric part of prefixed ids (``O0000042`` -> 42); -1 for null."""
    digits = pc.utf8_slice_codeunits(pa.array(series, type=pa.string(), from_pandas=True), len(prefix))
    return pc.cast(digits, pa.int64()).fill_null(-1).to_numpy()


def _pick(rng: np.random.Generator, n: int, k: int, ok) -> np.ndarray:
    """``k`` distinct random row positions out of ``n`` for which ``ok(positions)`` holds.

    Tests a random sample first, so large tables are not scanned as a whole.
    """
    sample = rng.choice(n, size=min(n, 20 * k + 100), replace=False)
    good = sample[ok(sample)]
    if len(good) < k:
        sample = rng.permutation(n)
        good = sample[ok(sample)]
    if len(good) < k:
        raise ValueError(f"cannot place {k} defects: only {len(good)} eligible rows")
    return good[:k]


def _insert_after(frame: pd.DataFrame, extra: pd.DataFrame, after) -> pd.DataFrame:
    """Insert the rows of ``extra`` right after the rows at positions ``after`` (keeps key order)."""
    keys = np.concatenate([np.arange(len(frame)) * 2, np.asarray(after, dtype=np.int64) * 2 + 1])
    order = np.argsort(keys, kind="stable")
    return pd.concat([frame, extra], ignore_index=True).take(order).reset_index(drop=True)


class Manifest:
    """Collects manifest rows."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def add(self, table: str, keys, rule: str, details) -> None:
        for key, detail in zip(keys, details):
            self.rows.append((table, key, rule, detail))

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=MANIFEST_COLUMNS)
        return frame.sort_values(MANIFEST_COLUMNS, kind="stable", ignore_index=True)


def inject(
    tables: dict[str, pd.DataFrame],
    rate: float,
    ent: Entities,
    hist: History,
    ids: IdFormatter,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Inject all defect kinds into ``tables`` (in place) and return the manifest."""
    manifest = Manifest()
    if rate <= 0:
        return manifest.frame()
    bad_customers = _customer_defects(tables, rate, manifest, rng)
    _product_duplicates(tables, rate, manifest, rng)
    used_orders = _order_and_line_defects(tables, rate, bad_customers, ids, hist, manifest, rng)
    _shipment_defects(tables, rate, used_orders, ids, manifest, rng)
    _activity_defects(tables, rate, used_orders, ids, manifest, rng)
    _zero_velocity(tables, rate, ent, hist, ids, manifest, rng)
    return manifest.frame()


def _customer_defects(tables, rate, manifest: Manifest, rng) -> set[str]:
    """unknown_channel on some customers; duplicate_key as an older version of others."""
    name = "erp_customers"
    cust = tables[name]
    k = defect_count(rate, len(cust))
    pick = rng.choice(len(cust), size=2 * k, replace=False)
    channel_rows, dup_rows = pick[:k], pick[k:]

    bad = np.array(BAD_CHANNELS)[rng.integers(0, len(BAD_CHANNELS), k)]
    ids = cust["customer_id"].to_numpy()[channel_rows]
    cust.loc[channel_rows, "channel"] = bad
    manifest.add(name, ids, "unknown_channel", [f"channel '{b}' is not a known channel" for b in bad])

    older = cust.iloc[dup_rows].copy()
    created = older["created_at"].to_numpy()
    updated = older["updated_at"].to_numpy()
    span = (updated - created).astype(np.int64)
    older["updated_at"] = created + (rng.uniform(0.2, 0.8, k) * span).astype(np.int64).astype("timedelta64[s]")
    old_names = [_previous_name(n) for n in older["customer_name"]]
    older["customer_name"] = pd.Series(old_names, index=older.index, dtype="str")
    manifest.add(
        name,
        older["customer_id"],
        "duplicate_key",
        [
            f"older version (updated_at {_ts(t)}) with previous customer_name '{o}'"
            for t, o in zip(older["updated_at"], old_names)
        ],
    )
    tables[name] = _insert_after(cust, older.reset_index(drop=True), dup_rows)
    return set(ids) | set(older["customer_id"])


def _previous_name(name: str) -> str:
    """A plausible earlier trading name: the middle word of ``first second legal-form`` swapped."""
    first, second, legal = name.split(" ", 2)
    return f"{first} {'Commerce' if second == 'Trading' else 'Trading'} {legal}"


def _product_duplicates(tables, rate, manifest: Manifest, rng) -> None:
    """duplicate_key on products: an older version with the previous unit_cost."""
    name = "erp_products"
    prod = tables[name]
    k = defect_count(rate, len(prod))
    rows = rng.choice(len(prod), size=k, replace=False)
    older = prod.iloc[rows].copy()
    cost = older["unit_cost"].to_numpy()
    old_cost = np.maximum(0.01, np.round(cost * rng.uniform(0.85, 0.97, k), 2))
    old_cost = np.where(old_cost == cost, np.maximum(0.01, cost - 0.01), old_cost)
    older["unit_cost"] = old_cost
    back = (rng.uniform(30, 300, k) * 86400).astype(np.int64).astype("timedelta64[s]")
    older["updated_at"] = older["updated_at"].to_numpy() - back
    manifest.add(
        name,
        older["sku_id"],
        "duplicate_key",
        [
            f"older version (updated_at {_ts(t)}) with previous unit_cost {c:.2f}"
            for t, c in zip(older["updated_at"], old_cost)
        ],
    )
    tables[name] = _insert_after(prod, older.reset_index(drop=True), rows)


def _order_and_line_defects(
    tables, rate, bad_customers, ids: IdFormatter, hist: History, manifest: Manifest, rng
) -> np.ndarray:
    """Order defects (unknown_customer, future_date) and line defects (duplicate_key,
    negative_quantity, unknown_sku), each on its own shipped order. Returns the
    numbers of all orders used.

    Orders that the warehouse will quarantine (unknown customer, future date) are
    older than ``QUARANTINE_MIN_AGE_DAYS``, so quarantining them never removes the
    last recent order line of a SKU x DC (which would trip the zero-velocity rule).
    """
    orders, lines = tables["erp_sales_orders"], tables["erp_sales_order_lines"]
    ok = (orders["order_status"] == "shipped").to_numpy() & ~orders["customer_id"].isin(bad_customers).to_numpy()
    old = (orders["order_ts"] < hist.end_ts - np.timedelta64(QUARANTINE_MIN_AGE_DAYS, "D")).to_numpy()
    k_order = defect_count(rate, len(orders))
    k_line = defect_count(rate, len(lines))
    quarantined = rng.choice(np.flatnonzero(ok & old), size=2 * k_order, replace=False)
    rest = np.setdiff1d(np.flatnonzero(ok), quarantined)
    others = rng.choice(rest, size=3 * k_line, replace=False)
    pick = np.concatenate([quarantined, others])
    unknown_rows, future_rows = quarantined[:k_order], quarantined[k_order:]
    dup_rows, neg_rows, sku_rows = np.split(others, 3)
    order_ids = orders["order_id"].to_numpy()

    new_customers = ids.unknown("customer", k_order)
    manifest.add(
        "erp_sales_orders",
        order_ids[unknown_rows],
        "unknown_customer",
        [
            f"customer_id {new} does not exist (true customer {old})"
            for new, old in zip(new_customers, orders["customer_id"].to_numpy()[unknown_rows])
        ],
    )
    orders.loc[unknown_rows, "customer_id"] = new_customers

    old_ts = orders["order_ts"].to_numpy()[future_rows]
    new_ts = [pd.Timestamp(t).replace(year=pd.Timestamp(t).year + FUTURE_YEARS) for t in old_ts]
    orders.loc[future_rows, "order_ts"] = pd.Series(new_ts, index=future_rows).astype("datetime64[s]")
    manifest.add(
        "erp_sales_orders",
        order_ids[future_rows],
        "future_date",
        [f"order_ts {_ts(a)} typed as {_ts(b)}" for a, b in zip(old_ts, new_ts)],
    )

    # lines are ordered by order: locate each chosen order's block of lines
    line_order = _numbers(lines["order_id"], ids.prefix("order"))
    order_numbers = _numbers(orders["order_id"], ids.prefix("order"))

    def block(rows):
        numbers = order_numbers[rows]
        return np.searchsorted(line_order, numbers, "left"), np.searchsorted(line_order, numbers, "right")

    # duplicate_key: an exact copy of one random line of each chosen order
    first, stop = block(dup_rows)
    originals = first + np.floor(rng.random(len(first)) * (stop - first)).astype(np.int64)
    copies = lines.iloc[originals].reset_index(drop=True)
    manifest.add(
        "erp_sales_order_lines",
        [f"{o}|{n}" for o, n in zip(copies["order_id"], copies["line_number"])],
        "duplicate_key",
        ["exact copy of an existing line"] * len(copies),
    )

    # extra lines that never shipped: negative quantity (valid SKU) and unknown SKU
    products = tables["erp_products"]

    def extra_lines(rows, sku_ids, qty, price) -> tuple[pd.DataFrame, np.ndarray]:
        last = block(rows)[1] - 1
        frame = pd.DataFrame(
            {
                "order_id": pd.Series(order_ids[rows], dtype="str"),
                "line_number": lines["line_number"].to_numpy()[last] + 1,
                "sku_id": pd.Series(sku_ids, dtype="str"),
                "quantity_ordered": qty,
                "quantity_shipped": np.zeros(len(rows), dtype=np.int64),
                "unit_price": price,
                "discount_pct": 0.0,
                "updated_at": orders["updated_at"].to_numpy()[rows],
            }
        )
        return frame, last

    prod_rows = rng.integers(0, len(products), k_line)
    negative, negative_after = extra_lines(
        neg_rows,
        products["sku_id"].to_numpy()[prod_rows],
        -rng.integers(1, 25, k_line),
        products["list_price"].to_numpy()[prod_rows],
    )
    manifest.add(
        "erp_sales_order_lines",
        [f"{o}|{n}" for o, n in zip(negative["order_id"], negative["line_number"])],
        "negative_quantity",
        [f"quantity_ordered {q}" for q in negative["quantity_ordered"]],
    )
    unknown, unknown_after = extra_lines(
        sku_rows, ids.unknown("sku", k_line), rng.integers(1, 25, k_line), np.round(rng.uniform(1, 50, k_line), 2)
    )
    manifest.add(
        "erp_sales_order_lines",
        [f"{o}|{n}" for o, n in zip(unknown["order_id"], unknown["line_number"])],
        "unknown_sku",
        [f"sku_id {s} is not in erp_products" for s in unknown["sku_id"]],
    )
    tables["erp_sales_order_lines"] = _insert_after(
        lines,
        pd.concat([copies, negative, unknown], ignore_index=True),
        np.concatenate([originals, negative_after, unknown_after]),
    )
    return order_numbers[pick]


def _shipment_defects(tables, rate, used_orders: np.ndarray, ids: IdFormatter, manifest: Manifest, rng) -> None:
    """missing_key: a re-sent shipment record without shipment_id; unknown_mode on others."""
    name = "tms_shipments"
    shp = tables[name]
    k = defect_count(rate, len(shp))
    prefix = ids.prefix("order")
    pick = _pick(rng, len(shp), 2 * k, lambda rows: ~np.isin(_numbers(shp["order_id"].iloc[rows], prefix), used_orders))
    copy_rows, mode_rows = pick[:k], pick[k:]

    copies = shp.iloc[copy_rows].reset_index(drop=True)
    manifest.add(
        name, [""] * k, "missing_key", [f"copy of {s} received without shipment_id" for s in copies["shipment_id"]]
    )
    copies["shipment_id"] = pd.Series([None] * k, dtype="str")

    bad = np.array(BAD_MODES)[rng.integers(0, len(BAD_MODES), k)]
    manifest.add(
        name, shp["shipment_id"].to_numpy()[mode_rows], "unknown_mode", [f"mode '{b}' is not a known mode" for b in bad]
    )
    shp.loc[mode_rows, "mode"] = bad
    tables[name] = pd.concat([shp, copies], ignore_index=True)  # rows without a key go last


def _activity_defects(tables, rate, used_orders: np.ndarray, ids: IdFormatter, manifest: Manifest, rng) -> None:
    """missing_key: a re-sent activity record without activity_id."""
    name = "wms_activities"
    act = tables[name]
    k = defect_count(rate, len(act))
    prefix = ids.prefix("order")
    rows = _pick(rng, len(act), k, lambda rows: ~np.isin(_numbers(act["order_id"].iloc[rows], prefix), used_orders))
    copies = act.iloc[rows].reset_index(drop=True)
    manifest.add(
        name, [""] * k, "missing_key", [f"copy of {a} received without activity_id" for a in copies["activity_id"]]
    )
    copies["activity_id"] = pd.Series([None] * k, dtype="str")
    tables[name] = pd.concat([act, copies], ignore_index=True)  # rows without a key go last


def _zero_velocity(tables, rate, ent: Entities, hist: History, ids: IdFormatter, manifest: Manifest, rng) -> None:
    """zero_velocity_high_forecast: new SKUs that never sold but are forecast >= 500 units
    every month at one or two DCs; every such forecast row is listed."""
    n_skus = len(ent.products)
    k = defect_count(rate, n_skus)
    frame = make_products(rng, k, ent.suppliers, first_id=n_skus + 1)
    frame["lifecycle_stage"] = "introduction"
    start = hist.start.astype("datetime64[s]")
    frame["updated_at"] = start + (rng.random(k) * (hist.end_ts - start).astype(np.int64)).astype(np.int64).astype(
        "timedelta64[s]"
    )
    # the new SKUs have the highest numbers: they go last
    tables["erp_products"] = pd.concat(
        [tables["erp_products"], to_contract("erp_products", frame, ids)], ignore_index=True
    )

    forecasts = tables["crm_demand_forecasts"]
    months = np.unique(forecasts["forecast_month"].to_numpy())
    cold_ok = ent.dcs["is_temperature_controlled"].to_numpy()
    pair_sku, pair_dc = [], []
    for sku, perishable in zip(frame["sku_id"].to_numpy(), frame["is_perishable"].to_numpy()):
        allowed = np.flatnonzero(cold_ok) if perishable else np.arange(len(ent.dcs))
        dcs = np.sort(rng.choice(allowed, size=min(len(allowed), int(rng.integers(1, 3))), replace=False))
        pair_sku += [sku] * len(dcs)
        pair_dc += list(dcs + 1)
    # forecasts are ordered by (month, sku, dc) and the new SKUs sort last within each month
    month_col = np.repeat(months, len(pair_sku))
    extra = pd.DataFrame(
        {
            "forecast_month": month_col,
            "sku_id": ids.format("sku", np.tile(pair_sku, len(months))),
            "dc_id": ids.format("dc", np.tile(pair_dc, len(months))),
            "forecast_qty": rng.integers(ZERO_VELOCITY_MIN_FORECAST, 3 * ZERO_VELOCITY_MIN_FORECAST, len(month_col)),
        }
    )
    manifest.add(
        "crm_demand_forecasts",
        [f"{_day(m)}|{s}|{d}" for m, s, d in zip(extra["forecast_month"], extra["sku_id"], extra["dc_id"])],
        "zero_velocity_high_forecast",
        [f"forecast_qty {q} for a SKU without any order line" for q in extra["forecast_qty"]],
    )
    month_end = np.searchsorted(forecasts["forecast_month"].to_numpy(), month_col, "right") - 1
    tables["crm_demand_forecasts"] = _insert_after(forecasts, extra, month_end)
