"""Finance: customer invoices, the general ledger and the cost-to-serve budget."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import SMALL_FREQUENT, History
from .entities import Entities
from .orders import OrderBook
from .sampling import days, round_money

GL_ACCOUNTS: dict[str, str] = {
    "6100": "Warehouse labour",
    "6150": "Returns handling and disposal",
    "6200": "Outbound freight",
    "6300": "DC rent and facilities",
    "6350": "DC equipment and utilities",
    "6400": "Customer service and order administration",
    "6500": "Inventory carrying cost",
    "6600": "Billing and collections",
}
#: Cost pool of the budget per GL account.
COST_POOLS: dict[str, str] = {
    "6100": "warehouse_labour",
    "6150": "returns_processing",
    "6200": "outbound_freight",
    "6300": "dc_overhead",
    "6350": "dc_overhead",
    "6400": "order_administration",
    "6500": "inventory_carrying",
    "6600": "order_administration",
}
HQ = "HQ"
#: Yearly inventory carrying rate (capital, storage risk, insurance).
CARRYING_RATE = 0.22
#: Share of a month's freight invoiced (and posted) in the ship month.
FREIGHT_POSTED_IN_MONTH = (0.85, 0.90)
ACCRUAL_TRUE_UP = 0.005


def build_invoices(
    book: OrderBook, shipments: pd.DataFrame, ent: Entities, hist: History, rng: np.random.Generator
) -> pd.DataFrame:
    """One invoice per shipped order, dated at its last shipment.

    invoice_amount = round(sum(quantity_shipped * unit_price * (1 - discount_pct/100)), 2).
    paid_date follows the customer's payment behaviour; invoices not paid by the
    end of history (and a few bad debts) have no paid_date.
    """
    lines, orders = book.lines, book.orders
    net = (
        lines["quantity_shipped"].to_numpy()
        * lines["unit_price"].to_numpy()
        * (1 - lines["discount_pct"].to_numpy() / 100.0)
    )
    amount = np.bincount(lines["order"].to_numpy(), weights=net, minlength=len(orders))
    last = shipments.groupby("order", sort=True)["ship_ts"].max()
    o = last.index.to_numpy()
    invoice_date = last.to_numpy().astype("datetime64[D]")
    n = len(o)

    c = orders["customer"].to_numpy()[o]
    cust = ent.customers
    terms = cust["payment_terms_days"].to_numpy()[c]
    late = cust["late_payer"].to_numpy()[c] & (rng.random(n) < 0.8)
    small = cust["archetype"].to_numpy()[c] == SMALL_FREQUENT
    delay = np.where(
        late,
        terms + cust["late_days"].to_numpy()[c] * rng.uniform(0.5, 1.5, n),
        np.where(small, terms * rng.uniform(0.2, 1.0, n), terms + rng.normal(-2, 3, n)),
    )
    paid = invoice_date + days(np.maximum(0, np.round(delay)))
    unpaid = (paid > hist.end) | (rng.random(n) < 0.003)
    paid = np.where(unpaid, np.datetime64("NaT", "D"), paid)

    frame = pd.DataFrame(
        {
            "order_id": o + 1,
            "customer_id": c + 1,
            "invoice_date": invoice_date,
            "due_date": invoice_date + days(terms),
            "paid_date": paid,
            "invoice_amount": round_money(amount[o]),
        }
    )
    frame = frame.sort_values(["invoice_date", "order_id"], kind="stable", ignore_index=True)
    frame.insert(0, "invoice_id", np.arange(1, n + 1))
    return frame


def _by_dc_month(dc_id: np.ndarray, when: np.ndarray, values, n_dcs: int, hist: History) -> np.ndarray:
    """Sum ``values`` into a [dc, month] matrix (dc_id 1-based); out-of-window rows are ignored."""
    m = hist.month_index(when)
    ok = (m >= 0) & (m < hist.n_months)
    values = np.broadcast_to(np.asarray(values, dtype=float), m.shape)
    cell = (dc_id[ok] - 1) * hist.n_months + m[ok]
    return np.bincount(cell, weights=values[ok], minlength=n_dcs * hist.n_months).reshape(n_dcs, hist.n_months)


def build_general_ledger(
    dc_codes: list[str],
    ent: Entities,
    orders: pd.DataFrame,
    shipments: pd.DataFrame,
    activities: pd.DataFrame,
    returns: pd.DataFrame,
    invoices: pd.DataFrame,
    snapshots: pd.DataFrame,
    hist: History,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Monthly GL postings per account and cost center (DC or HQ) derived from operations."""
    n_dcs, n_months = len(dc_codes), hist.n_months
    wage = ent.dcs["wage_per_minute"].to_numpy()[:, None]

    def noise(scale: float, shape=(n_dcs, n_months)) -> np.ndarray:
        return 1 + rng.uniform(-scale, scale, shape)

    minutes = _by_dc_month(
        activities["dc_id"].to_numpy(),
        activities["activity_ts"].to_numpy(),
        activities["labor_minutes"].to_numpy(),
        n_dcs,
        hist,
    )
    labour = minutes * wage * noise(0.01)

    ret_dc = returns["dc"].to_numpy() + 1
    ret_count = _by_dc_month(ret_dc, returns["return_date"].to_numpy(), 1.0, n_dcs, hist)
    ret_units = _by_dc_month(
        ret_dc, returns["return_date"].to_numpy(), returns["quantity_returned"].to_numpy(), n_dcs, hist
    )
    returns_cost = (150 + 6.5 * ret_count + 0.9 * ret_units) * noise(0.02)

    freight_tms = _by_dc_month(
        shipments["origin_dc_id"].to_numpy(),
        shipments["ship_ts"].to_numpy(),
        shipments["freight_cost"].to_numpy(),
        n_dcs,
        hist,
    )
    posted_share = rng.uniform(*FREIGHT_POSTED_IN_MONTH, (n_dcs, n_months))
    carried = np.zeros_like(freight_tms)
    carried[:, 1:] = freight_tms[:, :-1] * (1 - posted_share[:, :-1])
    true_up = np.zeros_like(freight_tms)
    true_up[:, 1:] = freight_tms[:, :-1] * rng.uniform(-ACCRUAL_TRUE_UP, ACCRUAL_TRUE_UP, (n_dcs, n_months - 1))
    freight = freight_tms * posted_share + carried + true_up
    freight = np.where(freight > 0, freight, 50.0)  # carrier account fee in a month without shipments

    units = _by_dc_month(
        activities["dc_id"].to_numpy(),
        activities["activity_ts"].to_numpy(),
        activities["units_handled"].to_numpy(),
        n_dcs,
        hist,
    )
    dc_type = ent.dcs["dc_type"].to_numpy()
    rent_factor = np.select([dc_type == "national", dc_type == "cold_chain"], [0.8, 1.0], 0.6)
    rent = np.maximum(5000.0, np.round(labour.mean(axis=1) * rent_factor, -2))[:, None] * np.ones((1, n_months))
    utility_rate = np.where(dc_type == "cold_chain", 0.03, 0.02)[:, None]
    equipment = (0.25 * rent + units * utility_rate) * noise(0.03)

    value = (
        snapshots["on_hand_qty"].to_numpy() * ent.products["unit_cost"].to_numpy()[snapshots["sku_id"].to_numpy() - 1]
    )
    snap_dates = snapshots["snapshot_date"].to_numpy()
    inv_value = _by_dc_month(snapshots["dc_id"].to_numpy(), snap_dates, value, n_dcs, hist)
    unique_dates = np.unique(snap_dates)
    snaps_per_month = np.bincount(hist.month_index(unique_dates), minlength=n_months)
    carrying = inv_value / np.maximum(snaps_per_month, 1) * CARRYING_RATE / 12 + 100.0

    order_count = np.bincount(orders["month"].to_numpy(), minlength=n_months)
    admin = (2500 + 4.2 * order_count) * noise(0.01, n_months)
    inv_month = hist.month_index(invoices["invoice_date"].to_numpy())
    paid_late = (invoices["paid_date"].isna() | (invoices["paid_date"] > invoices["due_date"])).to_numpy()
    billing = (
        1200
        + 1.8 * np.bincount(inv_month, minlength=n_months)
        + 6.0 * np.bincount(inv_month[paid_late], minlength=n_months)
    ) * noise(0.01, n_months)

    per_dc = {"6100": labour, "6150": returns_cost, "6200": freight, "6300": rent, "6350": equipment, "6500": carrying}
    per_hq = {"6400": admin, "6600": billing}
    month_start = hist.months.astype("datetime64[D]")
    blocks = [
        pd.DataFrame(
            {
                "posting_month": np.tile(month_start, n_dcs),
                "gl_account": acct,
                "cost_center": np.repeat(dc_codes, n_months),
                "amount": matrix.ravel(),
            }
        )
        for acct, matrix in per_dc.items()
    ] + [
        pd.DataFrame({"posting_month": month_start, "gl_account": acct, "cost_center": HQ, "amount": series})
        for acct, series in per_hq.items()
    ]
    gl = pd.concat(blocks, ignore_index=True)
    gl["amount"] = round_money(gl["amount"].to_numpy())
    gl.insert(2, "gl_account_name", gl["gl_account"].map(GL_ACCOUNTS))
    return gl.sort_values(["posting_month", "gl_account", "cost_center"], kind="stable", ignore_index=True)


def build_budget(gl: pd.DataFrame, hist: History, rng: np.random.Generator) -> tuple[pd.DataFrame, list[dict]]:
    """Budget per month, cost pool and cost center: actual +- ~2.5 %, plus a few
    deliberate large variances (+-15-25 %) so variance analysis has something to flag.

    Returns the budget and the list of deliberate variances (for the manifest).
    """
    pooled = gl.assign(cost_pool=gl["gl_account"].map(COST_POOLS))
    budget = pooled.groupby(["posting_month", "cost_pool", "cost_center"], sort=True, as_index=False)["amount"].sum()
    factor = 1 + rng.normal(0, 0.025, len(budget))
    n_big = min(hist.n_months, max(3, hist.n_months // 6))
    months = np.sort(rng.choice(hist.months.astype("datetime64[D]"), size=n_big, replace=False))
    pools = sorted(set(COST_POOLS.values()))
    deliberate = []
    for month in months:
        pool = pools[rng.integers(len(pools))]
        pct = float(rng.choice([-1, 1]) * rng.uniform(15, 25))
        hit = ((budget["posting_month"] == month) & (budget["cost_pool"] == pool)).to_numpy()
        factor[hit] = 1 / (1 + pct / 100)
        deliberate.append({"budget_month": str(month), "cost_pool": pool, "actual_vs_budget_pct": round(pct, 1)})
    budget["budget_amount"] = round_money(budget["amount"].to_numpy() * factor)
    budget = budget.rename(columns={"posting_month": "budget_month"})
    return budget[["budget_month", "cost_pool", "cost_center", "budget_amount"]], deliberate
