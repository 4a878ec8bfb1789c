"""Stressed copies of the extracts, for ``scw assess --stress``.

How robust are the segments? The assessment rebuilds the warehouse on a
copy of the extracts with one stress applied, and lists what would move
and what policy would follow, as it does for a proposed logic:

- ``demand_spike:<region>:<percent>[:<days>]``: the ordered and shipped
  quantities of the order lines of the region's customers (erp_customers)
  placed in the ``days`` (default 90) days up to the as-of date rise by
  ``percent`` (rounded to whole units);
- ``supplier_disruption:<days>[:<supplier_id>]``: every purchase receipt
  (of one supplier, or of all) with a PO in the 365 days up to the as-of
  date arrives ``days`` later, so the lead time grows by that much.

The as-of date is the build's (int_calendar__as_of_date, the latest staged
order), not the extracts' latest date: a row dated in the future by a
defect would otherwise leave the window empty.

Every other extract is copied as it is. The stressed table keeps its
format (Parquet or CSV) and its columns' types; a value that does not
parse is left as it is, for staging to quarantine as it would.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_SPIKE_DAYS = 90
DISRUPTION_WINDOW_DAYS = 365


@dataclass(frozen=True)
class Stress:
    """One stress: its kind and parameters."""

    kind: str
    region: str | None = None
    percent: float = 0.0
    days: int = 0
    supplier_id: str | None = None

    @classmethod
    def parse(cls, text: str) -> Stress:
        """``demand_spike:<region>:<percent>[:<days>]`` or ``supplier_disruption:<days>[:<supplier_id>]``."""
        parts = text.split(":")
        try:
            if parts[0] == "demand_spike" and len(parts) in (3, 4):
                days = int(parts[3]) if len(parts) == 4 else DEFAULT_SPIKE_DAYS
                stress = cls("demand_spike", region=parts[1], percent=float(parts[2]), days=days)
                if stress.percent <= -100 or days <= 0:
                    raise ValueError
                return stress
            if parts[0] == "supplier_disruption" and len(parts) in (2, 3):
                supplier = parts[2] if len(parts) == 3 else None
                stress = cls("supplier_disruption", days=int(parts[1]), supplier_id=supplier)
                if stress.days <= 0:
                    raise ValueError
                return stress
        except ValueError:
            pass
        raise ValueError(
            f"--stress {text!r}: expected demand_spike:<region>:<percent>[:<days>] (percent above -100, days above 0)"
            " or supplier_disruption:<days>[:<supplier_id>] (days above 0)"
        )


def _reader(path: Path) -> str:
    if path.suffix == ".csv":
        return f"read_csv('{path}', header = true, all_varchar = true)"
    return f"read_parquet('{path}')"


def _extract(raw: Path, table: str) -> Path:
    for suffix in (".parquet", ".csv"):
        if (raw / f"{table}{suffix}").exists():
            return raw / f"{table}{suffix}"
    raise FileNotFoundError(f"no extract {table}.parquet or {table}.csv in {raw}")


def _write(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    if target.suffix == ".csv":
        con.execute(f"copy ({query}) to '{target}' (header true)")
    else:
        con.execute(f"copy ({query}) to '{target}' (format parquet)")


def _column_types(con: duckdb.DuckDBPyConnection, reader: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"describe select * from {reader}").fetchall()}


def stress_extracts(raw: Path, out: Path, stress: Stress, as_of: dt.date) -> dict[str, int]:
    """Copy the extracts of ``raw`` to ``out`` with ``stress`` applied as of ``as_of``; table -> rows it changed."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(raw, out)
    con = duckdb.connect()
    try:
        if stress.kind == "demand_spike":
            return {"erp_sales_order_lines": _demand_spike(con, raw, out, stress, as_of)}
        return {"erp_purchase_receipts": _supplier_disruption(con, raw, out, stress, as_of)}
    finally:
        con.close()


def _demand_spike(con: duckdb.DuckDBPyConnection, raw: Path, out: Path, stress: Stress, as_of: dt.date) -> int:
    lines_path = _extract(raw, "erp_sales_order_lines")
    lines = _reader(lines_path)
    orders = _reader(_extract(raw, "erp_sales_orders"))
    customers = _reader(_extract(raw, "erp_customers"))
    region = stress.region.replace("'", "''")
    con.execute(
        f"""
        create temp table spiked_orders as
        with orders as (
            select
                trim(cast(order_id as varchar)) as order_id,
                trim(cast(customer_id as varchar)) as customer_id,
                try_cast(try_cast(order_ts as timestamp) as date) as order_date
            from {orders}
        )
        select distinct orders.order_id
        from orders
        where
            orders.customer_id in (
                select trim(cast(customer_id as varchar)) from {customers}
                where lower(trim(cast(region as varchar))) = lower(trim('{region}'))
            )
            and orders.order_date > date '{as_of}' - interval {stress.days} day
            and orders.order_date <= date '{as_of}'
        """
    )
    types = _column_types(con, lines)
    factor = 1 + stress.percent / 100
    condition = "trim(cast(order_id as varchar)) in (select order_id from spiked_orders)"
    replaced = []
    for column in ("quantity_ordered", "quantity_shipped"):
        scaled = f"round(try_cast({column} as double) * {factor})"
        replaced.append(
            f"case when {condition} and try_cast({column} as double) is not null"
            f" then cast({scaled} as {types[column]}) else {column} end as {column}"
        )
    query = f"select * replace ({', '.join(replaced)}) from {lines}"
    _write(con, query, out / lines_path.name)
    return con.execute(f"select count(*) from {lines} where {condition}").fetchone()[0]


def _supplier_disruption(con: duckdb.DuckDBPyConnection, raw: Path, out: Path, stress: Stress, as_of: dt.date) -> int:
    receipts_path = _extract(raw, "erp_purchase_receipts")
    receipts = _reader(receipts_path)
    types = _column_types(con, receipts)
    supplier = (
        f" and trim(cast(supplier_id as varchar)) = '{stress.supplier_id.replace(chr(39), chr(39) * 2)}'"
        if stress.supplier_id
        else ""
    )
    po_date = "try_cast(try_cast(po_date as timestamp) as date)"
    condition = (
        f"{po_date} > date '{as_of}' - interval {DISRUPTION_WINDOW_DAYS} day and {po_date} <= date '{as_of}'"
        f" and try_cast(try_cast(receipt_date as timestamp) as date) is not null{supplier}"
    )
    later = f"try_cast(try_cast(receipt_date as timestamp) as date) + interval {stress.days} day"
    kind = types["receipt_date"]
    moved = f"cast(cast({later} as date) as {kind})" if kind.upper() != "VARCHAR" else f"strftime({later}, '%Y-%m-%d')"
    replaced = f"case when {condition} then {moved} else receipt_date end as receipt_date"
    query = f"select * replace ({replaced}) from {receipts}"
    _write(con, query, out / receipts_path.name)
    return con.execute(f"select count(*) from {receipts} where {condition}").fetchone()[0]
