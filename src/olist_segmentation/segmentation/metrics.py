"""Internal clustering metrics shared by the search and the comparison."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score


def cluster_metrics(
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


def min_share(labels: np.ndarray, k: int) -> float:
    """Share of the smallest of ``k`` segments, counting empty segments as 0."""
    return float(np.bincount(labels, minlength=k).min() / len(labels))
