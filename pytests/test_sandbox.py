"""`scw sandbox`: a proposed seed change built beside production, never published.

The shared small build is published (production) with its dbt manifest. A
copy of the project changes one reference seed row (the service level of
product segment AX in segment_policies); the sandbox builds what that
changes (state:modified+) in its own file and lists the differences:

- exactly the policy-matrix cells the changed seed row decides (read from
  production's matrix, by its patterns) change, in service_level_target
  only; the AX inventory policies change and no other;
- no customer or product changes segment;
- the published files are byte-identical afterwards, and the project's own
  target/ is not written.
"""

from __future__ import annotations

import csv
import json
import shutil

import duckdb
import pytest
from dbt_project_runner import copy_project

from scw.sandbox import sandbox
from scw.serving.published import open_published, published_checksums
from scw.warehouse import publish

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def result(small_build, tmp_path_factory):
    project, _ = small_build
    base = tmp_path_factory.mktemp("sandbox")
    fork = project.fork(base / "production")
    target = base / "published" / "supply_chain.duckdb"
    publish(fork.warehouse, target, compact_source=False)
    production = open_published(target.parent)
    # the production manifest: the shared build's project files, unchanged
    shutil.copyfile(project.root / "target" / "manifest.json", production.root / "dbt_manifest.json")
    before = published_checksums(target.parent)
    # the proposal: a copy of the project beside the same extracts (same relative raw_path)
    root = copy_project(base / "work" / "project")
    (base / "work" / "raw").symlink_to(project.raw)
    seed = root / "seeds" / "reference" / "segment_policies.csv"
    with seed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    (changed,) = [r for r in rows if r["customer_segment_pattern"] == "*" and r["product_segment_pattern"] == "AX"]
    changed["service_level_target"] = "0.99"
    with seed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code = sandbox(root, target.parent, base / "sandbox" / "supply_chain.duckdb", raw_path="../raw")
    assert code == 0
    # named like the production build file (the shared build's warehouse.duckdb)
    out = base / "sandbox" / "warehouse.duckdb"
    found = json.loads((out.parent / "differences.json").read_text())
    return production, found, before, target.parent, root, out


def test_the_changed_seed_row_changes_exactly_its_cells(result):
    production, found, _, _, _, _ = result
    con = duckdb.connect(str(production.database), read_only=True)
    cells = con.execute(
        "select count(*) from segmentation.segment_policy_matrix"
        " where customer_segment_pattern = '*' and product_segment_pattern = 'AX'"
        " and service_level_target <> 0.99"
    ).fetchone()[0]
    ax_policies = con.execute(
        "select count(*) from inventory.inventory_policies where segment = 'AX' and service_level_target is not null"
    ).fetchone()[0]
    con.close()
    matrix = found["policy_changes"]["segmentation.segment_policy_matrix"]
    assert cells > 0 and matrix["count"] == cells == matrix["by_change"]["changed"]
    assert all(
        e["columns"] == ["service_level_target"] and e["key"]["product_segment"] == "AX" for e in matrix["examples"]
    )
    inventory = found["policy_changes"]["inventory.inventory_policies"]
    assert 0 < inventory["count"] <= ax_policies
    assert inventory["by_change"]["added"] == inventory["by_change"]["removed"] == 0
    assert all("service_level_target" in e["columns"] for e in inventory["examples"])


def test_no_entity_changes_segment(result):
    _, found, _, _, _, _ = result
    assert found["segment_changes"]["customer"]["count"] == 0
    assert found["segment_changes"]["product"]["count"] == 0


def test_nothing_is_published_and_production_is_untouched(result):
    _, _, before, folder, root, out = result
    assert published_checksums(folder) == before
    assert out.exists() and out.parent != folder
    # dbt wrote the sandbox's target, not the project's own
    results = json.loads((root / "target" / "sandbox" / "run_results.json").read_text())["results"]
    assert all(r["status"] in ("success", "pass", "no-op") for r in results)
    # what the changed seed reaches, not the whole project
    built = {r["unique_id"] for r in results if r["unique_id"].startswith("model.")}
    assert "model.supply_chain_warehouse.segment_policy_matrix" in built
    assert "model.supply_chain_warehouse.fct_orders" not in built
    assert not (root / "target" / "run_results.json").exists()
