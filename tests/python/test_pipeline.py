"""The steps the dbt Python models call: settings validation, frozen model, scoring, comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from olist_segmentation.pipeline import (
    FROZEN_MODEL_COLUMNS,
    fit_frozen_model,
    run_comparison,
    run_model_selection,
    score_customers,
    settings_from_config,
)


def config(**overrides: object) -> dict[str, object]:
    """Settings as dbt renders them into the model config: every value is text."""
    base = {
        "segment_feature_sets": "{'rfm': ['recency_days', 'frequency', 'monetary']}",
        "segment_log1p_features": "['frequency', 'monetary']",
        "segment_k_min": "2",
        "segment_k_max": "5",
        "segment_k": "None",
        "segment_feature_set": "None",
        "segment_seed": "7",
        "segment_search_sample_size": "3000",
        "segment_silhouette_sample_size": "1000",
        "segment_bootstrap_runs": "2",
        "segment_min_share": "0.02",
        "segment_min_bootstrap_ari": "0.8",
        "segment_minibatch_above": "1000000",
        "segment_comparison_sample_size": "500",
    }
    return {**base, **{key: str(value) for key, value in overrides.items()}}


def synthetic_rfm(n_per_group: int = 800, seed: int = 0) -> pd.DataFrame:
    """Three well separated groups: recent big spenders, dormant small spenders, repeat buyers."""
    rng = np.random.default_rng(seed)
    groups = [
        (30, 1, 900.0),
        (400, 1, 40.0),
        (150, 4, 250.0),
    ]
    frames = []
    for index, (recency, frequency, monetary) in enumerate(groups):
        frames.append(
            pd.DataFrame(
                {
                    "customer_unique_id": [f"g{index}_{i:05d}" for i in range(n_per_group)],
                    "recency_days": rng.normal(recency, recency * 0.05, n_per_group).round(),
                    "frequency": np.full(n_per_group, frequency),
                    "monetary": rng.normal(monetary, monetary * 0.05, n_per_group),
                    "avg_review_score": rng.uniform(1, 5, n_per_group),
                    "late_delivery_share": rng.uniform(0, 1, n_per_group),
                    "reference_date": pd.Timestamp("2018-10-18"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_settings_parse_the_text_dbt_renders() -> None:
    settings = settings_from_config(config())
    assert settings.feature_sets == {"rfm": ["recency_days", "frequency", "monetary"]}
    assert settings.k_values == [2, 3, 4, 5]
    assert settings.k_override is None and settings.feature_set_override is None
    assert settings.seed == 7


@pytest.mark.parametrize(
    ("overrides", "var"),
    [
        ({"segment_k": "1"}, "segment_k"),
        ({"segment_k": "9"}, "segment_k"),
        ({"segment_k_min": "1"}, "segment_k_min"),
        ({"segment_k_max": "1"}, "segment_k_max"),
        ({"segment_feature_set": "nope"}, "segment_feature_set"),
        ({"segment_min_share": "0"}, "segment_min_share"),
        ({"segment_min_bootstrap_ari": "1.5"}, "segment_min_bootstrap_ari"),
        ({"segment_seed": "abc"}, "segment_seed"),
    ],
)
def test_invalid_settings_name_the_var(overrides: dict[str, str], var: str) -> None:
    with pytest.raises(ValueError, match=f"Invalid var {var}"):
        settings_from_config(config(**overrides))


def test_selection_finds_the_three_groups_and_the_frozen_model_scores_them_back() -> None:
    rfm = synthetic_rfm()
    settings = settings_from_config(config())
    selection = run_model_selection(rfm, settings)
    assert selection["is_chosen"].sum() == 1
    frozen = fit_frozen_model(rfm, selection, settings)
    assert list(frozen.columns) == FROZEN_MODEL_COLUMNS
    assert frozen["k"].iloc[0] == 3
    scored = score_customers(rfm, frozen)
    assert len(scored) == len(rfm)
    # each synthetic group lands in exactly one segment, and segment 1 is the big spenders
    group = rfm["customer_unique_id"].str[:2]
    assert scored.groupby(group)["segment_id"].nunique().eq(1).all()
    assert scored.loc[group == "g0", "segment_id"].iloc[0] == 1
    assert scored["segment_name"].nunique() == 3
    sizes = frozen.drop_duplicates("segment_id").set_index("segment_id")["segment_size"]
    assert sizes.to_dict() == scored["segment_id"].value_counts().to_dict()


def test_scoring_with_the_frozen_model_never_refits() -> None:
    rfm = synthetic_rfm()
    settings = settings_from_config(config(segment_k="3"))
    frozen = fit_frozen_model(rfm, run_model_selection(rfm, settings), settings)
    # everyone now looks like the dormant small spenders: a refit would re-centre and split
    # them again, the frozen model must put (almost) everyone in the dormant segment
    shifted = rfm.assign(recency_days=400.0, frequency=1, monetary=40.0)
    scored = score_customers(shifted, frozen)
    dormant_segment = score_customers(rfm[rfm["customer_unique_id"].str.startswith("g1")], frozen)
    assert (scored["segment_id"] == dormant_segment["segment_id"].iloc[0]).all()


def test_two_runs_give_identical_models_and_assignments() -> None:
    rfm = synthetic_rfm()
    settings = settings_from_config(config())
    first = fit_frozen_model(rfm, run_model_selection(rfm, settings), settings)
    second = fit_frozen_model(rfm, run_model_selection(rfm, settings), settings)
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(score_customers(rfm, first), score_customers(rfm, second))


def test_comparison_covers_the_algorithm_families() -> None:
    rfm = synthetic_rfm(n_per_group=400)
    settings = settings_from_config(config(segment_k="3"))
    frozen = fit_frozen_model(rfm, run_model_selection(rfm, settings), settings)
    comparison = run_comparison(rfm, frozen, settings)
    assert {"kmeans", "agglomerative", "gaussian_mixture"} <= set(comparison["algorithm"])
    agglomerative = comparison[comparison["algorithm"] == "agglomerative"]
    assert set(agglomerative["linkage"]) >= {"ward", "average"}
    assert (agglomerative["n_fitted"] <= 500).all()
    assert comparison["ari_vs_kmeans"].between(-1, 1).all()
    ward = agglomerative[agglomerative["linkage"] == "ward"].iloc[0]
    assert ward["ari_vs_kmeans"] > 0.9, "clean groups: ward agrees with KMeans"
