"""Product segmentation end to end: ABC x XYZ classes of product_segments
recomputed independently in pandas from the built fct_order_lines, and the
history that product_segments_snapshot keeps when the classes change.

Reads the shared full build of the small extracts (fixture small_build); the
snapshot test rebuilds with another var on its own copy of the warehouse.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from dbt_project_runner import REPO, Project

pytestmark = pytest.mark.e2e

VARS = yaml.safe_load((REPO / "dbt_project.yml").read_text())["vars"]


def _fail_message(result) -> str:
    return (result.stdout or "")[-6000:] + (result.stderr or "")[-2000:]


def _read(project: Project, query: str) -> pd.DataFrame:
    """Run a query on the warehouse and close the connection (dbt needs the write lock)."""
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        return con.execute(query).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(small_build):
    """The shared small build, with the tables the checks read."""
    project, result = small_build
    frames = {
        "segments": _read(project, "select * from segmentation.product_segments"),
        "lines": _read(
            project,
            "select sku_id, order_status, quantity, net_revenue, gross_margin, order_date from core.fct_order_lines",
        ),
        "products": _read(project, "select sku_id from core.dim_products"),
        "as_of": _read(project, "select max(order_date) as as_of_date from core.fct_orders"),
        "snapshot": _read(project, "select * from snapshots.product_segments_snapshot"),
    }
    return project, result, frames


def _as_of(frames) -> pd.Timestamp:
    return pd.Timestamp(frames["as_of"]["as_of_date"].iloc[0])


def _lines(frames) -> pd.DataFrame:
    lines = frames["lines"].copy()
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    return lines


@pytest.fixture(scope="module")
def expected_abc(built):
    """ABC recomputed: decayed value, rank, shares and class per SKU."""
    _, _, frames = built
    as_of = _as_of(frames)
    lines = _lines(frames)
    lines = lines[lines["order_date"] <= as_of]
    age_days = (as_of - lines["order_date"]).dt.days
    weight = 0.5 ** (age_days / VARS["decay_half_life_days"])
    lines = lines.assign(decayed=lines[VARS["abc_value_measure"]] * weight)
    value = lines.groupby("sku_id")["decayed"].sum()
    frame = frames["products"].assign(decayed_value=lambda f: f["sku_id"].map(value).fillna(0.0))
    frame = frame.sort_values(["decayed_value", "sku_id"], ascending=[False, True]).reset_index(drop=True)
    positive = frame["decayed_value"].clip(lower=0.0)
    total = positive.sum()
    frame["value_rank"] = np.arange(1, len(frame) + 1)
    frame["value_share"] = positive / total
    frame["cumulative_value_share"] = positive.cumsum() / total
    frame["share_before"] = frame["cumulative_value_share"] - frame["value_share"]
    frame["abc_class"] = np.select(
        [
            frame["decayed_value"] <= 0,
            frame["share_before"] < VARS["abc_a_share"],
            frame["share_before"] < VARS["abc_b_share"],
        ],
        ["C", "A", "B"],
        "C",
    )
    return frame.set_index("sku_id")


@pytest.fixture(scope="module")
def expected_xyz(built):
    """XYZ recomputed: weekly units over the complete weeks ending at the as-of date."""
    _, _, frames = built
    as_of = _as_of(frames)
    weeks = VARS["xyz_lookback_weeks"]
    # Monday of the last week that is complete on the as-of date.
    day_after = as_of + pd.Timedelta(days=1)
    last_monday = day_after - pd.Timedelta(days=day_after.day_of_week) - pd.Timedelta(days=7)
    mondays = pd.date_range(end=last_monday, periods=weeks, freq="7D")
    lines = _lines(frames)
    lines = lines[~lines["order_status"].isin(VARS["product_demand_excluded_order_statuses"])]
    lines = lines[(lines["order_date"] >= mondays[0]) & (lines["order_date"] <= last_monday + pd.Timedelta(days=6))]
    lines = lines.assign(week=lines["order_date"] - pd.to_timedelta(lines["order_date"].dt.day_of_week, unit="D"))
    units = (
        lines.pivot_table(index="sku_id", columns="week", values="quantity", aggfunc="sum")
        .reindex(index=frames["products"]["sku_id"], columns=mondays)
        .fillna(0.0)
    )
    mean = units.mean(axis=1)
    sd = units.std(axis=1, ddof=1)
    cv = (sd / mean).where(mean > 0)
    line_count = lines.groupby("sku_id").size().reindex(units.index).fillna(0)
    per_week = line_count / weeks
    frame = pd.DataFrame(
        {
            "weekly_demand_mean": mean,
            "weekly_demand_sd": sd,
            "demand_cv": cv,
            "order_lines_per_week": per_week,
            "window_start": mondays[0],
        }
    )
    frame["xyz_class"] = np.select(
        [cv.isna(), cv <= VARS["xyz_x_max_cv"], cv <= VARS["xyz_y_max_cv"]], ["Z", "X", "Y"], "Z"
    )
    frame["velocity_class"] = np.select(
        [
            per_week >= VARS["velocity_fast_min_lines_per_week"],
            per_week >= VARS["velocity_medium_min_lines_per_week"],
            per_week > 0,
        ],
        ["fast", "medium", "slow"],
        "none",
    )
    return frame


def _mart(built) -> pd.DataFrame:
    return built[2]["segments"].set_index("sku_id")


def test_build_runs_the_product_segmentation_tests(built):
    _, result, _ = built
    assert "ERROR=0" in result.stdout.replace(" ", "")
    for name in [
        "assert_product_segments_cover_every_sku_once",
        "assert_product_segment_value_shares_sum_to_one",
        "assert_product_segments_snapshot_has_one_current_row_per_sku",
        "int_products__abc_classified_ranks_decayed_revenue",
        "int_products__abc_classified_on_gross_margin",
        "int_products__demand_variability_weekly_cv",
    ]:
        assert name in result.stdout, name


def test_every_sku_once(built):
    _, _, frames = built
    segments = frames["segments"]
    assert segments["sku_id"].is_unique
    assert set(segments["sku_id"]) == set(frames["products"]["sku_id"])


def test_abc_matches_pandas(built, expected_abc):
    mart = _mart(built)
    expected = expected_abc.reindex(mart.index)
    assert np.allclose(mart["decayed_value"], expected["decayed_value"], rtol=1e-9, atol=1e-6)
    assert np.allclose(mart["value_share"], expected["value_share"], atol=1e-9)
    assert np.allclose(mart["cumulative_value_share"], expected["cumulative_value_share"], atol=1e-9)
    assert (mart["value_rank"] == expected["value_rank"]).all()
    # A floating-point tie with a threshold could go either way: skip those.
    near = np.zeros(len(expected), dtype=bool)
    for threshold in (VARS["abc_a_share"], VARS["abc_b_share"]):
        near |= (expected["share_before"] - threshold).abs().to_numpy() < 1e-9
    assert (mart["abc_class"].to_numpy()[~near] == expected["abc_class"].to_numpy()[~near]).all()
    # All three classes occur and A holds about abc_a_share of the value.
    shares = mart.groupby("abc_class")["value_share"].sum()
    assert set(shares.index) == {"A", "B", "C"}
    assert VARS["abc_a_share"] <= shares["A"] < VARS["abc_a_share"] + 0.1


def test_xyz_matches_pandas(built, expected_xyz):
    mart = _mart(built)
    expected = expected_xyz.reindex(mart.index)
    assert (pd.to_datetime(mart["demand_window_start_date"]) == expected["window_start"]).all()
    assert np.allclose(mart["weekly_demand_mean"], expected["weekly_demand_mean"], atol=1e-9)
    assert np.allclose(mart["weekly_demand_sd"], expected["weekly_demand_sd"], atol=1e-9)
    assert np.allclose(mart["demand_cv"].astype(float), expected["demand_cv"], atol=1e-9, equal_nan=True)
    assert (mart["xyz_class"] == expected["xyz_class"]).all()
    assert np.allclose(mart["order_lines_per_week"], expected["order_lines_per_week"], atol=1e-12)
    assert (mart["velocity_class"] == expected["velocity_class"]).all()


def test_segment_is_abc_then_xyz(built):
    mart = _mart(built)
    assert (mart["segment"] == mart["abc_class"] + mart["xyz_class"]).all()
    assert (mart["segment_method"] == "abc_xyz").all()
    assert (pd.to_datetime(mart["as_of_date"]) == _as_of(built[2])).all()


def test_snapshot_starts_with_one_version_per_sku(built):
    _, _, frames = built
    snapshot = frames["snapshot"]
    assert snapshot["sku_id"].is_unique
    assert snapshot["dbt_valid_to"].isna().all()
    assert set(snapshot["sku_id"]) == set(frames["segments"]["sku_id"])


def test_snapshot_versions_a_changed_class(built, tmp_path):
    """Rebuild with a lower abc_a_share: SKUs that leave A get a second version."""
    project, _, frames = built
    project = project.fork(tmp_path)
    before = frames["segments"].set_index("sku_id")
    result = project.dbt(
        "build",
        "--select",
        "int_products__abc_classified",
        "int_products__segments",
        "product_segments",
        "product_segments_snapshot",
        "--indirect-selection",
        "cautious",
        "--exclude-resource-type",
        "unit_test",
        extra_vars={"abc_a_share": 0.5},
    )
    assert result.returncode == 0, _fail_message(result)
    after = _read(project, "select * from segmentation.product_segments").set_index("sku_id")
    snapshot = _read(project, "select * from snapshots.product_segments_snapshot")
    changed = set(after.index[after["abc_class"] != before.reindex(after.index)["abc_class"]])
    assert changed, "a lower A share must move some SKUs out of A"
    versions = snapshot.groupby("sku_id").size()
    assert set(versions[versions == 2].index) == changed
    assert set(versions[versions == 1].index) == set(after.index) - changed
    current = snapshot[snapshot["dbt_valid_to"].isna()].set_index("sku_id")
    assert current.index.is_unique and set(current.index) == set(after.index)
    assert (current["segment"] == after.reindex(current.index)["segment"]).all()
    closed = snapshot[snapshot["dbt_valid_to"].notna()].set_index("sku_id")
    assert (closed["segment"] == before.reindex(closed.index)["segment"]).all()
