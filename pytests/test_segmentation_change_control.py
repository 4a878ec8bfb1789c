"""Change control of the segmentation logic: the approval gate of the
production target, and `scw assess`'s impact assessment of a planted
threshold change.

- A proposed version (another abc_a_share) without an approval row fails a
  build on the prod target, naming the version, its fingerprint (worked out
  here from the vars, independently of the macro) and the seed to add it
  to; with the row added, the same build passes and publishes.
- `scw assess` with abc_a_share 0.5 on a copy of the shared small build
  lists exactly the SKUs whose ABC class the lower share changes (worked out
  here from product_segments' value shares), and no customer.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import duckdb
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO, Project, copy_project

from scw.assess import assess
from scw.warehouse import publish

pytestmark = pytest.mark.e2e

PROPOSED = {"segmentation_logic_version": "2026.2-test", "abc_a_share": 0.5}


def fingerprint(overrides: dict) -> str:
    """md5 of the segmentation parameters (the macro's list of names) as sorted JSON."""
    macro = (REPO / "macros/governance/segmentation_logic.sql").read_text()
    body = macro[macro.index("macro segmentation_logic_parameter_names()") :]
    names = re.findall(r"'(\w+)'", body[: body.index("endmacro")])
    project_vars = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"] | overrides
    parameters = {name: project_vars[name] for name in names}
    return hashlib.md5(json.dumps(parameters, sort_keys=True).encode()).hexdigest()


def test_the_demo_logic_is_approved():
    approvals = pd.read_csv(REPO / "seeds/reference/segmentation_logic_approvals.csv", dtype=str)
    version = str(yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]["segmentation_logic_version"])
    assert ((approvals["logic_version"] == version) & (approvals["logic_fingerprint"] == fingerprint({}))).any()


@pytest.fixture(scope="module")
def gated(small_build, tmp_path_factory):
    """The proposal run on the prod target, without and then with its approval."""
    project, _ = small_build
    base = tmp_path_factory.mktemp("gate")
    fork = project.fork(base / "refused")
    refused = fork.dbt("build", "--target", "prod", "--select", "int_segmentation__logic_version", extra_vars=PROPOSED)
    root = copy_project(base / "project")
    approvals = root / "seeds/reference/segmentation_logic_approvals.csv"
    with approvals.open("a") as handle:
        handle.write(f'2026.2-test,{fingerprint(PROPOSED)},Test committee,2026-12-01,"abc_a_share 0.5, for the test"\n')
    approved_project = Project(
        root=root, raw=project.raw, truth=project.truth, warehouse=base / "approved.duckdb", output=base / "approved"
    )
    shutil.copy2(project.warehouse, approved_project.warehouse)
    approved = approved_project.dbt(
        "build",
        "--target",
        "prod",
        "--select",
        "segmentation_logic_approvals",
        "int_segmentation__logic_version",
        extra_vars=PROPOSED,
    )
    return refused, approved, approved_project, base


def test_an_unapproved_version_fails_the_production_build_saying_what_to_approve(gated):
    refused, _, _, _ = gated
    assert refused.returncode != 0
    expected = (
        f"Segmentation logic version 2026.2-test (parameter fingerprint {fingerprint(PROPOSED)})"
        " is not approved for target prod"
    )
    assert expected in refused.stdout
    assert f'"2026.2-test,{fingerprint(PROPOSED)},<approver>,<YYYY-MM-DD>,<reason>"' in refused.stdout
    assert "seeds/reference/segmentation_logic_approvals.csv" in refused.stdout


def test_an_approved_version_builds_and_publishes(gated):
    _, approved, project, base = gated
    assert approved.returncode == 0, approved.stdout[-3000:]
    con = duckdb.connect(str(project.warehouse), read_only=True)
    row = con.execute(
        "select logic_version, logic_fingerprint, is_approved, is_approval_enforced, approver"
        " from intermediate.int_segmentation__logic_version"
    ).fetchall()
    con.close()
    assert row == [("2026.2-test", fingerprint(PROPOSED), True, True, "Test committee")]
    published = publish(project.warehouse, base / "published" / "supply_chain.duckdb")
    assert published.exists()


@pytest.fixture(scope="module")
def assessed(small_build, tmp_path_factory):
    project, _ = small_build
    base = tmp_path_factory.mktemp("assess")
    fork = project.fork(base)
    out = base / "assessment.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(base / "target"))
        patch.setenv("DBT_LOG_PATH", str(base / "logs"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        code = assess(project.root, fork.warehouse, out, PROPOSED, raw_path=str(project.raw))
    assert code == 0
    con = duckdb.connect(str(out), read_only=True)
    frames = {
        name: con.execute(f"select * from {table}").df()
        for name, table in {
            "movers": "governance.impact_assessment",
            "by_segment": "governance.impact_assessment_by_segment",
            "current": "assess_baseline.product_segments",
            "policies": "assess_baseline.inventory_policies",
            "service_changes": "governance.impact_assessment_service_changes",
            "logic": "intermediate.int_segmentation__logic_version",
        }.items()
    }
    con.close()
    return frames


def test_the_assessment_lists_exactly_the_skus_the_lower_a_share_moves(assessed):
    current = assessed["current"]
    # a SKU is A while the value share of the SKUs ranked before it is below the A share
    before = current["cumulative_value_share"] - current["value_share"]
    abc = pd.Series("C", index=current.index).where(before >= 0.95, "B").where(before >= 0.5, "A")
    abc = abc.where(current["abc_class"].notna(), None)
    moved = current.loc[abc.notna() & (abc != current["abc_class"]), "sku_id"]
    movers = assessed["movers"]
    assert set(movers.loc[movers["entity_type"] == "product", "entity_id"]) == set(moved)
    assert len(moved) > 0
    assert (movers["entity_type"] == "product").all(), "an ABC share moves no customer"
    # every product mover leaves A for B
    product_movers = movers.set_index("entity_id")
    assert set(product_movers["current_segment"].str[0]) == {"A"}
    assert set(product_movers["proposed_segment"].str[0]) == {"B"}


def test_the_default_target_builds_an_unapproved_version_and_says_so(assessed):
    """scw assess runs the proposal on the default target: built, not approved, not enforced."""
    logic = assessed["logic"]
    assert logic[["logic_version", "logic_fingerprint", "is_approved", "is_approval_enforced"]].values.tolist() == [
        ["2026.2-test", fingerprint(PROPOSED), False, False]
    ]


def test_the_segment_effects_add_up(assessed):
    by_segment = assessed["by_segment"]
    movers = assessed["movers"]
    products = by_segment[by_segment["entity_type"] == "product"]
    assert products["moved_out"].sum() == products["moved_in"].sum() == len(movers)
    assert (
        products["proposed_entities"] == products["current_entities"] + products["moved_in"] - products["moved_out"]
    ).all()
    # the movers' safety stock change is part of their segments' change
    assert movers["proposed_safety_stock_value"].notna().all()
    # the current side's inventory is the baseline's policies, safety plus cycle stock
    policies = assessed["policies"]
    current_products = set(assessed["current"]["sku_id"])
    in_segments = policies[policies["sku_id"].isin(current_products)]
    assert products["current_inventory_value"].sum() == pytest.approx(
        (in_segments["safety_stock_value"] + in_segments["cycle_stock_value"]).sum(), rel=1e-9
    )
    # a proposal moves freight between customer segments: the total stays
    customers = by_segment[by_segment["entity_type"] == "customer"]
    assert customers["current_freight_cost"].sum() == pytest.approx(customers["proposed_freight_cost"].sum())
    assert customers["current_freight_cost"].sum() > 0
    # an ABC share moves no customer, so no customer's service is lowered
    assert assessed["service_changes"].empty
