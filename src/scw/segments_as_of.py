"""``scw segments-as-of``: the segment assignments that were current at a moment.

The snapshots ``snapshots.customer_segments_snapshot`` and
``snapshots.product_segments_snapshot`` stamp each version with the clock
time of the build that wrote it (``dbt_valid_from``), not with a business
date. So right after a first build, a question about last month has no
answer, and a bare SQL filter returns nothing without saying why. This
command answers for a date, a timestamp or a build (the ``invocation_id``
of a row in ``ops.build_runs``), and when nothing was current then it says
so, with the span of history the warehouse holds and the builds it can
name, and exits 1.

    scw segments-as-of 2026-11-30                     # at the end of that day
    scw segments-as-of "2026-11-30 08:00:00"
    scw segments-as-of <invocation_id>                # right after that build
    scw segments-as-of --products 2026-11-30
    scw segments-as-of --as-overrides --approver CFO --valid-to 2026-12-31 <build>

``--as-overrides`` prints the customer assignments as rows for
``seeds/reference/customer_segment_overrides.csv`` (rollback: add them, with
an approver and an expiry, and rebuild).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .warehouse import DEFAULT_WAREHOUSE, WarehouseLocked, lock_message, warehouse_path

SNAPSHOTS = {
    "customers": ("customer_segments_snapshot", "customer_id"),
    "products": ("product_segments_snapshot", "sku_id"),
}
OVERRIDE_COLUMNS = ["customer_id", "segment", "reason", "approver", "valid_from", "valid_to"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class NothingCurrent(Exception):
    """No version of any assignment was current at the moment asked."""


@dataclass(frozen=True)
class Moment:
    """The moment asked for, as a timestamp, and how it was read."""

    at: dt.datetime
    described: str


def _utc_to_local(moment: dt.datetime) -> dt.datetime:
    """A naive UTC time as naive local time.

    dbt stamps ``ops.build_runs.run_started_at`` in UTC; the snapshots stamp
    ``dbt_valid_from`` with the warehouse's local clock (``now()``), so a
    build's start is compared with them in local time.
    """
    return moment.replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)


def _build_runs(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dt.datetime, int]]:
    """(invocation_id, run_started_at in local time, failed_nodes) of every build on record, oldest first."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'ops' and table_name = 'build_runs'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute(
        "select invocation_id, run_started_at, failed_nodes from ops.build_runs order by run_started_at"
    ).fetchall()
    return [(invocation_id, _utc_to_local(started), failed) for invocation_id, started, failed in rows]


def resolve_moment(con: duckdb.DuckDBPyConnection, value: str) -> Moment:
    """A date (its end), a timestamp, or a build's invocation_id (the moment it ended)."""
    text = value.strip()
    if _DATE.match(text):
        day = dt.date.fromisoformat(text)
        end = dt.datetime.combine(day, dt.time.max)
        return Moment(end, f"the end of {day.isoformat()} ({end:%Y-%m-%d %H:%M:%S.%f})")
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        at = None
    if at is not None:
        return Moment(at.replace(tzinfo=None), f"{at:%Y-%m-%d %H:%M:%S}")
    runs = _build_runs(con)
    for index, (invocation_id, started, _failed) in enumerate(runs):
        if invocation_id == text:
            # the build's snapshots are stamped after it started and before
            # the next build started: just before the next, or now
            if index + 1 < len(runs):
                at = runs[index + 1][1] - dt.timedelta(microseconds=1)
            else:
                at = dt.datetime.now()
            return Moment(at, f"the end of build {text} (started {started:%Y-%m-%d %H:%M:%S})")
    known = ", ".join(f"{run[0]} ({run[1]:%Y-%m-%d %H:%M:%S})" for run in runs[-5:]) or "none"
    raise ValueError(
        f"{value!r} is neither a date (YYYY-MM-DD), a timestamp (YYYY-MM-DD HH:MM:SS) nor the"
        f" invocation_id of a build in ops.build_runs; the latest builds: {known}"
    )


def assignments_as_of(con: duckdb.DuckDBPyConnection, kind: str, moment: Moment) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the versions current at the moment (macro segments_as_of's rule)."""
    table, key = SNAPSHOTS[kind]
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'snapshots' and table_name = ?", [table]
    ).fetchone()[0]
    if not exists:
        raise NothingCurrent(f"snapshots.{table} does not exist: run `make build` (or `dbt build`) first")
    relation = con.execute(
        f"select * exclude (dbt_scd_id, dbt_updated_at) from snapshots.{table}"
        " where dbt_valid_from <= ? and (dbt_valid_to is null or dbt_valid_to > ?)"
        f" order by {key}",
        [moment.at, moment.at],
    )
    columns = [column[0] for column in relation.description]
    rows = relation.fetchall()
    if rows:
        return columns, rows
    first, last, versions = con.execute(
        f"select min(dbt_valid_from), max(dbt_valid_from), count(*) from snapshots.{table}"
    ).fetchone()
    if versions == 0:
        raise NothingCurrent(f"snapshots.{table} holds no version yet: run `dbt build` first")
    runs = _build_runs(con)
    builds = (
        "; builds on record: " + ", ".join(f"{run[0]} ({run[1]:%Y-%m-%d %H:%M:%S})" for run in runs[-5:])
        if runs
        else ""
    )
    if moment.at < first:
        why = (
            f"the history starts at {first:%Y-%m-%d %H:%M:%S}, when the first build that"
            " snapshot the segments ran (versions are stamped with the build's clock time,"
            " not a business date)"
        )
    else:
        why = f"every version of it was closed by then (the latest starts at {last:%Y-%m-%d %H:%M:%S})"
    raise NothingCurrent(f"no {kind[:-1]} segment assignment was current at {moment.described}: {why}{builds}")


def override_rows(
    columns: list[str], rows: list[tuple], moment: Moment, approver: str, valid_to: str, today: dt.date | None = None
) -> list[list[str]]:
    """Customer assignments as rows of seeds/reference/customer_segment_overrides.csv."""
    index = {name: position for position, name in enumerate(columns)}
    start = (today or dt.date.today()).isoformat()
    return [
        [
            row[index["customer_id"]],
            row[index["segment"]],
            f"restored from snapshot as of {moment.at:%Y-%m-%d %H:%M:%S}",
            approver,
            start,
            valid_to,
        ]
        for row in rows
    ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise NothingCurrent(f"no warehouse at {path}: run `make build` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        message = lock_message(path, error)
        if message:
            raise WarehouseLocked(message) from error
        raise


def _run(args: argparse.Namespace) -> int:
    kind = "products" if args.products else "customers"
    if args.as_overrides and (kind != "customers" or not args.approver or not args.valid_to):
        print("--as-overrides needs customer segments, --approver and --valid-to", file=sys.stderr)
        return 2
    try:
        con = _connect(warehouse_path(args.warehouse))
    except (NothingCurrent, WarehouseLocked) as problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        moment = resolve_moment(con, args.moment)
        columns, rows = assignments_as_of(con, kind, moment)
    except ValueError as problem:
        print(problem, file=sys.stderr)
        return 2
    except NothingCurrent as problem:
        print(problem, file=sys.stderr)
        return 1
    finally:
        con.close()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if args.as_overrides:
        writer.writerow(OVERRIDE_COLUMNS)
        writer.writerows(override_rows(columns, rows, moment, args.approver, args.valid_to))
    else:
        writer.writerow(columns)
        writer.writerows([_text(value) for value in row] for row in rows)
    print(f"{len(rows)} {kind} as of {moment.described}", file=sys.stderr)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw segments-as-of``."""
    parser = subparsers.add_parser(
        "segments-as-of",
        help="print the segment assignments current at a date, timestamp or build (CSV)",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("moment", help="YYYY-MM-DD (its end), 'YYYY-MM-DD HH:MM:SS', or a build's invocation_id")
    parser.add_argument("--products", action="store_true", help="product segments instead of customer")
    parser.add_argument(
        "--as-overrides",
        action="store_true",
        help="print rows for seeds/reference/customer_segment_overrides.csv (rollback)",
    )
    parser.add_argument("--approver", help="approver of the restored rows (with --as-overrides)")
    parser.add_argument("--valid-to", help="expiry date of the restored rows (with --as-overrides)")
    parser.add_argument("--warehouse", help=f"DuckDB file (default: $DBT_DUCKDB_PATH or {DEFAULT_WAREHOUSE})")
    parser.set_defaults(func=_run)
