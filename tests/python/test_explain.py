"""Tests of the explainability tables on synthetic customers whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from warehouse_tables import ref, tables_in_duckdb

from olist_segmentation.explain import (
    IMPORTANCE_COLUMNS,
    RULE_COLUMNS,
    describe_segment,
    explain_settings_from_config,
    feature_importance,
    fit_surrogate_tree,
    frozen_model_features,
    impute_values,
    round_significant,
    rule_text,
    segment_name_map,
    segment_profiles,
    suggest_action,
    surrogate_rules,
)
from olist_segmentation.warehouse import (
    count_category_customers,
    count_state_customers,
    read_segment_labels,
    read_segments_with_features,
)

PROFILE_FEATURES = [
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "avg_review_score",
    "late_delivery_share",
]


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
    labels = np.where(df["recency_days"] <= 100, 1, 2)
    return df, labels


FEATURES = ["recency_days", "frequency", "monetary", "avg_review_score"]
NAMES = {1: "Recent", 2: "Older"}


# --------------------------------------------------------------------------------------------
# surrogate rules
# --------------------------------------------------------------------------------------------


def test_rules_name_the_defining_feature_with_full_fidelity(threshold_customers):
    df, labels = threshold_customers
    rules, fidelity = surrogate_rules(df, labels, NAMES, FEATURES, max_depth=4, seed=1)
    assert list(rules.columns) == RULE_COLUMNS
    assert fidelity == pytest.approx(1.0)
    assert (rules["fidelity"] == fidelity).all()
    # merged splits: one rule per side of the threshold, on recency only, at a round number
    assert sorted(rules["rule"]) == ["recency_days <= 100", "recency_days > 100"]
    by_rule = rules.set_index("rule")
    assert by_rule.loc["recency_days <= 100", "segment_id"] == 1
    assert by_rule.loc["recency_days <= 100", "segment_name"] == "Recent"
    assert rules["customers_covered"].sum() == len(df)
    assert (rules["rule_precision"] == 1.0).all()
    assert (rules["segment_coverage"] == 1.0).all()
    assert rules["rule_id"].tolist() == list(range(1, len(rules) + 1))
    assert (rules["tree_depth"] == 1).all()
    # the sample is every row: no held-out rows to measure on
    assert rules["holdout_fidelity"].isna().all()
    assert (rules["n_customers_fitted"] == len(df)).all()


def test_rules_fit_on_a_sample_and_measure_fidelity_on_every_row(threshold_customers):
    df, labels = threshold_customers
    rules, fidelity = surrogate_rules(
        df, labels, NAMES, FEATURES, seed=3, sample_size=800, chunk_size=997
    )
    assert (rules["n_customers_fitted"] == 800).all()
    assert rules["customers_covered"].sum() == len(df)
    assert fidelity > 0.98
    assert rules["holdout_fidelity"].iloc[0] > 0.98
    # chunking does not change anything
    same, same_fidelity = surrogate_rules(
        df, labels, NAMES, FEATURES, seed=3, sample_size=800, chunk_size=len(df)
    )
    assert same_fidelity == fidelity
    pd.testing.assert_frame_equal(rules, same)


def test_rules_are_deterministic_and_respect_the_depth(threshold_customers):
    df, _ = threshold_customers
    # a label that needs several features: the tree must stop at max_depth
    labels = 1 + (df["monetary"] > 100).astype(int) + 2 * (df["frequency"] > 1).astype(int)
    first, _ = surrogate_rules(df, labels.to_numpy(), {}, FEATURES, max_depth=2, seed=5)
    second, _ = surrogate_rules(df, labels.to_numpy(), {}, FEATURES, max_depth=2, seed=5)
    pd.testing.assert_frame_equal(first, second)
    assert first["tree_depth"].max() <= 2
    assert first["segment_name"].str.startswith("Segment ").all()  # no name given
    assert first["rule"].str.contains("monetary|frequency").all()


def test_rules_reject_bad_input(threshold_customers):
    df, labels = threshold_customers
    with pytest.raises(ValueError, match="lacks column"):
        surrogate_rules(df, labels, NAMES, ["nope"])
    with pytest.raises(ValueError, match="rows"):
        surrogate_rules(df, labels[:10], NAMES, FEATURES)
    with pytest.raises(ValueError, match="NULL"):
        surrogate_rules(df, np.where(labels == 1, np.nan, labels), NAMES, FEATURES)


def test_nulls_are_imputed_with_the_median():
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0, 10.0], "b": [1, 2, 3, 4], "c": [np.nan] * 4})
    values = impute_values(df, ["a", "b", "c"])
    assert values[0] == 3.0
    assert values[1] == 3.0  # integer feature: median 2.5 rounded so integer rules stay exact
    assert values[2] == 0.0  # all NULL
    tree = fit_surrogate_tree(df, [1, 1, 2, 2], ["a", "b", "c"], max_depth=1, min_samples_leaf=1)
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


# --------------------------------------------------------------------------------------------
# feature importance
# --------------------------------------------------------------------------------------------


def test_importance_ranks_the_defining_feature_first(threshold_customers):
    df, labels = threshold_customers
    table = feature_importance(df, labels, FEATURES, seed=7, sample_size=2000, n_repeats=3)
    assert list(table.columns) == IMPORTANCE_COLUMNS
    assert table["rank"].tolist() == [1, 2, 3, 4]
    assert table.iloc[0]["feature"] == "recency_days"
    # shuffling recency misclassifies about 2 p (1 - p) = 28% of rows (p = 1/6 in segment 1)
    assert table.iloc[0]["importance_mean"] > 0.2
    assert table.iloc[1:]["importance_mean"].abs().max() < 0.01
    assert (table["importance_std"] >= 0).all()
    assert (table["n_customers_evaluated"] == 2000).all()
    assert "permutation" in table["method"].iloc[0]


# --------------------------------------------------------------------------------------------
# profiles, descriptions and actions
# --------------------------------------------------------------------------------------------


def _customers_of(segment_id: int, n: int, state: str, **values: float) -> pd.DataFrame:
    base = {
        "recency_days": 250.0,
        "frequency": 1.0,
        "monetary": 150.0,
        "avg_review_score": 4.5,
        "late_delivery_share": 0.05,
    }
    base.update(values)
    frame = pd.DataFrame({k: [v] * n for k, v in base.items()})
    frame["avg_order_value"] = frame["monetary"] / frame["frequency"]
    frame["customer_unique_id"] = [f"s{segment_id}_{i}" for i in range(n)]
    frame["segment_id"] = segment_id
    frame["segment_name"] = f"Segment {segment_id}"
    frame["model_version"] = "km-test"
    frame["customer_state"] = [state if i % 4 else "RJ" for i in range(n)]
    return frame


@pytest.fixture(scope="module")
def profiled() -> pd.DataFrame:
    """Four segments built so that exactly one action rule fires for each."""
    customers = pd.concat(
        [
            _customers_of(1, 1000, "SP", recency_days=30, monetary=1000),  # recent big spenders
            _customers_of(2, 3000, "MG", recency_days=500, monetary=30),  # dormant, low value
            _customers_of(3, 500, "SP", recency_days=200, frequency=3, monetary=400),  # repeat
            _customers_of(4, 500, "BA", avg_review_score=1.5, late_delivery_share=0.6),  # unhappy
        ],
        ignore_index=True,
    )
    customers.loc[customers.index[:10], "avg_review_score"] = np.nan  # never reviewed
    categories = pd.DataFrame(
        {
            "customer_unique_id": [f"s3_{i}" for i in range(500)] + [f"s3_{i}" for i in range(100)],
            "product_category": ["toys"] * 500 + ["garden_tools"] * 100,
            "order_count": 1,
        }
    )
    # the inputs as the dbt model reads them: customers is both customer_segments and customer_rfm
    con = tables_in_duckdb(customers=customers, categories=categories)
    segments = ref(con, "customers")
    return segment_profiles(
        read_segments_with_features(con, segments, segments, PROFILE_FEATURES, ["monetary"]),
        read_segment_labels(con, segments),
        count_state_customers(con, segments, segments),
        count_category_customers(con, segments, ref(con, "categories")),
        PROFILE_FEATURES,
    )


def test_profiles_have_one_row_per_segment_and_shares_sum_to_one(profiled):
    assert profiled["segment_id"].tolist() == [1, 2, 3, 4]
    assert profiled["customer_count"].tolist() == [1000, 3000, 500, 500]
    assert profiled["customer_share"].sum() == pytest.approx(1.0)
    assert profiled["revenue_share"].sum() == pytest.approx(1.0)
    assert profiled.loc[0, "revenue"] == pytest.approx(1000 * 1000)
    for feature in PROFILE_FEATURES:
        for prefix in ("mean_", "median_", "z_"):
            assert prefix + feature in profiled.columns
    assert profiled.loc[0, "mean_monetary"] == pytest.approx(1000)
    assert profiled.loc[0, "z_recency_days"] < 0 < profiled.loc[1, "z_recency_days"]
    assert profiled.loc[2, "z_frequency"] > 1
    assert (profiled["model_version"] == "km-test").all()


def test_z_score_is_distance_to_population_in_standard_deviations(profiled):
    weights = profiled["customer_count"]
    means = profiled["mean_monetary"]
    population_mean = (means * weights).sum() / weights.sum()
    variance = (weights * (means - population_mean) ** 2).sum() / weights.sum()  # within = 0
    expected = (means - population_mean) / np.sqrt(variance)
    np.testing.assert_allclose(profiled["z_monetary"], expected)


def test_top_states_and_categories_are_readable_shares(profiled):
    assert profiled.loc[0, "top_states"] == "SP 75% · RJ 25%"
    assert profiled.loc[2, "top_categories"] == "toys 100% · garden_tools 20%"
    assert profiled.loc[0, "top_categories"] == ""  # nobody in segment 1 bought anything here


def test_descriptions_mention_size_and_the_most_distinctive_features(profiled):
    first = profiled.loc[0, "description"]
    assert first.startswith("1,000 customers (20%) who ")
    assert "spent R$1,000 on average" in first
    assert "last bought 30 days ago" in first
    assert "paid R$1,000 per order" not in first  # same as monetary for one-time buyers
    assert "3,000 customers (60%)" in profiled.loc[1, "description"]
    assert "placed 3.0 orders" in profiled.loc[2, "description"]


def test_actions_fire_on_the_right_profiles(profiled):
    actions = profiled.set_index("segment_id")["suggested_action"]
    assert actions[1].startswith("Reward and upsell")
    assert actions[2] == "Low-cost win-back email with a discount"
    assert actions[3] == "Cross-sell in categories toys, garden_tools: bundles and recommendations"
    assert actions[4].startswith("Service recovery first")


@pytest.mark.parametrize(
    ("means", "z", "expected"),
    [
        ({"avg_review_score": 3.0}, {}, "Service recovery first"),
        ({"late_delivery_share": 0.4}, {"recency_days": -2, "monetary": 2}, "Service recovery"),
        ({}, {"recency_days": -1, "monetary": 1}, "Reward and upsell"),
        ({"frequency": 2.0}, {}, "Cross-sell in categories"),
        ({}, {"recency_days": 1, "monetary": 1}, "High-value win-back"),
        ({}, {"recency_days": 1, "monetary": -1}, "Low-cost win-back"),
        ({}, {"recency_days": -1, "monetary": 0}, "Nurture towards a second order"),
        ({}, {"recency_days": 0, "monetary": 1}, "Personal reminder"),
        ({}, {}, "Reminder before they lapse"),
    ],
)
def test_action_rules(means, z, expected):
    assert suggest_action(means, z).startswith(expected)


def test_action_thresholds_are_parameters():
    assert suggest_action({"avg_review_score": 3.0}, {}, unhappy_review_below=2.5).startswith(
        "Reminder"
    )


def test_describe_segment_names_only_features_that_stand_out():
    text = describe_segment(
        1234,
        0.25,
        {"monetary": 300.0, "frequency": 1.0, "category_count": 1.0},
        {"monetary": 150.0, "frequency": 1.03, "category_count": 1.0},
        {"monetary": 1.5, "frequency": -0.2, "category_count": 0.0},
    )
    assert text == (
        "1,234 customers (25%) who spent R$300 on average (population R$150) and bought once "
        "(population 1.03 orders)."
    )


def test_profiles_reject_missing_columns():
    customers = _customers_of(1, 10, "SP")
    frame = pd.DataFrame({"segment_id": [1], "segment_name": ["Segment 1"], "model_version": ["v"]})
    states = pd.DataFrame({"segment_id": [1], "customer_state": ["SP"], "customers": [10]})
    categories = pd.DataFrame({"segment_id": [1], "product_category": ["toys"], "customers": [2]})
    with pytest.raises(ValueError, match="segments lacks column"):
        segment_profiles(pd.DataFrame({"segment_id": [1]}), frame, states, categories, ["monetary"])
    with pytest.raises(ValueError, match="segment_labels lacks column"):
        segment_profiles(customers, frame[["segment_id"]], states, categories, ["monetary"])
    with pytest.raises(ValueError, match="category_counts lacks column"):
        segment_profiles(customers, frame, states, pd.DataFrame({"segment_id": [1]}), ["monetary"])
    with pytest.raises(ValueError, match="no name for segment"):
        segment_profiles(customers, frame.iloc[:0], states, categories, ["monetary"])


# --------------------------------------------------------------------------------------------
# inputs and settings
# --------------------------------------------------------------------------------------------


def test_frozen_model_helpers():
    frozen = pd.DataFrame(
        {
            "segment_id": [2, 2, 1, 1],
            "segment_name": ["B", "B", "A", "A"],
            "feature": ["monetary", "recency_days", "monetary", "recency_days"],
            "feature_order": [2, 1, 2, 1],
        }
    )
    assert frozen_model_features(frozen) == ["recency_days", "monetary"]
    assert segment_name_map(frozen) == {1: "A", 2: "B"}


def test_settings_parse_rendered_vars_and_name_the_bad_var():
    settings = explain_settings_from_config(
        {
            "profile_features": "['recency_days', 'monetary']",
            "surrogate_max_depth": "3",
            "surrogate_sample_size": "5000",
            "importance_sample_size": "2000",
            "segment_seed": "42",
        }
    )
    assert settings.profile_features == ["recency_days", "monetary"]
    assert (settings.surrogate_max_depth, settings.surrogate_sample_size) == (3, 5000)
    assert (settings.importance_sample_size, settings.seed) == (2000, 42)
    good = {
        "profile_features": "[monetary]",
        "surrogate_max_depth": 4,
        "surrogate_sample_size": 1000,
        "importance_sample_size": 1000,
        "segment_seed": 1,
    }
    with pytest.raises(ValueError, match="surrogate_max_depth"):
        explain_settings_from_config({**good, "surrogate_max_depth": "9"})
    with pytest.raises(ValueError, match="importance_sample_size"):
        explain_settings_from_config({**good, "importance_sample_size": "many"})
    with pytest.raises(ValueError, match="profile_features"):
        explain_settings_from_config({**good, "profile_features": "[monetary, monetary]"})
