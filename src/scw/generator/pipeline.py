"""``generate``: runs the whole model and writes the extracts, finance extracts and truth files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from .config import ARCHETYPE_NAMES, SCALES, History, Streams
from .contract import TABLES, IdFormatter, to_contract
from .defects import RULES, defect_count, inject
from .entities import build_entities
from .finance import build_budget, build_general_ledger, build_invoices
from .inventory import build_forecasts, simulate
from .logistics import build_activities, build_shipments
from .orders import build_returns, fulfil, plan_orders
from .writer import FORMATS, write_json, write_plain_csv, write_table

MAX_DEFECT_RATE = 0.05


def generate(
    scale: str = "demo",
    seed: int = 7,
    out: str | Path = "data/raw",
    fmt: str = "parquet",
    finance_out: str | Path | None = None,
    truth_out: str | Path | None = None,
    defect_rate: float = 0.003,
    end_month: str = "2026-10",
    archetype_shares: dict[str, float] | None = None,
) -> dict[str, int]:
    """Generate the demo data set and return the row count of every written table/seed.

    Same arguments -> byte-identical output. ``end_month`` (``YYYY-MM``) is the
    last full month of history; the history length depends on ``scale``.
    Everything is written under ``out``: the extracts, the finance extracts
    in ``out/finance`` and the ground truth in ``out/ground_truth``, unless
    ``finance_out`` or ``truth_out`` say where. ``archetype_shares`` (name ->
    share) replaces the default customer mix of config.ARCHETYPES.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, got {scale!r}")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not 0 <= defect_rate <= MAX_DEFECT_RATE:
        raise ValueError(f"defect_rate must be between 0 and {MAX_DEFECT_RATE}, got {defect_rate}")
    cfg = SCALES[scale]
    hist = History.from_end_month(end_month, cfg.n_months)
    streams = Streams(seed)
    out = Path(out)
    finance_out = out / "finance" if finance_out is None else Path(finance_out)
    truth_out = out / "ground_truth" if truth_out is None else Path(truth_out)

    ent = build_entities(cfg, hist, streams, archetype_shares)
    book = plan_orders(ent, hist, cfg, streams)
    inv = simulate(book, ent, hist, streams.get("inventory"))
    skeleton = fulfil(book, inv.line_fill, ent, hist, streams.get("fulfil"))
    shipments = build_shipments(skeleton, book, ent, hist, streams.get("shipments"))
    returns = build_returns(book, shipments, ent, hist, streams.get("returns"))
    invoices = build_invoices(book, shipments, ent, hist, streams.get("invoices"))
    activities = build_activities(book, shipments, inv.receipts, returns, ent, hist, streams.get("activities"))
    forecasts = build_forecasts(book, inv, ent, hist, streams.get("forecasts"))

    ids = IdFormatter(
        {
            "customer": len(ent.customers),
            "sku": len(ent.products) + defect_count(defect_rate, len(ent.products)),
            "dc": len(ent.dcs),
            "supplier": len(ent.suppliers),
            "carrier": len(ent.carriers),
            "order": len(book.orders),
            "shipment": len(shipments),
            "activity": len(activities),
            "receipt": len(inv.receipts),
            "po": int(inv.receipts["po_id"].max()) if len(inv.receipts) else 0,
            "invoice": len(invoices),
            "return": len(returns),
            "consolidation": int(shipments["consolidation_id"].max()) if len(shipments) else 0,
        }
    )
    dc_codes = ids.format("dc", ent.dcs["dc_id"]).tolist()
    gl = build_general_ledger(
        dc_codes,
        ent,
        book.orders,
        shipments,
        activities,
        returns,
        invoices,
        inv.snapshots,
        hist,
        streams.get("general_ledger"),
    )
    budget, deliberate = build_budget(gl, hist, streams.get("budget"))

    # hand the internal frames over one by one, so each is freed once converted
    internal = {
        "erp_customers": ent.customers,
        "erp_products": ent.products,
        "erp_sales_orders": book.orders,
        "erp_sales_order_lines": book.lines,
        "erp_purchase_receipts": inv.receipts,
        "erp_invoices": invoices,
        "erp_returns": returns,
        "wms_distribution_centers": ent.dcs,
        "wms_inventory_snapshots": inv.snapshots,
        "wms_activities": activities,
        "tms_carriers": ent.carriers,
        "tms_shipments": shipments,
        "crm_accounts": ent.accounts,
        "crm_demand_forecasts": forecasts,
    }
    del book, inv, shipments, returns, invoices, activities, forecasts, skeleton
    tables = {name: to_contract(name, internal.pop(name), ids) for name in TABLES}
    manifest = inject(tables, defect_rate, ent, hist, ids, streams.get("defects"))

    for path in (out, finance_out, truth_out):
        path.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TABLES:
        write_table(name, tables[name], out, fmt)
        counts[name] = len(tables[name])
    write_plain_csv(gl, finance_out / "general_ledger.csv", money_columns=("amount",))
    write_plain_csv(budget, finance_out / "cost_to_serve_budget.csv", money_columns=("budget_amount",))
    counts["general_ledger"] = len(gl)
    counts["cost_to_serve_budget"] = len(budget)

    archetypes = pd.DataFrame(
        {
            "customer_id": ids.format("customer", ent.customers["customer_id"]),
            "archetype": np.array(ARCHETYPE_NAMES)[ent.customers["archetype"].to_numpy()],
        }
    )
    write_plain_csv(archetypes, truth_out / "customer_archetypes.csv")
    write_plain_csv(manifest, truth_out / "injected_defects.csv")
    write_json(
        _manifest_json(
            scale, seed, end_month, fmt, defect_rate, hist, counts, manifest, archetypes, ent, ids, deliberate
        ),
        truth_out / "generation_manifest.json",
    )
    return counts


def _manifest_json(
    scale, seed, end_month, fmt, defect_rate, hist, counts, manifest, archetypes, ent, ids, deliberate
) -> dict:
    """The generation manifest: parameters, window, row counts, defect counts, planted signals."""
    defects = {rule: {} for rule in RULES}
    for (table, rule), n in manifest.groupby(["source_table", "rule"]).size().items():
        defects[rule][table] = int(n)
    disrupted = ent.suppliers.loc[ent.suppliers["disrupted"], "supplier_id"]
    return {
        "generator_version": __version__,
        "scale": scale,
        "seed": int(seed),
        "end_month": end_month,
        "history_start": str(hist.start),
        "history_end": str(hist.end),
        "n_months": hist.n_months,
        "format": fmt,
        "defect_rate": defect_rate,
        "row_counts": counts,
        "defect_counts": defects,
        "archetype_counts": {k: int(v) for k, v in archetypes["archetype"].value_counts().sort_index().items()},
        "supplier_disruption": {
            "months": [str(m) for m in hist.months[hist.disruption_months]],
            "supplier_ids": ids.format("supplier", disrupted).tolist(),
            "lead_time_factor": 2.0,
        },
        "budget_deliberate_variances": deliberate,
    }
