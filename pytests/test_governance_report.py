"""The governance report and playbooks (`scw report`), and the bias check
recomputed in pandas, on the shared full build of the small extracts.

The report must carry the marts' figures (each drift index, the flagged
groups of the bias check, every policy row of a segment), a page per
customer and product segment, and the model card. segment_bias_check is
worked out again here from its definition: customers in equal-count bands
of their cost-to-serve margin, each outcome's band mean as what
profitability explains, the gap per region and channel.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO

from scw.governance_report import slug, write_reports

pytestmark = pytest.mark.e2e

VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]


@pytest.fixture(scope="module")
def con(small_build):
    project, _ = small_build
    connection = duckdb.connect(str(project.warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def reports(small_build, tmp_path_factory):
    project, _ = small_build
    out = tmp_path_factory.mktemp("reports")
    write_reports(project.warehouse, out)
    return out


def test_the_audit_report_carries_the_drift_bias_and_model_card(con, reports):
    text = (reports / "governance" / "audit_report.md").read_text()
    for heading in (
        "## Feature drift at this build",
        "## Feature drift per build",
        "## Feature drift per year",
        "## Segment size shifts since the previous build",
        "## Clustering quality over time",
        "## Bias check",
        "## Open exceptions",
        "## Recalibration proposals",
        "## Model card: customer clustering and demand statistics",
    ):
        assert heading in text, heading
    drift = con.execute("select feature, psi, drift_status from governance.segment_feature_drift").fetchall()
    assert len(drift) == len(clustering_features(con))
    for feature, psi, status in drift:
        cell = "-" if psi is None else f"{psi:,.4f}"
        assert f"| {feature} | {cell} | {status} |" in text, feature
    flagged = con.execute(
        "select dimension, dimension_value, outcome from governance.segment_bias_check where is_flagged"
    ).fetchall()
    flagged_lines = [line for line in text.splitlines() if line.startswith("| ") and line.endswith(" | yes |")]
    assert len(flagged_lines) == len(flagged)
    for dimension, value, outcome in flagged:
        assert any(line.startswith(f"| {dimension} | {value} | {outcome} |") for line in flagged_lines)
    version = con.execute("select max(logic_version) from governance.segment_decision_log").fetchone()[0]
    assert f"version **{version}**" in text


def clustering_features(con) -> list[str]:
    """The clustering features of the build's feature bins (the drift mart has one row each)."""
    return [row[0] for row in con.execute("select distinct feature from governance.segment_feature_bins").fetchall()]


def test_a_playbook_per_segment_with_its_policies(con, reports):
    playbooks = reports / "playbooks"
    customer_segments = [
        r[0] for r in con.execute("select distinct segment from segmentation.customer_segments").fetchall()
    ]
    product_segments = [
        r[0] for r in con.execute("select distinct segment from inventory.inventory_policies").fetchall()
    ]
    pages = sorted(path.name for path in playbooks.glob("*.md"))
    expected = sorted(
        [f"customer_{slug(s)}.md" for s in customer_segments]
        + [f"product_{slug(s)}.md" for s in product_segments]
        + ["index.md"]
    )
    assert pages == expected
    index = (playbooks / "index.md").read_text()
    matrix = con.execute(
        "select customer_segment, product_segment, service_level_target, transport_mode"
        " from segmentation.segment_policy_matrix"
    ).df()
    for segment in customer_segments:
        page = (playbooks / f"customer_{slug(segment)}.md").read_text()
        assert f"[{segment}](customer_{slug(segment)}.md)" in index
        rows = matrix[matrix["customer_segment"] == segment]
        assert len(rows) > 0, segment
        for row in rows.itertuples():
            assert f"| {row.product_segment} |" in page
            assert f"{row.service_level_target:,.4f}" in page
        # the exception procedure of every rule of seed data_ownership
        assert "between_segments" in page and "override_expiring" in page
    # the product pages count every SKU x DC of the inventory policy once
    counted = 0
    for segment in product_segments:
        page = (playbooks / f"product_{slug(segment)}.md").read_text()
        section = page.split("## Inventory policy")[1].split("## Performance")[0]
        for line in section.splitlines():
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if line.startswith("| ") and cells[3].replace(",", "").isdigit():
                counted += int(cells[3].replace(",", ""))
    assert counted == con.execute("select count(*) from inventory.inventory_policies").fetchone()[0]


def test_report_without_a_warehouse_says_so(tmp_path):
    from scw.cli import main

    with pytest.raises(SystemExit, match="no warehouse at"):
        main(["report", "--warehouse", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path / "out")])


def test_the_bias_check_is_the_gap_to_what_profit_bands_explain(con):
    bands = VARS["bias_check_profit_bands"]
    customers = con.execute("select customer_id, segment from segmentation.customer_segments").df()
    attributes = con.execute("select customer_id, region, channel from core.dim_customers").df()
    profit = con.execute(
        "select customer_id, cost_to_serve_margin, window_start_month, window_end_month"
        " from intermediate.int_customers__window_profitability"
    ).df()
    start = pd.Timestamp(profit["window_start_month"].min())
    end = pd.Timestamp(profit["window_end_month"].max()) + pd.DateOffset(months=1)
    orders = con.execute("select customer_id, is_otif, order_date from core.fct_orders").df()
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    orders = orders[(orders["order_date"] >= start) & (orders["order_date"] < end)]
    measured = orders[orders["is_otif"].notna()]
    otif = (
        measured.assign(hit=measured["is_otif"].astype(bool))
        .groupby("customer_id")["hit"]
        .mean()
        .rename("otif_rate")
        .reset_index()
    )
    levels = (
        con.execute("select customer_segment, service_level_target from segmentation.segment_policy_matrix")
        .df()
        .groupby("customer_segment")["service_level_target"]
        .mean()
    )
    frame = customers.merge(profit, on="customer_id").merge(attributes, on="customer_id", how="left")
    frame = frame.merge(otif, on="customer_id", how="left")
    frame["service_level_target"] = frame["segment"].map(levels)
    frame = frame.sort_values(["cost_to_serve_margin", "customer_id"]).reset_index(drop=True)
    # ntile: the first len % bands bands hold one customer more
    size, extra = divmod(len(frame), bands)
    band_of = np.concatenate([np.full(size + (1 if band < extra else 0), band) for band in range(bands)])
    frame["band"] = band_of
    expected = []
    for outcome in ("otif_rate", "service_level_target"):
        known = frame[frame[outcome].notna()].copy()
        known["explained"] = known.groupby("band")[outcome].transform("mean")
        for dimension in ("region", "channel"):
            known["value"] = known[dimension].fillna("unknown")
            for value, group in known.groupby("value"):
                gap = group[outcome].mean() - group["explained"].mean()
                flagged = (
                    len(group) >= VARS["bias_check_min_customers"]
                    and abs(gap) >= VARS["bias_check_gap_thresholds"][outcome]
                )
                expected.append((dimension, value, outcome, len(group), gap, flagged))
    mart = con.execute(
        "select dimension, dimension_value, outcome, customers, unexplained_gap, is_flagged"
        " from governance.segment_bias_check"
    ).fetchall()
    assert len(mart) == len(expected)
    by_key = {row[:3]: row for row in mart}
    for dimension, value, outcome, count, gap, flagged in expected:
        row = by_key[(dimension, value, outcome)]
        assert row[3] == count
        assert row[4] == pytest.approx(gap, abs=1e-9)
        assert row[5] == flagged
