"""Segments recover planted customer archetypes on worlds the demo never shows.

Each world is generated with another customer mix (``archetype_shares``: an
archetype can be missing, or dominate), another size and another seed than
the demo's. Only the clustering and what it reads are built; the assignments
of the current period are scored against the generator's true archetypes with
the adjusted Rand index (scikit-learn), for k-means and Ward. Every segment
must also hold at least the minimum segment size of vars
segmentation_min_segment_customers / segmentation_min_segment_share.
The figures are printed (pytest -s) for the notes.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest
from dbt_project_runner import Project, copy_project
from sklearn.metrics import adjusted_rand_score

from scw.generator import generate

pytestmark = pytest.mark.e2e

#: (id, scale, seed, end_month, archetype mix)
WORLDS = [
    (
        "accounts_and_distributors",
        "small",
        21,
        "2025-06",
        {
            "key_account": 0.3,
            "small_frequent": 0.1,
            "seasonal_retailer": 0.1,
            "price_sensitive_wholesaler": 0.2,
            "distributor": 0.3,
        },
    ),
    ("three_archetypes", "demo", 33, "2023-12", {"small_frequent": 0.5, "seasonal_retailer": 0.3, "key_account": 0.2}),
    (
        "wholesale_heavy",
        "demo",
        5,
        "2026-10",
        {
            "key_account": 0.05,
            "small_frequent": 0.15,
            "seasonal_retailer": 0.15,
            "price_sensitive_wholesaler": 0.45,
            "distributor": 0.2,
        },
    ),
    (
        "rare_key_accounts",
        "demo",
        12,
        "2025-12",
        {
            "key_account": 0.03,
            "small_frequent": 0.4,
            "seasonal_retailer": 0.2,
            "price_sensitive_wholesaler": 0.17,
            "distributor": 0.2,
        },
    ),
]
MIN_ADJUSTED_RAND_INDEX = 0.75
SELECT = ("--select", "+int_customers__clusters", "--exclude-resource-type", "test", "unit_test")


@pytest.fixture(scope="module", params=WORLDS, ids=[world[0] for world in WORLDS])
def world(request, tmp_path_factory):
    name, scale, seed, end_month, shares = request.param
    base = tmp_path_factory.mktemp(name)
    generate(
        scale=scale,
        seed=seed,
        out=base / "raw",
        fmt="parquet",
        truth_out=base / "truth",
        end_month=end_month,
        archetype_shares=shares,
    )
    project = Project(
        root=copy_project(base / "project"), raw=base / "raw", truth=base / "truth", warehouse=base / "warehouse.duckdb"
    )
    result = project.dbt("build", *SELECT)
    assert result.returncode == 0, result.stdout[-4000:]
    con = duckdb.connect(str(project.warehouse), read_only=True)
    try:
        clusters = con.execute(
            "select record_type, method, customer_id, k, cluster_id, fit_customers,"
            " smallest_cluster_customers, is_chosen"
            " from intermediate.int_customers__clusters"
            " where record_type = 'score' or (record_type = 'assignment' and period_index = 0)"
        ).df()
    finally:
        con.close()
    truth = pd.read_csv(base / "truth" / "customer_archetypes.csv")
    return name, clusters, truth


@pytest.mark.parametrize("method", ["kmeans", "hierarchical"])
def test_segments_recover_the_planted_archetypes(world, method):
    name, clusters, truth = world
    assigned = clusters.query("record_type == 'assignment' and method == @method")
    joined = assigned.merge(truth, on="customer_id")
    assert len(joined) >= 0.9 * len(truth)
    score = adjusted_rand_score(joined["archetype"], joined["cluster_id"])
    k = int(assigned["k"].iloc[0])
    print(
        f"{name} {method}: adjusted Rand index {score:.3f}, k {k},"
        f" {truth['archetype'].nunique()} archetypes, {len(joined)} customers"
    )
    assert score >= MIN_ADJUSTED_RAND_INDEX


@pytest.mark.parametrize("method", ["kmeans", "hierarchical"])
def test_no_segment_below_the_minimum_size(world, method):
    _, clusters, _ = world
    scores = clusters.query("record_type == 'score' and method == @method")
    fitted = int(scores["fit_customers"].iloc[0])
    # the project's defaults (dbt_project.yml): 10 customers or 2 % of those fitted
    minimum = max(10, math.ceil(0.02 * fitted))
    sizes = clusters.query("record_type == 'assignment' and method == @method").groupby("cluster_id").size()
    print(f"{method}: segment sizes {sorted(sizes.tolist())}, minimum {minimum}")
    assert sizes.min() >= minimum, sizes.to_dict()
