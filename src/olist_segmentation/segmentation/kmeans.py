"""K-means fitting and nearest-centroid assignment, linear in customers.

The final fit uses at most ``MAX_FIT_ROWS`` customers of a seeded id-hash sample (Lloyd, or
MiniBatchKMeans above a size threshold); the assignment of every row is computed in fixed-size
chunks. Segment ids are ordered
by business value, not by k-means' arbitrary label order, so ``segment_id = 1`` means "most
valuable" in every run.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from threadpoolctl import ThreadpoolController

from olist_segmentation.segmentation.transform import (
    TransformParams,
    apply_transform,
    fit_transform,
    inverse_transform,
)

# Customers the final k-means fit sees at most: centroids from 1M sampled customers are as good
# as from 10M, and the fit stays bounded (see fit_kmeans).
MAX_FIT_ROWS = 1_000_000

_threads_cap_lock = threading.Lock()
_blas_threads_cap: int | None = None


def cap_threads(n_threads: int | None) -> None:
    """Cap this process's OpenMP and BLAS threads at ``n_threads`` from now on (``None``: no cap).

    Why a cap: scikit-learn's k-means uses one OpenMP thread per core with busy-waiting
    barriers. When several processes (dbt threads, DuckDB, a parallel test run) compete for the
    same cores this oversubscription is catastrophic: two concurrent grid searches took ~300 s
    each with the default threads and ~22 s each with one thread on a 2-core machine.

    Why the BLAS cap is set once and never lifted: OpenBLAS keeps one thread count per process,
    and changing it while another thread is inside a BLAS call is not safe (threadpoolctl
    documents its limits for the main thread only). dbt runs Python models on several threads of
    one process; when each model set a limit around its work and restored it afterwards, a build
    crashed with SIGSEGV inside ``silhouette_score`` of one model while another restored the
    count. So the first call caps BLAS, under a lock; a later call can only lower the cap, and
    one that asks for what is already in force changes nothing. OpenMP's limit belongs to the
    calling thread (``omp_set_num_threads``), so it is set for every caller's thread.
    """
    global _blas_threads_cap
    if n_threads is None:
        return
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1 or None, got {n_threads}")
    with _threads_cap_lock:
        controller = ThreadpoolController()
        _limit_if_above(controller.select(user_api="openmp"), n_threads)
        if _blas_threads_cap is None or n_threads < _blas_threads_cap:
            _limit_if_above(controller.select(user_api="blas"), n_threads)
            _blas_threads_cap = n_threads


def _limit_if_above(libraries: ThreadpoolController, n_threads: int) -> None:
    if any(library.num_threads > n_threads for library in libraries.lib_controllers):
        libraries.limit(limits=n_threads)


def fit_kmeans(
    X: np.ndarray,
    k: int,
    seed: int,
    n_init: int = 10,
    minibatch_above: int = 1_000_000,
    batch_size: int = 4096,
    minibatch_n_init: int = 3,
    *,
    fit_rows: np.ndarray | None = None,
) -> KMeans | MiniBatchKMeans:
    """Fit k-means on the rows ``fit_rows`` of ``X`` (``None``: every row, in its order); Lloyd,
    or MiniBatchKMeans above ``minibatch_above`` fitted rows.

    ``fit_rows`` are positions computed by the caller from the customer ids
    (:func:`olist_segmentation.sampling.sample_customers`), in the order they are fitted: k-means++
    seeding depends on row order, so a fit on the same customers in the same order gives the same
    model whatever the order of ``X``.

    Lloyd with several restarts gives the best local optimum at the real data size (~100k rows).
    Two measured facts shape the large-data path: (1) MiniBatchKMeans draws every mini-batch with
    ``choice(n, p=weights)`` (an O(n) pass per step; scikit-learn PR 30751, seen in 1.9) and its
    number of steps also grows with n, so a plain ``fit`` on 10M rows took minutes; (2) centroids
    estimated from a 1M-customer sample are as good as from 10M. Hence callers fit on a sample of
    at most ``MAX_FIT_ROWS`` customers and assign every row with :func:`assign_to_centroids` /
    ``predict``, which keeps the whole pipeline linear. Note that ``labels_`` of the returned
    model then covers the fitted rows only. With the defaults (``minibatch_above ==
    MAX_FIT_ROWS``) Lloyd is used on the sample: on synthetic mart data it was faster than
    MiniBatchKMeans on the same rows and reached a lower inertia, so mini-batches only kick in if
    more rows than ``minibatch_above`` are fitted.
    """
    if fit_rows is not None:
        X = X[np.asarray(fit_rows)]
    n = len(X)
    if k < 1 or k > n:
        raise ValueError(f"k must be between 1 and the number of fitted rows ({n}), got {k}")
    if n > minibatch_above:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            n_clusters=k,
            random_state=seed,
            batch_size=batch_size,
            n_init=minibatch_n_init,
        )
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=n_init, algorithm="lloyd")
    return model.fit(X)


def assign_to_centroids(
    X: np.ndarray, centroids: np.ndarray, chunk_size: int = 262_144
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centroid (0-based position) and Euclidean distance to it, computed in chunks.

    Distances are summed explicitly per centroid instead of via a BLAS dot-product expansion: it
    is exact and bit-reproducible, so scoring from the stored tables returns the same labels as
    the fit, and memory stays at ``chunk_size x k`` regardless of the number of rows.
    """
    X = np.asarray(X, dtype="float64")
    centroids = np.asarray(centroids, dtype="float64")
    if X.ndim != 2 or centroids.ndim != 2 or X.shape[1] != centroids.shape[1]:
        raise ValueError(f"shape mismatch: X {X.shape} vs centroids {centroids.shape}")
    n = len(X)
    labels = np.empty(n, dtype="int64")
    distances = np.empty(n, dtype="float64")
    for start in range(0, n, chunk_size):
        chunk = X[start : start + chunk_size]
        sq = np.empty((len(chunk), len(centroids)), dtype="float64")
        for j, c in enumerate(centroids):
            diff = chunk - c
            np.einsum("ij,ij->i", diff, diff, out=sq[:, j])
        best = sq.argmin(axis=1)
        labels[start : start + len(chunk)] = best
        distances[start : start + len(chunk)] = np.sqrt(sq[np.arange(len(chunk)), best])
    return labels, distances


@dataclass(frozen=True, eq=False)
class FittedSegmentation:
    """A fitted, relabelled segmentation: everything needed to persist and explain it.

    ``labels`` are segment ids 1..k (1 = most valuable); ``centroids[i]`` is the centroid of
    segment ``i + 1`` in scaled units; ``distances`` are Euclidean, in scaled units;
    ``fitted_customer_count`` is the number of rows k-means was fitted on (all were assigned).
    """

    params: TransformParams
    centroids: np.ndarray
    labels: np.ndarray
    distances: np.ndarray
    k: int
    seed: int
    algorithm: str
    fitted_customer_count: int
    order_by: tuple[str, ...] = field(default=())

    @property
    def features(self) -> list[str]:
        """Feature names in centroid column order."""
        return self.params.names

    @property
    def segment_sizes(self) -> np.ndarray:
        """Customers per segment, indexed by ``segment_id - 1``."""
        return np.bincount(self.labels - 1, minlength=self.k)

    @property
    def inertia(self) -> float:
        """Sum of squared distances to the assigned centroid (scaled units)."""
        return float(np.square(self.distances).sum())


def _business_order(
    df: pd.DataFrame,
    params: TransformParams,
    centroids: np.ndarray,
    labels: np.ndarray,
    value_feature: str,
    recency_feature: str,
) -> np.ndarray:
    """Positions of the clusters sorted by descending value, then ascending recency.

    Uses the centroid in original units when the column is a model feature; otherwise (a feature
    set without monetary, say) the mean of the raw column over the cluster's members, so the
    order stays meaningful for every feature set. Centroid coordinates break any remaining tie,
    which makes the order a pure function of the fitted centroids.
    """
    original = inverse_transform(centroids, params)
    k = len(centroids)

    def per_cluster(column: str) -> np.ndarray:
        if column in params.names:
            return original[:, params.names.index(column)]
        if column not in df.columns:
            raise ValueError(f"ordering column {column} is neither a feature nor in the data")
        raw = df[column].to_numpy(dtype="float64", na_value=np.nan)
        sums = np.bincount(labels, weights=np.nan_to_num(raw), minlength=k)
        counts = np.bincount(labels, weights=~np.isnan(raw), minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    value = np.nan_to_num(per_cluster(value_feature), nan=-np.inf)
    recency = np.nan_to_num(per_cluster(recency_feature), nan=np.inf)
    keys = [centroids[:, j] for j in reversed(range(centroids.shape[1]))]
    return np.lexsort([*keys, recency, -value])


def fit_final_model(
    df: pd.DataFrame,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    minibatch_above: int = 1_000_000,
    n_init: int = 10,
    batch_size: int = 4096,
    minibatch_n_init: int = 3,
    value_feature: str = "monetary",
    recency_feature: str = "recency_days",
    chunk_size: int = 262_144,
    n_threads: int | None = 1,
    *,
    fit_rows: np.ndarray | None = None,
) -> FittedSegmentation:
    """Fit the production segmentation and relabel it in business order.

    The transform is fitted on all rows (linear); k-means on the rows ``fit_rows`` (positions
    from the customer ids, :func:`olist_segmentation.sampling.sample_customers`, at most
    ``MAX_FIT_ROWS`` of them; ``None``: every row in its order, for an input that is already a
    sample), see :func:`fit_kmeans`; every row is then assigned to its nearest centroid.

    K-means' own label numbers depend on initialisation, so they would permute between runs and
    break every downstream "segment 3" reference. Clusters are therefore renumbered by descending
    ``value_feature`` (monetary) of the centroid in original units, ties by ascending
    ``recency_feature``: ``segment_id = 1`` is the most valuable segment. Labels and distances come
    from :func:`assign_to_centroids`, the very function used for frozen scoring, so scoring the
    training data from the stored tables reproduces these labels exactly.

    ``n_threads`` (see :func:`cap_threads`) defaults to 1: on 10M synthetic rows the fit took
    ~10 s single-threaded and ~12 s with two threads on a busy 2-core machine.
    """
    params = fit_transform(df, features, log1p_features)
    X = apply_transform(df, params)
    cap_threads(n_threads)
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
    raw_centroids = np.asarray(model.cluster_centers_, dtype="float64")
    raw_labels, _ = assign_to_centroids(X, raw_centroids, chunk_size)
    order = _business_order(df, params, raw_centroids, raw_labels, value_feature, recency_feature)
    centroids = raw_centroids[order]
    labels, distances = assign_to_centroids(X, centroids, chunk_size)
    algorithm = "minibatch_kmeans" if isinstance(model, MiniBatchKMeans) else "kmeans_lloyd"
    fitted_customer_count = len(X) if fit_rows is None else len(fit_rows)
    return FittedSegmentation(
        params=params,
        centroids=centroids,
        labels=labels + 1,
        distances=distances,
        k=k,
        seed=seed,
        algorithm=algorithm,
        fitted_customer_count=fitted_customer_count,
        order_by=(value_feature, recency_feature),
    )
