"""Sales orders and order lines: demand, line content, shipment plan, fulfilment, returns.

The flow is split in two because stock availability comes from the inventory
simulation: ``plan_orders`` draws demand and the shipment plan, ``fulfil``
applies the simulated fill rates (short ships) and derives the shipments'
line content and the order status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import (
    ARCHETYPES,
    CATEGORIES,
    DISTRIBUTOR,
    KEY_ACCOUNT,
    ORDER_CHANNELS,
    RETURN_REASONS,
    SEASON_PROFILES,
    SEASONAL_RETAILER,
    SMALL_FREQUENT,
    SMALL_ORDER_LINE_PROBS,
    WHOLESALER,
    YEARLY_INFLATION,
    History,
    Scale,
    Streams,
    weekday,
)
from .entities import Entities, category_season
from .sampling import choose_per_group, days, first_of_runs, hours, probs_for, rank_within_runs, seconds

#: Shipment groups of an order: temperature-controlled lines, main wave, second wave.
GROUP_COLD, GROUP_MAIN, GROUP_SECOND = 0, 1, 2
N_GROUPS = 3


@dataclass
class OrderBook:
    """Orders and lines with internal indexes (0-based) and contract ids (1-based).

    ``orders`` is sorted by order_ts (the order_id order); ``lines`` by
    (order, line_number). ``group_ts`` holds the planned ship time of each of
    the three shipment groups per order.
    """

    orders: pd.DataFrame
    lines: pd.DataFrame
    group_ts: np.ndarray  # datetime64[s] [n_orders, N_GROUPS]


def plan_orders(ent: Entities, hist: History, scale: Scale, streams: Streams) -> OrderBook:
    """Draw orders, their lines and the planned shipment groups."""
    orders = _draw_orders(ent, hist, scale, streams.get("orders"))
    lines = _draw_lines(orders, ent, hist, streams.get("lines"))
    group_ts = _plan_shipments(orders, lines, ent, hist, streams.get("ship_plan"))
    return OrderBook(orders, lines, group_ts)


def _draw_orders(ent: Entities, hist: History, scale: Scale, rng: np.random.Generator) -> pd.DataFrame:
    """Orders per customer and month (Poisson), weekday-weighted days, business hours."""
    cust = ent.customers
    n_cust, n_months = len(cust), hist.n_months
    arch = cust["archetype"].to_numpy()
    season = np.array([SEASON_PROFILES[a.season] for a in ARCHETYPES])[arch][:, hist.calendar_month]
    rate = cust["freq"].to_numpy()[:, None] * season
    created_month = hist.month_index(cust["created_at"].to_numpy())
    rate[np.arange(n_months)[None, :] < created_month[:, None]] = 0.0
    rate *= scale.target_lines / (rate * cust["lines_expected"].to_numpy()[:, None]).sum()
    cell = np.repeat(np.arange(n_cust * n_months), rng.poisson(rate).ravel())
    c, m = cell // n_months, cell % n_months
    n = len(c)

    # day of the month, weekdays much busier than weekends
    day_weight = np.array([1, 1, 1, 1, 1, 0.25, 0.1])[weekday(hist.days)]
    cum = np.cumsum(day_weight)
    first_day = (hist.months.astype("datetime64[D]") - hist.start).astype(np.int64)
    last_day = np.append(first_day[1:], len(cum)) - 1
    lo = np.concatenate([[0.0], cum])[first_day]
    u = lo[m] + rng.random(n) * (cum[last_day][m] - lo[m])
    day = np.minimum(np.searchsorted(cum, u, side="right"), last_day[m])

    a = arch[c]
    channel_probs = np.array([probs_for(x.order_channel_weights, ORDER_CHANNELS) for x in ARCHETYPES])
    channel = choose_per_group(rng, a, channel_probs)
    edi = channel == ORDER_CHANNELS.index("edi")
    hour = np.where(edi, rng.uniform(0, 24, n), 7 + rng.beta(2, 2, n) * 13)
    order_ts = hist.start.astype("datetime64[s]") + seconds(day * 86400 + hour * 3600)

    keep = order_ts >= cust["created_at"].to_numpy()[c]
    c, m, a, channel, order_ts = c[keep], m[keep], a[keep], channel[keep], order_ts[keep]
    sort = np.lexsort((c, order_ts))
    c, m, a, channel, order_ts = c[sort], m[sort], a[sort], channel[sort], order_ts[sort]
    n = len(c)

    q4 = np.isin(hist.calendar_month[m], [9, 10, 11])
    exp_share = cust["expedited_share"].to_numpy()[c] * np.where(q4 & (a == SEASONAL_RETAILER), 1.5, 1.0)
    expedited = rng.random(n) < exp_share
    cancelled = rng.random(n) < np.array([x.cancel_rate for x in ARCHETYPES])[a]
    dc = _order_dcs(ent, c, rng)

    lead = np.where(np.isin(a, [KEY_ACCOUNT, DISTRIBUTOR]), rng.integers(3, 8, n), rng.integers(2, 6, n))
    requested = order_ts.astype("datetime64[D]") + days(np.where(expedited, 1, lead))
    return pd.DataFrame(
        {
            "order_id": np.arange(1, n + 1),
            "customer": c,
            "customer_id": c + 1,
            "archetype": a,
            "order_ts": order_ts,
            "month": m,
            "dc": dc,
            "ship_from_dc_id": dc + 1,
            "order_channel": np.array(ORDER_CHANNELS)[channel],
            "expedited": expedited,
            "priority": np.where(expedited, "expedited", "standard"),
            "cancelled": cancelled,
            "requested_delivery_date": requested,
        }
    )


def _order_dcs(ent: Entities, customer: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ship-from DC per order: home DC mostly, sometimes the national or a cold-chain DC."""
    dc_type = ent.dcs["dc_type"].to_numpy()
    cold = np.flatnonzero(dc_type == "cold_chain")
    home = ent.customers["home_dc"].to_numpy()[customer]
    u = rng.random(len(customer))
    dc = home.copy()
    dc[(u < 0.12) & (home != 0)] = 0
    if len(cold):
        to_cold = (u >= 0.12) & (u < 0.20)
        dc[to_cold] = rng.choice(cold, size=int(to_cold.sum()))
    return dc


def _draw_lines(orders: pd.DataFrame, ent: Entities, hist: History, rng: np.random.Generator) -> pd.DataFrame:
    """Lines per order: count by archetype, SKU by DC assortment and time-varying popularity,
    quantity by archetype and customer size, back-dated list price, discount."""
    prod = ent.products
    n_orders, n_months = len(orders), hist.n_months
    cust = orders["customer"].to_numpy()
    arch = orders["archetype"].to_numpy()
    dc = orders["dc"].to_numpy()
    month = orders["month"].to_numpy()

    lines_mean = ent.customers["lines_mean"].to_numpy()[cust]
    n_lines = 1 + rng.poisson(np.maximum(lines_mean - 1, 0))
    small = arch == SMALL_FREQUENT
    n_lines[small] = rng.choice([1, 2, 3], size=int(small.sum()), p=SMALL_ORDER_LINE_PROBS)
    n_lines = np.minimum(n_lines, np.minimum(60, np.maximum(1, ent.stocked.sum(axis=0)[dc] // 3)))
    o = np.repeat(np.arange(n_orders), n_lines)

    # SKU: sample within (DC, month, archetype) from the DC's stocked SKUs
    n_arch = len(ARCHETYPES)
    weight = (
        prod["popularity"].to_numpy()[:, None] * ent.lifecycle * category_season(prod, hist.months) * ent.demand_shock
    )
    affinity = np.array([[a.category_affinity.get(c.name, 1.0) for c in CATEGORIES] for a in ARCHETYPES])
    affinity = affinity[:, prod["category_index"].to_numpy()]  # [archetype, sku]
    group = (dc[o] * n_months + month[o]) * n_arch + arch[o]
    by_group = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[by_group], np.arange(len(ent.dcs) * n_months * n_arch + 1))
    sku = np.empty(len(o), dtype=np.int64)
    for d in range(len(ent.dcs)):
        candidates = np.flatnonzero(ent.stocked[:, d])
        for mm in range(n_months):
            for a in range(n_arch):
                g = (d * n_months + mm) * n_arch + a
                idx = by_group[bounds[g] : bounds[g + 1]]
                if len(idx):
                    cdf = np.cumsum(weight[candidates, mm] * affinity[a, candidates])
                    pick = np.searchsorted(cdf, rng.random(len(idx)) * cdf[-1], side="right")
                    sku[idx] = candidates[np.minimum(pick, len(candidates) - 1)]

    # one line per SKU within an order
    key = o * len(prod) + sku
    srt = np.argsort(key, kind="stable")
    dup = np.zeros(len(key), dtype=bool)
    dup[srt[1:]] = key[srt[1:]] == key[srt[:-1]]
    o, sku = o[~dup], sku[~dup]
    line_number = rank_within_runs(o) + 1
    n = len(o)

    a = arch[o]
    c = cust[o]
    cost_median = np.array([x.cost_median for x in CATEGORIES])[prod["category_index"].to_numpy()]
    unit_cost = prod["unit_cost"].to_numpy()
    sku_factor = np.clip((cost_median / unit_cost)[sku] ** 0.3, 0.4, 2.5)
    median = np.array([x.qty_median for x in ARCHETYPES])[a] * ent.customers["qty_scale"].to_numpy()[c] * sku_factor
    sigma = np.array([x.qty_sigma for x in ARCHETYPES])[a]
    qty = np.maximum(1, np.round(rng.lognormal(np.log(median), sigma)))
    small_line = a == SMALL_FREQUENT
    qty[small_line] = np.minimum(rng.geometric(0.5, int(small_line.sum())), 8)
    pack = prod["case_pack"].to_numpy()[sku]
    by_case = np.array([x.case_pack_orders for x in ARCHETYPES])[a]
    qty = np.where(by_case, np.ceil(qty / pack) * pack, qty).astype(np.int64)

    years_back = (n_months - 1 - month[o]) / 12.0
    price = np.round(prod["list_price"].to_numpy()[sku] * (1 + YEARLY_INFLATION) ** -years_back, 2)
    base = ent.customers["discount_base"].to_numpy()[c]
    discount = np.clip(base + rng.normal(0, 1.0, n), 0, 35)
    discount[small_line & (rng.random(n) < 0.65)] = 0.0
    discount = np.round(discount * 2) / 2

    return pd.DataFrame(
        {
            "order": o,
            "order_id": o + 1,
            "line_number": line_number,
            "sku": sku,
            "sku_id": sku + 1,
            "quantity_ordered": qty,
            "unit_price": price,
            "discount_pct": discount,
        }
    )


def _plan_shipments(
    orders: pd.DataFrame, lines: pd.DataFrame, ent: Entities, hist: History, rng: np.random.Generator
) -> np.ndarray:
    """Assign each line to a shipment group and plan the group ship times.

    Chilled/frozen lines travel in their own temperature-controlled shipment;
    large orders are sometimes split into a second wave 1-4 days later.
    Lines whose group ships after the end of history are not eligible to ship.
    """
    n = len(orders)
    o = lines["order"].to_numpy()
    handling = ent.products["handling_class"].to_numpy()[lines["sku"].to_numpy()]
    cold = np.isin(handling, ["chilled", "frozen"])
    n_lines = np.bincount(o, minlength=n)
    split = rng.random(n) < 0.04 + 0.25 * (n_lines >= 12)
    second = split[o] & (rng.random(len(o)) < 0.35)
    lines["group"] = np.where(cold, GROUP_COLD, np.where(second, GROUP_SECOND, GROUP_MAIN))

    arch = orders["archetype"].to_numpy()
    scheduled = np.isin(arch, [KEY_ACCOUNT, DISTRIBUTOR])
    delay = np.where(
        orders["expedited"].to_numpy(),
        rng.uniform(1.5, 8, n),
        np.where(scheduled, rng.uniform(24, 120, n), rng.uniform(10, 60, n)),
    )
    first = orders["order_ts"].to_numpy() + hours(delay)
    group_ts = np.stack([first + hours(rng.uniform(0, 4, n)), first, first + hours(rng.uniform(24, 96, n))], axis=1)
    ship_ts = group_ts[o, lines["group"].to_numpy()]
    lines["eligible"] = ~orders["cancelled"].to_numpy()[o] & (ship_ts <= hist.end_ts)
    lines["ship_ts"] = ship_ts
    return group_ts


def fulfil(book: OrderBook, fill: np.ndarray, ent: Entities, hist: History, rng: np.random.Generator) -> pd.DataFrame:
    """Apply fill rates, set quantity_shipped / order_status / updated_at, return shipment skeletons.

    ``fill`` holds the simulated fill rate per line (1 = in stock). Returns one
    row per (order, group) that ships something, with its ship_ts, weight,
    volume, units and line count.
    """
    orders, lines = book.orders, book.lines
    qty = lines["quantity_ordered"].to_numpy()
    eligible = lines["eligible"].to_numpy()
    o = lines["order"].to_numpy()
    n = len(lines)

    frac = np.clip(fill * rng.uniform(0.5, 1.5, n), 0, 1)
    shipped = np.where(fill < 1, np.floor(qty * frac), qty).astype(np.int64)
    damaged = (fill >= 1) & (qty > 1) & (rng.random(n) < 0.01)
    cut = np.maximum(1, np.floor(qty[damaged] * rng.uniform(0, 0.3, int(damaged.sum()))))
    shipped[damaged] -= cut.astype(np.int64)
    shipped[~eligible] = 0

    # an order that can ship always ships at least its first eligible line
    per_order = np.bincount(o, weights=shipped, minlength=len(orders))
    idx = np.flatnonzero(eligible)
    first = idx[first_of_runs(o[idx])]
    force = first[per_order[o[first]] == 0]
    shipped[force] = qty[force]
    lines["quantity_shipped"] = shipped

    skeleton = _shipment_skeletons(book, ent)
    m = len(orders)
    has_shipment = np.zeros(m, dtype=bool)
    has_shipment[skeleton["order"].to_numpy()] = True
    status = np.where(orders["cancelled"].to_numpy(), "cancelled", np.where(has_shipment, "shipped", "open"))
    orders["order_status"] = status

    order_ts = orders["order_ts"].to_numpy()
    last_ship = np.full(m, np.datetime64("NaT", "s"))
    by_time = skeleton.sort_values(["order", "ship_ts"], kind="stable")
    last_ship[by_time["order"].to_numpy()] = by_time["ship_ts"].to_numpy()  # the latest write wins
    updated = np.where(
        status == "shipped",
        last_ship + hours(rng.uniform(0, 2, m)),
        np.where(
            status == "cancelled", order_ts + hours(rng.uniform(1, 48, m)), order_ts + hours(rng.uniform(0, 0.5, m))
        ),
    )
    orders["updated_at"] = np.minimum(updated, hist.end_ts)
    lines["updated_at"] = orders["updated_at"].to_numpy()[o]
    return skeleton


def _shipment_skeletons(book: OrderBook, ent: Entities) -> pd.DataFrame:
    """Aggregate the shipped lines per (order, group) into shipment skeletons."""
    lines = book.lines
    sent = lines["quantity_shipped"].to_numpy() > 0
    o = lines["order"].to_numpy()[sent]
    g = lines["group"].to_numpy()[sent]
    sku = lines["sku"].to_numpy()[sent]
    units = lines["quantity_shipped"].to_numpy()[sent]
    key = o * N_GROUPS + g
    uniq, inverse = np.unique(key, return_inverse=True)
    weight = np.bincount(inverse, weights=units * ent.products["unit_weight_kg"].to_numpy()[sku])
    volume = np.bincount(inverse, weights=units * ent.products["unit_volume_m3"].to_numpy()[sku])
    order, group = uniq // N_GROUPS, uniq % N_GROUPS
    return pd.DataFrame(
        {
            "order": order,
            "group": group,
            "ship_ts": book.group_ts[order, group],
            "weight_kg": np.round(weight, 3),
            "volume_m3": np.round(volume, 6),
            "units": np.bincount(inverse, weights=units).astype(np.int64),
            "n_lines": np.bincount(inverse),
        }
    )


def build_returns(
    book: OrderBook, shipments: pd.DataFrame, ent: Entities, hist: History, rng: np.random.Generator
) -> pd.DataFrame:
    """Returns of delivered lines: rate by customer archetype, 1-30 days after delivery.

    Returns that would be dated after the end of history have not happened yet.
    Late deliveries raise the chance of a return and often carry reason 'late'.
    """
    lines, orders = book.lines, book.orders
    sent = np.flatnonzero(lines["quantity_shipped"].to_numpy() > 0)
    o = lines["order"].to_numpy()[sent]
    ship_key = shipments["order"].to_numpy() * N_GROUPS + shipments["group"].to_numpy()
    order_of_key = np.argsort(ship_key)
    pos = order_of_key[np.searchsorted(ship_key[order_of_key], o * N_GROUPS + lines["group"].to_numpy()[sent])]
    delivered = shipments["delivered_ts"].to_numpy()[pos]
    late = shipments["is_late"].to_numpy()[pos]

    cust = orders["customer"].to_numpy()[o]
    rate = ent.customers["return_rate"].to_numpy()[cust] * np.where(late, 1.5, 1.0)
    n = len(sent)
    returned = ~np.isnat(delivered) & (rng.random(n) < rate)
    return_date = delivered.astype("datetime64[D]") + days(rng.integers(1, 31, n))
    returned &= return_date <= hist.end
    idx = np.flatnonzero(returned)

    line_rows = sent[idx]
    shipped = lines["quantity_shipped"].to_numpy()[line_rows]
    qty = np.where(rng.random(len(idx)) < 0.5, shipped, 1 + np.floor(rng.random(len(idx)) * shipped)).astype(np.int64)
    arch = orders["archetype"].to_numpy()[o[idx]]
    wholesaler = arch == WHOLESALER
    reasons = np.array(RETURN_REASONS)
    mix_default = np.array([0.35, 0.25, 0.0, 0.20, 0.20])
    mix_wholesale = np.array([0.20, 0.15, 0.0, 0.35, 0.30])
    reason = np.where(
        wholesaler,
        rng.choice(len(reasons), len(idx), p=mix_wholesale),
        rng.choice(len(reasons), len(idx), p=mix_default),
    )
    reason[late[idx] & (rng.random(len(idx)) < 0.5)] = RETURN_REASONS.index("late")

    returns = pd.DataFrame(
        {
            "order_id": lines["order_id"].to_numpy()[line_rows],
            "line_number": lines["line_number"].to_numpy()[line_rows],
            "sku_id": lines["sku_id"].to_numpy()[line_rows],
            "dc": orders["dc"].to_numpy()[o[idx]],
            "return_date": return_date[idx],
            "quantity_returned": qty,
            "return_reason": reasons[reason],
        }
    )
    returns = returns.sort_values(["return_date", "order_id", "line_number"], kind="stable", ignore_index=True)
    returns.insert(0, "return_id", np.arange(1, len(returns) + 1))
    return returns
