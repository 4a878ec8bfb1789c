"""The daily incremental refresh gives the marts a full build gives.

A small CSV data set is cut back to the day before its last day (`scw
cut-extract`) and built in full. The day's extracts then get, on top of the
new day's rows, the changes a real day brings, each stamped inside the
refresh window:

- a correction to a line of an old order (one unit less shipped);
- an old order cancelled;
- an old order deleted from the extracts, with its lines;
- a product whose unit cost changes (revalues its old lines and stock);
- a customer whose name goes missing (it and all its orders are
  quarantined, back to the first month);
- an activity arriving two days late for an old order;
- a purchase receipt of the window received again with another quantity
  (a duplicate of its key: the later copy is kept);
- a new line with text in a number column (quarantined);
- GL changes: the last month's labour, and a late adjustment to an old
  month.

`scw refresh` brings the warehouse up to date in place, and a second
warehouse is built in full from the same extracts. Every mart of the output
contract must be equal, row for row on its grain.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt_project_runner import Project, make_project
from warehouse_compare import compare_marts, mart_relations

from scw import refresh as refresh_module
from scw.extract_cut import cut_extract
from scw.warehouse import latest_invocation, publish

REFERENCE_DATE = "2026-11-01"
VARS = {"dq_reference_date": REFERENCE_DATE}
# tests of the data run in the main build; here only the singular tie-outs
NO_GENERIC_TESTS = ["--exclude", "test_type:generic", "test_type:unit"]
STAMP = "2026-10-31 12:00:00"
REPO = Path(__file__).resolve().parents[1]


def _csv(path):
    return f"read_csv('{path}', header = true, all_varchar = true)"


def _rewrite(con, raw, table, select_sql):
    """Replace raw/<table>.csv by select_sql (which reads it as {t})."""
    path = raw / f"{table}.csv"
    tmp = raw / f"{table}.new.csv"
    con.execute(f"copy ({select_sql.format(t=_csv(path))}) to '{tmp}' (header true)")
    os.replace(tmp, path)


def plant_changes(raw, seeds) -> dict:
    """Apply the day's changes listed in the module docstring; returns their keys."""
    con = duckdb.connect()
    orders = con.execute(
        f"""
        select o.order_id, o.customer_id
        from {_csv(raw / "erp_sales_orders.csv")} as o
        where o.order_status = 'shipped'
          and try_cast(o.order_ts as timestamp) < timestamp '2026-06-01'
          and try_cast(o.order_ts as timestamp) >= timestamp '2026-02-01'
          and o.order_id in (select order_id from {_csv(raw / "erp_sales_order_lines.csv")}
                             where try_cast(quantity_shipped as double) >= 2)
        order by o.order_id
        limit 3
        """
    ).fetchall()
    corrected, cancelled, deleted = (row[0] for row in orders)
    customer = con.execute(
        f"""
        select customer_id from {_csv(raw / "erp_sales_orders.csv")}
        where customer_id not in ('{orders[0][1]}', '{orders[1][1]}', '{orders[2][1]}')
        group by 1 order by count(*) desc, 1 limit 1
        """
    ).fetchone()[0]
    product = con.execute(
        f"""
        select sku_id from {_csv(raw / "erp_sales_order_lines.csv")}
        group by 1 order by count(*) desc, 1 limit 1 offset 5
        """
    ).fetchone()[0]
    line = con.execute(
        f"""
        select min(try_cast(line_number as bigint)) from {_csv(raw / "erp_sales_order_lines.csv")}
        where order_id = '{corrected}' and try_cast(quantity_shipped as double) >= 2
        """
    ).fetchone()[0]
    _rewrite(
        con,
        raw,
        "erp_sales_order_lines",
        f"""
        select * replace (
            case when order_id = '{corrected}' and try_cast(line_number as bigint) = {line}
                then cast(try_cast(quantity_shipped as double) - 1 as varchar) else quantity_shipped
            end as quantity_shipped,
            case when order_id = '{corrected}' and try_cast(line_number as bigint) = {line}
                then '{STAMP}' else updated_at end as updated_at)
        from {{t}}
        where order_id <> '{deleted}'
        union all
        select 'O-NEW-BAD', '1', '{product}', 'twelve', '0', '9.5', '0', '{STAMP}'
        """,
    )
    _rewrite(
        con,
        raw,
        "erp_sales_orders",
        f"""
        select * replace (
            case when order_id = '{cancelled}' then 'cancelled' else order_status end as order_status,
            case when order_id = '{cancelled}' then '{STAMP}' else updated_at end as updated_at)
        from {{t}}
        where order_id <> '{deleted}'
        union all
        select 'O-NEW-BAD', '{orders[0][1]}', '{STAMP}', '2026-11-05', ship_from_dc_id,
               order_channel, priority, 'open', '{STAMP}'
        from {{t}} where order_id = '{corrected}'
        """,
    )
    _rewrite(
        con,
        raw,
        "erp_products",
        f"""
        select * replace (
            case when sku_id = '{product}' then cast(round(try_cast(unit_cost as double) * 1.1, 2) as varchar)
                else unit_cost end as unit_cost,
            case when sku_id = '{product}' then '{STAMP}' else updated_at end as updated_at)
        from {{t}}
        """,
    )
    _rewrite(
        con,
        raw,
        "erp_customers",
        f"""
        select * replace (
            case when customer_id = '{customer}' then null else customer_name end as customer_name,
            case when customer_id = '{customer}' then '{STAMP}' else updated_at end as updated_at)
        from {{t}}
        """,
    )
    _rewrite(
        con,
        raw,
        "wms_activities",
        f"""
        select * from {{t}}
        union all
        select * from (
            select 'A-LATE-1', dc_id, order_id, null, 'packing', '2026-10-29 10:00:00', '12.5', '1'
            from {{t}} where order_id = '{corrected}'
            limit 1
        )
        """,
    )
    receipt = con.execute(
        f"""
        select max(receipt_id) from {_csv(raw / "erp_purchase_receipts.csv")}
        where try_cast(receipt_date as date) = date '2026-10-29'
        """
    ).fetchone()[0]
    assert receipt is not None
    _rewrite(
        con,
        raw,
        "erp_purchase_receipts",
        f"""
        select * from {{t}}
        union all
        select * replace (
            cast(try_cast(quantity_received as double) + 7 as varchar) as quantity_received,
            '2026-10-30' as receipt_date)
        from {{t}} where receipt_id = '{receipt}'
        """,
    )
    gl = seeds / "general_ledger.csv"
    tmp = seeds / "general_ledger.new.csv"
    con.execute(
        f"""
        copy (
            select * replace (
                case
                    when posting_month = '2026-10-01' and gl_account = '6100' and cost_center = 'DC01'
                        then cast(cast(amount as decimal(18, 2)) + 100.00 as varchar)
                    when posting_month = '2026-06-01' and gl_account = '6400'
                        then cast(cast(amount as decimal(18, 2)) + 0.50 as varchar)
                    else amount
                end as amount)
            from {_csv(gl)}
        ) to '{tmp}' (header true)
        """
    )
    os.replace(tmp, gl)
    con.close()
    return {
        "corrected": corrected,
        "line": line,
        "cancelled": cancelled,
        "deleted": deleted,
        "customer": customer,
        "product": product,
        "receipt": receipt,
    }


def _refresh_writing_to(folder, *args, **kwargs):
    """scw refresh (refresh_module.refresh) with dbt's target/ and logs/ under folder."""
    env = {"DBT_TARGET_PATH": str(folder / "target"), "DBT_LOG_PATH": str(folder / "logs")}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        return refresh_module.refresh(*args, **kwargs)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """(refreshed project, fully rebuilt project, planted keys)."""
    base = tmp_path_factory.mktemp("refresh")
    project = make_project(base, "small", "csv")
    previous = base / "raw_previous"
    cut_extract(project.raw, previous, dt.date(2026, 10, 30))

    before = Project(
        root=project.root, raw=previous, truth=project.truth, warehouse=base / "refreshed.duckdb", output=base / "a"
    )
    # no data or unit tests: the rebuild below and the shared small build run them
    built = before.dbt(
        "build",
        "--full-refresh",
        "--exclude",
        "resource_type:test",
        "--exclude-resource-type",
        "unit_test",
        extra_vars=VARS,
    )
    assert built.returncode == 0, built.stdout[-5000:]

    # as `make build` does: the published copy is the refresh's restore point,
    # so the refresh below runs in place
    publish(before.warehouse, base / "published.duckdb")
    planted = plant_changes(project.raw, project.raw / "finance")

    code = _refresh_writing_to(
        base / "a",
        before.warehouse,
        project.root,
        str(project.raw),
        force_periodic=True,
        publish_to=base / "published.duckdb",
        extra=NO_GENERIC_TESTS,
        dbt_vars=VARS,
    )
    assert code == 0

    rebuilt = Project(
        root=project.root, raw=project.raw, truth=project.truth, warehouse=base / "rebuilt.duckdb", output=base / "b"
    )
    # this is also the suite's build of CSV extracts: every singular test and
    # the staging layer's generic tests, where the file format matters (the
    # generic tests downstream and the unit tests run in the shared small
    # build, and the marts are compared with the refresh's row for row)
    result = rebuilt.dbt(
        "build",
        "--full-refresh",
        "--exclude-resource-type",
        "unit_test",
        "--exclude",
        "test_type:generic,path:models/intermediate",
        "test_type:generic,path:models/marts",
        extra_vars=VARS,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    assert sorted(path.suffix for path in project.raw.iterdir() if path.is_file()) == [".csv"] * 14
    assert sorted(path.suffix for path in (project.raw / "finance").iterdir()) == [".csv"] * 2
    return before, rebuilt, planted, base


def _query(warehouse, sql):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_refresh_equals_full_build(refreshed):
    before, rebuilt, _, base = refreshed
    relations = mart_relations(base / "b" / "target" / "manifest.json")
    assert len(relations) >= 30
    assert all(relations.values()), "every mart declares its grain"
    assert compare_marts(before.warehouse, rebuilt.warehouse, relations) == {}


def test_refresh_reprocessed_only_what_changed(refreshed):
    before, _, planted, _ = refreshed
    changed = dict(
        _query(before.warehouse, "select key_type, count(*) from staging.stg_refresh__changed_keys group by 1")
    )
    orders = _query(before.warehouse, "select count(*) from core.fct_orders")[0][0]
    # the new day, the planted orders, the quarantined customer's and the
    # revalued product's orders: far fewer than all
    assert 0 < changed["order"] < orders / 4
    assert changed["customer"] == 1 and changed["product"] == 1
    months = {row[0] for row in _query(before.warehouse, "select month from intermediate.int_refresh__cost_months")}
    all_months = {
        row[0]
        for row in _query(before.warehouse, "select distinct posting_month from staging.stg_finance__general_ledger")
    }
    # the late GL adjustment re-allocates its month; the current month always
    assert dt.date(2026, 6, 1) in months and dt.date(2026, 10, 1) in months
    assert months <= all_months | {dt.date(2026, 11, 1)}


def test_planted_changes_reach_the_marts(refreshed):
    before, _, planted, _ = refreshed
    wh = before.warehouse
    assert _query(wh, f"select count(*) from core.fct_orders where order_id = '{planted['deleted']}'") == [(0,)]
    assert _query(wh, f"select order_status from core.fct_orders where order_id = '{planted['cancelled']}'") == [
        ("cancelled",)
    ]
    assert _query(wh, f"select count(*) from core.fct_orders where customer_id = '{planted['customer']}'") == [(0,)]
    reasons = {
        row[0]
        for row in _query(
            wh,
            "select rule from quality.data_quality_exceptions"
            f" where record_key in ('{planted['customer']}', 'O-NEW-BAD|1')",
        )
    }
    assert "missing_value" in reasons
    # the GL of every month ties out after the late adjustment
    assert _query(
        wh,
        "select count(*) from (select posting_month, sum(amount) as gl"
        " from staging.stg_finance__general_ledger group by 1) g"
        " join (select posting_month, sum(allocated_amount) as allocated"
        "       from intermediate.int_cost_allocations__orders group by 1) a using (posting_month)"
        " where g.gl <> a.allocated",
    ) == [(0,)]
    # the receipt received again: one staged copy (the later), one deduplicated
    receipt = planted["receipt"]
    assert _query(
        wh, f"select receipt_date from staging.stg_erp__purchase_receipts where receipt_id = '{receipt}'"
    ) == [(dt.date(2026, 10, 30),)]
    assert _query(
        wh,
        "select count(*) from quality.data_quality_exceptions"
        f" where source_table = 'erp_purchase_receipts' and record_key = '{receipt}' and rule = 'duplicate_key'",
    ) == [(1,)]
    # the refresh ran in place (the published copy was its restore point),
    # published its result and left no working copy or mark behind
    assert (wh.parent / "published.duckdb").exists()
    assert not (wh.parent / (wh.name + ".refreshing")).exists()
    assert not refresh_module.in_place_mark(wh).exists()


def test_comparison_catches_a_difference(refreshed, tmp_path):
    """The comparison is not vacuous: one changed cent in a copy is found (in the
    stored order costs, seen through the mart view that publishes them)."""
    before, rebuilt, _, base = refreshed
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(rebuilt.warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute(
        "update intermediate.int_orders__cost_to_serve set total_cost_to_serve = total_cost_to_serve + 0.01"
        " where order_id = (select min(order_id) from intermediate.int_orders__cost_to_serve)"
    )
    con.close()
    relations = mart_relations(base / "b" / "target" / "manifest.json")
    differences = compare_marts(copy, rebuilt.warehouse, relations)
    assert list(differences) == ["cost_to_serve.cost_to_serve_orders"]
    assert differences["cost_to_serve.cost_to_serve_orders"]["only_left"] == 1


def built_warehouse(path, run="run-1"):
    """A warehouse file whose run log records one finished, successful build."""
    con = duckdb.connect(str(path))
    con.execute("create table t as select 1 as x")
    con.execute("create schema ops")
    con.execute(
        "create table ops.build_run_starts as select ? as invocation_id,"
        " timestamp '2026-11-01 06:00:00' as run_started_at, 'build' as command",
        [run],
    )
    con.execute(
        "create table ops.build_runs as select ? as invocation_id,"
        " timestamp '2026-11-01 06:00:00' as run_started_at, true as is_full_refresh,"
        " 2 as models_built, 0 as periodic_models_built, 0 as failed_nodes",
        [run],
    )
    con.close()
    return path


def fake_dbt(calls, fail, ran_on=None):
    """A dbt_command stand-in: a run that writes a row into the file it is
    given, records a finished build (or fails)."""

    def command(project_dir, dbt_vars, include_periodic, extra, all_tests=False):
        calls.append((dbt_vars, include_periodic))
        script = "import duckdb, os, sys; path = os.environ['DBT_DUCKDB_PATH']\n"
        if ran_on is not None:
            script += f"open({str(ran_on)!r}, 'w').write(path)\n"
        script += (
            "con = duckdb.connect(path); con.execute('insert into t values (2)')\n"
            "con.execute(\"insert into ops.build_run_starts values ('run-2', timestamp '2026-11-02 06:00:00',"
            " 'build')\")\n"
        )
        if fail:
            script += "sys.exit(1)\n"
        script += (
            "con.execute(\"insert into ops.build_runs values ('run-2', timestamp '2026-11-02 06:00:00', false,"
            ' 1, 0, 0)"); con.close()\n'
        )
        return [sys.executable, "-c", script]

    return command


def _rows(path):
    return _query(path, "select x from t order by x")


def test_failed_refresh_leaves_the_warehouse_unchanged(tmp_path, monkeypatch):
    """When dbt fails on the copy (no published copy to restore from), neither
    the warehouse nor the published copy changes."""
    warehouse = built_warehouse(tmp_path / "warehouse.duckdb")
    content = warehouse.read_bytes()
    calls = []
    monkeypatch.setattr(refresh_module, "dbt_command", fake_dbt(calls, fail=True))
    monkeypatch.setattr(refresh_module, "periodic_refresh_days", lambda project_dir: 7)
    published = tmp_path / "published.duckdb"
    code = refresh_module.refresh(warehouse, tmp_path, "extracts", publish_to=published, dbt_vars={"x": 1})
    assert code != 0
    assert calls == [({"raw_path": "extracts", "x": 1}, True)]  # no periodic build yet: due
    assert warehouse.read_bytes() == content
    assert not published.exists()
    assert not (tmp_path / "warehouse.duckdb.refreshing").exists()


def test_refresh_runs_in_place_and_is_restored_from_the_published_copy(tmp_path, monkeypatch):
    """With a published copy of the warehouse's state, the refresh runs on the
    warehouse itself (no copy first); when dbt fails, the published copy is
    put back, so both are as before and the next refresh starts from there."""
    warehouse = built_warehouse(tmp_path / "warehouse.duckdb")
    published = publish(warehouse, tmp_path / "published.duckdb")
    published_content = published.read_bytes()
    ran_on = tmp_path / "ran_on.txt"
    monkeypatch.setattr(refresh_module, "dbt_command", fake_dbt([], fail=True, ran_on=ran_on))
    monkeypatch.setattr(refresh_module, "periodic_refresh_days", lambda project_dir: 7)
    code = refresh_module.refresh(warehouse, tmp_path, "extracts", publish_to=published)
    assert code != 0
    assert ran_on.read_text() == str(warehouse)
    assert _rows(warehouse) == [(1,)]
    assert latest_invocation(warehouse) == "run-1"
    assert published.read_bytes() == published_content
    assert not refresh_module.in_place_mark(warehouse).exists()

    monkeypatch.setattr(refresh_module, "dbt_command", fake_dbt([], fail=False, ran_on=ran_on))
    assert refresh_module.refresh(warehouse, tmp_path, "extracts", publish_to=published) == 0
    assert ran_on.read_text() == str(warehouse)
    assert _rows(warehouse) == _rows(published) == [(1,), (2,)]
    assert latest_invocation(published) == "run-2"
    assert not refresh_module.in_place_mark(warehouse).exists()


def test_refresh_copies_when_the_published_copy_is_older(tmp_path, monkeypatch):
    """A published copy of an older state is no restore point: the refresh runs
    on a copy, swapped in when it succeeds."""
    warehouse = built_warehouse(tmp_path / "warehouse.duckdb", run="run-0")
    published = publish(warehouse, tmp_path / "published.duckdb")
    con = duckdb.connect(str(warehouse))
    con.execute("update ops.build_run_starts set invocation_id = 'run-1'")
    con.execute("update ops.build_runs set invocation_id = 'run-1'")
    con.close()
    ran_on = tmp_path / "ran_on.txt"
    monkeypatch.setattr(refresh_module, "dbt_command", fake_dbt([], fail=False, ran_on=ran_on))
    monkeypatch.setattr(refresh_module, "periodic_refresh_days", lambda project_dir: 7)
    assert refresh_module.refresh(warehouse, tmp_path, "extracts", publish_to=published) == 0
    assert ran_on.read_text() == str(tmp_path / "warehouse.duckdb.refreshing")
    assert _rows(warehouse) == _rows(published) == [(1,), (2,)]
    assert not (tmp_path / "warehouse.duckdb.refreshing").exists()


def test_a_killed_in_place_refresh_is_undone_by_the_next(tmp_path, monkeypatch):
    """A refresh killed half-way leaves its mark and a half-written warehouse
    (with a write-ahead log); the next refresh restores the published copy and
    starts from it. Without a matching published copy it refuses to start."""
    warehouse = built_warehouse(tmp_path / "warehouse.duckdb")
    published = publish(warehouse, tmp_path / "published.duckdb")
    refresh_module.in_place_mark(warehouse).write_text("run-1\n")
    con = duckdb.connect(str(warehouse))
    con.execute("insert into t values (9)")
    con.execute("insert into ops.build_run_starts values ('run-killed', timestamp '2026-11-02 06:00:00', 'build')")
    con.close()
    warehouse.with_name(warehouse.name + ".wal").write_bytes(b"left by a killed run")
    calls = []
    monkeypatch.setattr(refresh_module, "dbt_command", fake_dbt(calls, fail=False))
    monkeypatch.setattr(refresh_module, "periodic_refresh_days", lambda project_dir: 7)

    other = tmp_path / "other.duckdb"
    assert refresh_module.refresh(warehouse, tmp_path, "extracts", publish_to=other) == 2
    assert calls == []
    assert _rows(warehouse) == [(1,), (9,)]

    assert refresh_module.refresh(warehouse, tmp_path, "extracts", publish_to=published) == 0
    assert len(calls) == 1
    assert _rows(warehouse) == _rows(published) == [(1,), (2,)]
    assert not refresh_module.in_place_mark(warehouse).exists()
    assert not warehouse.with_name(warehouse.name + ".wal").exists()


def test_a_refresh_picks_its_selector(tmp_path):
    """A daily refresh builds selector daily_refresh (daily_refresh_all_tests
    with --all-tests), both declared in selectors.yml; a periodic refresh
    builds everything."""
    declared = {selector["name"] for selector in yaml.safe_load((REPO / "selectors.yml").read_text())["selectors"]}
    for all_tests, selector in ((False, "daily_refresh"), (True, "daily_refresh_all_tests")):
        command = refresh_module.dbt_command(tmp_path, {}, False, [], all_tests=all_tests)
        assert command[command.index("--selector") + 1] == selector
        assert selector in declared
    assert "--selector" not in refresh_module.dbt_command(tmp_path, {}, True, [], all_tests=True)


def test_periodic_models_are_due_by_the_run_log(tmp_path):
    warehouse = tmp_path / "log.duckdb"
    assert refresh_module.periodic_due(duckdb_file(warehouse, []), 7, dt.date(2026, 11, 10))
    runs = [
        ("2026-11-01 06:00:00", 20, 0),  # built the periodic models
        ("2026-11-05 06:00:00", 0, 0),  # a daily refresh
        ("2026-11-06 06:00:00", 20, 3),  # failed: does not count
    ]
    duckdb_file(warehouse, runs)
    assert not refresh_module.periodic_due(warehouse, 7, dt.date(2026, 11, 7))
    assert refresh_module.periodic_due(warehouse, 7, dt.date(2026, 11, 8))


def duckdb_file(path, runs):
    con = duckdb.connect(str(path))
    if runs:
        con.execute("create schema if not exists ops")
        con.execute(
            "create or replace table ops.build_runs (invocation_id varchar, run_started_at timestamp,"
            " is_full_refresh boolean, models_built integer, periodic_models_built integer, failed_nodes integer)"
        )
        for started, periodic, failed in runs:
            con.execute("insert into ops.build_runs values ('x', ?, false, 50, ?, ?)", [started, periodic, failed])
    con.close()
    return path


def _test_failures(project, scope):
    """{test name: failing rows} of the two order-cost tie-outs with var refresh_test_scope."""
    result = project.dbt(
        "test",
        "--select",
        "assert_order_line_costs_tie_to_orders assert_order_line_costs_follow_their_basis",
        extra_vars={**VARS, "refresh_test_scope": scope},
    )
    assert "Compilation Error" not in result.stdout, result.stdout[-3000:]
    results = json.loads((project.output / "target" / "run_results.json").read_text())
    return {
        entry["unique_id"].split(".")[-1]: entry["failures"] or 0
        for entry in results["results"]
        if entry["unique_id"].startswith("test.")
    }


def test_a_daily_refresh_runs_only_tables_incrementals_and_tie_outs(refreshed, tmp_path):
    """A daily refresh (periodic models not due) leaves out the periodic
    models, every Python model among them (so the plugin skips the scipy
    imports), the generic and unit tests, the views and the seeds; on the
    same extracts again it changes no mart."""
    before, rebuilt, _, base = refreshed
    project = before.fork(tmp_path)
    code = _refresh_writing_to(
        tmp_path,
        project.warehouse,
        project.root,
        str(rebuilt.raw),
        force_periodic=False,
        publish_to=None,
        dbt_vars=VARS,
    )
    assert code == 0
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    ran = [manifest["nodes"].get(result["unique_id"]) for result in _run_results(tmp_path / "target")]
    nodes = [node for node in ran if node is not None]
    kinds = {
        (node["resource_type"], node["config"].get("materialized"))
        for node in nodes
        if node["resource_type"] != "operation"
    }
    assert ("model", "incremental") in kinds and ("model", "table") in kinds
    assert not {kind for kind in kinds if kind[0] == "seed" or kind[1] == "view"}, kinds
    assert not [node["name"] for node in nodes if node.get("language") == "python"]
    assert not [node["name"] for node in nodes if "periodic" in node["tags"]]
    from scw.dbt_duckdb_plugin import PRELOAD_SWITCH

    assert refresh_module.DAILY_ENV == {PRELOAD_SWITCH: "0"}
    tests = {node["unique_id"] for node in nodes if node["resource_type"] in ("test", "unit_test")}
    assert all("test_metadata" not in manifest["nodes"][test] for test in tests), "only singular tests"
    # every singular test that reads no periodic model ran, those reading a
    # view or a seed too
    periodic = {key for key, node in manifest["nodes"].items() if "periodic" in node["tags"]}
    singular = {
        key
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and "test_metadata" not in node
        and not periodic & set(node["depends_on"]["nodes"])
    }
    assert tests == singular
    assert "test.supply_chain_warehouse.assert_whale_curve_ends_at_total_margin" in tests
    relations = mart_relations(base / "b" / "target" / "manifest.json")
    assert compare_marts(project.warehouse, rebuilt.warehouse, relations) == {}


def _run_results(target):
    return json.loads((target / "run_results.json").read_text())["results"]


def test_daily_tie_outs_check_the_recosted_orders(refreshed, tmp_path):
    """A daily refresh's scoped tie-outs (refresh_test_scope: recosted) find a
    planted cent in an order the refresh recosted and leave the others to the
    last run that tested them; on a full build the var narrows nothing."""
    before, _, _, _ = refreshed
    project = before.fork(tmp_path)
    con = duckdb.connect(str(project.warehouse))
    recosted, other = (
        row[0]
        for row in con.execute(
            "select distinct lines.order_id from cost_to_serve.cost_to_serve_order_lines as lines"
            " where lines.order_id in (select order_id from intermediate.int_refresh__recosted_orders)"
            " and lines.warehouse_labour_cost > 0 order by 1 limit 2"
        ).fetchall()
    )
    # the revalued product's orders span every month, so this refresh
    # re-allocated them all: one order is taken out of the recosted set, as
    # if the refresh had not touched it
    con.execute("delete from intermediate.int_refresh__recosted_orders where order_id = ?", [other])
    con.execute(
        "update cost_to_serve.cost_to_serve_order_lines set warehouse_labour_cost = warehouse_labour_cost + 0.05"
        " where (order_id, line_number) in (select order_id, min(line_number) from"
        " cost_to_serve.cost_to_serve_order_lines where order_id in (?, ?) group by 1)",
        [recosted, other],
    )
    con.close()
    # the tie-out returns a row per order and pool that does not tie
    # (warehouse labour: the lines' totals were left as they were), the basis
    # test a row per line and pool off its share by more than a cent. The
    # refresh's tests: the recosted order only
    assert _test_failures(project, "recosted") == {
        "assert_order_line_costs_tie_to_orders": 1,
        "assert_order_line_costs_follow_their_basis": 1,
    }
    # a warehouse without a refresh window is a full build: the var narrows
    # nothing, both orders are found (the same vars and target: no new parse)
    con = duckdb.connect(str(project.warehouse))
    con.execute("update staging.stg_refresh__window set previous_watermark = null, window_start = null")
    con.close()
    assert _test_failures(project, "recosted") == {
        "assert_order_line_costs_tie_to_orders": 2,
        "assert_order_line_costs_follow_their_basis": 2,
    }
