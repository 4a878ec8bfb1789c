"""Commands that act on a built warehouse: ``scw summary`` and ``scw publish``.

``summary`` prints what a build produced: row counts per mart, where every raw
row went (staged, quarantined, deduplicated) and headline figures. Sections
for marts that do not exist yet are skipped, so the summary grows with the
project.

``publish`` copies the build file to ``warehouse/published/`` atomically (copy
to a temporary file in the target folder, then rename). BI tools read the
published copy: DuckDB allows one writer or many readers, so a dashboard that
holds the build file open would make the next ``dbt build`` fail, and a build
that fails half-way never touches what the readers see.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

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
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every core mart that exists, keyed by schema.table."""
    counts = {}
    for schema, table in CORE_MARTS:
        if _table_exists(con, schema, table):
            counts[f"{schema}.{table}"] = con.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
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
                f"GL reconciliation: {status} ({tied:,} of {rows:,} GL rows tied);"
                f" GL {gl:,.2f}, allocated {allocated:,.2f},"
                f" difference {gl - allocated:,.2f}",
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
                "select method, k, silhouette from segmentation.segmentation_diagnostics"
                " where is_chosen order by 1"
            ).fetchall():
                lines.append(f"  chosen k for {method}: {k} (silhouette {silhouette:.3f})")
        if _table_exists(con, "segmentation", "product_segments"):
            lines += ["", "Product ABC classes (share of time-decayed value):"]
            for abc, count, share in con.execute(
                "select abc_class, count(*), sum(value_share)"
                " from segmentation.product_segments group by 1 order by 1"
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
                lines.append(
                    f"  {segment:<4} {rows:>6,} SKU x DC  {units:>12,.0f} units"
                    f"  value {value:>14,.2f}"
                )

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
                f" gross margin {margin:,.2f}"
                + (f"; OTIF {otif:.1%}" if otif is not None else ""),
            ]
        return "\n".join(lines)
    finally:
        con.close()


def publish(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` atomically and return ``target``."""
    if not source.exists():
        raise FileNotFoundError(f"no warehouse at {source}: run `make build` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(
        prefix=".publishing-", suffix=".duckdb", dir=target.parent
    )
    os.close(handle)
    try:
        shutil.copyfile(source, tmp_name)
        # mkstemp creates the file private; readers need the source's mode.
        shutil.copymode(source, tmp_name)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
    return target


def _summary(args: argparse.Namespace) -> int:
    print(summary_text(warehouse_path(args.warehouse)))
    return 0


def _publish(args: argparse.Namespace) -> int:
    target = publish(warehouse_path(args.warehouse), Path(args.to))
    print(f"published {target}")
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
    parser = subparsers.add_parser(
        "publish", help="copy the built warehouse atomically for BI readers"
    )
    parser.add_argument("--warehouse", help="DuckDB file to publish")
    parser.add_argument("--to", default=DEFAULT_PUBLISHED, help="published copy path")
    parser.set_defaults(func=_publish)
