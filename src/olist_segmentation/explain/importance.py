"""Permutation importance of the surrogate tree: which features the segments depend on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from olist_segmentation.explain.surrogate import (
    FittedTree,
    TreePredictor,
    check_inputs,
    feature_matrix,
)
from olist_segmentation.segmentation.kmeans import sample_indices

IMPORTANCE_COLUMNS = [
    "feature",
    "importance_mean",
    "importance_std",
    "rank",
    "method",
    "n_customers_evaluated",
    "model_version",
]


def importance_method(*, max_depth: int, n_repeats: int, n_evaluated: int) -> str:
    """How the importance was computed, in words, for the table's ``method`` column."""
    return (
        f"permutation importance of the surrogate decision tree (depth <= {max_depth}): mean drop "
        f"in accuracy against the k-means labels over {n_repeats} shuffles of the feature, on a "
        f"seeded sample of {n_evaluated:,} customers"
    )


def feature_importance(
    features_df: pd.DataFrame,
    segment_ids: Any,
    fitted: FittedTree,
    *,
    sample_size: int = 20_000,
    seed: int = 42,
    n_repeats: int = 5,
    model_version: str | None = None,
) -> pd.DataFrame:
    """Permutation importance of the surrogate tree (its fitted, unrounded thresholds).

    The tree predicts the k-means labels of a seeded sample of ``sample_size`` rows drawn with
    ``seed + 1`` (mostly other rows than the fit sample); each feature is shuffled ``n_repeats``
    times and the mean drop in accuracy is its importance. Model-agnostic and cheap:
    ``n_repeats x features`` predictions of a bounded sample. ``rank`` 1 is the most important;
    ties keep the order of the tree's features.
    """
    features = fitted.features
    labels = check_inputs(features_df, segment_ids, features)
    rows = sample_indices(len(labels), sample_size, seed + 1)
    X = feature_matrix(features_df, features, fitted.impute_values, rows)
    result = permutation_importance(
        TreePredictor(fitted),
        X,
        labels[rows],
        scoring="accuracy",
        n_repeats=n_repeats,
        random_state=seed,
    )
    table = pd.DataFrame(
        {
            "feature": list(features),
            "importance_mean": result.importances_mean.astype("float64"),
            "importance_std": result.importances_std.astype("float64"),
            "order": np.arange(len(features)),
        }
    )
    table = table.sort_values(["importance_mean", "order"], ascending=[False, True])
    table["rank"] = np.arange(1, len(table) + 1, dtype="int64")
    table["method"] = importance_method(
        max_depth=fitted.max_depth, n_repeats=n_repeats, n_evaluated=len(rows)
    )
    table["n_customers_evaluated"] = len(rows)
    table["model_version"] = model_version
    return table[IMPORTANCE_COLUMNS].reset_index(drop=True)
