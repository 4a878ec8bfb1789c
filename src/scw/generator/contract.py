"""The input contract: tables, columns, types, keys and identifier formats.

``to_contract`` turns an internal frame (integer ids, extra behaviour columns)
into exactly the contract columns, in order, with prefixed string identifiers
and the pandas dtypes the writer maps to Parquet/CSV types:

=========  ======================  ==================================
kind       pandas dtype            Parquet / CSV
=========  ======================  ==================================
string     str                     string / text (NULL = empty field)
date       datetime64[s] midnight  date32 / ``YYYY-MM-DD``
timestamp  datetime64[s]           timestamp (no tz) / ``YYYY-MM-DD HH:MM:SS``
double     float64                 double / fixed ``decimals``
int64      int64 (Int64 if null)   int64 / integer
bool       bool                    bool / ``true``/``false``
=========  ======================  ==================================
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Column:
    """One contract column; ``decimals`` is the CSV precision of doubles."""

    name: str
    kind: str
    nullable: bool = False
    decimals: int = 2


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse ``"name:kind[:decimals][?]"`` items separated by spaces (``?`` = nullable)."""
    columns = []
    for item in spec.split():
        nullable = item.endswith("?")
        parts = item.rstrip("?").split(":")
        decimals = int(parts[2]) if len(parts) > 2 else 2
        columns.append(Column(parts[0], parts[1], nullable, decimals))
    return tuple(columns)


TABLES: dict[str, tuple[Column, ...]] = {
    "erp_customers": _cols(
        "customer_id:string customer_name:string parent_customer_id:string? channel:string region:string "
        "country_code:string credit_rating:string payment_terms_days:int64 created_at:timestamp updated_at:timestamp"
    ),
    "erp_products": _cols(
        "sku_id:string product_name:string category:string subcategory:string unit_cost:double:2 "
        "list_price:double:2 unit_weight_kg:double:3 unit_volume_m3:double:6 lifecycle_stage:string "
        "is_perishable:bool shelf_life_days:int64? handling_class:string supplier_id:string updated_at:timestamp"
    ),
    "erp_sales_orders": _cols(
        "order_id:string customer_id:string order_ts:timestamp requested_delivery_date:date ship_from_dc_id:string "
        "order_channel:string priority:string order_status:string updated_at:timestamp"
    ),
    "erp_sales_order_lines": _cols(
        "order_id:string line_number:int64 sku_id:string quantity_ordered:int64 quantity_shipped:int64 "
        "unit_price:double:2 discount_pct:double:1 updated_at:timestamp"
    ),
    "erp_purchase_receipts": _cols(
        "receipt_id:string po_id:string sku_id:string supplier_id:string dc_id:string po_date:date "
        "receipt_date:date quantity_received:int64 unit_cost:double:2"
    ),
    "erp_invoices": _cols(
        "invoice_id:string order_id:string customer_id:string invoice_date:date due_date:date paid_date:date? "
        "invoice_amount:double:2"
    ),
    "erp_returns": _cols(
        "return_id:string order_id:string line_number:int64 sku_id:string return_date:date "
        "quantity_returned:int64 return_reason:string"
    ),
    "wms_distribution_centers": _cols(
        "dc_id:string dc_name:string region:string dc_type:string is_temperature_controlled:bool"
    ),
    "wms_inventory_snapshots": _cols(
        "snapshot_date:date dc_id:string sku_id:string on_hand_qty:int64 allocated_qty:int64 on_order_qty:int64"
    ),
    "wms_activities": _cols(
        "activity_id:string dc_id:string order_id:string? line_number:int64? activity_type:string "
        "activity_ts:timestamp labor_minutes:double:2 units_handled:int64"
    ),
    "tms_carriers": _cols("carrier_id:string carrier_name:string mode:string is_3pl:bool"),
    "tms_shipments": _cols(
        "shipment_id:string order_id:string carrier_id:string mode:string origin_dc_id:string "
        "destination_region:string ship_ts:timestamp promised_delivery_date:date delivered_ts:timestamp? "
        "weight_kg:double:3 volume_m3:double:6 freight_cost:double:2 is_temperature_controlled:bool "
        "is_expedited:bool consolidation_id:string?"
    ),
    "crm_accounts": _cols(
        "customer_id:string account_manager:string sla_tier:string is_strategic:bool contract_start_date:date "
        "contract_end_date:date target_otif_pct:double:1 late_penalty_pct:double:1 updated_at:timestamp"
    ),
    "crm_demand_forecasts": _cols("forecast_month:date sku_id:string dc_id:string forecast_qty:int64"),
}

KEYS: dict[str, tuple[str, ...]] = {
    "erp_customers": ("customer_id",),
    "erp_products": ("sku_id",),
    "erp_sales_orders": ("order_id",),
    "erp_sales_order_lines": ("order_id", "line_number"),
    "erp_purchase_receipts": ("receipt_id",),
    "erp_invoices": ("invoice_id",),
    "erp_returns": ("return_id",),
    "wms_distribution_centers": ("dc_id",),
    "wms_inventory_snapshots": ("snapshot_date", "dc_id", "sku_id"),
    "wms_activities": ("activity_id",),
    "tms_carriers": ("carrier_id",),
    "tms_shipments": ("shipment_id",),
    "crm_accounts": ("customer_id",),
    "crm_demand_forecasts": ("forecast_month", "sku_id", "dc_id"),
}

#: Identifier kinds: prefix and minimum number of digits.
ID_SPECS: dict[str, tuple[str, int]] = {
    "customer": ("C", 6),
    "sku": ("SKU", 5),
    "dc": ("DC", 2),
    "supplier": ("SUP", 3),
    "carrier": ("CAR", 2),
    "order": ("O", 7),
    "shipment": ("SHP", 7),
    "activity": ("ACT", 8),
    "receipt": ("RCV", 6),
    "po": ("PO", 6),
    "invoice": ("INV", 7),
    "return": ("RET", 6),
    "consolidation": ("CONS", 6),
}

#: Which identifier kind each identifier column holds.
ID_COLUMNS: dict[str, str] = {
    "customer_id": "customer",
    "parent_customer_id": "customer",
    "sku_id": "sku",
    "dc_id": "dc",
    "ship_from_dc_id": "dc",
    "origin_dc_id": "dc",
    "supplier_id": "supplier",
    "carrier_id": "carrier",
    "order_id": "order",
    "shipment_id": "shipment",
    "activity_id": "activity",
    "receipt_id": "receipt",
    "po_id": "po",
    "invoice_id": "invoice",
    "return_id": "return",
    "consolidation_id": "consolidation",
}


class IdFormatter:
    """Formats integer ids as ``<prefix><zero-padded number>``.

    The width of each kind is fixed per data set (the minimum width, or more
    when the largest id needs it), so string order equals numeric order.
    """

    def __init__(self, max_ids: dict[str, int]):
        self.widths = {kind: max(width, len(str(int(max_ids.get(kind, 0))))) for kind, (_, width) in ID_SPECS.items()}

    def prefix(self, kind: str) -> str:
        return ID_SPECS[kind][0]

    def _text(self, kind: str, numbers: np.ndarray) -> pa.Array:
        digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), self.widths[kind], "0")
        return pc.binary_join_element_wise(self.prefix(kind), digits, "")

    def format(self, kind: str, values) -> pd.Series:
        """Format ids; negative values (``-1``) become null."""
        values = np.asarray(values, dtype=np.int64)
        missing = values < 0
        top = int(values.max(initial=0))
        if top < len(values):  # repeated ids: format each id once and look the rest up
            text = pc.take(self._text(kind, np.arange(top + 1)), pa.array(np.where(missing, 0, values)))
        else:
            text = self._text(kind, values)
        if missing.any():
            text = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)
        return pd.Series(text, dtype="str")

    def one(self, kind: str, value: int) -> str:
        """Format a single id."""
        return f"{self.prefix(kind)}{int(value):0{self.widths[kind]}d}"

    def unknown(self, kind: str, n: int) -> list[str]:
        """``n`` well-formed ids that no generated entity uses (all-nines numbers counting down)."""
        top = 10 ** self.widths[kind] - 1
        return [self.one(kind, top - i) for i in range(n)]


def to_contract(table: str, frame: pd.DataFrame, ids: IdFormatter) -> pd.DataFrame:
    """Select and convert the contract columns of ``table`` from an internal frame."""
    out = {}
    for col in TABLES[table]:
        values = frame[col.name].to_numpy()
        if col.name in ID_COLUMNS:
            out[col.name] = ids.format(ID_COLUMNS[col.name], values)
        elif col.kind == "string":
            if isinstance(frame[col.name].dtype, pd.CategoricalDtype):
                values = pa.array(frame[col.name]).dictionary_decode()
            out[col.name] = pd.Series(values, dtype="str")
        elif col.kind in ("date", "timestamp"):
            unit = "datetime64[D]" if col.kind == "date" else "datetime64[s]"
            out[col.name] = pd.Series(values.astype(unit).astype("datetime64[s]"))
        elif col.kind == "double":
            out[col.name] = pd.Series(values.astype(np.float64))
        elif col.kind == "int64":
            ints = values.astype(np.int64)
            if col.nullable:
                nullable = pd.array(ints, dtype="Int64")
                nullable[ints < 0] = pd.NA
                out[col.name] = pd.Series(nullable)
            else:
                out[col.name] = pd.Series(ints)
        elif col.kind == "bool":
            out[col.name] = pd.Series(values.astype(bool))
        else:
            raise ValueError(f"unknown column kind {col.kind!r}")
    return pd.DataFrame(out)
