"""Permutation importance of the surrogate tree, on customers whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance
from sklearn.tree import DecisionTreeClassifier

from olist_segmentation.explain.importance import IMPORTANCE_COLUMNS, feature_importance
from olist_segmentation.explain.surrogate import (
    SurrogateOptions,
    feature_matrix,
    fit_surrogate_tree,
    impute_values,
    split_customers,
    tree_from_table,
    tree_to_table,
)
from olist_segmentation.sampling import sample_customers

FEATURES = ["recency_days", "frequency", "monetary", "avg_review_score"]


@pytest.fixture(scope="module")
def threshold_customers() -> tuple[pd.DataFrame, np.ndarray]:
    """Segment 1 = recency_days <= 100, segment 2 = the rest; the other features are noise."""
    rng = np.random.default_rng(0)
    n = 6000
    df = pd.DataFrame(
        {
            "recency_days": rng.integers(1, 600, n),
            "frequency": rng.integers(1, 4, n),
            "monetary": np.round(rng.lognormal(4.5, 0.8, n), 2),
            "avg_review_score": rng.uniform(1, 5, n),
        }
    )
    df.loc[rng.choice(n, 300, replace=False), "avg_review_score"] = np.nan  # never reviewed
    df["customer_unique_id"] = [f"c{i:05d}" for i in range(n)]
    labels = np.where(df["recency_days"] <= 100, 1, 2)
    return df, labels


def test_importance_ranks_the_defining_feature_first(threshold_customers):
    df, labels = threshold_customers
    tree = fit_surrogate_tree(df, labels, FEATURES, options=SurrogateOptions(seed=7))
    table = feature_importance(df, labels, tree, seed=7, sample_size=2000, n_repeats=3)
    assert list(table.columns) == IMPORTANCE_COLUMNS
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table.iloc[0]["feature"] == "recency_days"
    # shuffling recency misclassifies about 2 p (1 - p) = 28% of rows (p = 1/6 in segment 1)
    assert table.iloc[0]["importance_mean"] > 0.2
    assert table.iloc[1:]["importance_mean"].abs().max() < 0.01
    assert (table["importance_std"] >= 0).all()
    # scored on the 20% held out (1200 < the 2000 asked for)
    assert (table["evaluated_customer_count"] == 1200).all()
    assert (table["evaluated_on"] == "held_out").all()
    assert "permutation" in table["method"].iloc[0]
    assert "1,200 held-out customers" in table["method"].iloc[0]
    assert "depth <= 4" in table["method"].iloc[0]


def test_importance_of_the_stored_tree_is_that_of_the_fitted_estimator(threshold_customers):
    """The tree is fitted once and read back from its table: the importance must be exactly the
    one scikit-learn gives for the estimator the tree was fitted as."""
    df, _ = threshold_customers
    rng = np.random.default_rng(5)
    labels = np.where(df["recency_days"] <= 200, 1, np.where(df["monetary"] > 80, 2, 3))
    labels[rng.choice(len(df), 300, replace=False)] = 4
    options = SurrogateOptions(max_depth=3, seed=4, sample_size=3000)
    fitted = fit_surrogate_tree(df, labels, FEATURES, options=options)
    stored = tree_from_table(tree_to_table(fitted, model_version="v"), FEATURES)
    table = feature_importance(df, labels, stored, seed=4, sample_size=1000, n_repeats=4)
    assert (table["evaluated_customer_count"] == 1000).all()  # capped by the sample size

    fill = impute_values(df, FEATURES)
    fit_rows = sample_customers(df["customer_unique_id"], size=3000, seed=4)
    estimator = DecisionTreeClassifier(max_depth=3, min_samples_leaf=0.01, random_state=4)
    estimator.fit(feature_matrix(df, FEATURES, fill, fit_rows), labels[fit_rows])
    ids = df["customer_unique_id"].to_numpy()
    held_out = split_customers(ids, fit_share=0.8, seed=4)[1]
    rows = held_out[sample_customers(ids[held_out], size=1000, seed=5)]
    assert len(rows) == 1000 and np.intersect1d(rows, fit_rows).size == 0
    expected = permutation_importance(
        estimator,
        feature_matrix(df, FEATURES, fill, rows),
        labels[rows],
        scoring="accuracy",
        n_repeats=4,
        random_state=4,
    )
    by_feature = table.set_index("feature").loc[FEATURES]
    np.testing.assert_array_equal(by_feature["importance_mean"], expected.importances_mean)
    np.testing.assert_array_equal(by_feature["importance_std"], expected.importances_std)


def test_importance_does_not_depend_on_row_order(threshold_customers):
    df, labels = threshold_customers
    tree = fit_surrogate_tree(df, labels, FEATURES, options=SurrogateOptions(seed=7))
    table = feature_importance(df, labels, tree, seed=7, sample_size=2000, n_repeats=3)
    permutation = np.random.default_rng(3).permutation(len(df))
    other = df.iloc[permutation].reset_index(drop=True)
    again_tree = fit_surrogate_tree(
        other, labels[permutation], FEATURES, options=SurrogateOptions(seed=7)
    )
    again = feature_importance(
        other, labels[permutation], again_tree, seed=7, sample_size=2000, n_repeats=3
    )
    pd.testing.assert_frame_equal(again, table)


def test_importance_uses_held_out_rows_only(threshold_customers):
    """Whatever the labels and features of the customers outside the held-out part, the
    importance is the same; changing the held-out customers changes it."""
    df, labels = threshold_customers
    tree = fit_surrogate_tree(df, labels, FEATURES, options=SurrogateOptions(seed=7))
    table = feature_importance(df, labels, tree, seed=7, sample_size=5000, n_repeats=3)
    ids = df["customer_unique_id"]
    held_out = tree.held_out_rows(ids)
    outside = np.setdiff1d(np.arange(len(df)), held_out)
    rng = np.random.default_rng(8)
    scrambled_df = df.copy()
    scrambled_df.loc[outside, "recency_days"] = rng.permutation(df.loc[outside, "recency_days"])
    scrambled_labels = labels.copy()
    scrambled_labels[outside] = rng.integers(1, 3, len(outside))
    same = feature_importance(
        scrambled_df, scrambled_labels, tree, seed=7, sample_size=5000, n_repeats=3
    )
    pd.testing.assert_frame_equal(same, table)
    scrambled_labels[held_out] = rng.integers(1, 3, len(held_out))
    other = feature_importance(df, scrambled_labels, tree, seed=7, sample_size=5000, n_repeats=3)
    assert other["importance_mean"].max() < table["importance_mean"].max()


def test_importance_without_a_held_out_part_says_so(threshold_customers):
    df, labels = threshold_customers
    options = SurrogateOptions(seed=7, fit_share=1.0)
    tree = fit_surrogate_tree(df, labels, FEATURES, options=options)
    table = feature_importance(df, labels, tree, seed=7, sample_size=2000, n_repeats=2)
    assert (table["evaluated_on"] == "all_customers").all()
    assert (table["evaluated_customer_count"] == 2000).all()
    assert "training rows included" in table["method"].iloc[0]
