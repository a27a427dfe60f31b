"""The steps the dbt Python models call: search, the fitted model, scoring, comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
from settings_fixtures import project_vars

from olist_segmentation.segmentation.model import MODEL_TABLE_COLUMNS, SegmentModel
from olist_segmentation.segmentation.steps import (
    comparison_segment_rows,
    fit_segment_model,
    run_comparison,
    run_model_selection,
    score_customers,
)
from olist_segmentation.settings import SegmentationSettings, load_settings


def settings(**overrides: object) -> SegmentationSettings:
    """Segmentation settings of a small search: the project defaults with a few overrides."""
    small = {
        "segment_feature_sets": {"rfm": ["recency_days", "frequency", "monetary"]},
        "segment_log1p_features": ["frequency", "monetary"],
        "segment_k_max": 5,
        "segment_seed": 7,
        "segment_search_sample_size": 3000,
        "segment_silhouette_sample_size": 1000,
        "segment_bootstrap_runs": 2,
        "segment_comparison_sample_size": 500,
    }
    return load_settings(project_vars(**{**small, **overrides})).segmentation


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


def test_selection_finds_the_three_groups_and_the_frozen_model_scores_them_back() -> None:
    rfm = synthetic_rfm()
    config = settings()
    selection = run_model_selection(rfm, config)
    assert selection["is_chosen"].sum() == 1
    model = fit_segment_model(rfm, selection, config)
    frozen = model.to_table()
    assert list(frozen.columns) == MODEL_TABLE_COLUMNS
    assert frozen["k"].iloc[0] == 3 == model.k
    assert SegmentModel.from_table(frozen).segment_names == model.segment_names
    scored = score_customers(rfm, model)
    assert len(scored) == len(rfm)
    # each synthetic group lands in exactly one segment, and segment 1 is the big spenders
    group = rfm["customer_unique_id"].str[:2]
    assert scored.groupby(group)["segment_id"].nunique().eq(1).all()
    assert scored.loc[group == "g0", "segment_id"].iloc[0] == 1
    assert scored["segment_name"].nunique() == 3
    sizes = frozen.drop_duplicates("segment_id").set_index("segment_id")["customer_count"]
    assert sizes.to_dict() == scored["segment_id"].value_counts().to_dict()


def test_scoring_with_the_frozen_model_never_refits() -> None:
    rfm = synthetic_rfm()
    config = settings(segment_k=3)
    model = fit_segment_model(rfm, run_model_selection(rfm, config), config)
    # everyone now looks like the dormant small spenders: a refit would re-centre and split
    # them again, the frozen model must put (almost) everyone in the dormant segment
    shifted = rfm.assign(recency_days=400.0, frequency=1, monetary=40.0)
    scored = score_customers(shifted, model)
    dormant_segment = score_customers(rfm[rfm["customer_unique_id"].str.startswith("g1")], model)
    assert (scored["segment_id"] == dormant_segment["segment_id"].iloc[0]).all()


def test_two_runs_give_identical_models_and_assignments() -> None:
    rfm = synthetic_rfm()
    config = settings()
    first = fit_segment_model(rfm, run_model_selection(rfm, config), config)
    second = fit_segment_model(rfm, run_model_selection(rfm, config), config)
    pd.testing.assert_frame_equal(first.to_table(), second.to_table())
    pd.testing.assert_frame_equal(score_customers(rfm, first), score_customers(rfm, second))


def test_comparison_covers_the_algorithm_families() -> None:
    rfm = synthetic_rfm(n_per_group=400)
    config = settings(segment_k=3)
    model = fit_segment_model(rfm, run_model_selection(rfm, config), config)
    comparison = run_comparison(rfm, model, config)
    assert {"kmeans", "agglomerative", "gaussian_mixture"} <= set(comparison["algorithm"])
    agglomerative = comparison[comparison["algorithm"] == "agglomerative"]
    assert set(agglomerative["linkage"]) >= {"ward", "average"}
    assert (agglomerative["fitted_customer_count"] <= 500).all()
    assert comparison["ari_vs_kmeans"].between(-1, 1).all()
    ward = agglomerative[agglomerative["linkage"] == "ward"].iloc[0]
    assert ward["ari_vs_kmeans"] > 0.9, "clean groups: ward agrees with KMeans"

    segments = comparison_segment_rows(comparison)
    assert len(segments) == 3 * len(comparison)
    assert "segment_sizes" not in segments.columns
    assert segments["algorithm_position"].tolist() == sorted(segments["algorithm_position"])
    per_algorithm = segments.groupby("algorithm_position")
    assert (per_algorithm["customer_count"].sum() == len(rfm)).all()
    assert per_algorithm["segment_id"].agg(sorted).tolist() == [[1, 2, 3]] * len(comparison)
