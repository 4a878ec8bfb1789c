"""Tests of ``scw publish`` and ``scw summary`` on a small hand-made warehouse."""

from __future__ import annotations

import duckdb
import pytest

from scw.warehouse import mart_row_counts, publish, summary_text


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema core")
    con.execute("create schema quality")
    con.execute(
        "create table core.fct_orders as select * from (values"
        " ('O1', 100.0, 40.0, true), ('O2', 50.0, 10.0, false),"
        " ('O3', 25.0, 5.0, null)) as t(order_id, net_revenue, gross_margin, is_otif)"
    )
    con.execute(
        "create table quality.data_quality_row_counts as select * from (values"
        " ('erp_sales_orders', 5, 3, 1, 1, 0, true))"
        " as t(source_table, raw_rows, staged_rows, quarantined_rows,"
        " deduplicated_rows, flagged_rows, is_balanced)"
    )
    # the run log of a finished `dbt build` without failures (publishable)
    con.execute("create schema ops")
    con.execute(
        "create table ops.build_run_starts as select 'run-1' as invocation_id,"
        " timestamp '2026-11-01 06:00:00' as run_started_at, 'build' as command"
    )
    con.execute(
        "create table ops.build_runs as select 'run-1' as invocation_id,"
        " timestamp '2026-11-01 06:00:00' as run_started_at, true as is_full_refresh,"
        " 2 as models_built, 0 as periodic_models_built, 0 as failed_nodes"
    )
    con.close()
    return path


def test_summary_reports_counts_balance_and_headline(warehouse):
    text = summary_text(warehouse)
    assert "core.fct_orders" in text
    assert "5 =          3 +      1 +     1" in text
    # 2 orders with an OTIF verdict, one of them OTIF
    assert "orders 3; net revenue 175.00; gross margin 55.00; OTIF 50.0%" in text


def test_mart_row_counts_skips_missing_marts(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    assert mart_row_counts(con) == {"core.fct_orders": 3}
    con.close()


def test_publish_replaces_the_copy_atomically(warehouse, tmp_path):
    target = tmp_path / "published" / "wh.duckdb"
    publish(warehouse, target)
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("select count(*) from core.fct_orders").fetchone()[0] == 3
    con.close()
    # the build's folder, the link to it and the stable names; no temporary file left
    assert sorted(p.name for p in target.parent.iterdir()) == [
        ".publish.lock",
        "builds",
        "current",
        "parquet",
        "wh.duckdb",
    ]
    (build,) = (target.parent / "builds").iterdir()
    assert sorted(p.name for p in build.iterdir()) == ["manifest.json", "parquet", "wh.duckdb"]
    assert target.stat().st_mode & 0o777 == warehouse.stat().st_mode & 0o777


def test_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `make build` first"):
        summary_text(tmp_path / "absent.duckdb")
