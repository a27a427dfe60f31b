"""Segment identity across retrains: persisting segments keep id and name, new ones get new ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs

from olist_segmentation.segmentation.identity import carry_identity
from olist_segmentation.segmentation.steps import fit_configuration

FEATURES = ["recency_days", "frequency", "monetary"]


def population(centers: list[list[float]], *, seed: int, n: int = 1200) -> pd.DataFrame:
    X, _ = make_blobs(n_samples=n, centers=np.array(centers), cluster_std=1.0, random_state=seed)
    return pd.DataFrame(
        {
            "customer_unique_id": [f"c{seed}_{i}" for i in range(n)],
            "recency_days": np.abs(X[:, 0] * 20),
            "frequency": np.clip(np.round(np.abs(X[:, 1])), 1, None),
            "monetary": np.abs(X[:, 2] * 50),
        }
    )


def fit(df: pd.DataFrame, *, seed: int, k: int = 3):
    return fit_configuration(
        df,
        feature_set="rfm",
        features=FEATURES,
        log1p_features=["monetary"],
        k=k,
        seed=seed,
        minibatch_above=1_000_000,
    )


CENTERS = [[2.0, 1.0, 2.0], [10.0, 1.0, 10.0], [20.0, 5.0, 4.0]]


def test_a_refit_on_new_customers_keeps_every_id_and_name() -> None:
    previous = fit(population(CENTERS, seed=1), seed=1)
    # other customers drawn from the same groups, another seed: k-means numbers them anew
    refit = fit(population(CENTERS, seed=2), seed=9)
    result = carry_identity(previous, refit, max_distance=1.0, first_free_id=4)
    assert sorted(result.model.segment_ids.tolist()) == sorted(previous.segment_ids.tolist())
    assert result.model.segment_names == previous.segment_names
    # each inherited id sits where the previous segment was
    new_by_id = dict(zip(result.model.segment_ids.tolist(), result.model.centroids, strict=True))
    for segment_id, centroid in zip(previous.segment_ids.tolist(), previous.centroids, strict=True):
        assert np.linalg.norm(new_by_id[segment_id] - centroid) < 0.5
    assert result.lineage["previous_segment_id"].notna().all()
    assert (result.lineage["model_version"] == result.model.version).all()
    assert result.model.version == result.model.content_version()


def test_a_segment_that_moved_far_gets_a_new_id_never_used_before() -> None:
    previous = fit(population(CENTERS, seed=1), seed=1)
    moved = [CENTERS[0], CENTERS[1], [40.0, 12.0, 30.0]]
    refit = fit(population(moved, seed=2), seed=9)
    result = carry_identity(previous, refit, max_distance=1.0, first_free_id=7)
    ids = result.model.segment_ids.tolist()
    assert 7 in ids and len(set(ids) & set(previous.segment_ids.tolist())) == 2
    new_row = result.lineage[result.lineage["segment_id"] == 7].iloc[0]
    assert pd.isna(new_row["previous_segment_id"])
    kept = result.lineage.dropna(subset=["previous_segment_id"])
    assert (kept["match_distance"] <= 1.0).all()
    for previous_id in kept["previous_segment_id"].astype(int):
        assert result.model.segment_names[previous_id] == previous.segment_names[previous_id]


def test_models_on_other_features_share_no_segment() -> None:
    previous = fit(population(CENTERS, seed=1), seed=1)
    other = fit_configuration(
        population(CENTERS, seed=2),
        feature_set="rm",
        features=["recency_days", "monetary"],
        log1p_features=[],
        k=3,
        seed=1,
        minibatch_above=1_000_000,
    )
    result = carry_identity(previous, other, max_distance=100.0, first_free_id=4)
    assert sorted(result.model.segment_ids.tolist()) == [4, 5, 6]
    assert result.lineage["previous_segment_id"].isna().all()


def test_a_first_model_keeps_its_own_numbering() -> None:
    first = fit(population(CENTERS, seed=1), seed=1)
    result = carry_identity(None, first, max_distance=1.0, first_free_id=1)
    assert result.model.segment_ids.tolist() == [1, 2, 3]
    assert result.model.segment_names == first.segment_names
