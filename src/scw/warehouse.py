"""Commands that act on a built warehouse: ``scw summary`` and ``scw publish``.

``summary`` prints what a build produced: row counts per mart, where every raw
row went (staged, quarantined, deduplicated) and headline figures. Sections
for marts that do not exist yet are skipped, so the summary grows with the
project.

``publish`` copies the build file to ``warehouse/published/`` atomically, with
a Parquet file per mart: the whole build is written into a folder of its own
and swapped in by one rename of ``current`` (``serving/published.py`` has the
layout). BI tools read the published copy: DuckDB allows one writer or many
readers, so a dashboard that holds the build file open would make the next
``dbt build`` fail, and a build that fails half-way never touches what the
readers see. It publishes only a whole, successful build: the latest dbt
run recorded in the warehouse (``ops.build_run_starts``, written when a run
starts, and ``ops.build_runs``, when it ends; macros/refresh/
record_build_run.sql) must be a ``dbt build`` that reached its end without a
failed node. A run killed half-way has a start and no end, so it never
looks successful. Anything else and publish refuses, with one line saying
why, and leaves the published copy as it was.

A full rebuild writes every table anew before it frees the old ones, which
leaves the build file up to twice the size of its data. When more than
``COMPACT_ABOVE`` of the file is such freed space, the copy is written table
by table (``COPY FROM DATABASE``), which leaves it out, and the build file is
replaced by the same compacted copy, so rebuilds grow neither file
(snapshots and ``ops`` history are tables like any other and are copied
whole). Otherwise the file is copied as it is, which is much faster (at
``large``, 4 s instead of 104 s).

``check-lock`` tells, in one line, which process holds the build file open
(``make build`` and ``scw refresh`` run it first): dbt itself fails only
after parsing the project, with a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

from .serving import audit, published

DEFAULT_WAREHOUSE = "warehouse/supply_chain.duckdb"
DEFAULT_PUBLISHED = "warehouse/published/supply_chain.duckdb"

CORE_MARTS = [
    ("core", "dim_customers"),
    ("core", "dim_products"),
    ("core", "dim_distribution_centers"),
    ("core", "dim_dates"),
    ("core", "fct_orders"),
    ("core", "fct_order_lines"),
    ("core", "fct_shipments"),
    ("core", "fct_inventory_snapshots"),
    ("core", "fct_warehouse_activities"),
    ("quality", "data_quality_exceptions"),
]


def warehouse_path(explicit: str | None = None) -> Path:
    """The warehouse file: the argument, else $DBT_DUCKDB_PATH, else the default."""
    return Path(explicit or os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_WAREHOUSE)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every core mart that exists, keyed by schema.table."""
    counts = {}
    for schema, table in CORE_MARTS:
        if _table_exists(con, schema, table):
            counts[f"{schema}.{table}"] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
    return counts


def summary_text(path: Path) -> str:
    """The build summary of the warehouse file at ``path`` as text."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `make build` first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        lines = [f"Warehouse {path} ({path.stat().st_size / 1e6:.1f} MB)", ""]
        lines.append("Marts (rows):")
        for name, count in mart_row_counts(con).items():
            lines.append(f"  {name:<42} {count:>12,}")

        if _table_exists(con, "quality", "data_quality_row_counts"):
            lines += ["", "Raw rows -> staged + quarantined + deduplicated:"]
            rows = con.execute(
                "select source_table, raw_rows, staged_rows, quarantined_rows,"
                " deduplicated_rows, flagged_rows, is_balanced"
                " from quality.data_quality_row_counts order by source_table"
            ).fetchall()
            for table, raw, staged, quarantined, dedup, flagged, balanced in rows:
                status = "ok" if balanced else "UNBALANCED"
                lines.append(
                    f"  {table:<26} {raw:>10,} = {staged:>10,} + {quarantined:>6,}"
                    f" + {dedup:>5,}  (flagged {flagged:,}) {status}"
                )
        if _table_exists(con, "quality", "data_quality_exceptions"):
            lines += ["", "Data-quality exceptions by rule:"]
            for table, rule, action, count in con.execute(
                "select source_table, rule, action, count(*)"
                " from quality.data_quality_exceptions"
                " group by all order by 1, 2"
            ).fetchall():
                lines.append(f"  {table:<26} {rule:<32} {action:<12} {count:>8,}")

        if _table_exists(con, "finance", "gl_reconciliation"):
            rows, tied, gl, allocated = con.execute(
                "select count(*), count_if(status = 'tied'), sum(gl_amount),"
                " sum(allocated_amount) from finance.gl_reconciliation"
            ).fetchone()
            status = "TIED" if rows == tied else "NOT TIED"
            lines += [
                "",
                (
                    f"GL reconciliation: {status} ({tied:,} of {rows:,} GL rows tied);"
                    f" GL {gl:,.2f}, allocated {allocated:,.2f},"
                    f" difference {gl - allocated:,.2f}"
                ),
            ]
        if _table_exists(con, "cost_to_serve", "cost_to_serve_orders"):
            lines += ["", "Cost to serve by pool:"]
            for pool, amount in con.execute(
                "select cost_pool, sum(allocated_amount)"
                " from intermediate.int_cost_allocations__orders"
                " group by 1 order by 2 desc"
            ).fetchall():
                lines.append(f"  {pool:<26} {amount:>16,.2f}")

        if _table_exists(con, "segmentation", "customer_segments"):
            lines += ["", "Customer segments:"]
            for segment, method, count in con.execute(
                "select segment, segment_method, count(*)"
                " from segmentation.customer_segments group by all order by 3 desc"
            ).fetchall():
                lines.append(f"  {segment:<36} {method:<16} {count:>8,}")
        if _table_exists(con, "segmentation", "segmentation_diagnostics"):
            for method, k, silhouette in con.execute(
                "select method, k, silhouette from segmentation.segmentation_diagnostics where is_chosen order by 1"
            ).fetchall():
                lines.append(f"  chosen k for {method}: {k} (silhouette {silhouette:.3f})")
        if _table_exists(con, "segmentation", "product_segments"):
            lines += ["", "Product ABC classes (share of time-decayed value):"]
            for abc, count, share in con.execute(
                "select abc_class, count(*), sum(value_share) from segmentation.product_segments group by 1 order by 1"
            ).fetchall():
                lines.append(f"  {abc}  {count:>7,} SKUs  {share:6.1%}")

        if _table_exists(con, "inventory", "inventory_policies"):
            lines += ["", "Inventory policy by product segment (safety stock):"]
            for segment, rows, units, value in con.execute(
                "select policies.segment, count(*), sum(policies.safety_stock_units),"
                " sum(policies.safety_stock_units * products.unit_cost)"
                " from inventory.inventory_policies as policies"
                " join core.dim_products as products using (sku_id)"
                " group by 1 order by 1"
            ).fetchall():
                lines.append(f"  {segment:<4} {rows:>6,} SKU x DC  {units:>12,.0f} units  value {value:>14,.2f}")

        if _table_exists(con, "core", "fct_orders"):
            orders, revenue, margin, otif = con.execute(
                "select count(*), sum(net_revenue), sum(gross_margin),"
                " avg(case when is_otif then 1.0 when not is_otif then 0.0 end)"
                " from core.fct_orders"
            ).fetchone()
            lines += [
                "",
                "Headline:",
                f"  orders {orders:,}; net revenue {revenue:,.2f};"
                f" gross margin {margin:,.2f}" + (f"; OTIF {otif:.1%}" if otif is not None else ""),
            ]
        return "\n".join(lines)
    finally:
        con.close()


class NotPublishable(Exception):
    """The warehouse is not a whole, successful build (the message says why)."""


class WarehouseLocked(Exception):
    """Another process holds the warehouse file (the message names it)."""


#: how DuckDB names the process that holds a file's lock
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_message(path: Path, error: Exception, published: str = DEFAULT_PUBLISHED) -> str | None:
    """The one-line message for a DuckDB lock ``error`` on ``path``, or None if it is not one."""
    text = str(error)
    if "Could not set lock on file" not in text:
        return None
    match = _LOCK_HOLDER.search(text)
    holder = f"PID {match['pid']} ({match['program']})" if match else "another process"
    return (
        f"{path} is held open by {holder}; DuckDB allows one writer or many readers:"
        f" stop that process and try again, and point readers at"
        f" {Path(published).parent}/ (the published copy)"
    )


def check_lock(path: Path, published: str = DEFAULT_PUBLISHED) -> None:
    """Raise ``WarehouseLocked`` when another process holds ``path`` (a reader or a writer).

    Opens the file for writing, as dbt would, and closes it; a file that does
    not exist yet is free.
    """
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        message = lock_message(path, error, published)
        if message is None:
            raise
        raise WarehouseLocked(message) from None


def _attach_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str, published: str) -> None:
    """Attach ``path`` as ``alias``; ``WarehouseLocked`` when a writer holds it."""
    quoted = "'" + str(path).replace("'", "''") + "'"
    try:
        con.execute(f"attach {quoted} as {alias} (read_only)")
    except duckdb.IOException as error:
        message = lock_message(path, error, published)
        if message is None:
            raise
        raise WarehouseLocked(message) from None


def build_problem(con: duckdb.DuckDBPyConnection, catalog: str, path: Path) -> str | None:
    """Why the warehouse attached as ``catalog`` is not publishable; None when it is.

    Publishable: the latest dbt run recorded in it (ops.build_run_starts) is
    a ``dbt build`` with an end row (ops.build_runs) and no failed node.
    """
    tables = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = 'ops'",
            [catalog],
        ).fetchall()
    }
    if "build_run_starts" not in tables:
        return f"{path} records no dbt build (no ops.build_run_starts): run `make build`"
    latest = con.execute(
        f'select invocation_id, command, run_started_at from "{catalog}".ops.build_run_starts'
        " order by run_started_at desc limit 1"
    ).fetchone()
    if latest is None:
        return f"{path} records no dbt build: run `make build`"
    invocation, command, started = latest
    run = f"the last dbt run on {path} (`dbt {command}`, started {started:%Y-%m-%d %H:%M:%S} UTC)"
    ended = None
    if "build_runs" in tables:
        ended = con.execute(
            f'select failed_nodes from "{catalog}".ops.build_runs where invocation_id = ?',
            [invocation],
        ).fetchone()
    if ended is None:
        return f"{run} never finished: it was killed or stopped half-way; run `make build`"
    if ended[0]:
        nodes = "node" if ended[0] == 1 else "nodes"
        return f"{run} failed ({ended[0]} failed {nodes}); fix it and run `make build`"
    if command != "build":
        return f"{run} was not a `dbt build`; run `make build`"
    return None


def latest_invocation(path: Path) -> str | None:
    """The invocation id of the latest dbt run recorded in the warehouse file at ``path``."""
    con = duckdb.connect()
    try:
        _attach_read_only(con, path, "build_file", DEFAULT_PUBLISHED)
        found = con.execute(
            "select count(*) from duckdb_tables()"
            " where database_name = 'build_file' and schema_name = 'ops' and table_name = 'build_run_starts'"
        ).fetchone()[0]
        if not found:
            return None
        row = con.execute(
            "select invocation_id from build_file.ops.build_run_starts order by run_started_at desc limit 1"
        ).fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


def publish_problem(path: Path) -> str | None:
    """Why the warehouse file at ``path`` is not a whole, successful build; None when it is."""
    con = duckdb.connect()
    try:
        _attach_read_only(con, path, "build_file", DEFAULT_PUBLISHED)
        return build_problem(con, "build_file", path)
    finally:
        con.close()


#: a raw extract read by a view: the path of read_parquet('...') / read_csv('...')
_READ_PATH = re.compile(r"read_(?:parquet|csv)(?:_auto)?\(\s*'((?:[^']|'')*)'", re.IGNORECASE)


def relative_path_views(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """schema.view of every view in ``catalog`` that reads a file by a relative path."""
    found = []
    for schema, view, sql in con.execute(
        "select schema_name, view_name, sql from duckdb_views() where database_name = ? and not internal order by 1, 2",
        [catalog],
    ).fetchall():
        for path in _READ_PATH.findall(sql or ""):
            if not (path.startswith(("/", "~")) or "://" in path):
                found.append(f"{schema}.{view}")
                break
    return found


def replace_with_copy(copy: Path, target: Path, mode_from: Path) -> None:
    """Copy ``copy`` beside ``target`` and rename it over ``target``."""
    handle, tmp_name = tempfile.mkstemp(prefix=".publishing-", suffix=".duckdb", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(copy, tmp_name)
        shutil.copymode(mode_from, tmp_name)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)


#: share of the build file beyond the blocks its data use above which publish compacts
COMPACT_ABOVE = 0.10


def wasted_share(con: duckdb.DuckDBPyConnection, catalog: str, path: Path) -> float:
    """How much bigger the file at ``path`` (attached as ``catalog``) is than its data, as a share."""
    used = con.execute(
        "select used_blocks * block_size from pragma_database_size() where database_name = ?", [catalog]
    ).fetchone()[0]
    return path.stat().st_size / used - 1 if used else 0.0


def dbt_manifest_of(invocation: str | None, manifest: Path | None) -> Path | None:
    """``manifest`` (dbt's target/manifest.json) when it was written by the run ``invocation``."""
    if manifest is None or invocation is None or not manifest.exists():
        return None
    try:
        with manifest.open() as handle:
            # the metadata comes first: no need to parse the whole file
            head = handle.read(4096)
    except OSError:
        return None
    return manifest if f'"invocation_id": "{invocation}"' in head else None


def publish(source: Path, target: Path, compact_source: bool = True, dbt_manifest: Path | None = None) -> Path:
    """Publish ``source`` as ``target`` atomically, with a Parquet file per mart; return ``target``.

    Raises ``NotPublishable`` (``target`` untouched) unless the latest dbt run
    on ``source`` is a whole, successful ``dbt build``, and ``WarehouseLocked``
    when a build holds ``source``. The build is written whole into a new
    folder beside ``target`` (the DuckDB file, ``parquet/<schema>/<mart>.parquet``
    and ``manifest.json``) and swapped in by one rename (``serving.published``):
    a publish that fails or is killed before it leaves every published file
    as it was. The copy is compacted when more than ``COMPACT_ABOVE`` of
    ``source`` is freed space (or a write-ahead log beside it holds changes a
    plain copy would miss); with ``compact_source`` the build file is then
    replaced by the same compacted copy (not while such a log is there).
    ``source`` stays attached read-only until the copy is made, so no build
    can start on it half-way. ``dbt_manifest`` (dbt's manifest.json) is
    published with the build as ``dbt_manifest.json`` when the build's own
    run wrote it: the production state ``scw sandbox`` compares a change with.
    """
    if not source.exists():
        raise FileNotFoundError(f"no warehouse at {source}: run `make build` first")
    folder = target.parent
    with published.PublishLock(folder):
        build = None
        con = duckdb.connect()
        try:
            _attach_read_only(con, source, "build_file", str(target))
            problem = build_problem(con, "build_file", source)
            if problem is not None:
                raise NotPublishable(problem)
            relative = relative_path_views(con, "build_file")
            if relative:
                raise NotPublishable(
                    f"views of {source} read files by relative paths ({', '.join(relative[:3])}"
                    + (", ..." if len(relative) > 3 else "")
                    + "), which would read other files, or none, from another directory: build with"
                    " the project's profiles.yml (its plugin makes them absolute) or an absolute raw_path"
                )
            invocation = con.execute(
                "select invocation_id from build_file.ops.build_run_starts order by run_started_at desc limit 1"
            ).fetchone()[0]
            build = published.new_build_folder(folder, invocation)
            copy = build / target.name
            wal = source.with_name(source.name + ".wal")
            compact = wal.exists() or wasted_share(con, "build_file", source) > COMPACT_ABOVE
            if compact:
                con.execute("attach '" + str(copy).replace("'", "''") + "' as published_copy")
                con.execute("copy from database build_file to published_copy")
                con.execute("detach published_copy")
            else:
                shutil.copyfile(source, copy)
            # mkstemp-style private files would hide the copy from readers: the source's mode
            shutil.copymode(source, copy)
        except BaseException:
            if build is not None:
                shutil.rmtree(build, ignore_errors=True)
            raise
        finally:
            con.close()
        try:
            own_manifest = dbt_manifest_of(invocation, dbt_manifest)
            if own_manifest is not None:
                shutil.copyfile(own_manifest, build / "dbt_manifest.json")
            published.checkpoint("database_copied")
            rows = published.export_marts(
                copy, build / "parquet", after_first=lambda: published.checkpoint("first_mart_written")
            )
            published.write_manifest(build, target.name, invocation, rows)
            published.checkpoint("manifest_written")
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        published.swap_in(folder, build, target.name)
        audit.record(folder, "publish", getpass.getuser(), str(target), build.name, invocation_id=invocation)
        if compact and compact_source and not wal.exists():
            replace_with_copy(copy, source, source)
    return target


def _summary(args: argparse.Namespace) -> int:
    print(summary_text(warehouse_path(args.warehouse)))
    return 0


def _publish(args: argparse.Namespace) -> int:
    source = warehouse_path(args.warehouse)
    try:
        manifest = Path(os.environ.get("DBT_TARGET_PATH") or "target") / "manifest.json"
        target = publish(source, Path(args.to), compact_source=not args.keep_build_file, dbt_manifest=manifest)
    except (NotPublishable, WarehouseLocked) as problem:
        print(f"not published ({args.to} is unchanged): {problem}", file=sys.stderr)
        return 1
    print(f"published {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return 0


def _check_lock(args: argparse.Namespace) -> int:
    try:
        check_lock(warehouse_path(args.warehouse))
    except WarehouseLocked as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


def add_summary_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw summary``."""
    parser = subparsers.add_parser("summary", help="print what the last build produced")
    parser.add_argument(
        "--warehouse",
        help=f"DuckDB file (default: $DBT_DUCKDB_PATH or {DEFAULT_WAREHOUSE})",
    )
    parser.set_defaults(func=_summary)


def add_publish_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw publish``."""
    parser = subparsers.add_parser("publish", help="copy the built warehouse atomically for BI readers")
    parser.add_argument("--warehouse", help="DuckDB file to publish")
    parser.add_argument("--to", default=DEFAULT_PUBLISHED, help="published copy path")
    parser.add_argument(
        "--keep-build-file",
        action="store_true",
        help="leave the build file as it is (by default it is replaced by the compacted copy)",
    )
    parser.set_defaults(func=_publish)


def add_check_lock_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw check-lock``."""
    parser = subparsers.add_parser(
        "check-lock",
        help="fail, naming the process, when another process holds the warehouse file",
    )
    parser.add_argument(
        "--warehouse",
        help=f"DuckDB file (default: $DBT_DUCKDB_PATH or {DEFAULT_WAREHOUSE})",
    )
    parser.set_defaults(func=_check_lock)
