"""``scw assess``: the impact of a proposed segmentation logic, or of stressed inputs, beside the current build.

Evaluates a proposed version of the segmentation logic (other vars: a
threshold, a half-life, the method, the k range), or the current one on
stressed extracts (a demand spike in one region, a supplier disruption:
scw.stress), on a copy of the current build, never on the warehouse or its
published copy, and writes governance.impact_assessment (the customers and
products that would change segment, with their safety stock and
cost-to-serve margin), governance.impact_assessment_by_segment (the effect
per segment: entities, safety stock, inventory value, freight, margin) and
governance.impact_assessment_service_changes (the customers whose service
would be lowered, by account manager, with the margin gained) into the
copy:

    .venv/bin/scw assess --vars '{segmentation_logic_version: "2026.2", abc_a_share: 0.7}'
    .venv/bin/scw assess --stress demand_spike:north:30

1. the current build (a whole, successful dbt build) is copied to
   warehouse/assess/assessment.duckdb (--out);
2. its current segments, policies, customer margins and delivery
   frequency costs are kept in schema assess_baseline;
3. the segmentation and the models that follow from it (the periodic
   models: segmentation, inventory policy, transport, governance) are
   rebuilt in the copy with the proposed vars, on a target that enforces no
   approval (--target, default duckdb); with --stress, the extracts are
   copied with the stress applied (warehouse/assess/stressed_raw) and every
   model is rebuilt on them;
4. their results are kept in schema assess_proposal, and the impact
   models compare the schemas.

Prints the movers per segment change and the effects; exits with dbt's code
when a run fails. Approve the version afterwards in
seeds/reference/segmentation_logic_approvals.csv (README, "Governance").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from .stress import Stress, stress_extracts
from .warehouse import DEFAULT_WAREHOUSE, publish_problem

#: schema.table of the current build kept as the baseline, and of the
#: proposal's results, by the name the impact models read them under
COMPARED = {
    "customer_segments": "segmentation.customer_segments",
    "product_segments": "segmentation.product_segments",
    "inventory_policies": "inventory.inventory_policies",
    "segment_policy_matrix": "segmentation.segment_policy_matrix",
    "delivery_frequency_scenarios": "transport.delivery_frequency_scenarios",
}
DEFAULT_OUT = "warehouse/assess/assessment.duckdb"


def keep(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Copy the compared tables into ``schema`` (replacing what was there)."""
    con.execute(f"create schema if not exists {schema}")
    for name, table in COMPARED.items():
        con.execute(f"create or replace table {schema}.{name} as select * from {table}")


def dbt(project_dir: Path, warehouse: Path, *args: str, dbt_vars: dict) -> int:
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--vars",
        json.dumps(dbt_vars),
    ]
    env = dict(os.environ, DBT_DUCKDB_PATH=str(warehouse))
    return subprocess.run(command, cwd=project_dir, env=env, check=False).returncode


def summary(out: Path) -> str:
    con = duckdb.connect(str(out), read_only=True)
    try:
        movers = con.execute(
            "select entity_type, current_segment, proposed_segment, count(*) from governance.impact_assessment"
            " group by all order by 1, 4 desc, 2, 3"
        ).fetchall()
        effects = con.execute(
            "select entity_type, segment, current_entities, proposed_entities, safety_stock_value_change,"
            " cost_to_serve_margin_change from governance.impact_assessment_by_segment"
            " where current_entities <> proposed_entities or safety_stock_value_change <> 0"
            " order by 1, 2"
        ).fetchall()
    finally:
        con.close()
    lines = [f"{sum(row[3] for row in movers)} entities would change segment"]
    lines += [f"  {kind:<9} {current} -> {proposed}: {count}" for kind, current, proposed, count in movers]
    lines.append("segments whose size or safety stock would change:")
    lines += [
        f"  {kind:<9} {segment}: {before} -> {after} entities, safety stock value {stock:+,.2f},"
        f" cost-to-serve margin {margin:+,.2f}"
        for kind, segment, before, after, stock, margin in effects
    ]
    return "\n".join(lines)


def project_raw_path(project_dir: Path) -> Path:
    """The project's var raw_path, relative to the project."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    raw = Path(str(project.get("vars", {}).get("raw_path", "data/raw")))
    return raw if raw.is_absolute() else project_dir / raw


def assess(
    project_dir: Path,
    warehouse: Path,
    out: Path,
    proposed: dict,
    raw_path: str | None = None,
    target: str = "duckdb",
    stress: Stress | None = None,
) -> int:
    """Assess ``proposed`` (vars) against the build in ``warehouse``, on stressed extracts when
    ``stress`` is given; dbt's exit code."""
    problem = publish_problem(warehouse)
    if problem is not None:
        print(f"assessment not started: {problem}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, out)
    con = duckdb.connect(str(out))
    try:
        keep(con, "assess_baseline")
    finally:
        con.close()
    base_vars = {"raw_path": raw_path} if raw_path else {}
    if stress is None:
        # the proposal changes the periodic models only
        selection = ["--select", "tag:periodic"]
    else:
        # stressed extracts change everything built from them
        stressed = out.parent / "stressed_raw"
        con = duckdb.connect(str(out), read_only=True)
        try:
            as_of = con.execute("select as_of_date from intermediate.int_calendar__as_of_date").fetchone()[0]
        finally:
            con.close()
        raw = Path(raw_path) if raw_path else project_raw_path(project_dir)
        changed = stress_extracts(raw, stressed, stress, as_of)
        print(f"stressed extracts in {stressed}: " + ", ".join(f"{t} {n:,} rows changed" for t, n in changed.items()))
        base_vars = {"raw_path": str(stressed.resolve())}
        selection = ["--full-refresh"]
    code = dbt(
        project_dir,
        out,
        "run",
        "--target",
        target,
        *selection,
        "--exclude",
        "resource_type:snapshot",
        dbt_vars={**base_vars, **proposed},
    )
    if code != 0:
        print(f"the proposal's build failed: {out} holds what it built", file=sys.stderr)
        return code
    con = duckdb.connect(str(out))
    try:
        keep(con, "assess_proposal")
    finally:
        con.close()
    code = dbt(
        project_dir,
        out,
        "build",
        "--target",
        target,
        "--select",
        "impact_assessment",
        "impact_assessment_by_segment",
        "impact_assessment_service_changes",
        dbt_vars={**base_vars, **proposed, "impact_assessment": True},
    )
    if code != 0:
        return code
    print(summary(out))
    print(f"the assessment is in {out} (governance.impact_assessment, governance.impact_assessment_by_segment)")
    return 0


def _run(args: argparse.Namespace) -> int:
    proposed = yaml.safe_load(args.vars) if args.vars else {}
    if not isinstance(proposed, dict) or (not proposed and not args.stress):
        print("--vars must give the proposed vars, as a YAML or JSON mapping (or --stress a stress)", file=sys.stderr)
        return 2
    try:
        stress = Stress.parse(args.stress) if args.stress else None
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    warehouse = Path(args.warehouse or os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_WAREHOUSE)
    return assess(Path(args.project_dir), warehouse, Path(args.out), proposed, args.raw_path, args.target, stress)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw assess``."""
    parser = subparsers.add_parser(
        "assess",
        help="assess a proposed segmentation logic against the current build (governance.impact_assessment)",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("--vars", help="the proposed vars, a YAML or JSON mapping (none: the current logic)")
    parser.add_argument(
        "--stress",
        help="rebuild on stressed extracts: demand_spike:<region>:<percent>[:<days>]"
        " or supplier_disruption:<days>[:<supplier_id>] (scw.stress)",
    )
    parser.add_argument("--warehouse", help=f"the current build (default: $DBT_DUCKDB_PATH or {DEFAULT_WAREHOUSE})")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"the assessment's copy (default {DEFAULT_OUT})")
    parser.add_argument("--raw-path", help="the extracts (default: the project's var raw_path)")
    parser.add_argument("--project-dir", default=".", help="the dbt project (default: .)")
    parser.add_argument("--target", default="duckdb", help="dbt target of the proposal's runs (default duckdb)")
    parser.set_defaults(func=_run)
