"""The surrogate tree and its readable rules, on synthetic customers whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier
from warehouse_tables import ref, tables_in_duckdb

from olist_segmentation.explain.rules import (
    RULE_COLUMNS,
    readable_tree,
    round_significant,
    route,
    rule_text,
    surrogate_rules,
)
from olist_segmentation.explain.surrogate import (
    TREE_COLUMNS,
    SurrogateOptions,
    TreePredictor,
    feature_matrix,
    fit_surrogate_tree,
    impute_values,
    split_customers,
    tree_from_table,
    tree_to_table,
)
from olist_segmentation.sampling import sample_customers

FEATURES = ["recency_days", "frequency", "monetary", "avg_review_score"]
NAMES = {1: "Recent", 2: "Older"}


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


def rules_of(df, labels, names, features, *, chunk_size=262_144, **options):
    """Fit the tree (as int_segment_surrogate_tree does) and print its rules (segment_rules)."""
    tree = fit_surrogate_tree(df, labels, features, options=SurrogateOptions(**options))
    return surrogate_rules(df, labels, names, tree, chunk_size=chunk_size)


def test_rules_name_the_defining_feature_with_full_fidelity(threshold_customers):
    df, labels = threshold_customers
    rules, fidelity = rules_of(df, labels, NAMES, FEATURES, max_depth=4, seed=1)
    assert list(rules.columns) == RULE_COLUMNS
    assert fidelity == pytest.approx(1.0)
    assert (rules["fidelity"] == fidelity).all()
    # merged splits: one rule per side of the threshold, on recency only, at a round number
    assert sorted(rules["rule"]) == ["recency_days <= 100", "recency_days > 100"]
    by_rule = rules.set_index("rule")
    assert by_rule.loc["recency_days <= 100", "segment_id"] == 1
    assert by_rule.loc["recency_days <= 100", "segment_name"] == "Recent"
    assert rules["covered_customer_count"].sum() == len(df)
    assert (rules["rule_precision"] == 1.0).all()
    assert (rules["segment_coverage"] == 1.0).all()
    assert rules["rule_id"].tolist() == list(range(1, len(rules) + 1))
    assert (rules["tree_depth"] == 1).all()
    # fitted on the 80% fit part (the sample cap of 100,000 is not reached), measured on the rest
    assert (rules["fitted_customer_count"] == 4800).all()
    assert (rules["held_out_customer_count"] == 1200).all()
    assert (rules["holdout_fidelity"] == 1.0).all()
    assert (rules["fit_fidelity"] == 1.0).all()


def test_without_a_held_out_part_holdout_fidelity_is_null(threshold_customers):
    df, labels = threshold_customers
    rules, fidelity = rules_of(df, labels, NAMES, FEATURES, seed=1, fit_share=1.0)
    assert (rules["fitted_customer_count"] == len(df)).all()
    assert (rules["held_out_customer_count"] == 0).all()
    assert rules["holdout_fidelity"].isna().all()
    assert (rules["fit_fidelity"] == fidelity).all()


def test_rules_fit_on_a_sample_and_measure_fidelity_on_every_row(threshold_customers):
    df, labels = threshold_customers
    rules, fidelity = rules_of(df, labels, NAMES, FEATURES, seed=3, sample_size=800, chunk_size=997)
    assert (rules["fitted_customer_count"] == 800).all()  # the cap, inside the 4800 of the fit part
    assert (rules["held_out_customer_count"] == 1200).all()  # the rest, not the 5200 unfitted
    assert rules["covered_customer_count"].sum() == len(df)
    assert fidelity > 0.98
    assert rules["holdout_fidelity"].iloc[0] > 0.98
    # chunking does not change anything
    same, same_fidelity = rules_of(
        df, labels, NAMES, FEATURES, seed=3, sample_size=800, chunk_size=len(df)
    )
    assert same_fidelity == fidelity
    pd.testing.assert_frame_equal(rules, same)


def test_rules_are_deterministic_and_respect_the_depth(threshold_customers):
    df, _ = threshold_customers
    # a label that needs several features: the tree must stop at max_depth
    labels = 1 + (df["monetary"] > 100).astype(int) + 2 * (df["frequency"] > 1).astype(int)
    first, _ = rules_of(df, labels.to_numpy(), {}, FEATURES, max_depth=2, seed=5)
    second, _ = rules_of(df, labels.to_numpy(), {}, FEATURES, max_depth=2, seed=5)
    pd.testing.assert_frame_equal(first, second)
    assert first["tree_depth"].max() <= 2
    assert first["segment_name"].str.startswith("Segment ").all()  # no name given
    assert first["rule"].str.contains("monetary|frequency").all()


def test_rules_reject_bad_input(threshold_customers):
    df, labels = threshold_customers
    with pytest.raises(ValueError, match="lacks column"):
        fit_surrogate_tree(df, labels, ["nope"])
    with pytest.raises(ValueError, match="NULL"):
        fit_surrogate_tree(df, np.where(labels == 1, np.nan, labels), FEATURES)
    with pytest.raises(ValueError, match="max_depth"):
        fit_surrogate_tree(df, labels, FEATURES, options=SurrogateOptions(max_depth=0))
    tree = fit_surrogate_tree(df, labels, FEATURES, options=SurrogateOptions(sample_size=500))
    with pytest.raises(ValueError, match="rows"):
        surrogate_rules(df, labels[:10], NAMES, tree)
    # the fit sample is found again by position: other customers cannot be explained
    with pytest.raises(ValueError, match="fitted on 6000 customers"):
        surrogate_rules(df.iloc[:10], labels[:10], NAMES, tree)


def test_nulls_are_imputed_with_the_median():
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0, 10.0], "b": [1, 2, 3, 4], "c": [np.nan] * 4})
    values = impute_values(df, ["a", "b", "c"])
    assert values[0] == 3.0
    assert values[1] == 3.0  # integer feature: median 2.5 rounded so integer rules stay exact
    assert values[2] == 0.0  # all NULL
    options = SurrogateOptions(max_depth=1, min_samples_leaf=1)
    df["customer_unique_id"] = ["w", "x", "y", "z"]
    tree = fit_surrogate_tree(df, [1, 1, 2, 2], ["a", "b", "c"], options=options)
    assert tree.impute_values.tolist() == values.tolist()


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(287.5, 2, 290.0), (0.4567, 2, 0.46), (1.5, 2, 1.5), (123456.0, 3, 123000.0), (0.0, 2, 0.0)],
)
def test_round_significant(value, digits, expected):
    assert round_significant(value, digits) == expected


def test_rule_text_merges_conditions_on_one_feature():
    features = ["recency_days", "monetary"]
    path = [(1, False, 100.0), (0, True, 120.0), (1, True, 300.0), (1, False, 150.0)]
    assert rule_text(path, features) == "150 < monetary <= 300 and recency_days <= 120"
    assert rule_text([], features) == "all customers"


@pytest.fixture(scope="module")
def tangled(threshold_customers) -> tuple[pd.DataFrame, np.ndarray]:
    """A label that needs three features and has noise: a deep tree with many thresholds."""
    df, _ = threshold_customers
    rng = np.random.default_rng(11)
    labels = np.where(
        df["recency_days"] <= 150,
        1,
        np.where(df["monetary"] > 90, 2, np.where(df["avg_review_score"] < 3, 3, 4)),
    )
    labels[rng.choice(len(df), 400, replace=False)] = 5
    return df, labels


def test_the_stored_tree_is_the_fitted_tree(tangled):
    df, labels = tangled
    options = SurrogateOptions(max_depth=4, seed=9, sample_size=2500)
    tree = fit_surrogate_tree(df, labels, FEATURES, options=options)
    table = tree_to_table(tree, model_version="km-test")
    assert list(table.columns) == TREE_COLUMNS
    assert table["node_id"].tolist() == list(range(len(table)))
    assert (table["feature"].isna() == table["is_leaf"]).all()
    assert table["left_node_id"].isna().tolist() == table["is_leaf"].tolist()
    assert table.loc[0, "node_customer_count"] == 2500 == table.loc[0, "fitted_customer_count"]
    # through the warehouse (DuckDB types and NULLs) and back: the same rules
    stored_table = ref(tables_in_duckdb(tree=table.sample(frac=1.0, random_state=0)), "tree")
    back = tree_from_table(stored_table.df(), FEATURES)
    np.testing.assert_array_equal(back.threshold, tree.threshold)
    ids = df["customer_unique_id"]
    np.testing.assert_array_equal(back.fit_rows(ids), sample_customers(ids, size=2500, seed=9))
    np.testing.assert_array_equal(back.held_out_rows(ids), tree.held_out_rows(ids))
    assert (back.fit_share, back.held_out_customer_count) == (0.8, 1200)
    direct, _ = surrogate_rules(df, labels, {}, tree)
    stored, _ = surrogate_rules(df, labels, {}, back)
    pd.testing.assert_frame_equal(direct, stored)
    with pytest.raises(ValueError, match="does not have"):
        tree_from_table(table, ["recency_days"])
    with pytest.raises(ValueError, match="explains model.* km-test, not km-other"):
        tree_from_table(table, FEATURES, model_version="km-other")


def test_the_predictor_predicts_exactly_as_scikit_learn(tangled):
    df, labels = tangled
    options = SurrogateOptions(max_depth=4, seed=9, sample_size=2500)
    tree = fit_surrogate_tree(df, labels, FEATURES, options=options)
    estimator = DecisionTreeClassifier(max_depth=4, min_samples_leaf=0.01, random_state=9)
    rows = sample_customers(df["customer_unique_id"], size=2500, seed=9)
    fill = impute_values(df, FEATURES)
    estimator.fit(feature_matrix(df, FEATURES, fill, rows), labels[rows])
    X = feature_matrix(df, FEATURES, fill)
    # values right at the thresholds, where float32 rounding decides the side
    inner = tree.feature >= 0
    at = np.repeat(X[:1], inner.sum(), axis=0)
    at[np.arange(inner.sum()), tree.feature[inner]] = tree.threshold[inner]
    for matrix in (X, at, np.nextafter(at, np.inf), np.nextafter(at, -np.inf)):
        np.testing.assert_array_equal(
            TreePredictor(tree).predict(matrix), estimator.predict(matrix)
        )


def test_a_tree_without_split_is_one_rule_for_all_customers(threshold_customers):
    df, _ = threshold_customers
    labels = np.full(len(df), 3)
    tree = fit_surrogate_tree(df, labels, FEATURES)
    back = tree_from_table(tree_to_table(tree, model_version="v"), FEATURES)
    rules, fidelity = surrogate_rules(df, labels, {3: "Everyone"}, back)
    assert rules["rule"].tolist() == ["all customers"]
    assert rules["segment_name"].tolist() == ["Everyone"]
    assert fidelity == 1.0 and (rules["tree_depth"] == 0).all()
    assert (
        TreePredictor(back).predict(feature_matrix(df, FEATURES, back.impute_values)) == 3
    ).all()


def test_the_tree_and_its_rules_do_not_depend_on_row_order(tangled):
    df, labels = tangled
    options = SurrogateOptions(max_depth=4, seed=9, sample_size=2500)
    tree = fit_surrogate_tree(df, labels, FEATURES, options=options)
    rules, _ = surrogate_rules(df, labels, {}, tree)
    permutation = np.random.default_rng(3).permutation(len(df))
    other = df.iloc[permutation].reset_index(drop=True)
    again = fit_surrogate_tree(other, labels[permutation], FEATURES, options=options)
    pd.testing.assert_frame_equal(
        tree_to_table(again, model_version="v"), tree_to_table(tree, model_version="v")
    )
    pd.testing.assert_frame_equal(surrogate_rules(other, labels[permutation], {}, again)[0], rules)


def test_the_samples_need_the_customer_ids(tangled):
    df, labels = tangled
    with pytest.raises(ValueError, match="customer id column customer_unique_id"):
        fit_surrogate_tree(df.drop(columns="customer_unique_id"), labels, FEATURES)


def test_held_out_customers_are_disjoint_from_the_fit_and_chosen_by_id(tangled):
    df, labels = tangled
    ids = df["customer_unique_id"].to_numpy()
    options = SurrogateOptions(seed=9, sample_size=100_000, fit_share=0.7)
    tree = fit_surrogate_tree(df, labels, FEATURES, options=options)
    fit_part, held_out = split_customers(ids, fit_share=0.7, seed=9)
    assert len(fit_part) == 4200 and len(held_out) == 1800
    assert np.intersect1d(fit_part, held_out).size == 0
    assert np.union1d(fit_part, held_out).size == len(ids)
    fit_rows = tree.fit_rows(ids)
    assert tree.fitted_customer_count == 4200  # min(sample_size, fit part)
    assert set(fit_rows) == set(fit_part)
    np.testing.assert_array_equal(tree.held_out_rows(ids), held_out)
    # a smaller sample cap stays inside the fit part
    small = fit_surrogate_tree(
        df, labels, FEATURES, options=SurrogateOptions(seed=9, sample_size=900)
    )
    assert small.fitted_customer_count == 900
    assert np.intersect1d(small.fit_rows(ids), small.held_out_rows(ids)).size == 0
    # the same customers whatever the row order; another seed holds out other customers
    permutation = np.random.default_rng(4).permutation(len(ids))
    _, shuffled = split_customers(ids[permutation], fit_share=0.7, seed=9)
    assert set(ids[permutation][shuffled]) == set(ids[held_out])
    _, other_seed = split_customers(ids, fit_share=0.7, seed=10)
    assert set(ids[other_seed]) != set(ids[held_out])


def test_holdout_fidelity_is_measured_on_the_held_out_rows_only(threshold_customers):
    """A deep tree fitted on pure-noise labels memorises its training rows: right on them, no
    better than chance on customers it never saw."""
    df, _ = threshold_customers
    labels = np.random.default_rng(21).integers(1, 3, len(df))
    options = SurrogateOptions(max_depth=30, min_samples_leaf=1, seed=2, fit_share=0.75)
    tree = fit_surrogate_tree(df, labels, FEATURES, options=options)
    rules, fidelity = surrogate_rules(df, labels, {}, tree, significant_digits=6, chunk_size=1000)
    fit_fidelity, holdout = rules["fit_fidelity"].iloc[0], rules["holdout_fidelity"].iloc[0]
    assert fit_fidelity > 0.8
    assert 0.4 < holdout < 0.6
    # recomputed by hand on the held-out rows with the printed (rounded) rules
    readable = readable_tree(tree, significant_digits=6)
    held_out = split_customers(df["customer_unique_id"], fit_share=0.75, seed=2)[1]
    leaves = route(readable, feature_matrix(df, FEATURES, readable.impute_values, held_out))
    assert holdout == np.mean(readable.leaf_segment[leaves] == labels[held_out])
    assert len(held_out) == 1500
    assert (rules["held_out_customer_count"] == 1500).all()
    # every customer is in the fit sample or held out: fidelity is their weighted mean
    assert fidelity == pytest.approx((4500 * fit_fidelity + 1500 * holdout) / 6000)
    # labels of the fit part changed after the fit move fit_fidelity, never holdout_fidelity
    changed = labels.copy()
    fit_rows = tree.fit_rows(df["customer_unique_id"])
    changed[fit_rows] = 3 - changed[fit_rows]
    again, _ = surrogate_rules(df, changed, {}, tree, significant_digits=6)
    assert again["holdout_fidelity"].iloc[0] == holdout
    assert again["fit_fidelity"].iloc[0] == pytest.approx(1 - fit_fidelity)
