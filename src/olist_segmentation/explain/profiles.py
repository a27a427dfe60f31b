"""Segment profiles: per-segment feature statistics (long) and the words that explain them.

``segment_profile_features`` has one row per segment and feature (mean, median, z-score), so its
schema is the same whatever var profile_features lists; ``segment_profiles`` has one row per
segment with fixed columns (size, revenue, top states and categories, description, action),
its words written from those statistics. The per-customer input holds only numbers; everything
textual (segment names, states, categories) arrives already counted per segment by the dbt models
``int_segment_labels_counted``, ``int_segment_states_counted`` and
``int_segment_categories_counted``, so that at 10M customers no text column is ever repeated per
customer in pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from olist_segmentation.explain.wording import (
    ActionRules,
    DescriptionOptions,
    describe_segment,
    suggest_action,
)
from olist_segmentation.warehouse import float_column, require_columns

LABEL_COLUMNS = ("segment_id", "segment_name", "model_version")
STATE_COUNT_COLUMNS = ("segment_id", "customer_state", "customer_count")
CATEGORY_COUNT_COLUMNS = ("segment_id", "product_category", "customer_count")
PROFILE_FEATURE_COLUMNS = [
    "segment_id",
    "feature",
    "feature_position",
    "mean",
    "median",
    "z_score",
    "population_mean",
    "model_version",
]
PROFILE_COLUMNS = [
    "segment_id",
    "segment_name",
    "model_version",
    "customer_count",
    "customer_share",
    "revenue",
    "revenue_share",
    "top_states",
    "top_categories",
    "description",
    "suggested_action",
]


@dataclass(frozen=True)
class FeatureStatistics:
    """Per-segment means and medians of the features, their z-scores, the population means."""

    means: pd.DataFrame
    medians: pd.DataFrame
    z_scores: pd.DataFrame
    population_means: pd.Series


def feature_statistics(
    values: pd.DataFrame, segment_ids: np.ndarray, features: Sequence[str]
) -> FeatureStatistics:
    """Means and medians per segment, ignoring NULLs (a customer who never reviewed has no review
    score, not 0), and ``z`` = (segment mean - population mean) / population standard deviation
    (ddof=0) over every customer; 0 when the feature is constant, NULL when the segment's mean is.
    """
    features = list(features)
    frame = values[features].assign(segment_id=segment_ids)
    grouped = frame.groupby("segment_id", sort=True)
    means, medians = grouped[features].mean(), grouped[features].median()
    population_mean = frame[features].mean()
    population_std = frame[features].std(ddof=0)
    safe_std = population_std.where(population_std > 1e-12)
    z = ((means - population_mean) / safe_std).fillna(0.0).where(means.notna())
    return FeatureStatistics(means, medians, z, population_mean)


def top_shares(
    counts: pd.DataFrame, column: str, totals: pd.Series, *, top_n: int
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """``"SP 41% · RJ 13%"`` per segment, and the names shown, from (segment_id, ``column``,
    customer_count) rows; shares are of ``totals`` (the segment's customers), so a customer who
    counts in several categories makes the category shares sum to more than 1."""
    counts = counts[["segment_id", column, "customer_count"]]
    counts = counts.assign(share=counts["customer_count"] / counts["segment_id"].map(totals))
    counts = counts.sort_values(
        ["segment_id", "customer_count", column], ascending=[True, False, True]
    )
    top = counts.groupby("segment_id", sort=True).head(top_n)
    text: dict[int, str] = {}
    names: dict[int, list[str]] = {}
    for segment_id, group in top.groupby("segment_id", sort=True):
        text[int(segment_id)] = " · ".join(
            f"{value} {share:.0%}"
            for value, share in zip(group[column], group["share"], strict=True)
        )
        names[int(segment_id)] = [str(v) for v in group[column]]
    return text, names


def _segmented_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """Customers with a segment: a profile cannot say anything about the others."""
    has_segment = customers["segment_id"].notna()
    data = customers if has_segment.all() else customers[has_segment]
    if data.empty:
        raise ValueError("segments holds no customer with a segment")
    return data


def _labels_by_segment(labels: pd.DataFrame, segment_ids: np.ndarray) -> pd.DataFrame:
    """Labels indexed by segment_id; fails naming the segments that have customers but no name."""
    indexed = labels.astype({"segment_id": "int64"}).drop_duplicates("segment_id")
    indexed = indexed.set_index("segment_id")
    unlabelled = [int(i) for i in segment_ids if i not in indexed.index]
    if unlabelled:
        raise ValueError(f"segment_labels has no name for segment(s) {unlabelled}")
    return indexed


def profile_feature_rows(
    customers: pd.DataFrame, labels: pd.DataFrame, features: Sequence[str]
) -> pd.DataFrame:
    """One row per segment and feature: mean, median, z-score and the population mean.

    ``customers``: one row per customer with ``segment_id`` and every feature
    (`warehouse.read_segments_with_features`); ``labels``: segment_id, segment_name,
    model_version (int_segment_labels_counted). Statistics: :func:`feature_statistics`.
    ``feature_position`` keeps the order of ``features`` (1-based).
    """
    features = list(features)
    if not features:
        raise ValueError("at least one profile feature is required")
    require_columns(customers, ["segment_id", *features], "segments")
    require_columns(labels, LABEL_COLUMNS, "segment_labels")
    data = _segmented_customers(customers)
    seg = data["segment_id"].to_numpy().astype("int64")
    values = pd.DataFrame({f: float_column(data, f) for f in features})
    stats = feature_statistics(values, seg, features)
    ids = stats.means.index.to_numpy()
    named = _labels_by_segment(labels, ids)
    k, d = len(ids), len(features)
    rows = pd.DataFrame(
        {
            "segment_id": np.repeat(ids.astype("int64"), d),
            "feature": features * k,
            "feature_position": np.tile(np.arange(1, d + 1, dtype="int64"), k),
            "mean": stats.means[features].to_numpy(dtype="float64").reshape(-1),
            "median": stats.medians[features].to_numpy(dtype="float64").reshape(-1),
            "z_score": stats.z_scores[features].to_numpy(dtype="float64").reshape(-1),
            "population_mean": np.tile(stats.population_means[features].to_numpy("float64"), k),
            "model_version": np.repeat(named.loc[ids, "model_version"].astype(str).to_numpy(), d),
        }
    )
    return rows[PROFILE_FEATURE_COLUMNS]


def _per_segment(feature_rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` of the long feature rows as segments x features, in feature order."""
    ordered = feature_rows.sort_values(["feature_position", "segment_id"], kind="stable")
    features = list(dict.fromkeys(ordered["feature"]))
    return ordered.pivot(index="segment_id", columns="feature", values=column)[features]


def segment_profiles(
    customers: pd.DataFrame,
    labels: pd.DataFrame,
    state_counts: pd.DataFrame,
    category_counts: pd.DataFrame,
    feature_rows: pd.DataFrame,
    *,
    top_n: int = 3,
    description: DescriptionOptions | None = None,
    actions: ActionRules | None = None,
) -> pd.DataFrame:
    """One row per segment, fixed columns: size, revenue, top states and categories, a generated
    description and a suggested action.

    ``customers``: one row per customer with ``segment_id`` and ``monetary``. ``labels``:
    segment_id, segment_name, model_version (int_segment_labels_counted). ``state_counts`` /
    ``category_counts``: segment_id, customer_state / product_category, customer_count (the
    segment's customers in that state, or who bought in that category:
    int_segment_states_counted, int_segment_categories_counted). ``feature_rows``: the per-feature
    statistics (:func:`profile_feature_rows`, marts.segment_profile_features), which the words are
    written from, so the texts and the published numbers cannot disagree. Texts:
    :mod:`olist_segmentation.explain.wording`.
    """
    require_columns(customers, ["segment_id", "monetary"], "segments")
    require_columns(labels, LABEL_COLUMNS, "segment_labels")
    require_columns(state_counts, STATE_COUNT_COLUMNS, "state_counts")
    require_columns(category_counts, CATEGORY_COUNT_COLUMNS, "category_counts")
    require_columns(feature_rows, PROFILE_FEATURE_COLUMNS, "profile_features")
    if top_n < 1:
        raise ValueError(f"top_n must be >= 1, got {top_n}")
    data = _segmented_customers(customers)
    seg = data["segment_id"].to_numpy().astype("int64")
    counts = pd.Series(seg).value_counts().sort_index()
    revenue = pd.Series(float_column(data, "monetary"), index=seg).groupby(level=0).sum()
    ids = counts.index.to_numpy()
    named = _labels_by_segment(labels, ids)
    means, z_scores = _per_segment(feature_rows, "mean"), _per_segment(feature_rows, "z_score")
    missing = [int(i) for i in ids if i not in means.index]
    if missing:
        raise ValueError(f"profile_features has no statistics for segment(s) {missing}")
    population = (
        feature_rows.drop_duplicates("feature").set_index("feature")["population_mean"].to_dict()
    )
    state_text, _ = top_shares(state_counts, "customer_state", counts, top_n=top_n)
    category_text, category_names = top_shares(
        category_counts, "product_category", counts, top_n=top_n
    )
    total_customers, total_revenue = int(counts.sum()), float(revenue.sum())
    rows = []
    for segment_id in ids:
        key = int(segment_id)
        count = int(counts[segment_id])
        share = count / total_customers
        mean_row = {f: float(v) for f, v in means.loc[segment_id].items()}
        z_row = {f: float(v) for f, v in z_scores.loc[segment_id].items()}
        segment_revenue = float(revenue[segment_id])
        rows.append(
            {
                "segment_id": key,
                "segment_name": str(named.at[segment_id, "segment_name"]),
                "model_version": str(named.at[segment_id, "model_version"]),
                "customer_count": count,
                "customer_share": share,
                "revenue": segment_revenue,
                "revenue_share": segment_revenue / total_revenue if total_revenue else np.nan,
                "top_states": state_text.get(key, ""),
                "top_categories": category_text.get(key, ""),
                "description": describe_segment(
                    count, share, mean_row, population, z_row, options=description
                ),
                "suggested_action": suggest_action(
                    mean_row, z_row, category_names.get(key, []), rules=actions
                ),
            }
        )
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)
