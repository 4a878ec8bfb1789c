"""The semantic layer: `mf query` on the small build gives the marts' figures.

MetricFlow (dbt-metricflow) reads the semantic models and metrics of
models/marts/serving/_serving__models.yml and runs on DuckDB:

- cost_per_order by customer segment and month, computed by MetricFlow from
  the orders (cost_to_serve_orders) joined to their customers' segments,
  equals segment_kpis.cost_per_order (computed by the mart from the
  intermediate models) for every segment and month with orders;
- otif_rate, fill_rate, perfect_order_rate, inventory_turnover and
  co2_per_order by segment and quarter equal the quarterly review's actual
  (segment_quarterly_review), which sums the months before dividing: the
  semantic layer rolls the months up as a ratio of sums too;
- cost_to_serve_margin by month equals the orders' total.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dbt_project_runner import copy_project

pytestmark = pytest.mark.e2e
MF = str(Path(sys.executable).with_name("mf"))


@pytest.fixture(scope="module")
def query(small_build, tmp_path_factory):
    """Run `mf query` in a copy of the project on a copy of the small build's
    warehouse (MetricFlow parses the project itself: not in the shared copy)."""
    project, _ = small_build
    base = tmp_path_factory.mktemp("semantic")
    fork = project.fork(base)
    root = copy_project(base / "project")
    # the semantic manifest the shared build's parse wrote, from the same project files
    (root / "target").mkdir()
    shutil.copy2(project.root / "target" / "semantic_manifest.json", root / "target")
    env = dict(
        os.environ,
        DBT_DUCKDB_PATH=str(fork.warehouse),
        DBT_PROFILES_DIR=str(root),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )

    def run(metrics: list[str], group_by: list[str]) -> list[dict]:
        out = fork.output / f"{'_'.join(metrics)[:60]}.csv"
        result = subprocess.run(
            [MF, "query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(out)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
        with out.open() as handle:
            return list(csv.DictReader(handle))

    # the figures to compare with, from the shared build (MetricFlow holds the copy)
    con = duckdb.connect(str(project.warehouse), read_only=True)
    yield run, con
    con.close()


def test_docs_generate_static_writes_one_file_with_every_exposure(small_build, tmp_path):
    """`dbt docs generate --static` (make docs): one HTML file with the lineage
    of every exposure (the dashboard pages, the API, the hook, the ERP export)."""
    project, _ = small_build
    fork = project.fork(tmp_path / "docs")
    # --no-compile and --empty-catalog, on the shared build's manifest (the
    # same project files): the lineage, without compiling every model or
    # reading the warehouse's catalog (make docs does both)
    (fork.output / "target").mkdir(parents=True, exist_ok=True)
    shutil.copy2(project.root / "target" / "manifest.json", fork.output / "target" / "manifest.json")
    result = fork.dbt("docs", "generate", "--static", "--no-compile", "--empty-catalog")
    assert result.returncode == 0, result.stdout[-3000:]
    page = fork.output / "target" / "static_index.html"
    text = page.read_text()
    manifest = json.loads((fork.output / "target" / "manifest.json").read_text())
    exposures = {e["name"] for e in manifest["exposures"].values()}
    assert {"segment_api", "order_entry_hook", "erp_planning_parameters_export", "dashboard_whale_curve"} <= exposures
    assert len([e for e in exposures if e.startswith("dashboard_")]) == 8
    for name in exposures:
        assert name in text, name


def _num(text):
    return None if text in ("", None) else float(text)


def test_cost_per_order_equals_the_segment_kpis_for_every_segment_and_month(query):
    run, con = query
    rows = run(["cost_per_order"], ["metric_time__month", "customer__segment"])
    got = {(r["customer__segment"], r["metric_time__month"][:10]): _num(r["cost_per_order"]) for r in rows}
    want = {
        (segment, str(month)): value
        for segment, month, value in con.execute(
            "select segment, month, cost_per_order from governance.segment_kpis where orders > 0"
        ).fetchall()
    }
    assert len(want) > 20
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-9), key


def test_rates_roll_up_to_the_quarterly_review(query):
    run, con = query
    metrics = {
        "otif_rate": "otif_rate",
        "fill_rate": "fill_rate",
        "perfect_order_rate": "perfect_order_rate",
        "inventory_turnover": "inventory_turnover",
        "co2_per_order": "co2_kg_per_order",
    }
    rows = run(list(metrics), ["metric_time__quarter", "segment_month__kpi_segment"])
    got = {(r["segment_month__kpi_segment"], r["metric_time__quarter"][:10]): r for r in rows}
    checked = 0
    for segment, quarter, kpi, actual in con.execute(
        "select segment, quarter_start, kpi, actual from governance.segment_quarterly_review where actual is not null"
    ).fetchall():
        metric = next((m for m, name in metrics.items() if name == kpi), None)
        if metric is None:
            continue
        assert _num(got[(segment, str(quarter))][metric]) == pytest.approx(actual, rel=1e-9), (segment, quarter, kpi)
        checked += 1
    assert checked > 50


def test_cost_to_serve_margin_by_month_is_the_orders_total(query):
    run, con = query
    rows = run(["cost_to_serve_margin"], ["metric_time__month"])
    want = dict(
        con.execute(
            "select strftime(order_month, '%Y-%m-%d'), sum(cost_to_serve_margin)"
            " from cost_to_serve.cost_to_serve_orders group by 1"
        ).fetchall()
    )
    got = {r["metric_time__month"][:10]: _num(r["cost_to_serve_margin"]) for r in rows}
    assert set(got) == set(want)
    for month, value in want.items():
        assert got[month] == pytest.approx(float(value), rel=1e-9, abs=1e-6), month
