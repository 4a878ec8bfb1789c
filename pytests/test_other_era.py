"""Extracts of another era: a data set whose history is 1993 builds with no calendar var.

The generator's ``end_month`` moves the whole history (orders, ledger,
budget, forecasts); nothing in the project may assume the demo's years.
The one build also checks that the README's history commands answer right
after a first build: ``scw segments-as-of`` with the build's id returns the
assignments it snapshot, and a business date of 1993 (before the snapshots,
which carry the build's clock time) says so instead of returning nothing.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from dbt_project_runner import Project, copy_project

from scw.cli import main
from scw.generator import generate

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def era_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("era_1993")
    raw = base / "raw"
    generate(scale="tiny", seed=11, out=raw, fmt="parquet", truth_out=base / "truth", end_month="1993-12")
    project = Project(
        root=copy_project(base / "project"), raw=raw, truth=base / "truth", warehouse=base / "warehouse.duckdb"
    )
    # the defaults of the calendar vars are null: the calendar follows the
    # data. Every data test; the unit tests (fixtures, the same in any era)
    # run in the shared small build
    result = project.dbt("build", "--full-refresh", "--exclude-resource-type", "unit_test")
    results = json.loads((project.root / "target" / "run_results.json").read_text())["results"]
    return project, result, results


def _query(project: Project, sql: str):
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_1993_history_builds_whole(era_build):
    project, result, results = era_build
    # the seeds delivery_frequency_changes and segment_kpi_targets name
    # segments of the demo's clustering, which this history's labels need
    # not have: a warning that names the row, not a failure
    may_warn = {
        "test.supply_chain_warehouse.assert_delivery_frequency_changes_name_existing_segments",
        "test.supply_chain_warehouse.assert_segment_kpi_targets_name_existing_segments",
    }
    failed = {
        r["unique_id"]: r["status"]
        for r in results
        if r["status"] not in ("success", "pass")
        and not (r["status"] == "warn" and r["unique_id"] in may_warn)
        # an exposure is a node of the graph that runs nothing
        and not (r["status"] == "no-op" and r["unique_id"].startswith("exposure."))
    }
    assert result.returncode == 0 and not failed, (failed, result.stdout[-3000:])
    # every model, seed, snapshot and data test of the project ran
    manifest = json.loads((project.root / "target" / "manifest.json").read_text())
    # (the tests of a disabled model, such as the impact assessment that
    # only scw assess enables, stay in the manifest, disabled)
    expected = {
        key
        for key, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot", "test") and node["config"].get("enabled", True)
    }
    assert expected <= {r["unique_id"] for r in results} and len(expected) > 800


def test_the_calendar_spans_the_data(era_build):
    project, _, _ = era_build
    first_order, last_order = _query(project, "select min(order_date), max(order_date) from core.fct_orders")[0]
    assert first_order.year == 1993 and last_order.year == 1993
    first_day, last_day = _query(project, "select min(date_day), max(date_day) from core.dim_dates")[0]
    assert first_day == dt.date(1993, 1, 1)
    assert last_day >= dt.date(1993, 12, 31)
    # the allocation ties out in that era too
    tie = _query(project, "select count(*), count(*) filter (where status = 'tied') from finance.gl_reconciliation")[0]
    assert tie[0] > 0 and tie[0] == tie[1], tie


def test_segments_as_of_answers_right_after_the_first_build(era_build, capsys):
    project, _, _ = era_build
    build_id = _query(project, "select invocation_id from ops.build_runs order by run_started_at desc limit 1")[0][0]
    current = _query(project, "select count(*) from snapshots.customer_segments_snapshot where dbt_valid_to is null")
    code = main(["segments-as-of", "--warehouse", str(project.warehouse), build_id])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(captured.out.splitlines()) - 1 == current[0][0] > 0
    code = main(["segments-as-of", "--warehouse", str(project.warehouse), "1993-12-31"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert "the history starts at" in captured.err and build_id in captured.err
