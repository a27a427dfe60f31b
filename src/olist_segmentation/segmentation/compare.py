"""K-means against agglomerative clustering and Gaussian mixtures on the same scaled features.

Agglomerative clustering is quadratic, so it is fitted on a seeded sample and every other
customer is assigned to the nearest centre of its sample clusters. Every sample is drawn from the
customer ids (:func:`olist_segmentation.sampling.sample_customers`), so the comparison does not
depend on the order of the rows.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import AgglomerativeClustering, MiniBatchKMeans
from sklearn.metrics import (
    adjusted_rand_score,
)
from sklearn.mixture import GaussianMixture

from olist_segmentation.sampling import sample_customers
from olist_segmentation.segmentation.kmeans import (
    MAX_FIT_ROWS,
    assign_to_centroids,
    cap_threads,
    fit_kmeans,
)
from olist_segmentation.segmentation.metrics import cluster_metrics, min_share

COMPARISON_COLUMNS = [
    "algorithm",
    "linkage",
    "k",
    "fitted_customer_count",
    "assigned_customer_count",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "segment_sizes",
    "min_segment_share",
    "ari_vs_kmeans",
    "fit_seconds",
    "peak_memory_mb",
    "fit_note",
]


@contextmanager
def _measure() -> Iterator[dict[str, float]]:
    """Wall time and tracemalloc peak (MB) of the block; numpy buffers are traced too.

    Allocations made directly by C/Cython code (not via numpy) are not seen by tracemalloc, so
    the peak is a lower bound; it is still the right order of magnitude for the quadratic
    distance matrices that make agglomerative clustering expensive.
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    result: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        yield result
    finally:
        result["seconds"] = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        result["peak_mb"] = max(peak - base, 0) / 2**20
        if not was_tracing:
            tracemalloc.stop()


def _sizes(labels: np.ndarray) -> dict[int, int]:
    """``{segment: customers}`` with the ids as given, in id order."""
    ids, counts = np.unique(labels, return_counts=True)
    return {int(i): int(c) for i, c in zip(ids, counts, strict=True)}


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber arbitrary cluster labels 1..k by descending size (stable for equal sizes)."""
    ids, counts = np.unique(labels, return_counts=True)
    order = ids[np.lexsort([ids, -counts])]
    mapping = {int(old): new for new, old in enumerate(order, start=1)}
    return np.array([mapping[int(v)] for v in ids])[np.searchsorted(ids, labels)]


def compare_algorithms(
    X: np.ndarray,
    kmeans_labels: np.ndarray,
    k: int,
    seed: int,
    *,
    customer_ids: Any,
    sample_size: int = 5_000,
    silhouette_sample: int = 10_000,
    mixture_sample_size: int = 100_000,
    n_init: int = 10,
    minibatch_above: int = 1_000_000,
    batch_size: int = 4096,
    minibatch_n_init: int = 3,
    linkages: Sequence[str] = ("ward", "average", "complete"),
    mixture_covariance: str = "full",
    chunk_size: int = 262_144,
    max_fit_rows: int = MAX_FIT_ROWS,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Compare k-means with other algorithms on the same scaled features; one row per algorithm.

    * ``kmeans``: metrics of the caller's labels (the production segments); time and memory come
      from a refit with the same seed and settings (:func:`fit_kmeans`), so costs are comparable.
    * ``minibatch_kmeans``: fitted on at most ``max_fit_rows`` rows, every row then assigned to
      the nearest centroid (what production does above ``minibatch_above`` rows).
    * ``agglomerative`` (per linkage): quadratic in time and memory, so it is fitted on a seeded
      sample of ``sample_size`` rows; the other rows go to the nearest cluster mean of the sample.
    * ``gaussian_mixture``: ``mixture_covariance`` covariances, fitted on at most
      ``mixture_sample_size`` rows, then every row is assigned by ``predict``.

    ``customer_ids`` (one per row of ``X``) draw every sample: the k-means fits, the
    agglomerative and mixture samples and the silhouette rows are seeded id-hash samples taken
    in priority order, so a shuffled ``X`` (with its ids) gives the same table.

    Silhouette uses the same seeded rows for every algorithm; Davies-Bouldin,
    Calinski-Harabasz and the ARI against k-means use every row. Segment ids of the non-k-means
    rows are numbered by descending size in ``segment_sizes`` (``{segment: customers}``).
    ``n_threads``: see :func:`cap_threads`.
    """
    X = np.asarray(X, dtype="float64")
    kmeans_labels = np.asarray(kmeans_labels)
    n = len(X)
    if len(kmeans_labels) != n:
        raise ValueError(f"kmeans_labels has {len(kmeans_labels)} rows, X has {n}")
    customer_ids = np.asarray(customer_ids)
    if len(customer_ids) != n:
        raise ValueError(f"customer_ids has {len(customer_ids)} rows, X has {n}")

    def sample(size: int) -> np.ndarray:
        return sample_customers(customer_ids, size=size, seed=seed)

    fit_rows = sample(max_fit_rows)
    silhouette_rows = sample(silhouette_sample)
    rows = []

    def record(
        algorithm: str,
        linkage_name: str | None,
        labels: np.ndarray,
        fitted_customer_count: int,
        cost: dict[str, float],
        note: str,
        keep_ids: bool = False,
    ) -> None:
        metrics = cluster_metrics(X, labels, silhouette_rows=silhouette_rows)
        rows.append(
            {
                "algorithm": algorithm,
                "linkage": linkage_name,
                "k": k,
                "fitted_customer_count": fitted_customer_count,
                "assigned_customer_count": n - fitted_customer_count,
                "silhouette": metrics["silhouette"],
                "davies_bouldin": metrics["davies_bouldin"],
                "calinski_harabasz": metrics["calinski_harabasz"],
                "segment_sizes": _sizes(labels if keep_ids else _by_size(labels)),
                "min_segment_share": min_share(_by_size(labels) - 1, k),
                "ari_vs_kmeans": float(adjusted_rand_score(kmeans_labels, labels)),
                "fit_seconds": cost["seconds"],
                "peak_memory_mb": cost["peak_mb"],
                "fit_note": note,
            }
        )

    cap_threads(n_threads)
    with _measure() as cost:
        model = fit_kmeans(
            X,
            k,
            seed,
            n_init=n_init,
            minibatch_above=minibatch_above,
            batch_size=batch_size,
            minibatch_n_init=minibatch_n_init,
            fit_rows=fit_rows,
        )
        assign_to_centroids(X, model.cluster_centers_, chunk_size)  # cost of labelling all
    kind = "MiniBatchKMeans" if isinstance(model, MiniBatchKMeans) else f"Lloyd n_init={n_init}"
    n_km = len(fit_rows)
    record(
        "kmeans",
        None,
        kmeans_labels,
        n_km,
        cost,
        f"labels supplied by caller; cost = refit on {n_km} rows ({kind}, same seed) "
        "+ nearest-centroid assignment of every row",
        keep_ids=True,
    )

    with _measure() as cost:
        mb = fit_kmeans(
            X,
            k,
            seed,
            minibatch_above=0,
            batch_size=batch_size,
            minibatch_n_init=minibatch_n_init,
            fit_rows=fit_rows,
        )
        mb_labels, _ = assign_to_centroids(X, mb.cluster_centers_, chunk_size)
    n_mb = len(fit_rows)
    record(
        "minibatch_kmeans",
        None,
        mb_labels,
        n_mb,
        cost,
        f"fitted on {n_mb} rows, batch_size={batch_size}, n_init={minibatch_n_init}; "
        "every row assigned to the nearest centroid",
    )

    idx = sample(sample_size)
    X_sample = X[idx]
    for method in linkages:
        with _measure() as cost:
            sample_labels = AgglomerativeClustering(n_clusters=k, linkage=method).fit_predict(
                X_sample
            )
            centres = np.vstack([X_sample[sample_labels == c].mean(axis=0) for c in range(k)])
            labels, _ = assign_to_centroids(X, centres, chunk_size)
            labels[idx] = sample_labels  # sampled rows keep the label the algorithm gave them
        record(
            "agglomerative",
            method,
            labels,
            len(idx),
            cost,
            f"fitted on a seeded sample of {len(idx)} rows (quadratic); other {n - len(idx)} "
            "rows assigned to the nearest cluster mean of the sample",
        )

    gidx = sample(mixture_sample_size)
    with _measure() as cost:
        gmm = GaussianMixture(n_components=k, covariance_type=mixture_covariance, random_state=seed)
        gmm.fit(X[gidx])
        # predict in chunks: it materialises n x k log-probabilities (1.4 GB at 10M rows)
        labels = np.concatenate(
            [gmm.predict(X[i : i + chunk_size]) for i in range(0, n, chunk_size)]
        )
    record(
        "gaussian_mixture",
        None,
        labels,
        len(gidx),
        cost,
        f"{mixture_covariance} covariance, fitted on {len(gidx)} rows, "
        "every row assigned by predict",
    )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def hierarchical_linkage_sample(X: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """SciPy Ward linkage matrix of the rows ``rows`` of ``X``, for a dendrogram.

    Quadratic, so the caller passes a bounded sample drawn from the customer ids
    (:func:`olist_segmentation.sampling.sample_customers`).
    """
    X = np.asarray(X, dtype="float64")
    rows = np.asarray(rows)
    if len(rows) < 2:
        raise ValueError("need at least two rows for a linkage")
    return linkage(X[rows], method="ward")
