"""Tests of model search, selection, final fit, the model object's scoring and the comparison."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from olist_segmentation.sampling import sample_customers
from olist_segmentation.segmentation.compare import (
    COMPARISON_COLUMNS,
    compare_algorithms,
    hierarchical_linkage_sample,
)
from olist_segmentation.segmentation.kmeans import (
    assign_to_centroids,
    fit_final_model,
    fit_kmeans,
)
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.segmentation.search import (
    GRID_COLUMNS,
    choose_configuration,
    evaluate_grid,
)
from olist_segmentation.segmentation.transform import apply_transform

FEATURES = ["recency_days", "monetary", "avg_review_score"]


def _model(fitted, version: str) -> SegmentModel:
    names = {i: f"segment {i}" for i in range(1, fitted.k + 1)}
    return SegmentModel.from_fitted(
        fitted, version=version, feature_set="test", segment_names=names, reference_date=None
    )


# four well separated groups; the last one spends by far the most
CENTERS = np.array(
    [
        [600.0, 100.0, 2.0],
        [50.0, 200.0, 4.5],
        [300.0, 150.0, 1.0],
        [100.0, 5000.0, 3.0],
    ]
)
SPREAD = np.array([25.0, 10.0, 0.15])


@pytest.fixture(scope="module")
def blobs() -> tuple[pd.DataFrame, np.ndarray]:
    """Customers drawn around CENTERS, with the mart's column names; returns (df, true blob)."""
    unit, truth = make_blobs(
        n_samples=2000, n_features=3, centers=CENTERS / SPREAD, cluster_std=1.0, random_state=0
    )
    values = unit * SPREAD
    df = pd.DataFrame(values, columns=FEATURES)
    df["customer_unique_id"] = [f"c{i}" for i in range(len(df))]
    return df, truth


@pytest.fixture(scope="module")
def grid(blobs: tuple[pd.DataFrame, np.ndarray]) -> pd.DataFrame:
    df, _ = blobs
    return evaluate_grid(
        df,
        {"all": FEATURES, "rm": ["recency_days", "monetary"]},
        log1p_features=["monetary"],
        k_values=[2, 3, 4, 5, 6],
        seed=7,
        sample_size=1500,
        silhouette_sample=1000,
        n_bootstrap=2,
    )


def test_grid_has_one_row_per_configuration(grid: pd.DataFrame) -> None:
    assert list(grid.columns) == GRID_COLUMNS
    assert len(grid) == 10
    assert grid.groupby("feature_set")["k"].apply(list).to_dict() == {
        "all": [2, 3, 4, 5, 6],
        "rm": [2, 3, 4, 5, 6],
    }
    assert (grid["fitted_customer_count"] == 1500).all()  # bounded by sample_size, not by the data
    assert grid["bootstrap_ari"].between(-1, 1).all()
    assert grid["min_segment_share"].between(0, 1).all()


def test_default_rule_picks_the_true_k_with_stable_segments(grid: pd.DataFrame) -> None:
    chosen, annotated = choose_configuration(grid)
    assert chosen["k"] == 4
    assert chosen["bootstrap_ari"] > 0.95
    assert annotated["is_chosen"].sum() == 1
    assert annotated.loc[annotated["is_chosen"], "selection_reason"].item().startswith("chosen")
    assert annotated["selection_reason"].str.len().gt(0).all()


def test_progress_is_reported_per_configuration(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    messages: list[str] = []
    evaluate_grid(
        blobs[0],
        {"rm": ["recency_days", "monetary"]},
        ["monetary"],
        [2, 3],
        seed=1,
        sample_size=500,
        silhouette_sample=300,
        n_bootstrap=1,
        progress=messages.append,
    )
    assert len(messages) == 2
    assert "1/2" in messages[0] and "k=2" in messages[0] and "elapsed" in messages[0]


def test_overrides_restrict_the_choice(grid: pd.DataFrame) -> None:
    chosen, annotated = choose_configuration(grid, k_override=5)
    assert chosen["k"] == 5
    assert "segment_k=5" in chosen["selection_reason"]
    excluded = annotated[annotated["k"] != 5]
    assert excluded["selection_reason"].str.contains("excluded by segment_k").all()

    chosen, _ = choose_configuration(grid, feature_set_override="rm")
    assert chosen["feature_set"] == "rm"
    chosen, _ = choose_configuration(grid, k_override=3, feature_set_override="rm")
    assert (chosen["k"], chosen["feature_set"]) == (3, "rm")


def test_override_outside_grid_is_an_error(grid: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"segment_k=11.*allowed values: \[2, 3, 4, 5, 6\]"):
        choose_configuration(grid, k_override=11)
    with pytest.raises(ValueError, match="segment_feature_set='rfm'.*'all', 'rm'"):
        choose_configuration(grid, feature_set_override="rfm")


def test_fallback_when_nothing_passes_the_floors(grid: pd.DataFrame) -> None:
    chosen, _ = choose_configuration(grid, min_bootstrap_ari=1.1)
    assert chosen["selection_reason"].startswith("fallback")
    assert chosen["bootstrap_ari"] == grid["bootstrap_ari"].max()


def test_ties_go_to_the_smaller_k() -> None:
    grid = pd.DataFrame(
        {
            "feature_set": ["a", "a", "a"],
            "k": [5, 3, 4],
            "silhouette": [0.5, 0.5, 0.49],
            "min_segment_share": [0.1, 0.1, 0.1],
            "bootstrap_ari": [0.9, 0.9, 0.9],
        }
    )
    assert choose_configuration(grid).chosen["k"] == 3
    assert choose_configuration(grid, silhouette_tie_tolerance=0.02).chosen["k"] == 3
    grid.loc[1, "min_segment_share"] = 0.001  # k=3 now fails the floor
    assert choose_configuration(grid).chosen["k"] == 5
    assert choose_configuration(grid, silhouette_tie_tolerance=0.02).chosen["k"] == 4


def test_segment_ids_follow_business_order(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, truth = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3)
    assert adjusted_rand_score(truth, fitted.labels) == pytest.approx(1.0)
    # blob 3 spends 5000: it must be segment 1, whatever k-means' internal label order
    assert set(fitted.labels[truth == 3]) == {1}
    table = _model(fitted, "v").to_table()
    monetary = table[table["feature"] == "monetary"].sort_values("segment_id")
    assert monetary["centroid_original"].is_monotonic_decreasing
    assert set(fitted.labels) == {1, 2, 3, 4}


def test_ordering_without_monetary_in_features_uses_member_means(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, truth = blobs
    fitted = fit_final_model(df, ["recency_days", "avg_review_score"], [], k=4, seed=3)
    assert set(fitted.labels[truth == 3]) == {1}


def test_same_seed_same_labels_and_different_seed_same_partition(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, _ = blobs
    a = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=11)
    b = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=11)
    c = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=12)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.centroids, b.centroids)
    # business relabelling removes k-means' label permutation across seeds
    np.testing.assert_array_equal(a.labels, c.labels)


def test_minibatch_path_above_threshold(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, truth = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3, minibatch_above=1000)
    assert fitted.algorithm == "minibatch_kmeans"
    assert adjusted_rand_score(truth, fitted.labels) > 0.95
    assert fit_kmeans(np.zeros((10, 2)) + np.arange(10)[:, None], 2, 0).n_init == 10


def test_fit_on_a_bounded_sample_assigns_every_row(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, truth = blobs
    rows = sample_customers(df["customer_unique_id"], size=300, seed=3)
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3, fit_rows=rows)
    assert fitted.fitted_customer_count == 300
    assert len(fitted.labels) == len(df)
    assert adjusted_rand_score(truth, fitted.labels) > 0.99
    assert (
        fit_kmeans(np.arange(1000.0).reshape(-1, 1), 2, 0, fit_rows=np.arange(100)).labels_.size
        == 100
    )


def shuffled(df: pd.DataFrame, seed: int = 11) -> tuple[pd.DataFrame, np.ndarray]:
    """``df`` with its rows in another order, and the permutation (new row i = old row p[i])."""
    permutation = np.random.default_rng(seed).permutation(len(df))
    return df.iloc[permutation].reset_index(drop=True), permutation


def test_the_search_does_not_depend_on_row_order(
    blobs: tuple[pd.DataFrame, np.ndarray], grid: pd.DataFrame
) -> None:
    df, _ = blobs
    again = evaluate_grid(
        shuffled(df)[0],
        {"all": FEATURES, "rm": ["recency_days", "monetary"]},
        log1p_features=["monetary"],
        k_values=[2, 3, 4, 5, 6],
        seed=7,
        sample_size=1500,
        silhouette_sample=1000,
        n_bootstrap=2,
    )
    timings = ["fit_seconds", "eval_seconds"]
    pd.testing.assert_frame_equal(again.drop(columns=timings), grid.drop(columns=timings))


def test_the_final_fit_does_not_depend_on_row_order(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, _ = blobs
    rows = sample_customers(df["customer_unique_id"], size=500, seed=3)
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3, fit_rows=rows)
    other, permutation = shuffled(df)
    other_rows = sample_customers(other["customer_unique_id"], size=500, seed=3)
    np.testing.assert_array_equal(permutation[other_rows], rows)
    refitted = fit_final_model(other, FEATURES, ["monetary"], k=4, seed=3, fit_rows=other_rows)
    np.testing.assert_allclose(refitted.centroids, fitted.centroids, rtol=1e-9)
    np.testing.assert_array_equal(refitted.labels, fitted.labels[permutation])


def test_frozen_scoring_reproduces_fit_labels_exactly(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, _ = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3)
    table = _model(fitted, "v").to_table()
    # persist and reload the table, like the dbt project does, in another row order
    con = duckdb.connect()
    con.register("m", table)
    table = con.execute("select * from m order by feature, segment_id desc").df()
    con.close()

    scored = SegmentModel.from_table(table).score(df, chunk_size=333)
    assert list(scored.columns) == ["segment_id", "distance_to_centroid"]
    assert scored.index.equals(df.index)
    np.testing.assert_array_equal(scored["segment_id"].to_numpy(), fitted.labels)
    np.testing.assert_array_equal(scored["distance_to_centroid"].to_numpy(), fitted.distances)


def test_frozen_scoring_does_not_refit_on_shifted_data(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, truth = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3)
    model = SegmentModel.from_table(_model(fitted, "v").to_table())

    # the blob at recency 300 ages by 250 days: judged against the frozen centroids it now
    # looks like the dormant blob (recency 600); a refit would re-centre and keep it separate
    ages = truth == 2
    aged = df.assign(recency_days=df["recency_days"] + np.where(ages, 250.0, 0.0))
    scored = model.score(aged)
    expected, _ = assign_to_centroids(apply_transform(aged, fitted.params), fitted.centroids)
    np.testing.assert_array_equal(scored["segment_id"].to_numpy(), expected + 1)
    dormant = fitted.labels[truth == 0][0]
    assert (scored["segment_id"][ages] == dormant).mean() > 0.9
    refit = fit_final_model(aged, FEATURES, ["monetary"], k=4, seed=3)
    assert adjusted_rand_score(truth, refit.labels) > 0.99  # what a refit would have done
    assert adjusted_rand_score(truth, scored["segment_id"]) < 0.9

    # small shift inside the clusters: assignments unchanged
    nudged = df.assign(recency_days=df["recency_days"] + 5)
    assert adjusted_rand_score(fitted.labels, model.predict(nudged)) == pytest.approx(1.0)


def test_model_table_shape(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, _ = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3)
    table = _model(fitted, "v").to_table()
    assert len(table) == 4 * len(FEATURES)
    sizes = table.drop_duplicates("segment_id")["customer_count"]
    assert sizes.sum() == len(df)
    np.testing.assert_allclose(
        table.loc[table["feature"] == "monetary", "centroid_original"].iloc[0], 5000, rtol=0.02
    )


def test_the_version_hashes_the_model_not_the_data(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, _ = blobs
    model = _model(fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3), "v")
    version = model.content_version()
    assert re.fullmatch(r"km-k4-[0-9a-f]{8}", version)
    # the same model read back from its table keeps its id
    assert SegmentModel.from_table(model.to_table()).content_version() == version
    # other centroids, or the same centroids under other ids, are another model
    moved = replace(model, centroids=model.centroids + 1e-6)
    assert moved.content_version() != version
    renumbered = model.with_identity(
        segment_ids=np.array([5, 6, 7, 8]), segment_names={5: "a", 6: "b", 7: "c", 8: "d"}
    )
    assert renumbered.version != version
    assert renumbered.version == renumbered.content_version()


def test_compare_algorithms(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    df, truth = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3)
    X = apply_transform(df, fitted.params)
    table = compare_algorithms(
        X,
        fitted.labels,
        k=4,
        seed=3,
        customer_ids=df["customer_unique_id"],
        sample_size=400,
        silhouette_sample=500,
    )
    assert list(table.columns) == COMPARISON_COLUMNS
    assert table["algorithm"].tolist() == [
        "kmeans",
        "minibatch_kmeans",
        "agglomerative",
        "agglomerative",
        "agglomerative",
        "gaussian_mixture",
    ]
    assert table["linkage"].tolist()[2:5] == ["ward", "average", "complete"]
    assert table["ari_vs_kmeans"].between(-1, 1).all()
    assert table.loc[0, "ari_vs_kmeans"] == pytest.approx(1.0)
    agglo = table[table["algorithm"] == "agglomerative"]
    assert (agglo["fitted_customer_count"] <= 400).all()
    assert (agglo["fitted_customer_count"] + agglo["assigned_customer_count"] == len(df)).all()
    assert agglo["fit_note"].str.contains("sample").all()
    # clean blobs: ward recovers the k-means partition
    assert agglo.iloc[0]["ari_vs_kmeans"] > 0.95
    for sizes in table["segment_sizes"]:
        assert list(sizes) == sorted(sizes) and sum(sizes.values()) == len(df)
    assert (table["peak_memory_mb"] >= 0).all() and (table["fit_seconds"] >= 0).all()


def test_the_comparison_does_not_depend_on_row_order(
    blobs: tuple[pd.DataFrame, np.ndarray],
) -> None:
    df, _ = blobs
    fitted = fit_final_model(df, FEATURES, ["monetary"], k=4, seed=3)
    X = apply_transform(df, fitted.params)
    options = {"k": 4, "seed": 3, "sample_size": 300, "silhouette_sample": 400}
    table = compare_algorithms(X, fitted.labels, customer_ids=df["customer_unique_id"], **options)
    other, permutation = shuffled(df)
    again = compare_algorithms(
        X[permutation],
        fitted.labels[permutation],
        customer_ids=other["customer_unique_id"],
        **options,
    )
    costs = ["fit_seconds", "peak_memory_mb"]
    pd.testing.assert_frame_equal(again.drop(columns=costs), table.drop(columns=costs), rtol=1e-9)


def test_hierarchical_linkage_sample(blobs: tuple[pd.DataFrame, np.ndarray]) -> None:
    df = blobs[0]
    rows = sample_customers(df["customer_unique_id"], size=100, seed=0)
    Z = hierarchical_linkage_sample(df[FEATURES].to_numpy(), rows)
    assert Z.shape == (99, 4)
    other, _ = shuffled(df)
    other_rows = sample_customers(other["customer_unique_id"], size=100, seed=0)
    np.testing.assert_array_equal(
        Z, hierarchical_linkage_sample(other[FEATURES].to_numpy(), other_rows)
    )


def test_customer_samples_follow_the_ids_not_the_rows() -> None:
    ids = np.array([f"c{i}" for i in range(1000)], dtype=object)
    idx = sample_customers(ids, size=10, seed=5)
    assert len(idx) == 10 and len(set(idx)) == 10
    np.testing.assert_array_equal(idx, sample_customers(ids, size=10, seed=5))
    assert set(ids[idx]) != set(ids[sample_customers(ids, size=10, seed=6)])
    np.testing.assert_array_equal(sample_customers(ids, size=20, seed=5)[:10], idx)
    reversed_ids = ids[::-1]
    np.testing.assert_array_equal(
        reversed_ids[sample_customers(reversed_ids, size=10, seed=5)], ids[idx]
    )
    assert sorted(sample_customers(ids[:5], size=10, seed=5)) == list(range(5))
    with pytest.raises(ValueError, match="positive"):
        sample_customers(ids, size=0, seed=5)
    labels, dist = assign_to_centroids(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[3.0, 4.0]]))
    np.testing.assert_array_equal(labels, [0, 0])
    np.testing.assert_array_equal(dist, [5.0, 0.0])


THREAD_CAP_SCRIPT = textwrap.dedent(
    """
    import json, threading
    from threadpoolctl import threadpool_info
    from olist_segmentation.segmentation.kmeans import cap_threads

    def counts():
        return sorted({(lib["user_api"], lib["num_threads"]) for lib in threadpool_info()})

    seen = {"start": counts()}
    cap_threads(None)
    seen["none"] = counts()
    cap_threads(3)
    seen["three"] = counts()
    cap_threads(4)
    seen["four after three"] = counts()

    def other_thread():
        seen["other thread before"] = counts()
        cap_threads(1)
        seen["other thread after one"] = counts()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    seen["main after other thread"] = counts()
    try:
        cap_threads(0)
    except ValueError as error:
        seen["zero"] = str(error)
    print(json.dumps(seen))
    """
)


def test_thread_caps_only_ever_lower_blas_for_the_process_and_openmp_per_thread() -> None:
    # A fresh interpreter: the BLAS cap is process state by design. OpenMP starts at 4 threads,
    # above every cap asked for; OpenBLAS at one thread per core.
    env = {**os.environ, "OMP_NUM_THREADS": "4"}
    completed = subprocess.run(
        [sys.executable, "-c", THREAD_CAP_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seen = json.loads(completed.stdout)
    ((_, blas),) = [pair for pair in seen["start"] if pair[0] == "blas"]
    if blas < 2:
        pytest.skip("OpenBLAS runs one thread on this machine: no BLAS cap to observe")
    assert seen["start"] == [["blas", blas], ["openmp", 4]]
    assert seen["none"] == seen["start"]
    # OpenBLAS starts at most one thread per core (blas <= 3 on the machines this runs on)
    assert seen["three"] == [["blas", blas], ["openmp", 3]]
    # asking for more never lifts a cap: another model's BLAS call may be running
    assert seen["four after three"] == seen["three"]
    # a new thread starts from the process default for OpenMP, and its cap is its own;
    # BLAS, one count per process, follows the lowest cap asked for
    assert seen["other thread before"] == [["blas", blas], ["openmp", 4]]
    assert seen["other thread after one"] == [["blas", 1], ["openmp", 1]]
    assert seen["main after other thread"] == [["blas", 1], ["openmp", 3]]
    assert "n_threads must be >= 1" in seen["zero"]
