"""Permutation importance of the surrogate tree: which features the segments depend on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from olist_segmentation.explain.surrogate import (
    ID_COLUMN,
    FittedTree,
    TreePredictor,
    check_inputs,
    customer_ids,
    feature_matrix,
)
from olist_segmentation.sampling import sample_customers

IMPORTANCE_COLUMNS = [
    "feature",
    "importance_mean",
    "importance_std",
    "rank",
    "method",
    "evaluated_customer_count",
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
    id_column: str = ID_COLUMN,
) -> pd.DataFrame:
    """Permutation importance of the surrogate tree (its fitted, unrounded thresholds).

    The tree predicts the k-means labels of a seeded sample of ``sample_size`` customers drawn
    from their ids (``id_column``) with ``seed + 1`` (mostly other customers than the fit
    sample), in priority order, so the result does not depend on the order of the rows; each
    feature is shuffled ``n_repeats`` times and the mean drop in accuracy is its importance.
    Model-agnostic and cheap: ``n_repeats x features`` predictions of a bounded sample. ``rank`` 1
    is the most important; ties keep the order of the tree's features.
    """
    features = fitted.features
    labels = check_inputs(features_df, segment_ids, features)
    rows = sample_customers(customer_ids(features_df, id_column), size=sample_size, seed=seed + 1)
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
    table["evaluated_customer_count"] = len(rows)
    table["model_version"] = model_version
    return table[IMPORTANCE_COLUMNS].reset_index(drop=True)
