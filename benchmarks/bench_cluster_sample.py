"""Benchmark: what fitting the customer clustering on a sample costs in agreement with the full fit.

    .venv/bin/python benchmarks/bench_cluster_sample.py \
        --warehouse data/bench/large-7-parquet-build/warehouse.duckdb --sizes 1000 2000 5000 10000

Reads the customer features (intermediate.int_customers__time_decayed_features)
of a built warehouse, fits the clustering model's own cluster_customers on
every customer (the reference, when --full is set and the population is small
enough for Ward's quadratic memory) and on fixed-seed samples of each size,
and prints per method and size: the chosen k, the wall time and the adjusted
Rand index of the sampled model's assignment of every current customer against
the full fit's. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import duckdb
from sklearn.metrics import adjusted_rand_score

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models/intermediate/segmentation/customers/int_customers__clusters.py"


def _load():
    spec = importlib.util.spec_from_file_location("segmentation_clusters", MODEL)
    module = importlib.util.module_from_spec(spec)
    sys.dont_write_bytecode = True
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42], help="sample seeds (k-means uses each too)")
    parser.add_argument("--no-full", action="store_true", help="skip the full fit (too many customers for Ward)")
    args = parser.parse_args()

    clusters = _load()
    con = duckdb.connect(args.warehouse, read_only=True)
    features = con.execute(
        "select * from intermediate.int_customers__time_decayed_features where period_index = 0"
    ).df()
    con.close()
    print(f"{len(features):,} current customers")

    def fit(size: int, seed: int):
        started = time.perf_counter()
        result = clusters.cluster_customers(
            features,
            methods=["kmeans", "hierarchical"],
            k_min=2,
            k_max=8,
            min_silhouette_gain=0.02,
            min_explained_variance_gain=0.04,
            seed=seed,
            fit_sample_size=size,
        )
        return result, time.perf_counter() - started

    def labels(result, method):
        rows = result[(result["record_type"] == "assignment") & (result["method"] == method)]
        return rows.sort_values("customer_id")["cluster_id"].to_numpy()

    def chosen(result, method):
        scores = result[(result["record_type"] == "score") & (result["method"] == method)]
        return int(scores.loc[scores["is_chosen"].astype(bool), "k"].iloc[0])

    reference = None
    if not args.no_full:
        reference, seconds = fit(0, args.seeds[0])
        print(
            f"full fit: {seconds:.1f} s; k kmeans {chosen(reference, 'kmeans')},"
            f" hierarchical {chosen(reference, 'hierarchical')}"
        )
    print(f"{'size':>7} {'seed':>5} {'seconds':>8}  {'k km':>5} {'ARI km':>7}  {'k ward':>6} {'ARI ward':>8}")
    for size in args.sizes:
        for seed in args.seeds:
            result, seconds = fit(size, seed)
            cells = []
            for method in ("kmeans", "hierarchical"):
                k = chosen(result, method)
                ari = (
                    adjusted_rand_score(labels(reference, method), labels(result, method))
                    if reference is not None
                    else float("nan")
                )
                cells.append((k, ari))
            print(
                f"{size:>7} {seed:>5} {seconds:>8.1f}  {cells[0][0]:>5} {cells[0][1]:>7.3f}"
                f"  {cells[1][0]:>6} {cells[1][1]:>8.3f}"
            )


if __name__ == "__main__":
    main()
