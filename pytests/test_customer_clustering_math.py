"""Pure functions of the clustering model (models/intermediate/segmentation/customers/int_customers__clusters.py).

The model fits and chooses k on a fixed-seed sample of the current customers
(var segmentation_fit_sample_size) and assigns everyone to the nearest
centroid. These tests build customers with known groups and check that a
sampled fit finds them, is reproducible and assigns every customer.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

MODEL = Path(__file__).resolve().parents[1] / "models/intermediate/segmentation/customers/int_customers__clusters.py"


def _load():
    spec = importlib.util.spec_from_file_location("segmentation_clusters", MODEL)
    module = importlib.util.module_from_spec(spec)
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return module


clusters = _load()


def _customers(n_per_group: int, periods: int = 2, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Three well separated customer groups (order value, rush share, returns)."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(3), n_per_group)
    centres = {
        "avg_order_value": [200.0, 5_000.0, 1_000.0],
        "rush_order_share": [0.6, 0.05, 0.1],
        "returns_rate": [0.02, 0.02, 0.3],
    }
    rows = []
    for period in range(periods):
        frame = pd.DataFrame({"customer_id": [f"C{i:06d}" for i in range(len(groups))], "period_index": period})
        for feature, values in centres.items():
            centre = np.asarray(values)[groups]
            frame[feature] = centre * (1 + 0.05 * rng.standard_normal(len(groups)))
        for feature in (
            "decayed_order_count",
            "lines_per_order",
            "discount_rate",
            "peak_quarter_share",
            "payment_days",
        ):
            frame[feature] = 1.0  # constant: no information
        frame["decayed_net_revenue"] = frame["avg_order_value"] * 10
        rows.append(frame)
    return pd.concat(rows, ignore_index=True), groups


def _run(features: pd.DataFrame, sample: int) -> pd.DataFrame:
    return clusters.cluster_customers(
        features,
        methods=["kmeans", "hierarchical"],
        k_min=2,
        k_max=5,
        min_silhouette_gain=0.02,
        min_explained_variance_gain=0.04,
        seed=42,
        fit_sample_size=sample,
    )


def test_fit_sample_is_all_rows_up_to_the_size_and_reproducible():
    assert clusters.fit_sample(10, 20, 1).tolist() == list(range(10))
    assert clusters.fit_sample(10, 0, 1).tolist() == list(range(10))
    drawn = clusters.fit_sample(1_000, 100, 7)
    assert len(drawn) == 100 and len(set(drawn.tolist())) == 100
    assert (np.diff(drawn) > 0).all()
    assert drawn.tolist() == clusters.fit_sample(1_000, 100, 7).tolist()
    assert drawn.tolist() != clusters.fit_sample(1_000, 100, 8).tolist()


@pytest.mark.parametrize("method", ["kmeans", "hierarchical"])
def test_sampled_fit_finds_the_groups_and_assigns_every_customer(method):
    features, groups = _customers(1_000)
    result = _run(features, sample=300)
    scores = result[(result["record_type"] == "score") & (result["method"] == method)]
    assert (scores["fit_customers"] == 300).all()
    assert int(scores.loc[scores["is_chosen"], "k"].iloc[0]) == 3

    assigned = result[(result["record_type"] == "assignment") & (result["method"] == method)]
    assert len(assigned) == len(features)
    current = assigned[assigned["period_index"] == 0].sort_values("customer_id")
    assert adjusted_rand_score(groups, current["cluster_id"].to_numpy()) > 0.99


def test_sample_larger_than_the_population_is_the_full_fit():
    features, _ = _customers(100)
    full = _run(features, sample=0)
    capped = _run(features, sample=10_000)
    pd.testing.assert_frame_equal(full, capped)
    assert (full.loc[full["record_type"] == "score", "fit_customers"] == 300).all()


def test_minimum_segment_size_is_the_larger_of_count_and_share():
    assert clusters.minimum_segment_size(1_500, 10, 0.02) == 30
    assert clusters.minimum_segment_size(200, 10, 0.02) == 10
    assert clusters.minimum_segment_size(201, 0, 0.02) == 5  # ceil(4.02)
    assert clusters.minimum_segment_size(100, 0, 0.0) == 0


def test_a_small_cluster_merges_into_the_nearest_one():
    # clusters 0 (10 rows at x=0), 1 (10 at x=10) and 2 (2 rows at x=8): 2 is
    # nearest to 1 and below the minimum of 5
    matrix = np.array([[0.0]] * 10 + [[10.0]] * 10 + [[8.0]] * 2)
    labels = np.array([0] * 10 + [1] * 10 + [2] * 2)
    merged = clusters.merge_small_clusters(matrix, labels, 5)
    assert merged.tolist() == [0] * 10 + [1] * 12
    # nothing below the minimum: unchanged; one cluster is never merged away
    assert clusters.merge_small_clusters(matrix, labels, 2).tolist() == labels.tolist()
    assert clusters.merge_small_clusters(matrix[:3], np.array([0, 0, 0]), 50).tolist() == [0, 0, 0]


def test_smallest_first_and_labels_renumbered():
    # 1 (3 rows) and 3 (1 row) are small; 3 goes first, into 2 (nearest), then 1 into 0
    matrix = np.array([[0.0]] * 6 + [[2.0]] * 3 + [[20.0]] * 6 + [[17.0]])
    labels = np.array([0] * 6 + [1] * 3 + [2] * 6 + [3])
    assert clusters.merge_small_clusters(matrix, labels, 4).tolist() == [0] * 9 + [1] * 7


def test_proliferation_walks_the_segments_left_after_merging():
    # k 3 leaves 2 segments after merging (a duplicate of k 2: ignored); k 4
    # gives 3 segments and pays for itself; k 5's fourth segment does not
    scores = pd.DataFrame(
        {
            "k": [2, 3, 4, 5],
            "segments": [2, 2, 3, 4],
            "silhouette": [0.30, 0.31, 0.40, 0.41],
            "explained_variance": [0.50, 0.51, 0.60, 0.62],
        }
    )
    assert clusters.choose_k(scores, 0.02, 0.04) == 4
    # without the merge counts, k itself is the number of segments
    assert clusters.choose_k(scores.drop(columns="segments"), 0.02, 0.04) == 2
    # no k gives two segments: k_min
    single = pd.DataFrame(
        {"k": [2, 3], "segments": [1, 1], "silhouette": [np.nan, np.nan], "explained_variance": [0.0, 0.0]}
    )
    assert clusters.choose_k(single, 0.02, 0.04) == 2


def test_a_planted_tiny_group_does_not_become_a_segment():
    features, groups = _customers(100, periods=1)
    # three outliers far from everyone: alone they would be a fourth segment
    outliers = features.iloc[:3].copy()
    outliers["customer_id"] = ["X1", "X2", "X3"]
    outliers["returns_rate"] = 5.0
    features = pd.concat([features, outliers], ignore_index=True)
    result = clusters.cluster_customers(
        features,
        methods=["kmeans", "hierarchical"],
        k_min=2,
        k_max=5,
        min_silhouette_gain=0.02,
        min_explained_variance_gain=0.04,
        seed=42,
        min_segment_customers=10,
        min_segment_share=0.0,
    )
    for method in ("kmeans", "hierarchical"):
        assigned = result[(result["record_type"] == "assignment") & (result["method"] == method)]
        assert assigned.groupby("cluster_id").size().min() >= 10, method
        main = assigned[~assigned["customer_id"].isin(["X1", "X2", "X3"])].sort_values("customer_id")
        assert adjusted_rand_score(groups, main["cluster_id"].to_numpy()) > 0.99, method


def test_too_few_customers_give_one_segment_and_nobody_between():
    features, _ = _customers(5, periods=1)  # 15 customers: no two segments of 10
    result = clusters.cluster_customers(
        features,
        methods=["kmeans", "hierarchical"],
        k_min=2,
        k_max=5,
        min_silhouette_gain=0.02,
        min_explained_variance_gain=0.04,
        seed=42,
        min_segment_customers=10,
        min_segment_share=0.0,
    )
    assigned = result[result["record_type"] == "assignment"]
    assert (assigned["cluster_id"] == 0).all() and (assigned["k"] == 1).all()
    assert (assigned["distance_ratio"] == 0).all()
    # no more customers than k_min: one segment, no crash
    two = features.iloc[:2]
    result = clusters.cluster_customers(
        two,
        methods=["kmeans", "hierarchical"],
        k_min=2,
        k_max=5,
        min_silhouette_gain=0.02,
        min_explained_variance_gain=0.04,
        seed=42,
    )
    assigned = result[result["record_type"] == "assignment"]
    assert len(assigned) == 4 and (assigned["cluster_id"] == 0).all()
