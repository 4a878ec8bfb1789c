"""Customer clustering: k-means and hierarchical (Ward) on standardized features.

A dbt Python model (self-contained: pandas, numpy, scipy and scikit-learn only, so the
same file runs on any engine that ships just the model file). It reads the
time-decayed customer features of every segmentation period, fits both
methods on the current period (period_index 0), chooses k per method, names
each cluster from its centroid in business units, and assigns every period's
customers to the nearest centroid of the current model, so that assignments
are comparable across periods.

Ward linkage and the silhouette are quadratic in customers, so fitting and
choosing k run on a fixed-seed random sample of at most ``fit_sample_size``
customers of the current period (all of them when there are fewer); every
customer of every period is then assigned to the nearest centroid of the
chosen model. The fit set's size is reported on the score rows.

Choosing k (Rousseeuw 1987 silhouette; explained variance = 1 - within-cluster
sum of squares / total sum of squares). No segment may be smaller than the
minimum segment size: ``min_segment_customers`` customers or
``min_segment_share`` of the fitted customers, whichever is larger. So each
k's clustering first has its clusters below the minimum merged into the
cluster with the nearest centroid (smallest first), leaving ``segments``
clusters, and is scored as merged. Then, from the fewest segments upwards,
one more segment is accepted while it improves the silhouette by at least
``min_silhouette_gain`` or the explained variance by at least
``min_explained_variance_gain`` (the segment-proliferation rule). A handful
of outlying customers thus joins its nearest segment instead of becoming
one, or stopping the segments from growing.

The output is one long table with three record types:
  assignment  customer_id, period_index, method, k, cluster_id, segment,
              distance_ratio (nearest / second-nearest centroid distance;
              near 1 means the customer falls between two segments)
  score       method, k, segments, silhouette, explained_variance,
              inertia, smallest_cluster_customers, is_chosen
  centroid    method, cluster_id, segment, feature_name, feature_value
              (centroid in business units, i.e. before transformation)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, ward
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score

#: Clustering features and their transformation before standardizing.
FEATURES: dict[str, str] = {
    "avg_order_value": "log",
    "decayed_order_count": "log",
    "lines_per_order": "log",
    "rush_order_share": "identity",
    "returns_rate": "identity",
    "discount_rate": "identity",
    "peak_quarter_share": "identity",
    "payment_days": "identity",
}

#: Words for a centroid far above (+) or below (-) the population mean.
TRAIT_WORDS: dict[str, tuple[str, str]] = {
    "avg_order_value": ("large orders", "small orders"),
    "decayed_order_count": ("frequent", "infrequent"),
    "lines_per_order": ("many lines", "few lines"),
    "rush_order_share": ("rush-heavy", "rarely rushed"),
    "returns_rate": ("high returns", "low returns"),
    "discount_rate": ("deep discounts", "low discounts"),
    "peak_quarter_share": ("seasonal", "steady"),
    "payment_days": ("slow payers", "fast payers"),
}

OUTPUT_COLUMNS = [
    "record_type",
    "method",
    "period_index",
    "customer_id",
    "k",
    "cluster_id",
    "segment",
    "distance_ratio",
    "silhouette",
    "explained_variance",
    "inertia",
    "fit_customers",
    "segments",
    "smallest_cluster_customers",
    "is_chosen",
    "feature_name",
    "feature_value",
]


def transform_features(frame: pd.DataFrame) -> np.ndarray:
    """Feature matrix: log1p for skewed measures, identity otherwise; NaN -> column median."""
    columns = []
    for name, transform in FEATURES.items():
        values = pd.to_numeric(frame[name], errors="coerce").astype(float)
        values = values.fillna(values.median() if values.notna().any() else 0.0)
        columns.append(np.log1p(values.clip(lower=0)) if transform == "log" else values)
    return np.column_stack(columns)


def fit_scaler(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation per column (a constant column gets sd 1)."""
    mean = matrix.mean(axis=0)
    sd = matrix.std(axis=0)
    return mean, np.where(sd > 0, sd, 1.0)


def explained_variance(matrix: np.ndarray, labels: np.ndarray) -> float:
    """1 - within-cluster sum of squares / total sum of squares."""
    total = ((matrix - matrix.mean(axis=0)) ** 2).sum()
    within = sum(
        ((matrix[labels == label] - matrix[labels == label].mean(axis=0)) ** 2).sum() for label in np.unique(labels)
    )
    return float(1.0 - within / total) if total > 0 else 0.0


def cluster_means(matrix: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Mean of every cluster 0..k-1 (the centroid of a Ward cluster)."""
    return np.vstack([matrix[labels == label].mean(axis=0) for label in range(k)])


def ward_labels(matrix: np.ndarray, ks: list[int]) -> dict[int, np.ndarray]:
    """Ward agglomeration cut at every k of ``ks``, from one linkage tree.

    The tree is built once (scipy's Ward linkage: the same merges as
    scikit-learn's AgglomerativeClustering(linkage="ward")) and cut into k
    clusters for each k; labels are numbered 0..k-1 by first appearance.
    """
    tree = ward(matrix)
    labels = {}
    for k in ks:
        cut = fcluster(tree, t=k, criterion="maxclust")
        _, first = np.unique(cut, return_index=True)
        number = {cluster: position for position, cluster in enumerate(cut[np.sort(first)])}
        labels[k] = np.array([number[cluster] for cluster in cut])
    return labels


def minimum_segment_size(n_customers: int, min_customers: int, min_share: float) -> int:
    """The smallest number of fitted customers a segment may hold."""
    return max(int(min_customers), int(np.ceil(float(min_share) * n_customers)))


def merge_small_clusters(matrix: np.ndarray, labels: np.ndarray, minimum: int) -> np.ndarray:
    """Labels 0..k'-1 after merging every cluster below ``minimum`` into its nearest neighbour.

    The smallest cluster goes first, whole, into the cluster whose centroid is
    nearest to its own; centroids are recomputed after every merge. A single
    cluster is never merged away.
    """
    labels = np.asarray(labels).copy()
    while True:
        ids, counts = np.unique(labels, return_counts=True)
        if len(ids) <= 1 or counts.min() >= minimum:
            break
        small = ids[np.argmin(counts)]
        centers = {cluster: matrix[labels == cluster].mean(axis=0) for cluster in ids}
        others = [cluster for cluster in ids if cluster != small]
        nearest = min(others, key=lambda cluster: float(np.linalg.norm(centers[cluster] - centers[small])))
        labels[labels == small] = nearest
    return np.unique(labels, return_inverse=True)[1]


def score_range(
    method: str, matrix: np.ndarray, k_min: int, k_max: int, seed: int, minimum_size: int = 0
) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Scores of every k in [k_min, k_max], each on its partition after merging small clusters.

    The method cuts the customers into k clusters; every cluster below
    ``minimum_size`` is merged into its nearest neighbour
    (merge_small_clusters), leaving ``segments`` clusters; silhouette,
    explained variance and inertia are those of that partition (silhouette
    undefined, NaN, for one segment). ``smallest_cluster_customers`` is the
    smallest cluster of the k before merging. The pairwise distances (for the
    silhouette) and, for Ward, the linkage tree are computed once for all k.
    """
    ks = list(range(k_min, min(k_max, len(matrix) - 1) + 1))
    if not ks:
        # no more customers than k_min: one segment, nothing to score
        single = pd.DataFrame(
            [
                {
                    "method": method,
                    "k": k_min,
                    "segments": 1,
                    "silhouette": float("nan"),
                    "explained_variance": 0.0,
                    "inertia": float(((matrix - matrix.mean(axis=0)) ** 2).sum()),
                    "smallest_cluster_customers": len(matrix),
                }
            ]
        )
        return single, {k_min: np.zeros(len(matrix), dtype=int)}
    distances = pairwise_distances(matrix)
    if method == "kmeans":
        raw_by_k = {k: KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(matrix) for k in ks}
    elif method == "hierarchical":
        raw_by_k = ward_labels(matrix, ks)
    else:
        raise ValueError(f"unknown clustering method {method!r}")
    rows = []
    labels_by_k = {}
    for k in ks:
        raw = raw_by_k[k]
        labels = merge_small_clusters(matrix, raw, minimum_size)
        labels_by_k[k] = labels
        segments = int(labels.max()) + 1
        centers = cluster_means(matrix, labels, segments)
        inertia = float(((matrix - centers[labels]) ** 2).sum())
        silhouette = float(silhouette_score(distances, labels, metric="precomputed")) if segments > 1 else float("nan")
        rows.append(
            {
                "method": method,
                "k": k,
                "segments": segments,
                "silhouette": silhouette,
                "explained_variance": explained_variance(matrix, labels),
                "inertia": inertia,
                "smallest_cluster_customers": int(np.bincount(raw, minlength=k).min()),
            }
        )
    return pd.DataFrame(rows), labels_by_k


def choose_k(scores: pd.DataFrame, min_silhouette_gain: float, min_explained_variance_gain: float) -> int:
    """The segment-proliferation rule: add a segment only for a large enough gain.

    The candidates are the partitions of at least two segments (column
    ``segments``, the clusters left after merging those below the minimum
    size; k when absent), the smallest k for each number of segments. Walk
    them from the fewest segments upwards; the next is accepted only when it
    improves on the current by at least ``min_silhouette_gain`` in silhouette
    or at least ``min_explained_variance_gain`` in explained variance. The
    first extra segment that does not pay for itself stops the walk (the
    elbow). Returns the k of the chosen partition (k_min when no k gives two
    segments).
    """
    ordered = scores.assign(segments=scores.get("segments", scores["k"])).sort_values(["segments", "k"])
    candidates = ordered[ordered["segments"] >= 2].drop_duplicates("segments").reset_index(drop=True)
    if candidates.empty:
        return int(ordered["k"].min())
    chosen = candidates.iloc[0]
    for _, row in candidates.iloc[1:].iterrows():
        if not (
            row["silhouette"] >= chosen["silhouette"] + min_silhouette_gain
            or row["explained_variance"] >= chosen["explained_variance"] + min_explained_variance_gain
        ):
            break
        chosen = row
    return int(chosen["k"])


def name_clusters(standardized_centers: np.ndarray) -> list[str]:
    """A readable name per cluster from its two most distinctive features.

    The traits are the two features whose standardized centroid is furthest
    from the population mean (0), worded by TRAIT_WORDS; a name shared by two
    clusters gets the cluster number appended.
    """
    names = []
    feature_names = list(FEATURES)
    for center in standardized_centers:
        order = np.argsort(-np.abs(center))[:2]
        words = [TRAIT_WORDS[feature_names[i]][0 if center[i] >= 0 else 1] for i in order]
        names.append(", ".join(words))
    counts = pd.Series(names).value_counts()
    return [f"{name} ({number + 1})" if counts[name] > 1 else name for number, name in enumerate(names)]


def nearest_centroids(matrix: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid of every row and the ratio nearest / second-nearest distance."""
    distances = np.sqrt(((matrix[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))
    ordered = np.sort(distances, axis=1)
    if centers.shape[0] < 2:
        # one segment: nobody is between two
        return distances.argmin(axis=1), np.zeros(len(matrix))
    second = ordered[:, 1]
    ratio = np.divide(ordered[:, 0], second, out=np.zeros(len(matrix)), where=second > 0)
    return distances.argmin(axis=1), ratio


def relabel_by_value(labels: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Renumber clusters 0..k-1 by descending mean value, so numbering is stable."""
    means = [values[labels == label].mean() for label in range(k)]
    order = np.argsort(-np.asarray(means))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping[label] for label in labels])


def fit_sample(n_rows: int, size: int, seed: int) -> np.ndarray:
    """Positions of the fit set: all rows, or ``size`` of them drawn without replacement.

    A fixed seed makes the sample, and so the segments, reproducible; the
    positions are sorted so the fit sees the rows in their input order.
    """
    if size <= 0 or n_rows <= size:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=size, replace=False))


def cluster_customers(
    features: pd.DataFrame,
    methods: list[str],
    k_min: int,
    k_max: int,
    min_silhouette_gain: float,
    min_explained_variance_gain: float,
    seed: int,
    fit_sample_size: int = 0,
    min_segment_customers: int = 0,
    min_segment_share: float = 0.0,
) -> pd.DataFrame:
    """Fit every method on (a sample of) period 0, assign every period, return the long table.

    ``fit_sample_size`` <= 0 fits on every current customer. Segments hold at
    least ``minimum_segment_size(fitted, min_segment_customers,
    min_segment_share)`` fitted customers (see the module docstring).
    """
    features = features.sort_values(["period_index", "customer_id"]).reset_index(drop=True)
    everyone = features[features["period_index"] == 0].reset_index(drop=True)
    current = everyone.iloc[fit_sample(len(everyone), fit_sample_size, seed)].reset_index(drop=True)
    raw_current = transform_features(current)
    mean, sd = fit_scaler(raw_current)
    standardized_current = (raw_current - mean) / sd
    standardized_all = (transform_features(features) - mean) / sd
    value = pd.to_numeric(current["decayed_net_revenue"], errors="coerce").fillna(0).to_numpy()

    minimum = minimum_segment_size(len(current), min_segment_customers, min_segment_share)
    records = []
    for method in methods:
        scores, labels_by_k = score_range(method, standardized_current, k_min, k_max, seed, minimum)
        chosen_k = choose_k(scores, min_silhouette_gain, min_explained_variance_gain)
        scores["is_chosen"] = scores["k"] == chosen_k
        scores["fit_customers"] = len(current)
        scores["record_type"] = "score"
        records.append(scores)

        k = int(labels_by_k[chosen_k].max()) + 1
        labels = relabel_by_value(labels_by_k[chosen_k], value, k)
        centers = cluster_means(standardized_current, labels, k)
        names = name_clusters(centers)
        business_centers = current.assign(cluster_id=labels).groupby("cluster_id")[list(FEATURES)].mean()
        centroid_rows = [
            {
                "record_type": "centroid",
                "method": method,
                "k": k,
                "cluster_id": cluster_id,
                "segment": names[cluster_id],
                "feature_name": feature,
                "feature_value": float(business_centers.loc[cluster_id, feature]),
            }
            for cluster_id in range(k)
            for feature in FEATURES
        ]
        records.append(pd.DataFrame(centroid_rows))

        assigned, ratio = nearest_centroids(standardized_all, centers)
        records.append(
            pd.DataFrame(
                {
                    "record_type": "assignment",
                    "method": method,
                    "period_index": features["period_index"].astype(int),
                    "customer_id": features["customer_id"],
                    "k": k,
                    "cluster_id": assigned,
                    "segment": [names[label] for label in assigned],
                    "distance_ratio": ratio,
                }
            )
        )
    result = pd.concat(records, ignore_index=True)
    for column in OUTPUT_COLUMNS:
        if column not in result:
            result[column] = None
    return result[OUTPUT_COLUMNS].astype(
        {
            "record_type": "string",
            "method": "string",
            "customer_id": "string",
            "segment": "string",
            "feature_name": "string",
            "period_index": "Int64",
            "k": "Int64",
            "cluster_id": "Int64",
            "distance_ratio": "float64",
            "silhouette": "float64",
            "explained_variance": "float64",
            "inertia": "float64",
            "fit_customers": "Int64",
            "segments": "Int64",
            "smallest_cluster_customers": "Int64",
            "is_chosen": "boolean",
            "feature_value": "float64",
        }
    )


# --- shared helper _to_pandas (identical copies: pytests/test_python_model_copies.py) ---
def _to_pandas(relation) -> pd.DataFrame:
    """A pandas DataFrame from whatever the engine's dbt.ref returns."""
    for attribute in ("df", "to_pandas", "toPandas"):
        if hasattr(relation, attribute):
            return getattr(relation, attribute)()
    return pd.DataFrame(relation)


# --- end of shared helper _to_pandas ---


def model(dbt, session):
    dbt.config(materialized="table")
    features = _to_pandas(dbt.ref("int_customers__time_decayed_features"))
    return cluster_customers(
        features,
        methods=["kmeans", "hierarchical"],
        k_min=int(dbt.config.get("k_min")),
        k_max=int(dbt.config.get("k_max")),
        min_silhouette_gain=float(dbt.config.get("min_silhouette_gain")),
        min_explained_variance_gain=float(dbt.config.get("min_explained_variance_gain")),
        seed=int(dbt.config.get("random_seed")),
        fit_sample_size=int(dbt.config.get("fit_sample_size")),
        min_segment_customers=int(dbt.config.get("min_segment_customers")),
        min_segment_share=float(dbt.config.get("min_segment_share")),
    )
