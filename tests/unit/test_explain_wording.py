"""The generated texts of the profiles: descriptions, feature phrases and suggested actions."""

from __future__ import annotations

import pytest

from olist_segmentation.explain.wording import (
    ActionRules,
    DescriptionOptions,
    describe_segment,
    feature_phrase,
    format_feature_value,
    suggest_action,
)


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
    rules = ActionRules(unhappy_review_below=2.5)
    assert suggest_action({"avg_review_score": 3.0}, {}, rules=rules).startswith("Reminder")


def test_cross_sell_names_the_top_two_categories():
    action = suggest_action({"frequency": 2.0}, {}, ["toys", "garden_tools", "books"])
    assert action == "Cross-sell in categories toys, garden_tools: bundles and recommendations"


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


def test_describe_segment_skips_a_feature_that_repeats_its_partner():
    means = {"monetary": 300.0, "avg_order_value": 300.0, "recency_days": 30.0}
    z = {"avg_order_value": 2.0, "monetary": 1.9, "recency_days": -1.0}
    text = describe_segment(10, 0.1, means, means, z)
    assert "per order" not in text and "spent R$300" in text and "last bought 30 days" in text
    one = describe_segment(10, 0.1, means, means, z, options=DescriptionOptions(n_features=1))
    assert one == "10 customers (10%) who spent R$300 on average (population R$300)."


@pytest.mark.parametrize(
    ("feature", "value", "text"),
    [
        ("recency_days", 45, "45 days"),
        ("recency_days", 240, "about 8 months"),
        ("monetary", 1234.4, "R$1,234"),
        ("late_delivery_share", 0.25, "25%"),
        ("avg_review_score", 4.25, "4.2/5"),
        ("something_else", 0.123456, "0.123"),
    ],
)
def test_feature_values_carry_their_unit(feature, value, text):
    assert format_feature_value(feature, value) == text


def test_phrases_say_once_for_one_time_buyers():
    assert feature_phrase("frequency", 1.02) == "bought once"
    assert feature_phrase("frequency", 1.02, one_time_below=1.01) == "placed 1.0 orders"
    assert feature_phrase("max_installments", 3.0) == "paid in up to 3.0 instalments"
