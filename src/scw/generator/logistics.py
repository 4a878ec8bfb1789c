"""Transport (TMS shipments) and warehouse operations (WMS activities)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import (
    ACTIVITY_TYPES,
    ARCHETYPES,
    CONSOLIDATED_MODES,
    CONSOLIDATION_DISCOUNT,
    EXPEDITED_PARCEL_MAX_KG,
    INTER_REGION_FREIGHT,
    PARCEL_MAX_KG,
    TRANSIT_DAYS,
    History,
    weekday,
)
from .entities import Entities
from .orders import GROUP_COLD, OrderBook
from .sampling import days, hours, lookup, seconds


def build_shipments(
    skeleton: pd.DataFrame, book: OrderBook, ent: Entities, hist: History, rng: np.random.Generator
) -> pd.DataFrame:
    """Mode, carrier, freight, delivery and consolidation for each shipment skeleton.

    Mode: temperature-controlled groups go reefer; expedited orders parcel
    (light) or expedited_air; otherwise by weight parcel / LTL / FTL (the FTL
    threshold depends on the archetype). Consolidation groups same-day LTL and
    reefer shipments of different orders from one DC to one region on one carrier.
    """
    orders = book.orders
    o = skeleton["order"].to_numpy()
    n = len(skeleton)
    weight = skeleton["weight_kg"].to_numpy()
    cold = skeleton["group"].to_numpy() == GROUP_COLD
    expedited = orders["expedited"].to_numpy()[o]
    arch = orders["archetype"].to_numpy()[o]
    ftl_threshold = np.array([a.ftl_threshold_kg for a in ARCHETYPES])[arch]
    mode = np.where(
        cold,
        "reefer",
        np.where(
            expedited,
            np.where(weight < EXPEDITED_PARCEL_MAX_KG, "parcel", "expedited_air"),
            np.where(weight < PARCEL_MAX_KG, "parcel", np.where(weight < ftl_threshold, "ltl", "ftl")),
        ),
    )

    carriers = ent.carriers
    carrier = np.empty(n, dtype=np.int64)
    for m in np.unique(mode):
        idx = np.flatnonzero(mode == m)
        options = np.flatnonzero(carriers["mode"].to_numpy() == m)
        share = np.linspace(1.5, 1.0, len(options))
        carrier[idx] = rng.choice(options, size=len(idx), p=share / share.sum())

    customer = orders["customer"].to_numpy()[o]
    dc = orders["dc"].to_numpy()[o]
    destination = ent.customers["region"].to_numpy()[customer]
    inter_region = ent.dcs["region"].to_numpy()[dc] != destination
    ship_ts = skeleton["ship_ts"].to_numpy()
    ship_day = ship_ts.astype("datetime64[D]")

    consolidated = np.zeros(n, dtype=bool)
    consolidation_id = np.full(n, -1, dtype=np.int64)
    candidates = np.flatnonzero(np.isin(mode, CONSOLIDATED_MODES))
    if len(candidates):
        frame = pd.DataFrame(
            {
                "day": ship_day[candidates],
                "dc": dc[candidates],
                "region": destination[candidates],
                "carrier": carrier[candidates],
                "order": o[candidates],
            }
        )
        keys = ["day", "dc", "region", "carrier"]
        n_orders = frame.groupby(keys, sort=True)["order"].transform("nunique").to_numpy()
        shared = n_orders >= 2
        group_no = frame[shared].groupby(keys, sort=True).ngroup().to_numpy()
        consolidated[candidates[shared]] = True
        consolidation_id[candidates[shared]] = group_no + 1

    base = carriers["base_cost"].to_numpy()[carrier]
    per_kg = carriers["cost_per_kg"].to_numpy()[carrier]
    freight = (base + per_kg * weight) * np.where(inter_region, INTER_REGION_FREIGHT, 1.0)
    freight *= np.where(consolidated, CONSOLIDATION_DISCOUNT, 1.0) * rng.lognormal(0, 0.06, n)
    freight = np.maximum(np.round(freight, 2), 1.0)

    transit = lookup(mode, TRANSIT_DAYS) + inter_region
    promised = ship_day + days(transit)
    on_time = rng.random(n) < carriers["on_time_rate"].to_numpy()[carrier]
    early = on_time & (transit >= 2) & (rng.random(n) < 0.3)
    late_by = rng.geometric(0.55, n)
    delivered_day = promised + days(np.where(on_time, -early.astype(np.int64), late_by))
    delivered = delivered_day.astype("datetime64[s]") + hours(rng.uniform(8, 18, n))
    delivered = np.maximum(delivered, ship_ts + hours(2))
    delivered = np.where(delivered <= hist.end_ts, delivered, np.datetime64("NaT", "s"))

    frame = pd.DataFrame(
        {
            "order": o,
            "group": skeleton["group"].to_numpy(),
            "order_id": o + 1,
            "carrier_id": carrier + 1,
            "mode": mode,
            "origin_dc_id": dc + 1,
            "destination_region": destination,
            "ship_ts": ship_ts,
            "promised_delivery_date": promised,
            "delivered_ts": delivered,
            "weight_kg": weight,
            "volume_m3": skeleton["volume_m3"].to_numpy(),
            "freight_cost": freight,
            "is_temperature_controlled": cold,
            "is_expedited": expedited,
            "consolidation_id": consolidation_id,
            "is_late": ~np.isnat(delivered) & (delivered.astype("datetime64[D]") > promised),
            "units": skeleton["units"].to_numpy(),
            "n_lines": skeleton["n_lines"].to_numpy(),
        }
    )
    frame = frame.sort_values(["ship_ts", "order", "group"], kind="stable", ignore_index=True)
    frame.insert(0, "shipment_id", np.arange(1, n + 1))
    return frame


# ------------------------------------------------------------------------ activities

_PICK_MINUTES_PER_UNIT = {"ambient": 0.08, "chilled": 0.12, "frozen": 0.15, "hazardous": 0.2, "high_value": 0.18}
_LOADING_MINUTES = {"parcel": 1.0, "expedited_air": 2.0, "ltl": 10.0, "ftl": 35.0, "reefer": 15.0}


def build_activities(
    book: OrderBook,
    shipments: pd.DataFrame,
    receipts: pd.DataFrame,
    returns: pd.DataFrame,
    ent: Entities,
    hist: History,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """WMS activities derived from receipts, shipped lines, shipments, returns and weekly counts.

    Ordered by time and numbered in that order; activities in the same second keep
    the order of the blocks below (a stable sort), which keeps the result deterministic.
    """
    parts = [
        *_inbound(receipts, rng),
        *_picking(book, ent, rng),
        *_outbound(shipments, rng),
        _returns_processing(returns, rng),
        _cycle_counts(ent, hist, rng),
    ]
    columns = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    order = np.argsort(columns["activity_ts"], kind="stable")
    frame = pd.DataFrame({name: values[order] for name, values in columns.items()})
    frame["activity_type"] = pd.Categorical.from_codes(frame["activity_type"].to_numpy(), ACTIVITY_TYPES)
    frame["labor_minutes"] = np.round(frame["labor_minutes"].to_numpy(), 2)
    frame.insert(0, "activity_id", np.arange(1, len(frame) + 1))
    return frame


def _activity(dc_id, activity_type, ts, minutes, units, order_id=None, line_number=None) -> dict[str, np.ndarray]:
    """Columns of one block of activities; order_id/line_number -1 = not related to an order line."""
    n = len(ts)
    none = np.full(n, -1, dtype=np.int64)
    return {
        "dc_id": np.asarray(dc_id, dtype=np.int64),
        "order_id": none if order_id is None else np.asarray(order_id, dtype=np.int64),
        "line_number": none if line_number is None else np.asarray(line_number, dtype=np.int64),
        "activity_type": np.full(n, ACTIVITY_TYPES.index(activity_type), dtype=np.int8),
        "activity_ts": np.asarray(ts, dtype="datetime64[s]"),
        "labor_minutes": np.maximum(np.asarray(minutes, dtype=float), 0.1),
        "units_handled": np.asarray(units, dtype=np.int64),
    }


def _inbound(receipts: pd.DataFrame, rng: np.random.Generator) -> tuple[dict, dict]:
    """Receiving and putaway per purchase receipt."""
    n = len(receipts)
    qty = receipts["quantity_received"].to_numpy()
    received = receipts["receipt_date"].to_numpy().astype("datetime64[s]") + hours(rng.uniform(6, 14, n))
    putaway = received + hours(rng.uniform(0.5, 4, n))
    dc = receipts["dc_id"].to_numpy()
    return (
        _activity(dc, "receiving", received, (8 + 0.012 * qty) * rng.lognormal(0, 0.2, n), qty),
        _activity(dc, "putaway", putaway, (4 + 0.02 * qty) * rng.lognormal(0, 0.2, n), qty),
    )


def _picking(book: OrderBook, ent: Entities, rng: np.random.Generator) -> tuple[dict, dict]:
    """Picking per shipped line (minutes by units and handling class) and value-added
    services for part of the key-account lines; picked shortly before the shipment leaves."""
    lines, orders = book.lines, book.orders
    sent = np.flatnonzero(lines["quantity_shipped"].to_numpy() > 0)
    o = lines["order"].to_numpy()[sent]
    ship_ts = book.group_ts[o, lines["group"].to_numpy()[sent]]
    order_ts = orders["order_ts"].to_numpy()[o]
    n = len(sent)
    pick_ts = np.maximum(ship_ts - hours(rng.uniform(0.5, 3, n)), order_ts + seconds(60))
    units = lines["quantity_shipped"].to_numpy()[sent]
    sku_rate = lookup(ent.products["handling_class"].to_numpy(), _PICK_MINUTES_PER_UNIT)
    rate = sku_rate[lines["sku"].to_numpy()[sent]]
    minutes = (0.4 + units * rate) * rng.lognormal(0, 0.25, n)
    dc = orders["dc"].to_numpy()[o] + 1
    order_id, line_number = o + 1, lines["line_number"].to_numpy()[sent]
    picking = _activity(dc, "picking", pick_ts, minutes, units, order_id, line_number)

    share = np.array([a.value_added_share for a in ARCHETYPES])[orders["archetype"].to_numpy()[o]]
    va = rng.random(n) < share
    value_added = _activity(
        dc[va],
        "value_added",
        pick_ts[va] + seconds(300),
        (1 + 0.05 * units[va]) * rng.lognormal(0, 0.2, int(va.sum())),
        units[va],
        order_id[va],
        line_number[va],
    )
    return picking, value_added


def _outbound(shipments: pd.DataFrame, rng: np.random.Generator) -> tuple[dict, dict]:
    """Packing (6-25 min before departure, after picking) and loading per shipment."""
    n = len(shipments)
    ship_ts = shipments["ship_ts"].to_numpy()
    units = shipments["units"].to_numpy()
    weight = shipments["weight_kg"].to_numpy()
    dc, order_id = shipments["origin_dc_id"].to_numpy(), shipments["order_id"].to_numpy()
    pack_minutes = (2 + 0.03 * units + 0.5 * shipments["n_lines"].to_numpy()) * rng.lognormal(0, 0.2, n)
    load_base = lookup(shipments["mode"].to_numpy(), _LOADING_MINUTES)
    load_minutes = (load_base + weight / 200.0 * (load_base >= 10)) * rng.lognormal(0, 0.2, n)
    return (
        _activity(dc, "packing", ship_ts - seconds(rng.uniform(360, 1500, n)), pack_minutes, units, order_id),
        _activity(dc, "loading", ship_ts - seconds(rng.uniform(0, 300, n)), load_minutes, units, order_id),
    )


def _returns_processing(returns: pd.DataFrame, rng: np.random.Generator) -> dict:
    """Returns processing per return at the DC that shipped the order."""
    n = len(returns)
    qty = returns["quantity_returned"].to_numpy()
    ts = returns["return_date"].to_numpy().astype("datetime64[s]") + hours(rng.uniform(8, 17, n))
    return _activity(
        returns["dc"].to_numpy() + 1,
        "returns_processing",
        ts,
        (4 + 0.4 * qty) * rng.lognormal(0, 0.2, n),
        qty,
        returns["order_id"].to_numpy(),
        returns["line_number"].to_numpy(),
    )


def _cycle_counts(ent: Entities, hist: History, rng: np.random.Generator) -> dict:
    """One cycle count per DC per week (Wednesday early shift)."""
    wednesdays = hist.days[weekday(hist.days) == 2]
    n_dcs = len(ent.dcs)
    day = np.repeat(wednesdays, n_dcs)
    dc = np.tile(np.arange(n_dcs), len(wednesdays))
    skus = ent.stocked.sum(axis=0)[dc]
    counted = np.maximum(1, np.round(skus * rng.uniform(0.15, 0.3, len(day)))).astype(np.int64)
    minutes = (30 + 0.9 * counted) * rng.lognormal(0, 0.15, len(day))
    ts = day.astype("datetime64[s]") + hours(rng.uniform(5.5, 7.5, len(day)))
    return _activity(dc + 1, "cycle_count", ts, minutes, counted)
