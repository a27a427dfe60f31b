"""The segmentation steps the dbt Python models call, one function per model.

dbt Python models stay thin (read refs, call one function here, return a table), so that the
whole stage is unit-tested with pytest and reused by the report and the stability study.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from olist_segmentation.sampling import sample_customers
from olist_segmentation.segmentation.compare import compare_algorithms
from olist_segmentation.segmentation.kmeans import MAX_FIT_ROWS, fit_final_model
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.segmentation.naming import name_segments
from olist_segmentation.segmentation.search import choose_configuration, evaluate_grid
from olist_segmentation.segmentation.transform import inverse_transform
from olist_segmentation.settings import SegmentationSettings


def _reference_date(rfm: pd.DataFrame) -> pd.Timestamp | None:
    if "reference_date" not in rfm.columns or rfm.empty:
        return None
    return pd.Timestamp(rfm["reference_date"].iloc[0])


def run_model_selection(
    rfm: pd.DataFrame,
    settings: SegmentationSettings,
    *,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """The hyper-parameter search over (feature set, k), annotated with the chosen row."""
    grid = evaluate_grid(
        rfm,
        settings.feature_sets,
        settings.log1p_features,
        settings.k_values,
        seed=settings.seed,
        sample_size=settings.search_sample_size,
        silhouette_sample=settings.silhouette_sample_size,
        n_bootstrap=settings.bootstrap_runs,
        progress=progress,
        minibatch_above=settings.minibatch_above,
    )
    selection = choose_configuration(
        grid,
        min_segment_share=settings.min_segment_share,
        min_bootstrap_ari=settings.min_bootstrap_ari,
        k_override=settings.k_override,
        feature_set_override=settings.feature_set_override,
    )
    result = selection.grid.copy()
    result["seed"] = settings.seed
    result["min_segment_share_floor"] = settings.min_segment_share
    result["min_bootstrap_ari_floor"] = settings.min_bootstrap_ari
    return result


def chosen_configuration(selection: pd.DataFrame) -> tuple[str, list[str], int]:
    """(feature set, features, k) of the row the selection rule chose."""
    chosen = selection[selection["is_chosen"].astype(bool)]
    if len(chosen) != 1:
        raise ValueError(f"segment_model_selection must have one chosen row, found {len(chosen)}")
    row = chosen.iloc[0]
    return str(row["feature_set"]), str(row["features"]).split(","), int(row["k"])


def fit_segment_model(
    rfm: pd.DataFrame,
    selection: pd.DataFrame,
    settings: SegmentationSettings,
    *,
    progress: Callable[[str], None] | None = None,
) -> SegmentModel:
    """Fit the configuration the selection rule chose (see :func:`fit_configuration`)."""
    feature_set, features, k = chosen_configuration(selection)
    return fit_configuration(
        rfm,
        feature_set=feature_set,
        features=features,
        log1p_features=settings.log1p_features,
        k=k,
        seed=settings.seed,
        minibatch_above=settings.minibatch_above,
        progress=progress,
    )


def fit_configuration(
    rfm: pd.DataFrame,
    *,
    feature_set: str,
    features: list[str],
    log1p_features: list[str],
    k: int,
    seed: int,
    minibatch_above: int,
    progress: Callable[[str], None] | None = None,
) -> SegmentModel:
    """Fit one configuration on every customer, relabelled by value and named.

    K-means sees a seeded id-hash sample of at most ``MAX_FIT_ROWS`` customers, in priority order
    (every customer below that size), so the model does not depend on the order of ``rfm``. The
    version hashes the fitted model itself, so the same model read back keeps its id.
    """
    started = time.perf_counter()
    fit_rows = sample_customers(rfm["customer_unique_id"].to_numpy(), size=MAX_FIT_ROWS, seed=seed)
    fitted = fit_final_model(
        rfm,
        features,
        log1p_features,
        k,
        seed,
        minibatch_above=minibatch_above,
        fit_rows=fit_rows,
    )
    # columns sorted by name, as naming has always seen them (a pivot of the long table)
    wide_original = pd.DataFrame(
        inverse_transform(fitted.centroids, fitted.params),
        index=pd.Index(range(1, k + 1), name="segment_id"),
        columns=pd.Index(features, name="feature"),
    ).sort_index(axis=1)
    names = name_segments(wide_original, rfm)
    model = SegmentModel.from_fitted(
        fitted,
        version="",
        feature_set=feature_set,
        segment_names={int(i): str(n) for i, n in names.items()},
        reference_date=_reference_date(rfm),
    )
    model = replace(model, version=model.content_version())
    if progress is not None:
        progress(
            f"fitted {model.version}: feature_set={feature_set} k={k} on {len(rfm)} customers "
            f"({time.perf_counter() - started:.1f}s)"
        )
    return model


def score_customers(rfm: pd.DataFrame, model: SegmentModel) -> pd.DataFrame:
    """Assign every customer to the nearest centroid (no refit): one row per customer."""
    scored = model.score(rfm)
    return pd.DataFrame(
        {
            "customer_unique_id": rfm["customer_unique_id"].to_numpy(),
            "segment_id": scored["segment_id"].to_numpy(),
            "segment_name": scored["segment_id"].map(model.segment_names).to_numpy(),
            "distance_to_centroid": scored["distance_to_centroid"].to_numpy(),
            "model_version": model.version,
        }
    )


def run_comparison(
    rfm: pd.DataFrame, model: SegmentModel, settings: SegmentationSettings
) -> pd.DataFrame:
    """KMeans against hierarchical clustering and Gaussian mixtures on the same scaled features."""
    comparison = compare_algorithms(
        model.transform(rfm),
        model.predict(rfm),
        model.k,
        settings.seed,
        customer_ids=rfm["customer_unique_id"].to_numpy(),
        sample_size=settings.comparison_sample_size,
        silhouette_sample=settings.silhouette_sample_size,
        minibatch_above=settings.minibatch_above,
    )
    comparison["model_version"] = model.version
    return comparison


def comparison_segment_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    """The comparison as long rows (int_clustering_compared): one row per algorithm and segment.

    The algorithm's columns are repeated on each of its segments; ``segment_sizes``
    (``{segment: customers}``) becomes ``segment_id`` and ``customer_count``, and
    ``algorithm_position`` keeps the comparison's row order.
    """
    rows = comparison.assign(algorithm_position=range(1, len(comparison) + 1))
    sizes = rows.pop("segment_sizes").map(lambda sizes: list(sizes.items()))
    long = rows.assign(segment=sizes).explode("segment", ignore_index=True)
    long["segment_id"] = long["segment"].map(lambda pair: int(pair[0])).astype("int64")
    long["customer_count"] = long["segment"].map(lambda pair: int(pair[1])).astype("int64")
    return long.drop(columns="segment")
