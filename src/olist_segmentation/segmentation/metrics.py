"""Internal clustering metrics shared by the search and the comparison."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score


def cluster_metrics(
    X: np.ndarray, labels: np.ndarray, *, silhouette_rows: np.ndarray | None
) -> dict[str, float]:
    """Silhouette (on ``silhouette_rows``: it is quadratic), Davies-Bouldin, Calinski-Harabasz,
    smallest share.

    ``silhouette_rows`` are positions the caller drew from the customer ids
    (:func:`olist_segmentation.sampling.sample_customers`), so the silhouette does not depend on
    the order of the rows; ``None`` uses every row. Undefined metrics (fewer than two non-empty
    clusters) are NaN rather than an exception, so one degenerate configuration does not abort a
    whole search.
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
        rows = np.arange(n) if silhouette_rows is None else np.asarray(silhouette_rows)
        if 2 <= len(np.unique(labels[rows])) <= len(rows) - 1:
            result["silhouette"] = float(silhouette_score(X[rows], labels[rows]))
        result["davies_bouldin"] = float(davies_bouldin_score(X, labels))
        result["calinski_harabasz"] = float(calinski_harabasz_score(X, labels))
    return result


def min_share(labels: np.ndarray, k: int) -> float:
    """Share of the smallest of ``k`` segments, counting empty segments as 0."""
    return float(np.bincount(labels, minlength=k).min() / len(labels))
