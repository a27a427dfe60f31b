"""Tests of deterministic segment naming."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from olist_segmentation.segmentation.naming import name_segments


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    """Mart-like customers: recency 0..700 days, ~97% one-time buyers, long monetary tail."""
    rng = np.random.default_rng(0)
    n = 20_000
    frequency = rng.choice([1, 2, 3], size=n, p=[0.97, 0.025, 0.005])
    review = rng.choice([1.0, 3.0, 4.0, 5.0], size=n, p=[0.1, 0.1, 0.2, 0.6])
    review[rng.random(n) < 0.01] = np.nan
    return pd.DataFrame(
        {
            "recency_days": rng.integers(0, 700, size=n),
            "frequency": frequency,
            "monetary": np.exp(rng.normal(4.7, 0.8, size=n)) * frequency,
            "avg_review_score": review,
            "late_delivery_share": (rng.random(n) < 0.08).astype(float),
        }
    )


def centroids(rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "segment_id"
    return frame


BASE = {"avg_review_score": 4.5, "late_delivery_share": 0.05}


def test_expected_words(population: pd.DataFrame) -> None:
    names = name_segments(
        centroids(
            {
                1: {"recency_days": 30, "frequency": 1.0, "monetary": 900.0, **BASE},
                2: {"recency_days": 650, "frequency": 1.0, "monetary": 30.0, **BASE},
                3: {"recency_days": 40, "frequency": 2.4, "monetary": 250.0, **BASE},
                4: {"recency_days": 350, "frequency": 1.0, "monetary": 110.0, **BASE},
                5: {
                    "recency_days": 500,
                    "frequency": 1.0,
                    "monetary": 120.0,
                    "avg_review_score": 1.6,
                    "late_delivery_share": 0.9,
                },
            }
        ),
        population,
    )
    assert names[1] == "Recent one-time high spenders"
    assert names[2] == "Dormant one-time low spenders"
    assert names[3].startswith("Recent repeat")
    assert names[4] == "Lapsing one-time mid spenders"
    assert "unhappy" in names[5] and "late deliveries" in names[5]
    assert names[5].startswith("Dormant")


def test_thresholds_are_parameters(population: pd.DataFrame) -> None:
    c = centroids({1: {"recency_days": 30, "frequency": 1.2, "monetary": 900.0}})
    assert "one-time" in name_segments(c, population)[1]
    assert "repeat" in name_segments(c, population, repeat_min_frequency=1.1)[1]
    assert name_segments(c, population, recency_words=("New", "Cooling", "Gone"))[1].startswith(
        "New"
    )


def test_feature_sets_without_monetary_still_get_names(population: pd.DataFrame) -> None:
    names = name_segments(
        centroids(
            {
                1: {"recency_days": 20, "frequency": 2.0},
                2: {"recency_days": 600, "frequency": 1.0},
            }
        ),
        population,
    )
    assert names == {1: "Recent repeat buyers", 2: "Dormant one-time buyers"}


def test_names_are_unique_with_a_meaningful_qualifier(population: pd.DataFrame) -> None:
    names = name_segments(
        centroids(
            {
                1: {"recency_days": 40, "frequency": 1.0, "monetary": 900.0, **BASE},
                2: {"recency_days": 180, "frequency": 1.0, "monetary": 950.0, **BASE},
                3: {"recency_days": 600, "frequency": 1.0, "monetary": 20.0, **BASE},
            }
        ),
        population,
    )
    assert len(set(names.values())) == 3
    assert names[1] == "Recent one-time high spenders (more recent)"
    assert names[2] == "Recent one-time high spenders (less recent)"


def test_identical_centroids_fall_back_to_numbers(population: pd.DataFrame) -> None:
    same = {"recency_days": 600, "frequency": 1.0, "monetary": 20.0, **BASE}
    names = name_segments(centroids({1: same, 2: same, 3: same}), population)
    assert names == {
        1: "Dormant one-time low spenders",
        2: "Dormant one-time low spenders (2)",
        3: "Dormant one-time low spenders (3)",
    }


def test_names_are_deterministic_and_order_independent(population: pd.DataFrame) -> None:
    c = centroids(
        {
            1: {"recency_days": 40, "frequency": 1.0, "monetary": 900.0, **BASE},
            2: {"recency_days": 180, "frequency": 1.0, "monetary": 950.0, **BASE},
            3: {"recency_days": 600, "frequency": 1.0, "monetary": 20.0, **BASE},
            4: {"recency_days": 620, "frequency": 1.0, "monetary": 22.0, **BASE},
        }
    )
    first = name_segments(c, population)
    assert name_segments(c, population) == first
    assert name_segments(c.iloc[::-1], population) == first
    assert name_segments(c, population.sample(frac=1.0, random_state=1)) == first
    assert len(set(first.values())) == len(first)


def test_errors(population: pd.DataFrame) -> None:
    assert name_segments(centroids({}), population) == {}
    c = centroids({1: {"recency_days": 1.0}})
    with pytest.raises(ValueError, match="population lacks column recency_days"):
        name_segments(c, population.drop(columns="recency_days"))
