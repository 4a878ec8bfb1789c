"""``scw report``: the governance report and the segment playbooks, from a built warehouse.

Reads the governance, segmentation, inventory and transport marts of a
built warehouse (read-only) and writes Markdown under ``reports/``:

- ``reports/governance/audit_report.md`` for an auditor: the segmentation
  logic in force and its approval, the drift of each clustering feature
  (this build, and per build and per year), the segment size shifts, the
  clustering quality over time, the bias check, the open exceptions and the
  recalibration proposals, and the model card of the predictive parts
  (docs/model_card.md);
- ``reports/playbooks/`` one page per customer segment and per product
  segment, for planners and warehouse supervisors: the inventory policy,
  the transport policy and handling rules, the allocation priority, the
  KPI targets and the exception procedure.

Every figure is read from a mart; the report computes nothing the marts do
not hold (counts and means of their rows aside).

    .venv/bin/scw report                      # the default warehouse, into reports/
    .venv/bin/scw report --warehouse other.duckdb --out /tmp/reports
"""

from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = "warehouse/supply_chain.duckdb"
DEFAULT_OUT = "reports"
MODEL_CARD = Path(__file__).resolve().parents[2] / "docs" / "model_card.md"


def _cell(value: object) -> str:
    """A Markdown table cell: numbers rounded for reading, None as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> str:
    """The query's result as a Markdown table ('(none)' when it has no row)."""
    cursor = con.execute(sql, params or [])
    columns = [item[0] for item in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        return "(none)\n"
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def slug(name: str) -> str:
    """A file name for a segment name."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "segment"


def audit_report(con: duckdb.DuckDBPyConnection) -> str:
    """The auditor's report, as Markdown."""
    latest = con.execute(
        "select build_id, built_at, logic_version, logic_fingerprint, is_logic_approved, max(as_of_date)"
        " from governance.segment_decision_log"
        " where built_at = (select max(built_at) from governance.segment_decision_log)"
        " group by all"
    ).fetchone()
    if latest is None:
        raise SystemExit("the warehouse holds no segment decisions: run make build first")
    build_id, built_at, version, fingerprint, approved, as_of = latest
    significant = con.execute(
        "select count(*) from governance.segment_feature_drift where drift_status = 'significant'"
    ).fetchone()[0]
    parts = [
        "# Segmentation governance report\n",
        f"Build `{build_id}` of {built_at:%Y-%m-%d %H:%M} UTC, as of {as_of:%Y-%m-%d}."
        f" Segmentation logic version **{version}** (parameter fingerprint `{fingerprint}`):"
        f" {'approved' if approved else '**not approved**'} in seed segmentation_logic_approvals.\n",
        "## Feature drift at this build\n",
        "Population stability index of each clustering feature against the previous build"
        " (governance.segment_feature_drift; var drift_psi_thresholds)."
        f" Features with a significant drift: {significant}.\n",
        table(
            con,
            "select feature, psi, drift_status, entities, reference_build_id"
            " from governance.segment_feature_drift order by psi desc nulls last, feature",
        ),
        "## Feature drift per build\n",
        table(
            con,
            "select strftime(built_at, '%Y-%m-%d %H:%M') as built_at, feature, psi, drift_status"
            " from governance.segment_feature_drift_history order by built_at, feature",
        ),
        "## Feature drift per year\n",
        "The largest index of each feature among the builds of the year, and how many builds"
        " found a significant drift.\n",
        table(
            con,
            "select cast(year(built_at) as varchar) as year, feature, max(psi) as max_psi,"
            " count(*) filter (where drift_status = 'significant') as significant_builds,"
            " count(*) as builds from governance.segment_feature_drift_history group by all order by 1, 2",
        ),
        "## Segment size shifts since the previous build\n",
        table(
            con,
            "select entity_type, segment, previous_entities, entities, entity_change, share_change"
            " from governance.segment_size_shifts"
            " where build_id = ? order by entity_type, segment",
            [build_id],
        ),
        "## Clustering quality over time\n",
        "The chosen fit of the active method at each build (governance.segmentation_quality_log).\n",
        table(
            con,
            "select strftime(built_at, '%Y-%m-%d %H:%M') as built_at, as_of_date, method, k, silhouette,"
            " explained_variance, fit_customers, changed_share_since_previous"
            " from governance.segmentation_quality_log order by built_at",
        ),
        table(
            con,
            "select cast(year(built_at) as varchar) as year, count(*) as builds, avg(silhouette) as mean_silhouette,"
            " min(silhouette) as min_silhouette, avg(explained_variance) as mean_explained_variance"
            " from governance.segmentation_quality_log group by 1 order by 1",
        ),
        "## Bias check\n",
        "Service (OTIF) and segment outcome (the service level of the segment's policies) by region"
        " and channel, against what the customers' profit bands explain (governance.segment_bias_check)."
        " Flagged groups get a service their profitability does not explain.\n",
        table(
            con,
            "select dimension, dimension_value, outcome, customers, actual_mean, explained_mean,"
            " unexplained_gap, is_flagged from governance.segment_bias_check"
            " order by outcome, dimension, dimension_value",
        ),
        "## Open exceptions\n",
        table(
            con,
            "select exception_type, escalation_level, assigned_role, count(*) as exceptions,"
            " max(age_days) as oldest_days from governance.segmentation_exceptions"
            " where status = 'open' group by all order by 1, 2",
        ),
        "## Recalibration proposals\n",
        table(
            con,
            "select segment, kpi, missed_periods, latest_actual, target, proposed_change,"
            " expected_freight_change, expected_units_recovered_per_month"
            " from governance.recalibration_proposals order by segment, kpi",
        ),
    ]
    card = MODEL_CARD.read_text() if MODEL_CARD.exists() else "(docs/model_card.md not found)\n"
    parts += ["\n---\n", card.replace("# Model card", "## Model card", 1)]
    return "\n".join(parts)


def customer_playbook(con: duckdb.DuckDBPyConnection, segment: str) -> str:
    """The playbook of one customer segment, as Markdown."""
    customers = con.execute(
        "select count(*) from segmentation.customer_segments where segment = ?", [segment]
    ).fetchone()[0]
    return "\n".join(
        [
            f"# Playbook: customer segment {segment}\n",
            f"{customers:,} customers (segmentation.customer_segments).\n",
            "## Service and inventory policy by product segment\n",
            "Seed segment_policies through segmentation.segment_policy_matrix: the service level the"
            " inventory plans for, how often and how the segment is delivered, where the stock sits.\n",
            table(
                con,
                "select product_segment, policy_key, service_level_target, delivery_frequency_per_week,"
                " transport_mode, stocking_policy, requires_temperature_control"
                " from segmentation.segment_policy_matrix where customer_segment = ? order by product_segment",
                [segment],
            ),
            "## Transport policy and handling rules\n",
            table(
                con,
                "select product_segment, primary_mode, allowed_modes, delivery_weekdays,"
                " delivery_window_start_hour, delivery_window_end_hour, max_transit_days,"
                " is_expedite_eligible, is_consolidation_allowed, handling_requirement"
                " from transport.transport_policies where customer_segment = ? order by product_segment",
                [segment],
            ),
            "## Allocation priority in a shortage\n",
            "Seed shortage_priority_rules: lower tiers are served first, then by profitability.\n",
            table(
                con,
                "select priority_tier, priority_rule_id, count(*) as customers"
                " from intermediate.int_customers__shortage_priority where customer_segment = ?"
                " group by all order by 1, 2",
                [segment],
            ),
            "## KPI targets and the latest month\n",
            table(
                con,
                "select kpi, actual, target, direction, status from governance.segment_kpi_scorecard"
                " where segment = ? and month = (select max(month) from governance.segment_kpi_scorecard)"
                " order by kpi",
                [segment],
            ),
            "## Exceptions and manual overrides\n",
            "A customer between segments, or an override about to expire, is raised in"
            " governance.segmentation_exceptions with its owner; it escalates with its age"
            " (var exception_escalation_age_days). What each owner does:\n",
            table(
                con,
                "select subject as exception, owner_role, escalation_role_1, escalation_role_2, procedure"
                " from seeds.data_ownership where subject_type = 'rule' order by subject",
            ),
            table(
                con,
                "select exception_type, count(*) as open_exceptions, max(age_days) as oldest_days"
                " from governance.segmentation_exceptions where status = 'open' and segment = ?"
                " group by all order by 1",
                [segment],
            ),
        ]
    )


def product_playbook(con: duckdb.DuckDBPyConnection, segment: str) -> str:
    """The playbook of one product segment (ABC/XYZ cell), as Markdown."""
    return "\n".join(
        [
            f"# Playbook: product segment {segment}\n",
            "## Inventory policy\n",
            "inventory.inventory_policies, summed over the segment's SKU x DCs.\n",
            table(
                con,
                "select policy_type, review_type, safety_stock_method, count(*) as sku_dcs,"
                " avg(service_level_target) as mean_service_level_target,"
                " sum(safety_stock_value) as safety_stock_value, sum(cycle_stock_value) as cycle_stock_value,"
                " avg(days_of_supply) as mean_days_of_supply"
                " from inventory.inventory_policies where segment = ? group by all order by 1, 2, 3",
                [segment],
            ),
            "## Performance against the policy\n",
            table(
                con,
                "select misalignment_status, count(*) as sku_dcs, avg(fill_rate) as mean_fill_rate,"
                " avg(target_fill_rate) as mean_target_fill_rate"
                " from inventory.inventory_performance where segment = ? group by all order by 1",
                [segment],
            ),
            "## KPIs of the latest month\n",
            table(
                con,
                "select * exclude (segment) from governance.product_segment_kpis"
                " where segment = ? and month = (select max(month) from governance.product_segment_kpis)",
                [segment],
            ),
            "## Exceptions\n",
            "A SKU x DC whose fill rate misses its policy's target is raised as policy_misalignment in"
            " governance.segmentation_exceptions, owned by the inventory planner (seed data_ownership).\n",
        ]
    )


def write_reports(warehouse: Path, out: Path) -> list[Path]:
    """Write the audit report and the playbooks under out; the paths written."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        written = []
        audit = out / "governance" / "audit_report.md"
        audit.parent.mkdir(parents=True, exist_ok=True)
        audit.write_text(audit_report(con))
        written.append(audit)
        playbooks = out / "playbooks"
        playbooks.mkdir(parents=True, exist_ok=True)
        for old in playbooks.glob("*.md"):
            old.unlink()
        customer_segments = [
            row[0]
            for row in con.execute("select distinct segment from segmentation.customer_segments order by 1").fetchall()
        ]
        product_segments = [
            row[0]
            for row in con.execute("select distinct segment from inventory.inventory_policies order by 1").fetchall()
        ]
        index = ["# Segment playbooks\n", "## Customer segments\n"]
        for segment in customer_segments:
            path = playbooks / f"customer_{slug(segment)}.md"
            path.write_text(customer_playbook(con, segment))
            written.append(path)
            index.append(f"- [{segment}]({path.name})")
        index.append("\n## Product segments\n")
        for segment in product_segments:
            path = playbooks / f"product_{slug(segment)}.md"
            path.write_text(product_playbook(con, segment))
            written.append(path)
            index.append(f"- [{segment}]({path.name})")
        (playbooks / "index.md").write_text("\n".join(index) + "\n")
        written.append(playbooks / "index.md")
        return written
    finally:
        con.close()


def _run(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse or os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_WAREHOUSE)
    if not warehouse.exists():
        raise SystemExit(f"no warehouse at {warehouse}: run make build first")
    written = write_reports(warehouse, Path(args.out))
    print(f"wrote {written[0]} and {len(written) - 1} playbook pages under {Path(args.out) / 'playbooks'}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``scw report``."""
    parser = subparsers.add_parser(
        "report",
        help="write the governance report and the segment playbooks (Markdown under reports/)",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument("--warehouse", help=f"the built warehouse (default: $DBT_DUCKDB_PATH or {DEFAULT_WAREHOUSE})")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"the folder to write into (default {DEFAULT_OUT})")
    parser.set_defaults(func=_run)
