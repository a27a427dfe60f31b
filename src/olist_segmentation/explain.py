"""Explain the segments to the people who use them: profiles, readable rules, feature importance.

K-means centroids in scaled units mean nothing to a marketer. This module turns a segmentation
into three small tables that do:

* :func:`segment_profiles`: one row per segment with its size, revenue, the mean and median of
  each feature, how far the segment sits from the population (z-scores), its top states and
  categories, a one-sentence description and a suggested action. Both texts are *generated* from
  the numbers by fixed rules, so they are deterministic and change only when the segments do.
* :func:`surrogate_rules`: a shallow decision tree trained to reproduce the k-means labels from
  the features in their original units, printed as one ``if ... then segment`` rule per leaf,
  with its fidelity (how often the rules agree with k-means). Thresholds are rounded to readable
  numbers, and the fidelity and coverage are those of the rounded rules that are shown.
* :func:`feature_importance`: permutation importance of that surrogate tree, i.e. which features
  the segment boundaries actually depend on.

Everything is linear in the number of customers: the tree is fitted on a seeded sample of
bounded size, evaluated on every row in fixed-size chunks, and the permutation importance runs on
a bounded sample. Every tunable is a parameter because the dbt models pass them from dbt vars.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.tree import DecisionTreeClassifier

from olist_segmentation.clustering import sample_indices
from olist_segmentation.features import parse_name_list
from olist_segmentation.warehouse import require_columns

DEFAULT_PROFILE_FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "avg_review_score",
    "avg_delivery_days",
    "late_delivery_share",
    "category_count",
    "max_installments",
)

RULE_COLUMNS = [
    "segment_id",
    "segment_name",
    "rule_id",
    "rule",
    "customers_covered",
    "rule_precision",
    "segment_coverage",
    "fidelity",
    "holdout_fidelity",
    "tree_depth",
    "n_customers_fitted",
    "model_version",
]

IMPORTANCE_COLUMNS = [
    "feature",
    "importance_mean",
    "importance_std",
    "rank",
    "method",
    "n_customers_evaluated",
    "model_version",
]

_DAYS_PER_MONTH = 30.44

# Pairs that say the same thing when their values coincide (wording, not a tunable):
# avg_order_value = monetary for one-time buyers. See describe_segment.
REDUNDANT_FEATURES = MappingProxyType({"avg_order_value": "monetary"})


# --------------------------------------------------------------------------------------------
# settings from dbt vars
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainSettings:
    """Validated settings of the explainability models (defaults live in dbt_project.yml vars)."""

    profile_features: list[str]
    surrogate_max_depth: int
    surrogate_sample_size: int
    importance_sample_size: int
    seed: int


def _config_int(raw: Mapping[str, Any], var: str, minimum: int, maximum: int | None = None) -> int:
    value = raw.get(var)
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        allowed = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum}"
        raise ValueError(f"Invalid var {var}={value!r}: expected an integer {allowed}")
    return number


def explain_settings_from_config(raw: Mapping[str, Any]) -> ExplainSettings:
    """Parse the vars a Python model received through its yml config; errors name the var.

    dbt renders every config value as text, so lists arrive as ``"['a', 'b']"``.
    """
    raw = raw or {}
    try:
        features = parse_name_list(raw.get("profile_features"), "profile_features")
    except ValueError as error:
        raise ValueError(
            f"Invalid var profile_features: {error}; expected a list of customer_rfm columns, "
            "e.g. [recency_days, frequency, monetary]"
        ) from error
    if not features or len(set(features)) != len(features):
        raise ValueError(
            f"Invalid var profile_features={features!r}: expected a non-empty list without repeats"
        )
    return ExplainSettings(
        profile_features=features,
        surrogate_max_depth=_config_int(raw, "surrogate_max_depth", 1, 6),
        surrogate_sample_size=_config_int(raw, "surrogate_sample_size", 100),
        importance_sample_size=_config_int(raw, "importance_sample_size", 100),
        seed=_config_int(raw, "segment_seed", 0),
    )


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


def frozen_model_features(frozen: pd.DataFrame) -> list[str]:
    """Features of the frozen model (marts.segment_centroids) in their column order.

    The surrogate rules use exactly these: the k-means labels are a function of them, so a tree
    can reach a high fidelity without borrowing a correlated proxy (average order value equals
    monetary for one-time buyers) that would make the rules misleading.
    """
    ordered = frozen.drop_duplicates("feature").sort_values("feature_order")
    return [str(f) for f in ordered["feature"]]


def segment_name_map(frozen: pd.DataFrame) -> dict[int, str]:
    """``{segment_id: segment_name}`` of a frozen model table (or of customer_segments)."""
    pairs = frozen.drop_duplicates("segment_id")
    return {int(i): str(n) for i, n in zip(pairs["segment_id"], pairs["segment_name"], strict=True)}


def _float_column(df: pd.DataFrame, column: str) -> np.ndarray:
    return df[column].to_numpy(dtype="float64", na_value=np.nan)


# --------------------------------------------------------------------------------------------
# profiles: numbers, description and suggested action
# --------------------------------------------------------------------------------------------


def _duration(days: float) -> str:
    if days >= 60:
        return f"about {round(days / _DAYS_PER_MONTH)} months"
    return f"{round(days)} days"


def _money(value: float) -> str:
    return f"R${value:,.0f}"


def format_feature_value(feature: str, value: float) -> str:
    """A feature value with its unit, as a marketer would say it (``R$160``, ``8 months``)."""
    formatters: dict[str, Callable[[float], str]] = {
        "recency_days": _duration,
        "frequency": lambda v: f"{v:.2f} orders",
        "monetary": _money,
        "avg_order_value": _money,
        "avg_review_score": lambda v: f"{v:.1f}/5",
        "avg_delivery_days": lambda v: f"{v:.0f} days",
        "late_delivery_share": lambda v: f"{v:.0%}",
        "category_count": lambda v: f"{v:.1f}",
        "max_installments": lambda v: f"{v:.1f}",
    }
    return formatters.get(feature, lambda v: f"{v:.3g}")(value)


def feature_phrase(feature: str, value: float, one_time_below: float = 1.05) -> str:
    """What a segment's mean of ``feature`` says about its customers, in plain words.

    ``one_time_below``: a mean frequency below this reads "bought once" (almost everyone in the
    segment has one order) instead of "placed 1.0 orders".
    """
    if feature == "recency_days":
        return f"last bought {_duration(value)} ago"
    if feature == "frequency":
        return "bought once" if value < one_time_below else f"placed {value:.1f} orders"
    if feature == "monetary":
        return f"spent {_money(value)} on average"
    if feature == "avg_order_value":
        return f"paid {_money(value)} per order"
    if feature == "avg_review_score":
        return f"rated their orders {value:.1f}/5"
    if feature == "avg_delivery_days":
        return f"waited {value:.0f} days for delivery"
    if feature == "late_delivery_share":
        return f"got {value:.0%} of their orders late"
    if feature == "category_count":
        return f"bought in {value:.1f} categories"
    if feature == "max_installments":
        return f"paid in up to {value:.1f} instalments"
    return f"had {feature.replace('_', ' ')} {value:.3g}"


def describe_segment(
    customer_count: int,
    customer_share: float,
    means: Mapping[str, float],
    population_means: Mapping[str, float],
    z_scores: Mapping[str, float],
    n_features: int = 3,
    min_features: int = 2,
    min_abs_z: float = 0.1,
    one_time_below: float = 1.05,
    redundant_with: Mapping[str, str] = REDUNDANT_FEATURES,
    redundant_rel_tol: float = 0.05,
) -> str:
    """One sentence: the segment size, then the features that set it apart most.

    Features are ranked by ``|z|`` (ties: order of ``z_scores``). The first ``min_features`` are
    always named; up to ``n_features`` are named when their ``|z|`` is at least ``min_abs_z``, so
    a segment that is average on a feature is not described by it. Each feature is compared with
    the population, because "R$319" means little without "population R$160". A feature listed
    in ``redundant_with`` is skipped when its mean is within ``redundant_rel_tol`` of its
    partner's: for one-time buyers the average order value *is* the amount spent, and saying it
    twice would push a more informative feature out.
    """
    ranked = sorted(
        (f for f, z in z_scores.items() if np.isfinite(z) and np.isfinite(means.get(f, np.nan))),
        key=lambda f: -abs(z_scores[f]),
    )
    ranked = [
        f
        for f in ranked
        if not (
            redundant_with.get(f) in ranked
            and math.isclose(means[f], means[redundant_with[f]], rel_tol=redundant_rel_tol)
        )
    ]
    chosen = [
        f
        for i, f in enumerate(ranked[:n_features])
        if i < min_features or abs(z_scores[f]) >= min_abs_z
    ]
    parts = [
        f"{feature_phrase(f, means[f], one_time_below)} "
        f"(population {format_feature_value(f, population_means[f])})"
        for f in chosen
    ]
    head = f"{customer_count:,} customers ({customer_share:.0%})"
    if not parts:
        return head + "."
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{head} who {body}."


def suggest_action(
    means: Mapping[str, float],
    z_scores: Mapping[str, float],
    top_categories: Sequence[str] = (),
    unhappy_review_below: float = 3.5,
    late_share_above: float = 0.25,
    repeat_min_frequency: float = 1.5,
    recency_z: float = 0.5,
    value_z: float = 0.5,
) -> str:
    """A marketing action chosen by fixed rules on the profile (first rule that fires wins).

    1. bad experience (mean review below ``unhappy_review_below`` stars, or more than
       ``late_share_above`` of orders late): service recovery comes before any sales message;
    2. recent (recency z <= -``recency_z``) and high value (monetary z >= ``value_z``): reward;
    3. repeat buyers (mean frequency >= ``repeat_min_frequency``): cross-sell in their categories;
    4. dormant (recency z >= ``recency_z``) and high value: a win-back worth a personal offer;
    5. dormant otherwise: a cheap win-back email;
    6. recent otherwise: nurture towards the second order;
    7. in between and high value: a personalised reminder before they lapse;
    8. in between otherwise: a plain reminder before they lapse.

    Thresholds on recency and value are z-scores (relative to the population) because "recent"
    depends on the business' rhythm; experience thresholds are absolute because 3.5 stars is
    bad whatever the others say. A missing feature counts as average (z = 0).
    """

    def z(feature: str) -> float:
        value = z_scores.get(feature, 0.0)
        return float(value) if value is not None and np.isfinite(value) else 0.0

    def mean(feature: str) -> float:
        value = means.get(feature, np.nan)
        return float(value) if value is not None else np.nan

    if mean("avg_review_score") < unhappy_review_below or mean("late_delivery_share") > (
        late_share_above
    ):
        return (
            "Service recovery first: apologise, fix the delivery or product issue, then re-engage"
        )
    recent, dormant = z("recency_days") <= -recency_z, z("recency_days") >= recency_z
    high_value = z("monetary") >= value_z
    if recent and high_value:
        return "Reward and upsell: loyalty programme, early access to new products"
    if mean("frequency") >= repeat_min_frequency:
        where = ", ".join(top_categories[:2]) if top_categories else "their favourite categories"
        return f"Cross-sell in categories {where}: bundles and recommendations"
    if dormant and high_value:
        return "High-value win-back: personal offer in the categories they bought"
    if dormant:
        return "Low-cost win-back email with a discount"
    if recent:
        return "Nurture towards a second order: welcome series and recommendations"
    if high_value:
        return "Personal reminder before they lapse: curated picks in the categories they bought"
    return "Reminder before they lapse: recommendations based on their last purchase"


def _top_shares(
    counts: pd.DataFrame, column: str, totals: pd.Series, top_n: int
) -> tuple[dict[int, str], dict[int, list[str]]]:
    """``"SP 41% · RJ 13%"`` per segment from (segment_id, column, n) rows; shares of ``totals``."""
    counts = counts.assign(share=counts["n"] / counts["segment_id"].map(totals))
    counts = counts.sort_values(["segment_id", "n", column], ascending=[True, False, True])
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


def segment_profiles(
    segments: pd.DataFrame,
    segment_labels: pd.DataFrame,
    state_counts: pd.DataFrame,
    category_counts: pd.DataFrame,
    features: Sequence[str],
    top_n: int = 3,
    n_described_features: int = 3,
    action_rules: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per segment: size, revenue, per-feature mean/median/z-score, top states and
    categories, a generated description and a suggested action.

    ``segments``: one row per customer with ``segment_id``, ``monetary`` and every feature
    (`warehouse.read_segments_with_features`). The other inputs are per-segment aggregates, so
    that at 10M customers no text column is repeated per customer, each counted in DuckDB by
    `olist_segmentation.warehouse`: ``segment_labels`` (segment_id, segment_name, model_version:
    `read_segment_labels`); ``state_counts`` (segment_id, customer_state, customers:
    `count_state_customers`); ``category_counts`` (segment_id, product_category, customers: the
    segment's customers who bought in the category, `count_category_customers`).

    Means and medians ignore NULLs (a customer who never reviewed has no review score, not 0).
    ``z_<feature>`` = (segment mean - population mean) / population standard deviation (ddof=0),
    the population being every customer in ``segments``; 0 when the feature is constant.
    ``top_categories`` gives the share of the segment's customers who bought in each category
    (a customer may count in several, so these shares need not sum to 1). ``action_rules``
    overrides the thresholds of :func:`suggest_action`.
    """
    features = list(features)
    require_columns(segments, ["segment_id", "monetary", *features], "segments")
    require_columns(
        segment_labels, ["segment_id", "segment_name", "model_version"], "segment_labels"
    )
    require_columns(state_counts, ["segment_id", "customer_state", "customers"], "state_counts")
    require_columns(
        category_counts, ["segment_id", "product_category", "customers"], "category_counts"
    )
    if top_n < 1:
        raise ValueError(f"top_n must be >= 1, got {top_n}")
    has_segment = segments["segment_id"].notna()
    data = segments if has_segment.all() else segments[has_segment]
    if data.empty:
        raise ValueError("segments holds no customer with a segment")
    seg = data["segment_id"].to_numpy().astype("int64")
    values = pd.DataFrame({f: _float_column(data, f) for f in features})
    values["segment_id"] = seg
    grouped = values.groupby("segment_id", sort=True)
    means, medians = grouped[features].mean(), grouped[features].median()
    population_mean = values[features].mean()
    population_std = values[features].std(ddof=0)
    safe_std = population_std.where(population_std > 1e-12)
    z = ((means - population_mean) / safe_std).fillna(0.0).where(means.notna())

    counts = pd.Series(seg).value_counts().sort_index()
    revenue = pd.Series(_float_column(data, "monetary"), index=seg).groupby(level=0).sum()
    first = segment_labels.astype({"segment_id": "int64"}).drop_duplicates("segment_id")
    first = first.set_index("segment_id")
    ids = counts.index.to_numpy()
    unlabelled = [int(i) for i in ids if i not in first.index]
    if unlabelled:
        raise ValueError(f"segment_labels has no name for segment(s) {unlabelled}")

    states = state_counts[["segment_id", "customer_state", "customers"]]
    states = states.rename(columns={"customers": "n"})
    state_text, _ = _top_shares(states, "customer_state", counts, top_n)
    bought = category_counts[["segment_id", "product_category", "customers"]]
    bought = bought.rename(columns={"customers": "n"})
    category_text, category_names = _top_shares(bought, "product_category", counts, top_n)

    total_customers, total_revenue = int(counts.sum()), float(revenue.sum())
    rows = []
    for segment_id in ids:
        count = int(counts[segment_id])
        share = count / total_customers
        mean_row = {f: float(means.at[segment_id, f]) for f in features}
        z_row = {f: float(z.at[segment_id, f]) for f in features}
        row: dict[str, Any] = {
            "segment_id": int(segment_id),
            "segment_name": str(first.at[segment_id, "segment_name"]),
            "model_version": str(first.at[segment_id, "model_version"]),
            "customer_count": count,
            "customer_share": share,
            "revenue": float(revenue[segment_id]),
            "revenue_share": float(revenue[segment_id]) / total_revenue
            if total_revenue
            else np.nan,
        }
        row.update({f"mean_{f}": mean_row[f] for f in features})
        row.update({f"median_{f}": float(medians.at[segment_id, f]) for f in features})
        row.update({f"z_{f}": z_row[f] for f in features})
        row["top_states"] = state_text.get(int(segment_id), "")
        row["top_categories"] = category_text.get(int(segment_id), "")
        row["description"] = describe_segment(
            count,
            share,
            mean_row,
            {f: float(population_mean[f]) for f in features},
            z_row,
            n_features=n_described_features,
        )
        row["suggested_action"] = suggest_action(
            mean_row, z_row, category_names.get(int(segment_id), []), **(action_rules or {})
        )
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# surrogate decision tree
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurrogateTree:
    """A fitted surrogate tree with readable (rounded) thresholds, as flat arrays.

    ``feature[i] == -1`` marks a leaf, whose ``leaf_segment`` is the segment it predicts. Rows go
    left when ``x <= threshold``. ``shown`` is the threshold as printed in the rules (for integer
    features ``threshold = shown + 0.5``, so "<= 3" is exact for integer values).
    """

    features: list[str]
    impute_values: np.ndarray
    integer_features: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    shown: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf_segment: np.ndarray
    depth: int
    n_fitted: int
    fit_rows: np.ndarray
    estimator: DecisionTreeClassifier


def round_significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (287.5 -> 290, 0.456 -> 0.46)."""
    if value == 0 or not np.isfinite(value):
        return float(value)
    magnitude = math.floor(math.log10(abs(value)))
    return float(round(value, digits - 1 - magnitude))


def _format_number(value: float) -> str:
    return np.format_float_positional(float(value), trim="-")


def impute_values(features_df: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Median of each feature over all rows, NULLs ignored (what a NULL is replaced with).

    The median, like the k-means transform, because it is robust to the long monetary tail;
    rounded for integer-valued features so that integer rules stay exact. 0 when all are NULL.
    """
    result = []
    for f in features:
        column = _float_column(features_df, f)
        observed = column[~np.isnan(column)]
        if observed.size == 0:
            result.append(0.0)
            continue
        median = float(np.median(observed))
        if np.all(np.mod(observed, 1) == 0):
            median = float(math.floor(median + 0.5))
        result.append(median)
    return np.array(result, dtype="float64")


def _integer_features(features_df: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    flags = []
    for f in features:
        column = _float_column(features_df, f)
        observed = column[~np.isnan(column)]
        flags.append(bool(observed.size) and bool(np.all(np.mod(observed, 1) == 0)))
    return np.array(flags, dtype=bool)


def _matrix(
    features_df: pd.DataFrame, features: Sequence[str], fill: np.ndarray, rows: Any = None
) -> np.ndarray:
    """Rows of ``features_df`` as a float matrix with NULLs replaced by ``fill`` (per column)."""
    frame = features_df if rows is None else features_df.iloc[rows]
    X = np.column_stack([_float_column(frame, f) for f in features])
    if np.isinf(X).any():
        raise ValueError("features contain infinite values")
    missing = np.isnan(X)
    if missing.any():
        X[missing] = np.take(fill, np.nonzero(missing)[1])
    return X


def _check_inputs(
    features_df: pd.DataFrame, segment_ids: Any, features: Sequence[str]
) -> np.ndarray:
    if not features:
        raise ValueError("at least one feature is required")
    missing = [f for f in features if f not in features_df.columns]
    if missing:
        raise ValueError(f"features_df lacks column(s) {', '.join(missing)}")
    labels = np.asarray(segment_ids)
    if len(labels) != len(features_df):
        raise ValueError(f"segment_ids has {len(labels)} rows, features_df has {len(features_df)}")
    if len(labels) == 0:
        raise ValueError("no customers to explain")
    if pd.isna(labels).any():
        raise ValueError("segment_ids contains NULLs")
    return labels.astype("int64")


def fit_surrogate_tree(
    features_df: pd.DataFrame,
    segment_ids: Any,
    features: Sequence[str],
    max_depth: int = 4,
    seed: int = 42,
    min_samples_leaf: int | float = 0.01,
    sample_size: int = 100_000,
    significant_digits: int = 2,
) -> SurrogateTree:
    """Fit a decision tree that mimics the segment labels, then make it readable.

    Fitted on a seeded sample of at most ``sample_size`` rows (bounded cost at any data size).
    ``min_samples_leaf`` (a count, or a share of the sample) keeps rules from describing a
    handful of customers. Thresholds are rounded to ``significant_digits`` significant digits
    (integer features to whole numbers), and a split whose two sides predict the same segment is
    merged away, since it changes no prediction and only lengthens the rules.
    """
    labels = _check_inputs(features_df, segment_ids, features)
    if max_depth < 1:
        raise ValueError(f"max_depth must be >= 1, got {max_depth}")
    fill = impute_values(features_df, features)
    integer = _integer_features(features_df, features)
    rows = sample_indices(len(labels), sample_size, seed)
    estimator = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=seed
    )
    estimator.fit(_matrix(features_df, features, fill, rows), labels[rows])
    tree = estimator.tree_
    classes = estimator.classes_

    feature_l: list[int] = []
    threshold_l: list[float] = []
    shown_l: list[float] = []
    left_l: list[int] = []
    right_l: list[int] = []
    leaf_l: list[int] = []

    def add(feature: int, threshold: float, shown: float, leaf: int) -> int:
        for lst, value in zip(
            (feature_l, threshold_l, shown_l, left_l, right_l, leaf_l),
            (feature, threshold, shown, -1, -1, leaf),
            strict=True,
        ):
            lst.append(value)
        return len(feature_l) - 1

    def build(node: int) -> tuple[int, int | None]:
        """(new node index, predicted segment if the subtree is a single leaf)."""
        if tree.children_left[node] == -1:
            segment = int(classes[int(np.argmax(tree.value[node][0]))])
            return add(-1, np.nan, np.nan, segment), segment
        j = int(tree.feature[node])
        shown = round_significant(float(tree.threshold[node]), significant_digits)
        if integer[j]:
            shown = float(math.floor(shown))
        threshold = shown + 0.5 if integer[j] else shown
        index = add(j, threshold, shown, -1)
        left, left_leaf = build(int(tree.children_left[node]))
        right, right_leaf = build(int(tree.children_right[node]))
        if left_leaf is not None and left_leaf == right_leaf:
            # both sides predict the same segment: the split says nothing; keep one leaf
            del feature_l[index:], threshold_l[index:], shown_l[index:]
            del left_l[index:], right_l[index:], leaf_l[index:]
            return add(-1, np.nan, np.nan, left_leaf), left_leaf
        left_l[index], right_l[index] = left, right
        return index, None

    build(0)
    feature_a = np.array(feature_l, dtype="int64")
    left_a, right_a = np.array(left_l, dtype="int64"), np.array(right_l, dtype="int64")
    depths = np.zeros(len(feature_a), dtype="int64")
    for i in range(len(feature_a)):  # parents precede children in this layout
        if feature_a[i] >= 0:
            depths[left_a[i]] = depths[right_a[i]] = depths[i] + 1
    return SurrogateTree(
        features=list(features),
        impute_values=fill,
        integer_features=integer,
        feature=feature_a,
        threshold=np.array(threshold_l, dtype="float64"),
        shown=np.array(shown_l, dtype="float64"),
        left=left_a,
        right=right_a,
        leaf_segment=np.array(leaf_l, dtype="int64"),
        depth=int(depths.max()),
        n_fitted=len(rows),
        fit_rows=rows,
        estimator=estimator,
    )


def route(tree: SurrogateTree, X: np.ndarray) -> np.ndarray:
    """Leaf node index of every row of ``X`` (already imputed), following the rounded rules."""
    node = np.zeros(len(X), dtype="int64")
    positions = np.arange(len(X))
    for _ in range(tree.depth):
        j = tree.feature[node]
        inner = j >= 0
        if not inner.any():
            break
        goes_left = X[positions[inner], j[inner]] <= tree.threshold[node[inner]]
        node[inner] = np.where(goes_left, tree.left[node[inner]], tree.right[node[inner]])
    return node


def _leaf_paths(tree: SurrogateTree) -> dict[int, list[tuple[int, bool, float]]]:
    """Conditions ``(feature, goes_left, shown threshold)`` from the root to every leaf."""
    paths: dict[int, list[tuple[int, bool, float]]] = {}
    stack: list[tuple[int, list[tuple[int, bool, float]]]] = [(0, [])]
    while stack:
        node, path = stack.pop()
        j = int(tree.feature[node])
        if j < 0:
            paths[node] = path
            continue
        shown = float(tree.shown[node])
        stack.append((int(tree.right[node]), [*path, (j, False, shown)]))
        stack.append((int(tree.left[node]), [*path, (j, True, shown)]))
    return paths


def rule_text(conditions: Sequence[tuple[int, bool, float]], features: Sequence[str]) -> str:
    """``"recency_days <= 120 and 100 < monetary <= 300"`` from a leaf's path.

    Conditions on the same feature are merged into one interval, features in the order they are
    first tested from the root; the root alone (a tree without split) is "all customers".
    """
    bounds: dict[int, list[float | None]] = {}
    for j, goes_left, value in conditions:
        low, high = bounds.setdefault(j, [None, None])
        if goes_left:
            bounds[j][1] = value if high is None else min(high, value)
        else:
            bounds[j][0] = value if low is None else max(low, value)
    parts = []
    for j, (low, high) in bounds.items():
        name = features[j]
        if low is not None and high is not None:
            parts.append(f"{_format_number(low)} < {name} <= {_format_number(high)}")
        elif high is not None:
            parts.append(f"{name} <= {_format_number(high)}")
        else:
            parts.append(f"{name} > {_format_number(low)}")
    return " and ".join(parts) if parts else "all customers"


def surrogate_rules(
    features_df: pd.DataFrame,
    segment_ids: Any,
    segment_names: Mapping[int, str],
    features: Sequence[str],
    max_depth: int = 4,
    seed: int = 42,
    min_samples_leaf: int | float = 0.01,
    sample_size: int = 100_000,
    significant_digits: int = 2,
    chunk_size: int = 262_144,
    model_version: str | None = None,
) -> tuple[pd.DataFrame, float]:
    """Readable rules that reproduce the segments, one row per leaf, and their fidelity.

    ``features_df`` holds the features in original units (NULLs are replaced by the median, see
    :func:`impute_values`); ``segment_ids`` the k-means label of each row. The tree is fitted
    on a seeded sample (:func:`fit_surrogate_tree`). **Fidelity** is the share of *all* rows
    whose rule predicts their k-means segment, computed in chunks of ``chunk_size`` with the
    rounded thresholds that are printed; ``holdout_fidelity`` is the same on the rows outside the
    fit sample (NULL when the sample is every row). Per rule: ``customers_covered`` (rows the
    rule matches), ``rule_precision`` (share of those really in the rule's segment) and
    ``segment_coverage`` (share of the segment's customers that the rule catches correctly).
    Rules that match nobody after rounding are dropped.
    """
    labels = _check_inputs(features_df, segment_ids, features)
    tree = fit_surrogate_tree(
        features_df,
        labels,
        features,
        max_depth=max_depth,
        seed=seed,
        min_samples_leaf=min_samples_leaf,
        sample_size=sample_size,
        significant_digits=significant_digits,
    )
    n_nodes, n = len(tree.feature), len(labels)
    covered = np.zeros(n_nodes, dtype="int64")
    correct = np.zeros(n_nodes, dtype="int64")
    in_sample = np.zeros(n, dtype=bool)
    in_sample[tree.fit_rows] = True
    holdout_total = holdout_correct = 0
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        X = _matrix(features_df, features, tree.impute_values, np.arange(start, stop))
        leaves = route(tree, X)
        hit = tree.leaf_segment[leaves] == labels[start:stop]
        covered += np.bincount(leaves, minlength=n_nodes)
        correct += np.bincount(leaves, weights=hit, minlength=n_nodes).astype("int64")
        outside = ~in_sample[start:stop]
        holdout_total += int(outside.sum())
        holdout_correct += int(hit[outside].sum())
    fidelity = float(correct.sum() / n)
    holdout = holdout_correct / holdout_total if holdout_total else np.nan
    segment_sizes = pd.Series(labels).value_counts()
    rows = []
    for leaf, path in _leaf_paths(tree).items():
        if covered[leaf] == 0:
            continue
        segment = int(tree.leaf_segment[leaf])
        rows.append(
            {
                "segment_id": segment,
                "segment_name": segment_names.get(segment, f"Segment {segment}"),
                "rule": rule_text(path, tree.features),
                "customers_covered": int(covered[leaf]),
                "rule_precision": float(correct[leaf] / covered[leaf]),
                "segment_coverage": float(correct[leaf] / segment_sizes.get(segment, np.nan)),
            }
        )
    rules = pd.DataFrame(rows)
    rules = rules.sort_values(
        ["segment_id", "customers_covered", "rule"], ascending=[True, False, True]
    ).reset_index(drop=True)
    rules.insert(2, "rule_id", np.arange(1, len(rules) + 1, dtype="int64"))
    rules["fidelity"] = fidelity
    rules["holdout_fidelity"] = holdout
    rules["tree_depth"] = tree.depth
    rules["n_customers_fitted"] = tree.n_fitted
    rules["model_version"] = model_version
    return rules[RULE_COLUMNS], fidelity


def feature_importance(
    features_df: pd.DataFrame,
    segment_ids: Any,
    features: Sequence[str],
    seed: int = 42,
    sample_size: int = 20_000,
    max_depth: int = 4,
    min_samples_leaf: int | float = 0.01,
    fit_sample_size: int = 100_000,
    n_repeats: int = 5,
    model_version: str | None = None,
) -> pd.DataFrame:
    """Permutation importance of the surrogate tree: which features the segments depend on.

    The surrogate tree (fitted as in :func:`fit_surrogate_tree`, unrounded) predicts the k-means
    labels of a seeded sample of ``sample_size`` rows drawn with ``seed + 1`` (mostly other rows
    than the fit sample); each feature is shuffled ``n_repeats`` times and the mean drop in
    accuracy is its importance. Model-agnostic and cheap: ``n_repeats x features`` predictions
    of a bounded sample. ``rank`` 1 is the most important; ties keep the order of ``features``.
    """
    labels = _check_inputs(features_df, segment_ids, features)
    tree = fit_surrogate_tree(
        features_df,
        labels,
        features,
        max_depth=max_depth,
        seed=seed,
        min_samples_leaf=min_samples_leaf,
        sample_size=fit_sample_size,
    )
    rows = sample_indices(len(labels), sample_size, seed + 1)
    X = _matrix(features_df, features, tree.impute_values, rows)
    result = permutation_importance(
        tree.estimator,
        X,
        labels[rows],
        scoring="accuracy",
        n_repeats=n_repeats,
        random_state=seed,
    )
    table = pd.DataFrame(
        {
            "feature": list(features),
            "importance_mean": result.importances_mean.astype("float64"),
            "importance_std": result.importances_std.astype("float64"),
            "order": np.arange(len(features)),
        }
    )
    table = table.sort_values(["importance_mean", "order"], ascending=[False, True])
    table["rank"] = np.arange(1, len(table) + 1, dtype="int64")
    table["method"] = (
        f"permutation importance of the surrogate decision tree (depth <= {max_depth}): mean drop "
        f"in accuracy against the k-means labels over {n_repeats} shuffles of the feature, on a "
        f"seeded sample of {len(rows):,} customers"
    )
    table["n_customers_evaluated"] = len(rows)
    table["model_version"] = model_version
    return table[IMPORTANCE_COLUMNS].reset_index(drop=True)
