"""The segmentation steps the dbt Python models call, one function per model.

dbt Python models stay thin (read refs, call one function here, return a DataFrame), so that the
whole stage is unit-tested with pytest and reused by the report and the stability study. Settings
arrive from dbt vars through the models' yml config, where Jinja renders every value as text:
`settings_from_config` parses and validates them, and names the var in every error message.
"""

from __future__ import annotations

import ast
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from olist_segmentation.clustering import (
    CENTROID_COLUMNS,
    centroids_frame,
    choose_configuration,
    compare_algorithms,
    evaluate_grid,
    fit_final_model,
    frame_fingerprint,
    model_version,
    score_with_frozen_model,
)
from olist_segmentation.features import (
    PARAMS_COLUMNS,
    apply_transform,
    feature_sets_from_config,
    params_from_frame,
    params_to_frame,
    parse_name_list,
)
from olist_segmentation.naming import name_segments

# Columns of the frozen model table (marts.segment_centroids): centroids and the transform
# parameters of their feature, so that one table is enough to score customers later.
FROZEN_MODEL_COLUMNS = [
    *CENTROID_COLUMNS,
    "segment_name",
    "k",
    "seed",
    "feature_set",
    "log1p",
    "impute_value",
    "center",
    "scale",
    "n_customers_fitted",
    "algorithm",
    "reference_date",
]


@dataclass(frozen=True)
class SegmentationSettings:
    """Validated settings of the segmentation stage (defaults live in dbt_project.yml vars)."""

    feature_sets: dict[str, list[str]]
    log1p_features: list[str]
    k_values: list[int]
    seed: int
    k_override: int | None
    feature_set_override: str | None
    search_sample_size: int
    silhouette_sample_size: int
    bootstrap_runs: int
    min_segment_share: float
    min_bootstrap_ari: float
    minibatch_above: int
    comparison_sample_size: int


def _is_unset(value: Any) -> bool:
    unset_words = {"", "none", "null"}
    return value is None or (isinstance(value, str) and value.strip().lower() in unset_words)


def _as_int(raw: Mapping[str, Any], var: str, minimum: int) -> int:
    value = raw.get(var)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum:
        raise ValueError(f"Invalid var {var}={value!r}: expected an integer >= {minimum}")
    return number


def _as_float(raw: Mapping[str, Any], var: str, low: float, high: float) -> float:
    """A float in (low, high]; the open lower bound matches shares and thresholds."""
    value = raw.get(var)
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not (low < number <= high):
        raise ValueError(f"Invalid var {var}={value!r}: expected a number in ({low}, {high}]")
    return number


def _as_mapping(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def settings_from_config(raw: Mapping[str, Any]) -> SegmentationSettings:
    """Parse the vars a Python model received through its config; errors name the var."""
    try:
        feature_sets = feature_sets_from_config(_as_mapping(raw.get("segment_feature_sets")))
    except ValueError as error:
        raise ValueError(
            f"Invalid var segment_feature_sets: {error}; expected a mapping of name to a list of "
            "customer_rfm columns, e.g. {rfm: [recency_days, frequency, monetary]}"
        ) from error
    log1p_features = parse_name_list(
        _as_mapping(raw.get("segment_log1p_features")), "segment_log1p_features"
    )
    k_min = _as_int(raw, "segment_k_min", 2)
    k_max = _as_int(raw, "segment_k_max", k_min)
    k_override = None
    if not _is_unset(raw.get("segment_k")):
        k_override = _as_int(raw, "segment_k", 2)
        if not k_min <= k_override <= k_max:
            raise ValueError(
                f"Invalid var segment_k={k_override}: expected an integer within the searched "
                f"range segment_k_min..segment_k_max = {k_min}..{k_max}"
            )
    feature_set_override = None
    if not _is_unset(raw.get("segment_feature_set")):
        feature_set_override = str(raw["segment_feature_set"]).strip()
        if feature_set_override not in feature_sets:
            raise ValueError(
                f"Invalid var segment_feature_set={feature_set_override!r}: expected one of "
                f"{', '.join(sorted(feature_sets))} (the keys of segment_feature_sets)"
            )
    return SegmentationSettings(
        feature_sets=feature_sets,
        log1p_features=log1p_features,
        k_values=list(range(k_min, k_max + 1)),
        seed=_as_int(raw, "segment_seed", 0),
        k_override=k_override,
        feature_set_override=feature_set_override,
        search_sample_size=_as_int(raw, "segment_search_sample_size", 100),
        silhouette_sample_size=_as_int(raw, "segment_silhouette_sample_size", 100),
        bootstrap_runs=_as_int(raw, "segment_bootstrap_runs", 1),
        min_segment_share=_as_float(raw, "segment_min_share", 0.0, 1.0),
        min_bootstrap_ari=_as_float(raw, "segment_min_bootstrap_ari", -1.0, 1.0),
        minibatch_above=_as_int(raw, "segment_minibatch_above", 1000),
        comparison_sample_size=_as_int(raw, "segment_comparison_sample_size", 100),
    )


def stderr_progress(prefix: str) -> Callable[[str], None]:
    """Progress lines on stderr (dbt keeps its own stdout), prefixed with the model name."""

    def report(message: str) -> None:
        print(f"[{prefix}] {message}", file=sys.stderr, flush=True)

    return report


def _reference_date(rfm: pd.DataFrame) -> pd.Timestamp | None:
    if "reference_date" not in rfm.columns or rfm.empty:
        return None
    return pd.Timestamp(rfm["reference_date"].iloc[0])


def run_model_selection(
    rfm: pd.DataFrame,
    settings: SegmentationSettings,
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


def fit_frozen_model(
    rfm: pd.DataFrame,
    selection: pd.DataFrame,
    settings: SegmentationSettings,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Fit the chosen configuration on every customer and return the frozen model table.

    The table holds, per (segment, feature), the centroid in scaled and original units and the
    transform parameters of the feature, plus the segment's readable name: everything needed to
    score customers later without refitting anything.
    """
    started = time.perf_counter()
    feature_set, features, k = chosen_configuration(selection)
    fitted = fit_final_model(
        rfm,
        features,
        settings.log1p_features,
        k,
        settings.seed,
        minibatch_above=settings.minibatch_above,
    )
    version = model_version(
        features,
        settings.log1p_features,
        k,
        settings.seed,
        frame_fingerprint(rfm, ["customer_unique_id", *features]),
    )
    centroids = centroids_frame(fitted, version)
    wide_original = centroids.pivot(
        index="segment_id", columns="feature", values="centroid_original"
    )
    names = name_segments(wide_original, rfm)
    transform = params_to_frame(fitted.params, version).drop(columns=["model_version"])
    frozen = centroids.merge(transform, on=["feature", "feature_order"], how="left")
    frozen["segment_name"] = frozen["segment_id"].map(names)
    frozen["k"] = k
    frozen["seed"] = settings.seed
    frozen["feature_set"] = feature_set
    frozen["n_customers_fitted"] = fitted.n_fitted
    frozen["algorithm"] = fitted.algorithm
    frozen["reference_date"] = _reference_date(rfm)
    if progress is not None:
        progress(
            f"fitted {version}: feature_set={feature_set} k={k} on {len(rfm)} customers "
            f"({time.perf_counter() - started:.1f}s)"
        )
    ordered = frozen[FROZEN_MODEL_COLUMNS]
    return ordered.sort_values(["segment_id", "feature_order"], ignore_index=True)


def split_frozen_model(frozen: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(centroids, transform) frames of a frozen model table, as `score_with_frozen_model` wants."""
    missing = [c for c in FROZEN_MODEL_COLUMNS if c not in frozen.columns]
    if missing:
        raise ValueError(f"frozen model table is missing column(s): {', '.join(missing)}")
    centroids = frozen[CENTROID_COLUMNS]
    transform = frozen[list(PARAMS_COLUMNS)].drop_duplicates(["model_version", "feature"])
    return centroids, transform


def score_customers(rfm: pd.DataFrame, frozen: pd.DataFrame) -> pd.DataFrame:
    """Assign every customer to the nearest frozen centroid (no refit): one row per customer."""
    centroids, transform = split_frozen_model(frozen)
    versions = frozen["model_version"].unique()
    if len(versions) != 1:
        raise ValueError(f"frozen model table must hold one model_version, found {len(versions)}")
    scored = score_with_frozen_model(rfm, centroids, transform)
    names = frozen.drop_duplicates("segment_id").set_index("segment_id")["segment_name"]
    return pd.DataFrame(
        {
            "customer_unique_id": rfm["customer_unique_id"].to_numpy(),
            "segment_id": scored["segment_id"].to_numpy(),
            "segment_name": scored["segment_id"].map(names).to_numpy(),
            "distance_to_centroid": scored["distance_to_centroid"].to_numpy(),
            "model_version": versions[0],
        }
    )


def scaled_features(rfm: pd.DataFrame, frozen: pd.DataFrame) -> np.ndarray:
    """The customers' features in the frozen model's scaled space."""
    _, transform = split_frozen_model(frozen)
    return apply_transform(rfm, params_from_frame(transform))


def run_comparison(
    rfm: pd.DataFrame,
    frozen: pd.DataFrame,
    settings: SegmentationSettings,
) -> pd.DataFrame:
    """KMeans against hierarchical clustering and Gaussian mixtures on the same scaled features."""
    X = scaled_features(rfm, frozen)
    labels = score_customers(rfm, frozen)["segment_id"].to_numpy()
    k = int(frozen["k"].iloc[0])
    comparison = compare_algorithms(
        X,
        labels,
        k,
        settings.seed,
        sample_size=settings.comparison_sample_size,
        silhouette_sample=settings.silhouette_sample_size,
        minibatch_above=settings.minibatch_above,
    )
    comparison["model_version"] = frozen["model_version"].iloc[0]
    return comparison
