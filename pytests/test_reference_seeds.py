"""Reference seeds a user edits: a broken row fails the seed's own test, by name.

Configuration that is a table is a seed (docs/configuration.md), tested
like the data. One copy of the project gets five broken seeds at once and
runs `dbt seed` and the seeds' tests on the small extracts of the shared
build: each planted defect fails its test, which names the seed, and every
other seed test passes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from dbt_project_runner import Project, copy_project

SEEDS = Path("seeds") / "reference"

#: seed -> (how it is broken, the test that must fail)
PLANTS = {
    "obsolescence_lifecycle_risk": (
        "the 'unknown' row, every unlisted stage's fallback, deleted",
        "has_value_obsolescence_lifecycle_risk_lifecycle_stage__unknown",
    ),
    "service_scenarios": (
        "expedited_share 1.5 (a share above 1)",
        "expression_is_true_service_scenarios_expedited_share_between_0_and_1",
    ),
    "inventory_stress_scenarios": (
        "a scenario named base (the name of today's policy)",
        "expression_is_true_inventory_stress_scenarios",
    ),
    "transport_emission_factors": (
        "the source of the first factor left blank (a required column)",
        "not_null_columns_transport_emission_factors",
    ),
    "serving_roles": (
        "a role named 'Sales North' (not a name PostgreSQL and the API tokens can use)",
        "expression_is_true_serving_roles_role__regexp_full_match_role_a_z_a_z0_9__",
    ),
}


def _rewrite(path: Path, change) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    rows = change(rows)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _plant(root: Path) -> None:
    seeds = root / SEEDS
    _rewrite(
        seeds / "obsolescence_lifecycle_risk.csv", lambda rows: [r for r in rows if r["lifecycle_stage"] != "unknown"]
    )
    _rewrite(
        seeds / "service_scenarios.csv",
        lambda rows: [dict(r, expedited_share="1.5") if i == 0 else r for i, r in enumerate(rows)],
    )
    _rewrite(
        seeds / "inventory_stress_scenarios.csv",
        lambda rows: [dict(r, scenario="base") if i == 0 else r for i, r in enumerate(rows)],
    )
    _rewrite(
        seeds / "serving_roles.csv",
        lambda rows: [dict(r, role="Sales North") if r["role"] == "sales_north" else r for r in rows],
    )
    _rewrite(
        seeds / "transport_emission_factors.csv",
        lambda rows: [dict(r, source="") if i == 0 else r for i, r in enumerate(rows)],
    )


@pytest.fixture(scope="module")
def seed_tests(small_build, tmp_path_factory) -> dict[str, str]:
    """Status of every test of the reference seeds, by test name, after the plants."""
    built, _ = small_build
    root = copy_project(tmp_path_factory.mktemp("broken_seeds") / "project")
    _plant(root)
    project = Project(root=root, raw=built.raw, truth=built.truth, warehouse=root / "seeds.duckdb")
    seeded = project.dbt("seed", "--select", "path:seeds/reference")
    assert seeded.returncode == 0, seeded.stdout[-4000:]
    # cautious: the seeds' own tests, not the singular tests that also read models
    tested = project.dbt("test", "--select", "path:seeds/reference", "--indirect-selection", "cautious")
    assert tested.returncode != 0, "the broken seeds passed their tests"
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    statuses = {
        result["unique_id"].split(".")[2]: result["status"]
        for result in results
        if result["unique_id"].startswith("test.")
    }
    messages = {
        result["unique_id"].split(".")[2]: (result.get("message") or "", result.get("compiled_code") or "")
        for result in results
        if result["unique_id"].startswith("test.")
    }
    return statuses, messages, project


@pytest.mark.parametrize("seed", sorted(PLANTS))
def test_a_broken_seed_fails_its_own_test(seed_tests, seed):
    statuses, _, _ = seed_tests
    _, test_prefix = PLANTS[seed]
    failed = [name for name, status in statuses.items() if name.startswith(test_prefix) and status == "fail"]
    assert failed, f"{seed} ({PLANTS[seed][0]}): no failing test named {test_prefix}*; got {statuses}"


def test_a_null_names_its_column_and_count(seed_tests):
    """not_null_columns (tests/generic) checks every required column of a
    seed or model in one query, and returns a row per column with nulls."""
    statuses, messages, project = seed_tests
    (name,) = [name for name in statuses if name.startswith("not_null_columns_transport_emission_factors")]
    message, compiled = messages[name]
    assert message == "Got 1 result, configured to fail if != 0"
    # the test's own compiled query, run again: the failing row
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        rows = con.execute(compiled).fetchall()
    finally:
        con.close()
    assert rows == [("source", 1)]


def test_every_other_seed_test_passes(seed_tests):
    statuses, _, _ = seed_tests
    planted = tuple(prefix for _, prefix in PLANTS.values())
    others = {name: status for name, status in statuses.items() if not name.startswith(planted)}
    assert len(others) > 20
    assert set(others.values()) == {"pass"}, {name: s for name, s in others.items() if s != "pass"}
