"""Inventory: weekly replenishment simulation (receipts, snapshots, fill rates) and forecasts.

The simulation loops over weeks (not over lines) with arrays over all stocked
(SKU, DC) pairs. A periodic-review order-up-to policy plans with the supplier's
normal lead time; erratic demand and the supplier disruption (lead times
doubled for some suppliers mid-history) therefore cause stockouts, which become
short shipments through the fill rate of each (pair, week).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import YEARLY_INFLATION, History
from .entities import Entities, category_season
from .orders import OrderBook
from .sampling import days

#: Forecast rows of SKU x DC pairs without an order line in this many days stay below FORECAST_CAP.
RECENT_DAYS = 80
FORECAST_CAP = 450
FUTURE_MONTHS = 3


@dataclass
class Inventory:
    """Simulation result: pair indexing, fill rate per line, receipts and snapshots."""

    pair_index: np.ndarray  # [n_skus, n_dcs] -> pair number or -1
    pair_sku: np.ndarray
    pair_dc: np.ndarray
    line_fill: np.ndarray  # fill rate per order line (1 for lines that do not ship)
    receipts: pd.DataFrame
    snapshots: pd.DataFrame


def simulate(book: OrderBook, ent: Entities, hist: History, rng: np.random.Generator) -> Inventory:
    """Run the weekly inventory simulation over all stocked (SKU, DC) pairs."""
    pair_sku, pair_dc = np.nonzero(ent.stocked)
    n_pairs, n_weeks = len(pair_sku), hist.n_weeks
    pair_index = np.full(ent.stocked.shape, -1, dtype=np.int64)
    pair_index[pair_sku, pair_dc] = np.arange(n_pairs)

    lines = book.lines
    eligible = lines["eligible"].to_numpy()
    line_pair = pair_index[lines["sku"].to_numpy(), book.orders["dc"].to_numpy()[lines["order"].to_numpy()]]
    line_week = hist.week_index(lines["ship_ts"].to_numpy())
    cell = line_pair[eligible] * n_weeks + line_week[eligible]
    demand = np.bincount(
        cell, weights=lines["quantity_ordered"].to_numpy()[eligible], minlength=n_pairs * n_weeks
    ).reshape(n_pairs, n_weeks)

    # the planner's demand estimate: centred 7-week moving average
    cum = np.concatenate([np.zeros((n_pairs, 1)), np.cumsum(demand, axis=1)], axis=1)
    week = np.arange(n_weeks)
    lo, hi = np.clip(week - 3, 0, n_weeks), np.clip(week + 4, 0, n_weeks)
    estimate = (cum[:, hi] - cum[:, lo]) / (hi - lo)
    del cum
    # ... floored at half the long-run level while the SKU is active, so slow movers stay stocked
    mondays = hist.week_anchor + days(7 * week)
    week_month = np.clip(hist.month_index(mondays), 0, hist.n_months - 1)
    active = (ent.lifecycle[pair_sku] > 0)[:, week_month]
    level = demand.sum(axis=1) / np.maximum(active.sum(axis=1), 1)
    estimate = np.maximum(estimate, 0.5 * level[:, None] * active)
    del active

    prod, sup = ent.products, ent.suppliers
    supplier = prod["supplier_id"].to_numpy()[pair_sku] - 1
    lead_mean = sup["lead_time_mean_days"].to_numpy()[supplier]
    lead_sd = sup["lead_time_sd_days"].to_numpy()[supplier]
    disrupted = sup["disrupted"].to_numpy()[supplier]
    case = prod["case_pack"].to_numpy()[pair_sku]
    lead_weeks = lead_mean / 7.0
    disruption = np.isin(hist.month_index(mondays), hist.disruption_months)

    on_hand = np.ceil(estimate[:, 0] * (lead_weeks + 2) / case) * case
    on_order = np.zeros(n_pairs)
    arrivals = np.zeros((n_pairs, n_weeks))
    fill = np.ones((n_pairs, n_weeks), dtype=np.float32)
    snap = np.zeros((3, n_pairs, n_weeks), dtype=np.int64)  # on_hand, allocated, on_order
    po_parts = []
    for w in range(n_weeks):
        d = demand[:, w]
        snap[0, :, w] = on_hand
        snap[1, :, w] = np.minimum(on_hand, np.round(d * rng.uniform(0.1, 0.3, n_pairs)))
        snap[2, :, w] = on_order
        on_hand += arrivals[:, w]
        on_order -= arrivals[:, w]
        sent = np.minimum(on_hand, d)
        fill[:, w] = np.where(d > 0, sent / np.where(d > 0, d, 1), 1.0)
        on_hand -= sent

        est = estimate[:, w]
        position = on_hand + on_order
        idx = np.flatnonzero((est > 0) & (position < est * (lead_weeks + 1.5)))
        if not len(idx):
            continue
        qty = np.ceil((est[idx] * (lead_weeks[idx] + 4) - position[idx]) / case[idx]) * case[idx]
        po_date = np.clip(mondays[w] + days(rng.integers(0, 5, len(idx))), hist.start, hist.end)
        factor = np.where(disrupted[idx] & disruption[w], 2.0, 1.0)
        lead = np.maximum(2, np.round(rng.normal(lead_mean[idx], lead_sd[idx]) * factor)).astype(np.int64)
        receipt_date = po_date + days(lead)
        arrive = np.maximum(w + 1, hist.week_index(receipt_date))
        received = receipt_date <= hist.end
        lands = received & (arrive < n_weeks)
        on_order[idx] += qty
        arrivals[idx[lands], arrive[lands]] += qty[lands]
        po_parts.append((idx, po_date, receipt_date, qty.astype(np.int64), received))

    line_fill = np.ones(len(lines), dtype=float)
    line_fill[eligible] = fill[line_pair[eligible], line_week[eligible]]
    receipts = _receipts(po_parts, pair_sku, pair_dc, ent, hist, rng)
    snapshots = _snapshots(snap, pair_sku, pair_dc, ent.products["launch_month"].to_numpy(), hist)
    return Inventory(pair_index, pair_sku, pair_dc, line_fill, receipts, snapshots)


def _receipts(po_parts, pair_sku, pair_dc, ent: Entities, hist: History, rng: np.random.Generator) -> pd.DataFrame:
    """Purchase receipts: one per received PO; PO numbers also count still-open POs."""
    pair = np.concatenate([p[0] for p in po_parts])
    po_date = np.concatenate([p[1] for p in po_parts])
    receipt_date = np.concatenate([p[2] for p in po_parts])
    qty = np.concatenate([p[3] for p in po_parts])
    received = np.concatenate([p[4] for p in po_parts])
    sku, dc = pair_sku[pair], pair_dc[pair]

    po_order = np.lexsort((sku, dc, po_date))
    po_id = np.empty(len(pair), dtype=np.int64)
    po_id[po_order] = np.arange(1, len(pair) + 1)

    keep = np.flatnonzero(received)
    keep = keep[np.lexsort((sku[keep], dc[keep], receipt_date[keep]))]
    years_back = (hist.end - po_date[keep]).astype(np.int64) / 365.25
    cost = ent.products["unit_cost"].to_numpy()[sku[keep]] * (1 + YEARLY_INFLATION) ** -years_back
    cost = np.round(cost * rng.uniform(0.97, 1.03, len(keep)), 2)
    return pd.DataFrame(
        {
            "receipt_id": np.arange(1, len(keep) + 1),
            "po_id": po_id[keep],
            "sku_id": sku[keep] + 1,
            "supplier_id": ent.products["supplier_id"].to_numpy()[sku[keep]],
            "dc_id": dc[keep] + 1,
            "po_date": po_date[keep],
            "receipt_date": receipt_date[keep],
            "quantity_received": qty[keep],
            "unit_cost": np.maximum(cost, 0.01),
        }
    )


def _snapshots(snap: np.ndarray, pair_sku, pair_dc, launch_month: np.ndarray, hist: History) -> pd.DataFrame:
    """Weekly (Monday) snapshots within the history, ordered by date, DC, SKU.

    A SKU x DC gets snapshots from the month before its launch (stock build-up) on.
    """
    n_weeks = snap.shape[2]
    mondays = hist.week_anchor + days(7 * np.arange(n_weeks))
    weeks = np.flatnonzero(mondays >= hist.start)
    order = np.lexsort((pair_sku, pair_dc))
    block = snap[:, order][:, :, weeks]  # [3, pairs, weeks]
    sku = pair_sku[order]
    launched = hist.month_index(mondays[weeks])[None, :] >= launch_month[sku][:, None] - 1  # [pairs, weeks]
    keep = launched.T.ravel()
    return pd.DataFrame(
        {
            "snapshot_date": np.repeat(mondays[weeks], len(order))[keep],
            "dc_id": np.tile(pair_dc[order] + 1, len(weeks))[keep],
            "sku_id": np.tile(sku + 1, len(weeks))[keep],
            "on_hand_qty": block[0].T.ravel()[keep],
            "allocated_qty": block[1].T.ravel()[keep],
            "on_order_qty": block[2].T.ravel()[keep],
        }
    )


def build_forecasts(
    book: OrderBook, inv: Inventory, ent: Entities, hist: History, rng: np.random.Generator
) -> pd.DataFrame:
    """Monthly forecast per stocked SKU x DC for every history month plus three future months.

    History months: the month's ordered quantity +- noise. Future months: the
    last three months' mean, re-seasonalised. Pairs without an order line in
    the last ``RECENT_DAYS`` days never get a forecast of ``FORECAST_CAP`` or more.
    """
    lines, orders = book.lines, book.orders
    n_pairs, n_months = len(inv.pair_sku), hist.n_months
    o = lines["order"].to_numpy()
    live = ~orders["cancelled"].to_numpy()[o]
    pair = inv.pair_index[lines["sku"].to_numpy(), orders["dc"].to_numpy()[o]]
    month = orders["month"].to_numpy()[o]
    actual = np.bincount(
        pair[live] * n_months + month[live],
        weights=lines["quantity_ordered"].to_numpy()[live],
        minlength=n_pairs * n_months,
    ).reshape(n_pairs, n_months)

    season = category_season(ent.products, hist.months)[inv.pair_sku]
    future_months = np.arange(hist.months[-1] + 1, hist.months[-1] + 1 + FUTURE_MONTHS)
    future_season = category_season(ent.products, future_months)[inv.pair_sku]
    level = actual[:, -3:].mean(axis=1) / np.maximum(season[:, -3:].mean(axis=1), 1e-9)
    expected = np.concatenate([actual, level[:, None] * future_season], axis=1)
    forecast = np.round(expected * rng.lognormal(0, 0.25, expected.shape) + rng.poisson(0.3, expected.shape))

    recent_cutoff = hist.end - RECENT_DAYS
    order_day = orders["order_ts"].to_numpy().astype("datetime64[D]")[o]
    active = np.zeros(n_pairs, dtype=bool)
    active[pair[live & (order_day >= recent_cutoff)]] = True
    forecast[~active] = np.minimum(forecast[~active], FORECAST_CAP - 1)

    all_months = np.concatenate([hist.months, future_months])
    order = np.lexsort((inv.pair_dc, inv.pair_sku))
    return pd.DataFrame(
        {
            "forecast_month": np.repeat(all_months.astype("datetime64[D]"), n_pairs),
            "sku_id": np.tile(inv.pair_sku[order] + 1, len(all_months)),
            "dc_id": np.tile(inv.pair_dc[order] + 1, len(all_months)),
            "forecast_qty": forecast[order].T.ravel().astype(np.int64),
        }
    )
