"""K-means segmentation: model search, final fit, frozen scoring and an algorithm comparison.

Design constraints that explain most choices below:

* **Linear in customers.** The search fits on a seeded sample of bounded size, so its cost does
  not grow with the customer base. The final k-means fit uses at most ``max_fit_rows`` rows
  (Lloyd, or MiniBatchKMeans above a size threshold); the transform, the assignment of every row
  and the per-row metrics are linear, with distances computed in fixed-size chunks.
* **Frozen and reproducible.** The final model is fully described by two small tables (transform
  parameters and centroids). Scoring rebuilds the model from those tables and only computes
  nearest-centroid assignments, so segment boundaries never move unless a new model version is
  deliberately fitted. Segment ids are ordered by business value, not by k-means' arbitrary label
  order, so ``segment_id = 1`` means "most valuable" in every run.
* **Every tunable is a parameter**, because the dbt project passes them from ``dbt vars``.
"""

from __future__ import annotations

import hashlib
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from olist_segmentation.features import (
    TransformParams,
    apply_transform,
    fit_transform,
    inverse_transform,
    params_from_frame,
)

GRID_COLUMNS = [
    "feature_set",
    "features",
    "k",
    "inertia",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "min_segment_share",
    "bootstrap_ari",
    "fit_seconds",
    "eval_seconds",
    "n_rows_fitted",
]

CENTROID_COLUMNS = [
    "model_version",
    "segment_id",
    "feature",
    "feature_order",
    "centroid_scaled",
    "centroid_original",
    "segment_size",
    "segment_share",
]

COMPARISON_COLUMNS = [
    "algorithm",
    "linkage",
    "k",
    "n_fitted",
    "n_assigned",
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


# --------------------------------------------------------------------------------------------
# small building blocks
# --------------------------------------------------------------------------------------------


def sample_indices(n_rows: int, sample_size: int, seed: int) -> np.ndarray:
    """Sorted positions of a seeded sample without replacement of at most ``sample_size`` rows.

    Sorted so that taking the rows is cache friendly and the sample does not depend on the order
    in which the positions were drawn.
    """
    if sample_size <= 0:
        raise ValueError(f"sample_size must be positive, got {sample_size}")
    if n_rows <= sample_size:
        return np.arange(n_rows)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=sample_size, replace=False))


def parse_k_values(value: Sequence[int] | str) -> list[int]:
    """Accept ``[2, 3]``, ``"[2, 3]"``, ``"2,3,4"`` or a range ``"2..10"`` (as dbt vars arrive)."""
    if isinstance(value, str):
        text = value.strip()
        if ".." in text:
            lo, hi = (int(part) for part in text.split("..", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(part) for part in text.strip("[]() ").split(",") if part.strip()]
    else:
        values = [int(v) for v in value]
    if not values or any(v < 2 for v in values):
        raise ValueError(f"k values must be a non-empty list of integers >= 2, got {value!r}")
    return sorted(set(values))


def limit_threads(n_threads: int | None) -> AbstractContextManager[object]:
    """Cap OpenMP and BLAS threads for a block (``None``: leave the libraries' default).

    scikit-learn's k-means uses one OpenMP thread per core with busy-waiting barriers. When
    several processes (dbt threads, DuckDB, a parallel test run) compete for the same cores this
    oversubscription is catastrophic: two concurrent grid searches took ~300 s each with the
    default threads and ~22 s each with one thread on a 2-core machine.
    """
    if n_threads is None:
        return nullcontext()
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1 or None, got {n_threads}")
    return threadpool_limits(limits=n_threads)


def fit_kmeans(
    X: np.ndarray,
    k: int,
    seed: int,
    n_init: int = 10,
    minibatch_above: int = 1_000_000,
    batch_size: int = 4096,
    minibatch_n_init: int = 3,
    max_fit_rows: int | None = 1_000_000,
) -> KMeans | MiniBatchKMeans:
    """Fit k-means on at most ``max_fit_rows`` seeded rows; Lloyd, or MiniBatchKMeans above
    ``minibatch_above`` fitted rows.

    Lloyd with several restarts gives the best local optimum at the real data size (~100k rows).
    Two measured facts shape the large-data path: (1) MiniBatchKMeans draws every mini-batch with
    ``choice(n, p=weights)`` (an O(n) pass per step; scikit-learn PR 30751, seen in 1.9) and its
    number of steps also grows with n, so a plain ``fit`` on 10M rows took minutes; (2) centroids
    estimated from a 1M-row random sample are as good as from 10M. Hence the fit uses a seeded
    sample of ``max_fit_rows`` rows (``None`` = all rows) and callers assign every row with
    :func:`assign_to_centroids` / ``predict``, which keeps the whole pipeline linear. Note that
    ``labels_`` of the returned model then covers the fitted sample only. With the defaults
    (``minibatch_above == max_fit_rows``) Lloyd is used on the sample: on synthetic mart data it
    was faster than MiniBatchKMeans on the same rows and reached a lower inertia, so mini-batches
    only kick in if ``max_fit_rows`` is raised above ``minibatch_above`` (or set to ``None``).
    """
    n = len(X)
    if k < 1 or k > n:
        raise ValueError(f"k must be between 1 and the number of rows ({n}), got {k}")
    if max_fit_rows is not None and n > max_fit_rows:
        X = X[sample_indices(n, max_fit_rows, seed)]
    if len(X) > minibatch_above:
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


def _cluster_metrics(
    X: np.ndarray, labels: np.ndarray, silhouette_sample: int, seed: int
) -> dict[str, float]:
    """Silhouette (sampled: it is quadratic), Davies-Bouldin, Calinski-Harabasz, smallest share.

    Undefined metrics (fewer than two non-empty clusters) are NaN rather than an exception, so
    one degenerate configuration does not abort a whole search.
    """
    n = len(labels)
    _, counts = np.unique(labels, return_counts=True)
    result = {
        "silhouette": np.nan,
        "davies_bouldin": np.nan,
        "calinski_harabasz": np.nan,
        "min_segment_share": float(counts.min() / n) if n else np.nan,
    }
    if 2 <= len(counts) <= n - 1:
        result["silhouette"] = float(
            silhouette_score(
                X,
                labels,
                sample_size=silhouette_sample if silhouette_sample < n else None,
                random_state=seed,
            )
        )
        result["davies_bouldin"] = float(davies_bouldin_score(X, labels))
        result["calinski_harabasz"] = float(calinski_harabasz_score(X, labels))
    return result


def _min_share(labels: np.ndarray, k: int) -> float:
    """Share of the smallest of ``k`` segments, counting empty segments as 0."""
    return float(np.bincount(labels, minlength=k).min() / len(labels))


# --------------------------------------------------------------------------------------------
# model search
# --------------------------------------------------------------------------------------------


def evaluate_grid(
    df: pd.DataFrame,
    feature_sets: Mapping[str, Sequence[str]],
    log1p_features: Sequence[str],
    k_values: Sequence[int],
    seed: int,
    sample_size: int = 20_000,
    silhouette_sample: int = 10_000,
    n_bootstrap: int = 3,
    progress: Callable[[str], None] | None = None,
    n_init: int = 4,
    minibatch_above: int = 1_000_000,
    n_threads: int | None = 1,
) -> pd.DataFrame:
    """Score every (feature set, k) on one seeded sample; one row per configuration.

    All configurations see the same sample rows, so their metrics are comparable, and the cost is
    bounded by ``sample_size`` whatever the number of customers. The transform is fitted on that
    sample too (medians and standard deviations of 20k rows are as good as of 10M for this).

    Stability (``bootstrap_ari``): the model is refitted on ``n_bootstrap`` bootstrap resamples
    of the sample (different resample *and* different init seed); each refit labels the same
    evaluation sample and is compared with the reference labels by the adjusted Rand index. A
    value near 1 means the segmentation is a property of the data, not of the seed.

    ``n_threads`` caps OpenMP/BLAS threads (see :func:`limit_threads`): on 20k-row fits one
    thread is faster than two, and it stays fast when dbt runs other models at the same time.
    """
    if not feature_sets:
        raise ValueError("feature_sets must not be empty")
    k_list = parse_k_values(list(k_values))
    idx = sample_indices(len(df), sample_size, seed)
    sample = df.iloc[idx]
    n = len(sample)
    too_large = [k for k in k_list if k >= n]
    if too_large:
        raise ValueError(f"k values {too_large} need more than {n} sampled rows")
    boot_rng = np.random.default_rng([seed, 1])
    boot_indices = [boot_rng.integers(0, n, size=n) for _ in range(n_bootstrap)]

    rows = []
    total = len(feature_sets) * len(k_list)
    started = time.perf_counter()
    done = 0
    with limit_threads(n_threads):
        for set_name, features in feature_sets.items():
            features = list(features)
            params = fit_transform(sample, features, log1p_features)
            X = apply_transform(sample, params)
            for k in k_list:
                t0 = time.perf_counter()
                model = fit_kmeans(X, k, seed, n_init=n_init, minibatch_above=minibatch_above)
                fit_seconds = time.perf_counter() - t0
                labels = model.predict(X)
                metrics = _cluster_metrics(X, labels, silhouette_sample, seed)
                metrics["min_segment_share"] = _min_share(labels, k)
                aris = []
                for b, boot in enumerate(boot_indices):
                    boot_model = fit_kmeans(
                        X[boot], k, seed + 1 + b, n_init=n_init, minibatch_above=minibatch_above
                    )
                    aris.append(adjusted_rand_score(labels, boot_model.predict(X)))
                eval_seconds = time.perf_counter() - t0
                rows.append(
                    {
                        "feature_set": set_name,
                        "features": ",".join(features),
                        "k": k,
                        "inertia": float(model.inertia_),
                        **metrics,
                        "bootstrap_ari": float(np.mean(aris)) if aris else np.nan,
                        "fit_seconds": fit_seconds,
                        "eval_seconds": eval_seconds,
                        "n_rows_fitted": n,
                    }
                )
                done += 1
                if progress is not None:
                    r = rows[-1]
                    progress(
                        f"grid {done}/{total}: feature_set={set_name} k={k} rows={n} "
                        f"silhouette={r['silhouette']:.3f} bootstrap_ari={r['bootstrap_ari']:.3f} "
                        f"min_share={r['min_segment_share']:.3f} ({eval_seconds:.1f}s, "
                        f"elapsed {time.perf_counter() - started:.1f}s)"
                    )
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


class Selection(NamedTuple):
    """Result of :func:`choose_configuration`: the chosen row and the annotated grid."""

    chosen: pd.Series
    grid: pd.DataFrame


def choose_configuration(
    grid: pd.DataFrame,
    min_segment_share: float = 0.02,
    min_bootstrap_ari: float = 0.8,
    k_override: int | None = None,
    feature_set_override: str | None = None,
    silhouette_tie_tolerance: float = 0.0,
) -> Selection:
    """Pick one configuration with a documented, auditable rule.

    Rule:

    1. Candidates are all grid rows, restricted by the overrides (dbt vars ``segment_k`` and
       ``segment_feature_set``) when given. An override that is not in the grid is an error:
       choosing silently something else would hide a configuration mistake.
    2. A candidate *passes* if ``min_segment_share >= min_segment_share`` (no segment too small
       to act on) and ``bootstrap_ari >= min_bootstrap_ari`` (segments reproducible; a NaN
       ``bootstrap_ari``, from ``n_bootstrap=0``, skips this floor).
    3. Among passing candidates take the best silhouette; silhouettes within
       ``silhouette_tie_tolerance`` of the best count as a tie and the smaller k wins (fewer
       segments are easier to use), then the feature set listed first.
    4. If nothing passes, fall back to the most stable candidate (highest ``bootstrap_ari``,
       then silhouette, then smaller k) and say so in ``selection_reason``.

    Returns the chosen row and the grid with ``is_chosen`` and ``selection_reason`` per row.
    """
    if grid.empty:
        raise ValueError("the grid is empty: nothing to choose from")
    grid = grid.reset_index(drop=True).copy()
    candidate = pd.Series(True, index=grid.index)
    excluded_by: dict[int, str] = {}

    if k_override is not None:
        allowed = sorted(int(k) for k in grid["k"].unique())
        if int(k_override) not in allowed:
            raise ValueError(
                f"segment_k={k_override} is not in the evaluated grid; allowed values: {allowed}"
            )
        mask = grid["k"] == int(k_override)
        for i in grid.index[~mask & candidate]:
            excluded_by[i] = f"excluded by segment_k={k_override}"
        candidate &= mask
    if feature_set_override is not None:
        allowed_sets = list(dict.fromkeys(grid["feature_set"]))
        if feature_set_override not in allowed_sets:
            raise ValueError(
                f"segment_feature_set={feature_set_override!r} is not in the evaluated grid; "
                f"allowed values: {allowed_sets}"
            )
        mask = grid["feature_set"] == feature_set_override
        for i in grid.index[~mask & candidate]:
            excluded_by[i] = f"excluded by segment_feature_set={feature_set_override}"
        candidate &= mask

    share_ok = grid["min_segment_share"] >= min_segment_share
    # NaN stability only arises with n_bootstrap=0, i.e. stability was deliberately not measured
    ari_ok = grid["bootstrap_ari"].isna() | (grid["bootstrap_ari"] >= min_bootstrap_ari)
    sil_ok = grid["silhouette"].notna()
    passing = candidate & share_ok & ari_ok & sil_ok
    set_rank = grid["feature_set"].map(
        {s: i for i, s in enumerate(dict.fromkeys(grid["feature_set"]))}
    )
    floors = f"min_segment_share>={min_segment_share:g} and bootstrap_ari>={min_bootstrap_ari:g}"

    if passing.any():
        pool = grid[passing]
        best_sil = pool["silhouette"].max()
        tied = pool[pool["silhouette"] >= best_sil - silhouette_tie_tolerance]
        order = sorted(tied.index, key=lambda i: (int(grid.at[i, "k"]), set_rank[i]))
        chosen_i = order[0]
        reason = (
            f"chosen: passes {floors}; best silhouette {grid.at[chosen_i, 'silhouette']:.4f} "
            f"among {int(passing.sum())} passing configuration(s)"
        )
        if len(tied) > 1:
            reason += f" (tie within {silhouette_tie_tolerance:g} resolved by smaller k)"
    else:
        pool = grid[candidate]
        order = sorted(
            pool.index,
            key=lambda i: (
                -np.nan_to_num(grid.at[i, "bootstrap_ari"], nan=-np.inf),
                -np.nan_to_num(grid.at[i, "silhouette"], nan=-np.inf),
                int(grid.at[i, "k"]),
                set_rank[i],
            ),
        )
        chosen_i = order[0]
        reason = (
            f"fallback: no candidate passes {floors}; chose the highest bootstrap_ari "
            f"({grid.at[chosen_i, 'bootstrap_ari']:.4f})"
        )
    if k_override is not None or feature_set_override is not None:
        reason += (
            f" [overrides: segment_k={k_override}, segment_feature_set={feature_set_override}]"
        )

    reasons = []
    for i in grid.index:
        if i == chosen_i:
            reasons.append(reason)
        elif i in excluded_by:
            reasons.append(excluded_by[i])
        else:
            problems = []
            if not share_ok[i]:
                share = grid.at[i, "min_segment_share"]
                problems.append(f"min_segment_share {share:.4f} < {min_segment_share:g}")
            if not ari_ok[i]:
                problems.append(
                    f"bootstrap_ari {grid.at[i, 'bootstrap_ari']:.4f} < {min_bootstrap_ari:g}"
                )
            if not sil_ok[i]:
                problems.append("silhouette undefined")
            if problems:
                reasons.append("fails floor: " + "; ".join(problems))
            else:
                reasons.append(
                    f"passes floors; silhouette {grid.at[i, 'silhouette']:.4f} vs chosen "
                    f"{grid.at[chosen_i, 'silhouette']:.4f} (k={int(grid.at[chosen_i, 'k'])})"
                )
    grid["is_chosen"] = grid.index == chosen_i
    grid["selection_reason"] = reasons
    return Selection(grid.loc[chosen_i], grid)


# --------------------------------------------------------------------------------------------
# final model, frozen scoring
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FittedSegmentation:
    """A fitted, relabelled segmentation: everything needed to persist and explain it.

    ``labels`` are segment ids 1..k (1 = most valuable); ``centroids[i]`` is the centroid of
    segment ``i + 1`` in scaled units; ``distances`` are Euclidean, in scaled units;
    ``n_fitted`` is the number of rows k-means was fitted on (all rows were assigned).
    """

    params: TransformParams
    centroids: np.ndarray
    labels: np.ndarray
    distances: np.ndarray
    k: int
    seed: int
    algorithm: str
    n_fitted: int
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
    max_fit_rows: int | None = 1_000_000,
    n_threads: int | None = 1,
) -> FittedSegmentation:
    """Fit the production segmentation and relabel it in business order.

    The transform is fitted on all rows (linear); k-means on at most ``max_fit_rows`` seeded rows
    (see :func:`fit_kmeans`); every row is then assigned to its nearest centroid.

    K-means' own label numbers depend on initialisation, so they would permute between runs and
    break every downstream "segment 3" reference. Clusters are therefore renumbered by descending
    ``value_feature`` (monetary) of the centroid in original units, ties by ascending
    ``recency_feature``: ``segment_id = 1`` is the most valuable segment. Labels and distances come
    from :func:`assign_to_centroids`, the very function used for frozen scoring, so scoring the
    training data from the stored tables reproduces these labels exactly.

    ``n_threads`` (see :func:`limit_threads`) defaults to 1: on 10M synthetic rows the fit took
    ~10 s single-threaded and ~12 s with two threads on a busy 2-core machine.
    """
    params = fit_transform(df, features, log1p_features)
    X = apply_transform(df, params)
    with limit_threads(n_threads):
        model = fit_kmeans(
            X,
            k,
            seed,
            n_init=n_init,
            minibatch_above=minibatch_above,
            batch_size=batch_size,
            minibatch_n_init=minibatch_n_init,
            max_fit_rows=max_fit_rows,
        )
        raw_centroids = np.asarray(model.cluster_centers_, dtype="float64")
        raw_labels, _ = assign_to_centroids(X, raw_centroids, chunk_size)
        order = _business_order(
            df, params, raw_centroids, raw_labels, value_feature, recency_feature
        )
        centroids = raw_centroids[order]
        labels, distances = assign_to_centroids(X, centroids, chunk_size)
    algorithm = "minibatch_kmeans" if isinstance(model, MiniBatchKMeans) else "kmeans_lloyd"
    n_fitted = len(X) if max_fit_rows is None else min(len(X), max_fit_rows)
    return FittedSegmentation(
        params=params,
        centroids=centroids,
        labels=labels + 1,
        distances=distances,
        k=k,
        seed=seed,
        algorithm=algorithm,
        n_fitted=n_fitted,
        order_by=(value_feature, recency_feature),
    )


def centroids_frame(fitted: FittedSegmentation, model_version: str) -> pd.DataFrame:
    """Long table of centroids, one row per (segment_id, feature), scaled and original units."""
    k, d = fitted.centroids.shape
    original = inverse_transform(fitted.centroids, fitted.params)
    sizes = fitted.segment_sizes
    n = max(len(fitted.labels), 1)
    return pd.DataFrame(
        {
            "model_version": [model_version] * (k * d),
            "segment_id": np.repeat(np.arange(1, k + 1, dtype="int64"), d),
            "feature": fitted.features * k,
            "feature_order": np.tile(np.arange(1, d + 1, dtype="int64"), k),
            "centroid_scaled": fitted.centroids.reshape(-1),
            "centroid_original": original.reshape(-1),
            "segment_size": np.repeat(sizes.astype("int64"), d),
            "segment_share": np.repeat(sizes / n, d),
        },
        columns=CENTROID_COLUMNS,
    )


def centroids_from_frame(
    centroids: pd.DataFrame, params: TransformParams, model_version: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rebuild ``(segment_ids, centroid matrix k x d)`` from :func:`centroids_frame` output.

    Columns are aligned to the transform's feature order by *name*, so a table sorted any way
    still yields the right matrix, and a feature mismatch is an error instead of a silent shuffle.
    """
    needed = ["segment_id", "feature", "centroid_scaled"]
    missing = [c for c in needed if c not in centroids.columns]
    if missing:
        raise ValueError(f"centroid table is missing column(s): {', '.join(missing)}")
    if "model_version" in centroids.columns:
        if model_version is not None:
            centroids = centroids[centroids["model_version"] == model_version]
        versions = sorted(map(str, centroids["model_version"].unique()))
        if len(versions) != 1:
            raise ValueError(
                "centroid table must hold exactly one model_version (pass model_version=...); "
                f"found: {', '.join(versions) or 'none'}"
            )
    wide = centroids.pivot(index="segment_id", columns="feature", values="centroid_scaled")
    if set(wide.columns) != set(params.names):
        raise ValueError(
            f"centroid features {sorted(wide.columns)} do not match transform features "
            f"{sorted(params.names)}"
        )
    wide = wide.sort_index()[params.names]
    if wide.isna().any().any():
        raise ValueError("centroid table has missing (segment_id, feature) values")
    return wide.index.to_numpy(dtype="int64"), wide.to_numpy(dtype="float64")


def score_with_frozen_model(
    df: pd.DataFrame,
    centroids: pd.DataFrame,
    transform: pd.DataFrame,
    model_version: str | None = None,
    chunk_size: int = 262_144,
) -> pd.DataFrame:
    """Assign each row to the nearest stored centroid, rebuilding the model from its tables.

    Nothing is refitted: not the medians, not the scaling, not the centroids. New or shifted data
    is therefore judged against the frozen segment definitions, which is what makes segment
    membership comparable between runs. Returns ``segment_id`` and ``distance_to_centroid``
    (scaled units) with the index of ``df``.
    """
    params = params_from_frame(transform, model_version)
    segment_ids, matrix = centroids_from_frame(centroids, params, model_version)
    X = apply_transform(df, params)
    positions, distances = assign_to_centroids(X, matrix, chunk_size)
    return pd.DataFrame(
        {"segment_id": segment_ids[positions], "distance_to_centroid": distances},
        index=df.index,
    )


def model_version(
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    data_fingerprint: str,
) -> str:
    """Short deterministic id such as ``km-k5-1a2b3c4d`` for one model configuration and data.

    Feature order matters (it is the column order of the centroids), the log1p list does not,
    and log1p entries outside ``features`` are ignored because they do not change the model.
    """
    payload = {
        "features": list(features),
        "log1p": sorted(set(log1p_features) & set(features)),
        "k": int(k),
        "seed": int(seed),
        "data": str(data_fingerprint),
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
    return f"km-k{int(k)}-{digest[:8]}"


def frame_fingerprint(df: pd.DataFrame, columns: Sequence[str]) -> str:
    """Order-independent content hash of ``columns`` (linear; for :func:`model_version`)."""
    hashed = pd.util.hash_pandas_object(df[list(columns)], index=False).to_numpy()
    # sum and xor of the row hashes: independent of row order, cheap for 10M rows
    summary = f"{len(df)}:{int(hashed.sum(dtype='uint64'))}:{int(np.bitwise_xor.reduce(hashed))}"
    return hashlib.sha256(summary.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# algorithm comparison
# --------------------------------------------------------------------------------------------


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


def _sizes_text(labels: np.ndarray) -> str:
    """``"1:123|2:456"`` with the ids as given, in id order."""
    ids, counts = np.unique(labels, return_counts=True)
    return "|".join(f"{int(i)}:{int(c)}" for i, c in zip(ids, counts, strict=True))


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
    max_fit_rows: int | None = 1_000_000,
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

    Silhouette uses the same seeded rows for every algorithm; Davies-Bouldin,
    Calinski-Harabasz and the ARI against k-means use every row. Segment ids of the non-k-means
    rows are numbered by descending size in ``segment_sizes``. ``n_threads``: see
    :func:`limit_threads`.
    """
    X = np.asarray(X, dtype="float64")
    kmeans_labels = np.asarray(kmeans_labels)
    n = len(X)
    if len(kmeans_labels) != n:
        raise ValueError(f"kmeans_labels has {len(kmeans_labels)} rows, X has {n}")
    rows = []

    def record(
        algorithm: str,
        linkage_name: str | None,
        labels: np.ndarray,
        n_fitted: int,
        cost: dict[str, float],
        note: str,
        keep_ids: bool = False,
    ) -> None:
        metrics = _cluster_metrics(X, labels, silhouette_sample, seed)
        rows.append(
            {
                "algorithm": algorithm,
                "linkage": linkage_name,
                "k": k,
                "n_fitted": n_fitted,
                "n_assigned": n - n_fitted,
                "silhouette": metrics["silhouette"],
                "davies_bouldin": metrics["davies_bouldin"],
                "calinski_harabasz": metrics["calinski_harabasz"],
                "segment_sizes": _sizes_text(labels if keep_ids else _by_size(labels)),
                "min_segment_share": _min_share(_by_size(labels) - 1, k),
                "ari_vs_kmeans": float(adjusted_rand_score(kmeans_labels, labels)),
                "fit_seconds": cost["seconds"],
                "peak_memory_mb": cost["peak_mb"],
                "fit_note": note,
            }
        )

    with limit_threads(n_threads):
        with _measure() as cost:
            model = fit_kmeans(
                X,
                k,
                seed,
                n_init=n_init,
                minibatch_above=minibatch_above,
                batch_size=batch_size,
                minibatch_n_init=minibatch_n_init,
                max_fit_rows=max_fit_rows,
            )
            assign_to_centroids(X, model.cluster_centers_, chunk_size)  # cost of labelling all
        kind = "MiniBatchKMeans" if isinstance(model, MiniBatchKMeans) else f"Lloyd n_init={n_init}"
        n_km = n if max_fit_rows is None else min(n, max_fit_rows)
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
                max_fit_rows=max_fit_rows,
            )
            mb_labels, _ = assign_to_centroids(X, mb.cluster_centers_, chunk_size)
        n_mb = n if max_fit_rows is None else min(n, max_fit_rows)
        record(
            "minibatch_kmeans",
            None,
            mb_labels,
            n_mb,
            cost,
            f"fitted on {n_mb} rows, batch_size={batch_size}, n_init={minibatch_n_init}; "
            "every row assigned to the nearest centroid",
        )

        idx = sample_indices(n, sample_size, seed)
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

        gidx = sample_indices(n, mixture_sample_size, seed)
        with _measure() as cost:
            gmm = GaussianMixture(
                n_components=k, covariance_type=mixture_covariance, random_state=seed
            )
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


def hierarchical_linkage_sample(X: np.ndarray, sample_size: int, seed: int) -> np.ndarray:
    """SciPy Ward linkage matrix of a seeded sample, for a dendrogram (quadratic, so sampled)."""
    X = np.asarray(X, dtype="float64")
    idx = sample_indices(len(X), sample_size, seed)
    if len(idx) < 2:
        raise ValueError("need at least two rows for a linkage")
    return linkage(X[idx], method="ward")
