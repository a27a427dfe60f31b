"""Deterministic, human-readable segment names derived from centroids.

Names are what marketing reads, so they must (a) say something true about the segment, (b) be
unique within a model, and (c) never change unless the centroids or the population change: no
randomness and no dependence on k-means' label order. Each centroid (in original units) is
placed against the population's distribution:

* recency: at or below the lower quantile -> "Recent", above the upper -> "Dormant", else
  "Lapsing";
* frequency: an absolute threshold ("repeat" vs "one-time"), because ~97% of Olist customers buy
  once and population quantiles of frequency are all 1;
* monetary: population quantiles -> "low" / "mid" / "high spenders";
* optional qualifiers: low review score -> "unhappy", high late-delivery share -> "late
  deliveries".

If two segments still share a name, the feature on which they differ most (relative to the
population's spread) is added as a qualifier ("more recent" / "less recent", ...). Only if that
cannot separate them is a number appended, " (2)", in segment-id order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd

# Wording only (not a tunable): how to say "low value" / "high value" of a feature when two
# segments need to be told apart. Overridable through ``name_segments(contrast_words=...)``.
DEFAULT_CONTRAST_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "recency_days": ("more recent", "less recent"),
        "frequency": ("fewer orders", "more orders"),
        "monetary": ("lower spend", "higher spend"),
        "avg_order_value": ("smaller baskets", "bigger baskets"),
        "avg_review_score": ("lower reviews", "higher reviews"),
        "avg_delivery_days": ("faster delivery", "slower delivery"),
        "late_delivery_share": ("fewer late deliveries", "more late deliveries"),
        "category_count": ("fewer categories", "more categories"),
        "max_installments": ("fewer installments", "more installments"),
    }
)


def _level(value: float, low: float, high: float) -> int:
    """0 if ``value <= low``, 2 if ``value > high``, else 1."""
    if value <= low:
        return 0
    if value > high:
        return 2
    return 1


def _quantiles(population: pd.DataFrame, column: str, qs: Sequence[float]) -> tuple[float, float]:
    """Population quantiles of ``column`` ignoring NULLs (linear-time partition, fine at 10M)."""
    values = population[column].to_numpy(dtype="float64", na_value=np.nan)
    values = values[~np.isnan(values)]
    if values.size == 0:
        raise ValueError(f"population column {column} has no non-NULL value")
    low, high = np.quantile(values, list(qs))
    return float(low), float(high)


def _base_name(
    centroid: pd.Series,
    recency_col: str,
    frequency_col: str,
    monetary_col: str,
    recency_cuts: tuple[float, float] | None,
    monetary_cuts: tuple[float, float] | None,
    repeat_min_frequency: float,
    recency_words: Sequence[str],
    monetary_words: Sequence[str],
) -> str:
    """Recency / frequency / spend words of one centroid; absent features are simply not named."""
    words: list[str] = []
    if recency_cuts is not None:
        words.append(recency_words[_level(float(centroid[recency_col]), *recency_cuts)])
    if frequency_col in centroid.index:
        words.append(
            "repeat" if float(centroid[frequency_col]) >= repeat_min_frequency else "one-time"
        )
    if monetary_cuts is not None:
        words.append(monetary_words[_level(float(centroid[monetary_col]), *monetary_cuts)])
    elif words:
        words.append("buyers")
    name = " ".join(words) if words else "Customers"
    return name[0].upper() + name[1:]


def _qualified(
    name: str,
    centroid: pd.Series,
    review_col: str,
    late_col: str,
    unhappy_review_below: float,
    late_share_above: float,
) -> str:
    """Append experience qualifiers that a marketer should not miss (bad reviews, late orders)."""
    qualifiers = []
    if review_col in centroid.index and float(centroid[review_col]) < unhappy_review_below:
        qualifiers.append("unhappy")
    if late_col in centroid.index and float(centroid[late_col]) > late_share_above:
        qualifiers.append("late deliveries")
    if qualifiers:
        name += ", " + ", ".join(qualifiers)
    return name


def _contrast_feature(
    group: pd.DataFrame, population: pd.DataFrame, candidates: Sequence[str]
) -> str | None:
    """Feature on which the group's centroids differ most, in population standard deviations.

    Ties go to the feature listed first, so the choice is deterministic.
    """
    best, best_spread = None, 0.0
    for column in candidates:
        if column not in population.columns:
            continue
        std = float(np.nanstd(population[column].to_numpy(dtype="float64", na_value=np.nan)))
        if not np.isfinite(std) or std == 0:
            continue
        values = group[column].to_numpy(dtype="float64")
        spread = float(np.nanmax(values) - np.nanmin(values)) / std
        if spread > best_spread:
            best, best_spread = column, spread
    return best


def name_segments(
    centroids_original: pd.DataFrame,
    population: pd.DataFrame,
    recency_col: str = "recency_days",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
    review_col: str = "avg_review_score",
    late_col: str = "late_delivery_share",
    recency_quantiles: tuple[float, float] = (1 / 3, 2 / 3),
    monetary_quantiles: tuple[float, float] = (1 / 3, 2 / 3),
    repeat_min_frequency: float = 1.5,
    unhappy_review_below: float = 3.5,
    late_share_above: float = 0.5,
    recency_words: Sequence[str] = ("Recent", "Lapsing", "Dormant"),
    monetary_words: Sequence[str] = ("low spenders", "mid spenders", "high spenders"),
    contrast_words: Mapping[str, tuple[str, str]] = DEFAULT_CONTRAST_WORDS,
) -> dict[int, str]:
    """Unique, deterministic names ``{segment_id: name}``.

    ``centroids_original``: index ``segment_id``, one column per feature in original units (e.g.
    the pivot of ``centroid_original`` from the centroid table). ``population``: the customers'
    raw features, the reference for "recent" or "high". Features missing from the centroids are
    not used for the name, so any feature set works.
    """
    if centroids_original.empty:
        return {}
    if centroids_original.index.has_duplicates:
        raise ValueError("centroids_original has duplicated segment ids")
    for column in (recency_col, monetary_col):
        if column in centroids_original.columns and column not in population.columns:
            raise ValueError(f"population lacks column {column} needed to name the segments")
    if len(recency_words) != 3 or len(monetary_words) != 3:
        raise ValueError("recency_words and monetary_words need exactly three entries each")

    ordered = centroids_original.sort_index()
    # population cut points computed once: at 10M customers each quantile is a full pass
    recency_cuts = (
        _quantiles(population, recency_col, recency_quantiles)
        if recency_col in ordered.columns
        else None
    )
    monetary_cuts = (
        _quantiles(population, monetary_col, monetary_quantiles)
        if monetary_col in ordered.columns
        else None
    )
    names = {}
    for segment_id, row in ordered.iterrows():
        base = _base_name(
            row,
            recency_col,
            frequency_col,
            monetary_col,
            recency_cuts,
            monetary_cuts,
            repeat_min_frequency,
            recency_words,
            monetary_words,
        )
        names[int(segment_id)] = _qualified(
            base, row, review_col, late_col, unhappy_review_below, late_share_above
        )
    return _make_unique(names, ordered, population, contrast_words)


def _make_unique(
    names: dict[int, str],
    centroids: pd.DataFrame,
    population: pd.DataFrame,
    contrast_words: Mapping[str, tuple[str, str]],
) -> dict[int, str]:
    """Disambiguate equal names by their most different feature, then by number as last resort."""
    result = dict(names)
    by_name: dict[str, list[int]] = {}
    for segment_id, name in names.items():
        by_name.setdefault(name, []).append(segment_id)
    for name, ids in by_name.items():
        if len(ids) < 2:
            continue
        group = centroids.loc[ids]
        feature = _contrast_feature(group, population, list(centroids.columns))
        if feature is not None:
            low_word, high_word = contrast_words.get(
                feature,
                (f"lower {feature.replace('_', ' ')}", f"higher {feature.replace('_', ' ')}"),
            )
            values = group[feature].to_numpy(dtype="float64")
            low, high = np.nanmin(values), np.nanmax(values)
            for segment_id, value in zip(ids, values, strict=True):
                if value == low:
                    word = low_word
                elif value == high:
                    word = high_word
                else:
                    word = f"mid {feature.replace('_', ' ')}"
                result[segment_id] = f"{name} ({word})"
    # last resort, and a guard against a qualifier colliding with another segment's base name
    seen: dict[str, int] = {}
    for segment_id in sorted(result):
        name = result[segment_id]
        if name in seen:
            seen[name] += 1
            candidate = f"{name} ({seen[name]})"
            while candidate in result.values() or candidate in seen:
                seen[name] += 1
                candidate = f"{name} ({seen[name]})"
            result[segment_id] = candidate
            seen[candidate] = 1
        else:
            seen[name] = 1
    return result
