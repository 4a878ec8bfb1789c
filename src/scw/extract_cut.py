"""``scw cut-extract``: the extracts as they stood at the end of an earlier day.

A daily refresh is tested and benchmarked by building the warehouse on the
extracts of day D, then refreshing it with the extracts of day D + 1 and
comparing with a full build on those. This command makes the day-D extracts
from a later set: every row that arrived after D is left out, and every
event after D is undone on the rows that stay (a shipment delivered after D
is still in transit, an invoice paid after D is still open).

Each table has an arrival column; a row is kept when that column is on or
before D, after D + 1 (dates far in the future are defects of the
extracts and stay in both sets) or null. Master data (customers, products,
DCs, carriers, accounts) and forecasts are kept whole.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import duckdb

#: table -> column whose date is the row's arrival
ARRIVAL = {
    "erp_sales_orders": "updated_at",
    "erp_sales_order_lines": "updated_at",
    "erp_invoices": "invoice_date",
    "erp_returns": "return_date",
    "erp_purchase_receipts": "receipt_date",
    "wms_activities": "activity_ts",
    "wms_inventory_snapshots": "snapshot_date",
    "tms_shipments": "ship_ts",
}

#: table -> columns of later events, cleared when after D
LATER_EVENTS = {
    "tms_shipments": ["delivered_ts"],
    "erp_invoices": ["paid_date"],
}


def _date_of(column: str) -> str:
    # CSV extracts are text: a value that does not parse counts as null
    return f"try_cast(try_cast({column} as timestamp) as date)"


def cut_extract(src: Path, dst: Path, through: dt.date) -> dict[str, tuple[int, int]]:
    """Write the tables of ``src`` as of the end of ``through`` to ``dst``.

    Returns table -> (rows in src, rows written).
    """
    dst.mkdir(parents=True, exist_ok=True)
    day_after = through + dt.timedelta(days=1)
    counts: dict[str, tuple[int, int]] = {}
    con = duckdb.connect()
    try:
        for path in sorted(src.iterdir()):
            if path.suffix not in (".parquet", ".csv"):
                continue
            table = path.stem
            if path.suffix == ".csv":
                reader = f"read_csv('{path}', header = true, all_varchar = true)"
            else:
                reader = f"read_parquet('{path}')"
            total = con.execute(f"select count(*) from {reader}").fetchone()[0]
            if table not in ARRIVAL:
                shutil.copy2(path, dst / path.name)
                counts[table] = (total, total)
                continue
            arrival = _date_of(ARRIVAL[table])
            cleared = []
            for column in LATER_EVENTS.get(table, []):
                kind = "varchar" if path.suffix == ".csv" else None
                null = "null" if kind is None else "cast(null as varchar)"
                cleared.append(
                    f"case when {_date_of(column)} > date '{through}' then {null} else {column} end as {column}"
                )
            replace = f" replace ({', '.join(cleared)})" if cleared else ""
            query = (
                f"select *{replace} from {reader} where {arrival} is null"
                f" or {arrival} <= date '{through}' or {arrival} > date '{day_after}'"
            )
            target = dst / path.name
            if path.suffix == ".csv":
                con.execute(f"copy ({query}) to '{target}' (header true)")
            else:
                con.execute(f"copy ({query}) to '{target}' (format parquet)")
            kept = con.execute(f"select count(*) from {reader.replace(str(path), str(target))}").fetchone()[0]
            counts[table] = (total, kept)
    finally:
        con.close()
    # the general ledger and budget are monthly: the cut keeps them as they are
    if (src / "finance").is_dir():
        shutil.copytree(src / "finance", dst / "finance", dirs_exist_ok=True)
    return counts


def _run(args: argparse.Namespace) -> int:
    counts = cut_extract(Path(args.src), Path(args.out), dt.date.fromisoformat(args.through))
    for table, (total, kept) in counts.items():
        print(f"{table:28s} {total:>10,d} -> {kept:>10,d}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw cut-extract``."""
    parser = subparsers.add_parser(
        "cut-extract",
        help="write the extracts as they stood at the end of an earlier day",
        description=(
            "Copy the extracts of --src to --out leaving out every row that arrived"
            " after --through and undoing later deliveries and payments: the"
            " previous day's extracts, for testing and timing a daily refresh."
        ),
    )
    parser.add_argument("--src", default="data/raw", help="folder of extracts (default: data/raw)")
    parser.add_argument("--out", required=True, help="folder to write the cut extracts to")
    parser.add_argument("--through", required=True, help="last day kept, YYYY-MM-DD")
    parser.set_defaults(func=_run)
