"""Customer segmentation end to end on the demo data.

One project is built twice (the segmentation and its parents only): first on
the demo extracts (seed 7), then on a
regenerated data set (seed 8) for the same customer ids. The first build
scores the clustering against the generator's true archetypes (adjusted Rand
index, computed here with scikit-learn from the ground-truth file); the
second shows that the snapshot keeps both versions and that the as-of query
returns the earlier assignment.
"""

from __future__ import annotations

import time

import duckdb
import pandas as pd
import pytest
from dbt_project_runner import make_project
from sklearn.metrics import adjusted_rand_score

from scw.generator import generate

pytestmark = pytest.mark.e2e

MIN_ADJUSTED_RAND_INDEX = 0.8
#: The customer segmentation and everything it reads (not inventory or finance).
SELECT = (
    "--select",
    "+customer_segments_snapshot",
    "+segmentation_diagnostics",
    # the data and unit tests of these models run in the shared small build;
    # here the models and the snapshot, at the demo's scale
    "--exclude-resource-type",
    "unit_test",
    "test",
)


def _query(warehouse, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("segments"), "demo", "parquet")
    first = project.dbt("build", *SELECT)
    assert first.returncode == 0, first.stdout[-5000:]
    first_state = {
        "assignments": _query(
            project.warehouse,
            "select method, customer_id, segment"
            " from intermediate.int_customers__clusters"
            " where record_type = 'assignment' and period_index = 0",
        ),
        "segments": _query(
            project.warehouse,
            "select customer_id, segment from segmentation.customer_segments",
        ),
        "diagnostics": _query(project.warehouse, "select * from segmentation.segmentation_diagnostics"),
    }
    time.sleep(1.5)
    between = _query(project.warehouse, "select current_timestamp::timestamp as t")["t"][0]
    time.sleep(1.5)

    generate(
        scale="demo",
        seed=8,
        out=project.raw,
        fmt="parquet",
        truth_out=project.truth.parent / "truth_seed8",
    )
    second = project.dbt("build", *SELECT)
    assert second.returncode == 0, second.stdout[-5000:]
    return project, first_state, between


@pytest.mark.parametrize("method", ["kmeans", "hierarchical"])
def test_clustering_recovers_true_archetypes(two_builds, method):
    project, first, _ = two_builds
    truth = pd.read_csv(project.truth / "customer_archetypes.csv")
    assigned = first["assignments"].query("method == @method")
    joined = assigned.merge(truth, on="customer_id")
    assert len(joined) >= 0.95 * len(truth)
    score = adjusted_rand_score(joined["archetype"], joined["segment"])
    print(f"{method}: adjusted Rand index {score:.3f} on {len(joined)} customers")
    assert score >= MIN_ADJUSTED_RAND_INDEX


def test_one_k_chosen_per_method_within_range(two_builds):
    _, first, _ = two_builds
    chosen = first["diagnostics"].query("is_chosen")
    assert sorted(chosen["method"]) == ["hierarchical", "kmeans"]
    assert chosen["k"].between(2, 8).all()


def test_every_customer_has_exactly_one_segment(two_builds):
    project, first, _ = two_builds
    customers = _query(project.warehouse, "select customer_id from core.dim_customers")
    segments = _query(project.warehouse, "select customer_id, segment from segmentation.customer_segments")
    assert segments["customer_id"].is_unique
    assert set(segments["customer_id"]) == set(customers["customer_id"])
    assert segments["segment"].notna().all()
    assert first["segments"]["customer_id"].is_unique


def test_snapshot_holds_both_versions_and_as_of_returns_the_earlier(two_builds):
    project, first, between = two_builds
    current = _query(project.warehouse, "select customer_id, segment from segmentation.customer_segments")
    changed = first["segments"].merge(current, on="customer_id", suffixes=("_1", "_2"))
    changed = changed[changed["segment_1"] != changed["segment_2"]]
    assert len(changed) > 0, "the regenerated data should move some customers"

    versions = _query(
        project.warehouse,
        "select customer_id, count(*) as versions,"
        " count(*) filter (where dbt_valid_to is null) as current_versions"
        " from snapshots.customer_segments_snapshot group by 1",
    ).set_index("customer_id")
    assert (versions["current_versions"] == 1).all()
    assert (versions.loc[changed["customer_id"], "versions"] >= 2).all()

    as_of = _query(
        project.warehouse,
        "select customer_id, segment from snapshots.customer_segments_snapshot"
        f" where dbt_valid_from <= '{between}'::timestamp"
        f" and (dbt_valid_to is null or dbt_valid_to > '{between}'::timestamp)",
    )
    earlier = as_of.merge(first["segments"], on="customer_id", suffixes=("_as_of", "_1"))
    assert len(earlier) == len(first["segments"])
    assert (earlier["segment_as_of"] == earlier["segment_1"]).all()


def test_as_of_analysis_compiles_to_the_same_query(two_builds):
    project, _, between = two_builds
    result = project.dbt(
        "compile",
        "--select",
        "customer_segments_as_of",
        extra_vars={"segments_as_of": str(between)},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert str(between)[:19] in result.stdout
