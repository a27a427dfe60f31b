"""Segment profiles on synthetic customers built so that the expected profile is known.

The inputs are made as dbt makes them: the per-customer numbers by
warehouse.read_segments_with_features, the per-segment counts by the SQL of the dbt models
int_segment_{labels,states,categories}_counted run on the same tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from warehouse_tables import ref, run_model, tables_in_duckdb

from olist_segmentation.explain.profiles import (
    PROFILE_COLUMNS,
    profile_feature_rows,
    segment_profiles,
)
from olist_segmentation.warehouse import read_segments_with_features

PROFILE_FEATURES = [
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "avg_review_score",
    "late_delivery_share",
]


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
def profiled_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(segment_profiles, segment_profile_features) of four segments built so that exactly one
    action rule fires for each."""
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
    # the inputs as the dbt models read them: customers is both customer_segments and customer_rfm
    con = tables_in_duckdb(customers=customers, categories=categories)
    segments = ref(con, "customers")
    counted = {"customer_segments": "customers", "int_customer_categories_counted": "categories"}
    labels = run_model(con, "int_segment_labels_counted", customer_segments="customers")
    features = profile_feature_rows(
        read_segments_with_features(con, segments, segments, PROFILE_FEATURES),
        labels,
        PROFILE_FEATURES,
    )
    profiles = segment_profiles(
        read_segments_with_features(con, segments, segments, ["monetary"]),
        labels,
        run_model(con, "int_segment_states_counted", customer_segments="customers"),
        run_model(con, "int_segment_categories_counted", **counted),
        features,
    )
    return profiles, features


@pytest.fixture(scope="module")
def profiled(profiled_tables) -> pd.DataFrame:
    """segment_profiles with the long statistics pivoted back to mean_/median_/z_ columns."""
    profiles, features = profiled_tables
    wide = features.pivot(index="segment_id", columns="feature", values=["mean", "median"])
    wide.columns = [f"{stat}_{feature}" for stat, feature in wide.columns]
    z = features.pivot(index="segment_id", columns="feature", values="z_score").add_prefix("z_")
    return profiles.merge(wide.join(z).reset_index(), on="segment_id")


def test_profiles_have_fixed_columns_and_features_are_long_rows(profiled_tables):
    profiles, features = profiled_tables
    assert list(profiles.columns) == PROFILE_COLUMNS
    assert len(features) == 4 * len(PROFILE_FEATURES)
    first = features[features["segment_id"] == 1]
    assert first["feature"].tolist() == PROFILE_FEATURES
    assert first["feature_position"].tolist() == list(range(1, len(PROFILE_FEATURES) + 1))
    assert (features["model_version"] == "km-test").all()
    assert features.groupby("feature")["population_mean"].nunique().eq(1).all()


def test_profiles_have_one_row_per_segment_and_shares_sum_to_one(profiled):
    assert profiled["segment_id"].tolist() == [1, 2, 3, 4]
    assert profiled["customer_count"].tolist() == [1000, 3000, 500, 500]
    assert profiled["customer_share"].sum() == pytest.approx(1.0)
    assert profiled["revenue_share"].sum() == pytest.approx(1.0)
    assert profiled.loc[0, "revenue"] == pytest.approx(1000 * 1000)
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


def test_means_ignore_customers_who_never_reviewed(profiled):
    assert profiled.loc[0, "mean_avg_review_score"] == pytest.approx(4.5)
    assert profiled.loc[3, "median_avg_review_score"] == pytest.approx(1.5)


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


def test_profiles_reject_missing_columns():
    customers = _customers_of(1, 10, "SP")
    labels = pd.DataFrame(
        {"segment_id": [1], "segment_name": ["Segment 1"], "model_version": ["v"]}
    )
    states = pd.DataFrame({"segment_id": [1], "customer_state": ["SP"], "customer_count": [10]})
    bought = pd.DataFrame({"segment_id": [1], "product_category": ["toys"], "customer_count": [2]})
    stats = profile_feature_rows(customers, labels, ["monetary"])
    with pytest.raises(ValueError, match="segments lacks column"):
        segment_profiles(pd.DataFrame({"segment_id": [1]}), labels, states, bought, stats)
    with pytest.raises(ValueError, match="segments lacks column"):
        profile_feature_rows(pd.DataFrame({"segment_id": [1]}), labels, ["monetary"])
    with pytest.raises(ValueError, match="segment_labels lacks column"):
        segment_profiles(customers, labels[["segment_id"]], states, bought, stats)
    with pytest.raises(ValueError, match="category_counts lacks column"):
        segment_profiles(customers, labels, states, pd.DataFrame({"segment_id": [1]}), stats)
    with pytest.raises(ValueError, match="profile_features lacks column"):
        segment_profiles(customers, labels, states, bought, stats[["segment_id"]])
    with pytest.raises(ValueError, match="no name for segment"):
        segment_profiles(customers, labels.iloc[:0], states, bought, stats)
    with pytest.raises(ValueError, match="no name for segment"):
        profile_feature_rows(customers, labels.iloc[:0], ["monetary"])
    with pytest.raises(ValueError, match="top_n"):
        segment_profiles(customers, labels, states, bought, stats, top_n=0)
