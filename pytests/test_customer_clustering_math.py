"""Pure functions of the clustering model (python_models/segmentation/int_customers__clusters.py).

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

MODEL = Path(__file__).resolve().parents[1] / "python_models" / "segmentation" / "int_customers__clusters.py"


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
        for feature in ("decayed_order_count", "lines_per_order", "discount_rate", "peak_quarter_share", "payment_days"):
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
