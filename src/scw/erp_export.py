"""``scw export-erp-parameters``: the inventory policy as an ERP upload file.

Reads ``inventory.inventory_policies`` (one row per SKU x DC, the dbt Python
model of models/marts/inventory) from a built warehouse over a read-only
connection and writes the planning parameters the ERP's material master
takes, one row per SKU x DC::

    scw export-erp-parameters --warehouse warehouse/supply_chain.duckdb \\
        --out exports/erp_planning_parameters.csv

Layout (stable: a change is a new version of this contract)
-----------------------------------------------------------
CSV, UTF-8 without byte-order mark, comma-separated, ``\\n`` line ends, one
header row, fields quoted only when they contain a comma or a quote. Columns,
always in this order:

====  ===============  ==================================  ==================
 #    column           from inventory_policies             format
====  ===============  ==================================  ==================
 1    plant            dc_id                               text
 2    material         sku_id                              text
 3    policy_type      policy_type                         text
 4    reorder_point    reorder_point_units                 integer, rounded up
 5    safety_stock     safety_stock_units                  integer, rounded up
 6    lot_size         order_quantity_units                integer, rounded up
 7    min_stock        min_units (else reorder point)      integer, rounded up
 8    max_stock        max_units (else reorder point +     integer, rounded up
                       lot size)
 9    service_level    service_level_target                decimal, 4 places,
                                                           0-1 (0.9500)
10    valid_from       as_of_date (or --valid-from)        date YYYY-MM-DD
====  ===============  ==================================  ==================

Rows are sorted by plant, then material. Quantities are whole units rounded
up (a planner never orders 0.3 units short): ``ceil`` after rounding to 6
decimals, so 12.0000000001 stays 12 and 12.2 becomes 13. Decimals use a
point, never a thousands separator. An empty field means the policy has no
value (e.g. the service level of a SKU x DC waiting for review); the ERP
keeps its own. valid_from is the date the policy was computed as of (column
as_of_date), unless ``--valid-from`` sets it.

Profiles (``--profile``)
------------------------
``generic`` is the layout above. ``sap`` and ``oracle`` write the same
policies in the fields those systems' planning uploads take, derived from
the generic row (so rounding and fallbacks are the same):

``sap``: SAP material master, plant view (table MARC), MRP 1 and 2:

=======  =====================================  ==============================
field    meaning                                from
=======  =====================================  ==============================
WERKS    plant                                  plant
MATNR    material                               material
DISMM    MRP type                               policy_type: forward_stocking
                                                VB (manual reorder point),
                                                central_stocking R1 (time-
                                                phased), make_to_order PD
                                                (MRP), review_required ND (no
                                                planning until reviewed)
MINBE    reorder point                          reorder_point
EISBE    safety stock                           safety_stock
DISLS    lot-sizing procedure                   FX (fixed) with a lot size,
                                                EX (lot for lot) without
BSTFE    fixed lot size                         lot_size (FX only)
MABST    maximum stock level                    max_stock (VB and R1)
LGRAD    service level, %                       service_level x 100, 1 decimal
=======  =====================================  ==============================

``oracle``: Oracle E-Business Suite item-organization planning attributes
(the item interface MTL_SYSTEM_ITEMS_INTERFACE, with the safety stock of
MTL_SAFETY_STOCKS):

=======================  ===========================  ========================
column                   meaning                      from
=======================  ===========================  ========================
ORGANIZATION_CODE        inventory organization       plant
ITEM_NUMBER              item (SEGMENT1)              material
INVENTORY_PLANNING_CODE  1 reorder point, 2 min-max,  policy_type:
                         6 not planned                forward_stocking 1,
                                                      central_stocking 2,
                                                      others 6
MIN_MINMAX_QUANTITY      min-max minimum              min_stock (code 2)
MAX_MINMAX_QUANTITY      min-max maximum              max_stock (code 2)
FIXED_ORDER_QUANTITY     fixed order quantity         lot_size (codes 1, 2)
SAFETY_STOCK_QUANTITY    safety stock                 safety_stock
EFFECTIVITY_DATE         safety stock effective from  valid_from
=======================  ===========================  ========================

A policy type the profile does not know is an error, never a guess. Each
profile's file is replaced atomically like the generic one (default
``exports/erp_planning_parameters_<profile>.csv``).

The file is replaced atomically: it is written to a temporary file in the
target folder and renamed over the old one, so an ERP job that picks the file
up never sees half of it, and a failed export leaves the previous file as it
was. The warehouse is opened read-only, so the export may run while BI tools
read the same file (but not during a ``dbt build``, which holds the write
lock; export from the published copy, ``scw publish``, in that case).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from .warehouse import DEFAULT_WAREHOUSE, warehouse_path

DEFAULT_OUT = "exports/erp_planning_parameters.csv"
SCHEMA = "inventory"
TABLE = "inventory_policies"

#: The file's columns in order: (header, kind).
LAYOUT: list[tuple[str, str]] = [
    ("plant", "text"),
    ("material", "text"),
    ("policy_type", "text"),
    ("reorder_point", "units"),
    ("safety_stock", "units"),
    ("lot_size", "units"),
    ("min_stock", "units"),
    ("max_stock", "units"),
    ("service_level", "rate"),
    ("valid_from", "date"),
]
HEADER = [name for name, _ in LAYOUT]

#: inventory_policies columns the export needs (min_units, max_units and
#: as_of_date are optional, see the module docstring).
REQUIRED_COLUMNS = [
    "sku_id",
    "dc_id",
    "policy_type",
    "reorder_point_units",
    "safety_stock_units",
    "order_quantity_units",
    "service_level_target",
]
OPTIONAL_COLUMNS = ["min_units", "max_units", "as_of_date"]


SAP_HEADER = ["WERKS", "MATNR", "DISMM", "MINBE", "EISBE", "DISLS", "BSTFE", "MABST", "LGRAD"]
SAP_MRP_TYPES = {
    "forward_stocking": "VB",
    "central_stocking": "R1",
    "make_to_order": "PD",
    "review_required": "ND",
}
ORACLE_HEADER = [
    "ORGANIZATION_CODE",
    "ITEM_NUMBER",
    "INVENTORY_PLANNING_CODE",
    "MIN_MINMAX_QUANTITY",
    "MAX_MINMAX_QUANTITY",
    "FIXED_ORDER_QUANTITY",
    "SAFETY_STOCK_QUANTITY",
    "EFFECTIVITY_DATE",
]
ORACLE_PLANNING_CODES = {"forward_stocking": "1", "central_stocking": "2", "make_to_order": "6", "review_required": "6"}


class ExportError(RuntimeError):
    """The warehouse cannot produce a valid export (missing table, column, key)."""


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def round_up_units(value) -> str:
    """Whole units rounded up, as text: ceil(round(value, 6)); '' for a missing value.

    >>> round_up_units(12.2), round_up_units(12.0000000001), round_up_units(0.0)
    ('13', '12', '0')
    """
    if _is_missing(value):
        return ""
    return str(math.ceil(round(float(value), 6)))


def format_rate(value) -> str:
    """A 0-1 share with 4 decimals and a decimal point ('' when missing).

    >>> format_rate(0.95), format_rate(0.98765)
    ('0.9500', '0.9877')
    """
    if _is_missing(value):
        return ""
    return f"{float(value):.4f}"


def format_date(value) -> str:
    """ISO date YYYY-MM-DD ('' when missing)."""
    if _is_missing(value):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(str(value)[:10]).isoformat()


def _text(value) -> str:
    return "" if _is_missing(value) else str(value)


def read_policies(path: Path) -> list[dict]:
    """The rows of inventory.inventory_policies as dicts (read-only connection)."""
    if not Path(path).exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `make build` first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [SCHEMA, TABLE],
            ).fetchall()
        ]
        if not columns:
            raise ExportError(f"{path} has no table {SCHEMA}.{TABLE}: build the inventory policy first")
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            raise ExportError(f"{SCHEMA}.{TABLE} in {path} lacks column(s) {', '.join(missing)}")
        wanted = REQUIRED_COLUMNS + [name for name in OPTIONAL_COLUMNS if name in columns]
        select = ", ".join(f'"{name}"' for name in wanted)
        cursor = con.execute(f'select {select} from "{SCHEMA}"."{TABLE}"')
        names = [description[0] for description in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def export_rows(policies: Sequence[dict], valid_from: str | dt.date | None = None) -> list[list[str]]:
    """The file's data rows (without header), in LAYOUT order, sorted by plant and material.

    valid_from overrides each policy's as_of_date. Raises ExportError on a
    duplicate (dc_id, sku_id), a missing key, or a row without a valid-from date.
    """
    override = format_date(valid_from) if valid_from is not None else None
    rows: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    for policy in policies:
        plant, material = _text(policy.get("dc_id")), _text(policy.get("sku_id"))
        if not plant or not material:
            raise ExportError(f"inventory policy without dc_id or sku_id: {policy!r}")
        if (plant, material) in seen:
            raise ExportError(f"duplicate inventory policy for plant {plant}, material {material}")
        seen.add((plant, material))

        reorder_point = policy.get("reorder_point_units")
        lot_size = policy.get("order_quantity_units")
        minimum = policy.get("min_units", reorder_point)
        if _is_missing(minimum):
            minimum = reorder_point
        maximum = policy.get("max_units")
        if _is_missing(maximum):
            # (s, S) policy: order up to the reorder point (rounded up) plus a lot.
            maximum = (
                None
                if _is_missing(reorder_point) or _is_missing(lot_size)
                else math.ceil(round(float(reorder_point), 6)) + float(lot_size)
            )
        valid = override if override is not None else format_date(policy.get("as_of_date"))
        if not valid:
            raise ExportError(
                f"no valid-from date for plant {plant}, material {material}:"
                " inventory_policies has no as_of_date; pass --valid-from"
            )
        rows.append(
            [
                plant,
                material,
                _text(policy.get("policy_type")),
                round_up_units(reorder_point),
                round_up_units(policy.get("safety_stock_units")),
                round_up_units(lot_size),
                round_up_units(minimum),
                round_up_units(maximum),
                format_rate(policy.get("service_level_target")),
                valid,
            ]
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


def _profile_value(table: dict, policy_type: str, profile: str, plant: str, material: str) -> str:
    if policy_type not in table:
        raise ExportError(
            f"policy type {policy_type!r} of plant {plant}, material {material} has no {profile} mapping"
            f" (known: {', '.join(sorted(table))})"
        )
    return table[policy_type]


def sap_rows(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """The generic rows as SAP MARC MRP fields (SAP_HEADER)."""
    out = []
    for plant, material, policy_type, reorder, safety, lot, _minimum, maximum, service, _valid in rows:
        mrp_type = _profile_value(SAP_MRP_TYPES, policy_type, "sap", plant, material)
        fixed = lot not in ("", "0")
        out.append(
            [
                plant,
                material,
                mrp_type,
                reorder,
                safety,
                "FX" if fixed else "EX",
                lot if fixed else "",
                maximum if mrp_type in ("VB", "R1") else "",
                "" if service == "" else f"{100 * float(service):.1f}",
            ]
        )
    return out


def oracle_rows(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """The generic rows as Oracle EBS item-organization planning attributes (ORACLE_HEADER)."""
    out = []
    for plant, material, policy_type, _reorder, safety, lot, minimum, maximum, _service, valid in rows:
        code = _profile_value(ORACLE_PLANNING_CODES, policy_type, "oracle", plant, material)
        out.append(
            [
                plant,
                material,
                code,
                minimum if code == "2" else "",
                maximum if code == "2" else "",
                lot if code in ("1", "2") else "",
                safety,
                valid,
            ]
        )
    return out


#: profile -> (header, rows from the generic rows)
PROFILES = {
    "generic": (HEADER, lambda rows: [list(row) for row in rows]),
    "sap": (SAP_HEADER, sap_rows),
    "oracle": (ORACLE_HEADER, oracle_rows),
}


def default_out(profile: str) -> str:
    return DEFAULT_OUT if profile == "generic" else DEFAULT_OUT.replace(".csv", f"_{profile}.csv")


def write_atomically(rows: Sequence[Sequence[str]], out: Path, header: Sequence[str] = HEADER) -> Path:
    """Write ``header`` + rows as CSV to ``out`` through a temporary file and a rename."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(header)
            writer.writerows(rows)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file private (0600); keep the old file's mode,
        # else make it readable like any file (the ERP job may be another user).
        os.chmod(tmp_name, out.stat().st_mode & 0o777 if out.exists() else 0o644)
        os.replace(tmp_name, out)
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
    return out


def export_erp_parameters(warehouse: Path, out: Path, valid_from: str | None = None, profile: str = "generic") -> int:
    """Export the policies of ``warehouse`` to ``out`` in ``profile``; returns the number of rows written."""
    header, convert = PROFILES[profile]
    rows = convert(export_rows(read_policies(Path(warehouse)), valid_from))
    write_atomically(rows, Path(out), header)
    return len(rows)


def _valid_from(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--valid-from must be YYYY-MM-DD, got {text!r}") from error


def _run(args: argparse.Namespace) -> int:
    warehouse = warehouse_path(args.warehouse)
    try:
        out = Path(args.out or default_out(args.profile))
        count = export_erp_parameters(warehouse, out, args.valid_from, args.profile)
    except (ExportError, FileNotFoundError) as error:
        print(f"export-erp-parameters: {error}")
        return 1
    print(f"wrote {count:,} SKU x DC rows to {out} ({args.profile} profile)")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw export-erp-parameters``."""
    parser = subparsers.add_parser(
        "export-erp-parameters",
        help="write the inventory policy as the ERP planning-parameter file",
        description=(
            "Write inventory.inventory_policies as a CSV for the ERP: plant, material,"
            " policy_type, reorder_point, safety_stock, lot_size, min_stock,"
            " max_stock, service_level, valid_from; sorted by plant and material;"
            " quantities rounded up to whole units; replaced atomically."
        ),
    )
    parser.add_argument(
        "--warehouse",
        help=f"DuckDB file to read (read-only; default: $DBT_DUCKDB_PATH or {DEFAULT_WAREHOUSE})",
    )
    parser.add_argument(
        "--out", help=f"CSV to write (default: {DEFAULT_OUT}, or _sap / _oracle before .csv for a profile)"
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="generic",
        help="generic (default), sap (MARC MRP fields) or oracle (item-organization planning attributes)",
    )
    parser.add_argument(
        "--valid-from",
        type=_valid_from,
        help="valid-from date YYYY-MM-DD (default: the policies' as_of_date)",
    )
    parser.set_defaults(func=_run)
