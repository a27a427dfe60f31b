"""Permutation importance of the surrogate tree: which features the segments depend on.

Scored on held-out customers only (those outside the tree's fit part, see
:func:`olist_segmentation.explain.surrogate.split_customers`), so a feature the tree relies on
only to memorise its training rows does not look important.
"""

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
    "evaluated_on",
    "model_version",
]

# ``evaluated_on``: held-out customers, or every customer when nothing is held out (fit_share 1).
HELD_OUT, ALL_CUSTOMERS = "held_out", "all_customers"


def importance_method(
    *, max_depth: int, n_repeats: int, n_evaluated: int, evaluated_on: str = HELD_OUT
) -> str:
    """How the importance was computed, in words, for the table's ``method`` column."""
    whom = (
        "held-out customers (not used to fit the tree)"
        if evaluated_on == HELD_OUT
        else "customers, training rows included (nothing is held out)"
    )
    return (
        f"permutation importance of the surrogate decision tree (depth <= {max_depth}): mean drop "
        f"in accuracy against the k-means labels over {n_repeats} shuffles of the feature, on a "
        f"seeded sample of {n_evaluated:,} {whom}"
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

    The tree predicts the k-means labels of a seeded sample of at most ``sample_size`` of the
    customers it held out (:meth:`FittedTree.held_out_rows`, never seen by the fit), drawn from
    their ids (``id_column``) with ``seed + 1`` and taken in priority order, so the result does
    not depend on the order of the rows; each feature is shuffled ``n_repeats`` times and the
    mean drop in accuracy is its importance. Only when the tree holds nobody out (``fit_share``
    = 1) is the sample drawn from every customer (``evaluated_on`` says which). Model-agnostic
    and cheap: ``n_repeats x features`` predictions of a bounded sample. ``rank`` 1 is the most
    important; ties keep the order of the tree's features.
    """
    features = fitted.features
    labels = check_inputs(features_df, segment_ids, features)
    ids = customer_ids(features_df, id_column)
    pool = fitted.held_out_rows(ids)
    evaluated_on = HELD_OUT
    if len(pool) == 0:
        pool, evaluated_on = np.arange(len(ids)), ALL_CUSTOMERS
    rows = pool[sample_customers(np.asarray(ids)[pool], size=sample_size, seed=seed + 1)]
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
        max_depth=fitted.max_depth,
        n_repeats=n_repeats,
        n_evaluated=len(rows),
        evaluated_on=evaluated_on,
    )
    table["evaluated_customer_count"] = len(rows)
    table["evaluated_on"] = evaluated_on
    table["model_version"] = model_version
    return table[IMPORTANCE_COLUMNS].reset_index(drop=True)
