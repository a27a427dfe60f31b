"""The surrogate tree: a shallow decision tree that reproduces the k-means labels.

It is fitted once (dbt model ``int_segment_surrogate_tree``) and stored as a long table, one row
per node; the rules (:mod:`.rules`) and the permutation importance (:mod:`.importance`) both read
that table back, so they explain the very same tree. The table keeps the exact thresholds
scikit-learn chose, and :class:`TreePredictor` follows them the way scikit-learn does, so the
stored tree predicts exactly what the fitted one did.

**Fit part and held-out rest.** The customers are split once by a seeded hash of their id
(:func:`split_customers`): the ``fit_share`` of them with the lowest priorities form the fit part,
the others are held out. The tree is fitted on the fit part (on its first ``sample_size``
customers in priority order when it is larger); the rules' ``holdout_fidelity`` and the
permutation importance are measured on the held-out rest only, so they are not scores on
training rows. The split depends on the ids and the seed, never on the order of the rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.tree import DecisionTreeClassifier

from olist_segmentation.sampling import (
    customer_priority,
    lowest_priority_positions,
    sample_customers,
)
from olist_segmentation.settings import ExplainSettings
from olist_segmentation.warehouse import float_column

# The customer id the seeded samples of the explanations are drawn from.
ID_COLUMN = "customer_unique_id"

TREE_COLUMNS = [
    "model_version",
    "node_id",
    "depth",
    "is_leaf",
    "feature",
    "threshold",
    "impute_value",
    "is_integer_feature",
    "left_node_id",
    "right_node_id",
    "segment_id",
    "node_customer_count",
    "max_depth",
    "seed",
    "customer_count",
    "fitted_customer_count",
    "fit_share",
    "held_out_customer_count",
]


@dataclass(frozen=True)
class SurrogateOptions:
    """How the surrogate tree is fitted.

    ``fit_share``: share of the customers (chosen by a seeded hash of the id) the tree may be
    fitted on; the rest is held out to measure it (1.0 = no held-out part).
    ``sample_size``: at most this many customers of the fit part are used (bounded cost at any
    data size). ``min_samples_leaf`` (a count, or a share of the sample) keeps rules from
    describing a handful of customers.
    """

    max_depth: int = 4
    seed: int = 42
    min_samples_leaf: int | float = 0.01
    sample_size: int = 100_000
    fit_share: float = 0.8

    @classmethod
    def from_settings(cls, settings: ExplainSettings) -> SurrogateOptions:
        """The options the dbt vars set (surrogate_max_depth, surrogate_sample_size,
        explain_fit_share, seed)."""
        return cls(
            max_depth=settings.surrogate_max_depth,
            seed=settings.seed,
            sample_size=settings.surrogate_sample_size,
            fit_share=settings.fit_share,
        )


def fit_part_size(customer_count: int, fit_share: float) -> int:
    """Customers in the fit part: ``floor(fit_share x customer_count)``, at least one."""
    if not 0.0 < fit_share <= 1.0:
        raise ValueError(f"fit_share must be in (0, 1], got {fit_share}")
    return max(1, min(customer_count, math.floor(fit_share * customer_count + 1e-9)))


def split_customers(
    customer_ids: Any, *, fit_share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted positions of (the fit part, the held-out rest) of ``customer_ids``.

    The fit part is the :func:`fit_part_size` customers with the lowest seeded priority of their
    id (:func:`olist_segmentation.sampling.customer_priority`), the held-out rest every other
    customer: disjoint, together all rows, and the same customers whatever the row order. Every
    seeded sample ``sample_customers(ids, size <= fit part, seed=seed)`` lies inside the fit part.
    """
    ids = np.asarray(customer_ids)
    priority = customer_priority(ids, seed=seed)
    fit_part = lowest_priority_positions(priority, size=fit_part_size(len(ids), fit_share))
    held_out = np.ones(len(ids), dtype=bool)
    held_out[fit_part] = False
    return fit_part, np.flatnonzero(held_out)


@dataclass(frozen=True)
class FittedTree:
    """A fitted surrogate tree as flat arrays, in scikit-learn's node order (parents first).

    ``feature[i] == -1`` marks a leaf. Rows go left when ``x <= threshold``. ``segment[i]`` is the
    segment node ``i`` predicts (the majority of its fit-sample customers). ``impute_values`` is
    what a NULL of each feature is replaced with; ``integer_features`` flags features whose
    observed values are all whole numbers. The tree was fitted on the customers
    ``sample_customers(ids, size=fitted_customer_count, seed=seed)`` of the ``customer_count``
    customers it explains (:meth:`fit_rows`), all in the fit part of ``fit_share``; the
    ``held_out_customer_count`` others (:meth:`held_out_rows`) never took part in the fit.
    """

    features: list[str]
    impute_values: np.ndarray
    integer_features: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    segment: np.ndarray
    node_customers: np.ndarray
    max_depth: int
    seed: int
    customer_count: int
    fitted_customer_count: int
    fit_share: float
    held_out_customer_count: int

    def _check_count(self, customer_ids: Any) -> None:
        if len(customer_ids) != self.customer_count:
            raise ValueError(
                f"the tree explains {self.customer_count} customers, got {len(customer_ids)} ids"
            )

    def fit_rows(self, customer_ids: Any) -> np.ndarray:
        """Positions, among ``customer_ids`` (the customers it explains, in any order), of the
        customers the tree was fitted on, in priority order."""
        self._check_count(customer_ids)
        return sample_customers(customer_ids, size=self.fitted_customer_count, seed=self.seed)

    def held_out_rows(self, customer_ids: Any) -> np.ndarray:
        """Sorted positions, among ``customer_ids`` (in any order), of the held-out customers:
        outside the fit part, so never seen by the fit (empty when ``fit_share`` is 1)."""
        self._check_count(customer_ids)
        _, held_out = split_customers(customer_ids, fit_share=self.fit_share, seed=self.seed)
        if len(held_out) != self.held_out_customer_count:
            raise ValueError(
                f"the tree holds out {self.held_out_customer_count} customers, the ids give "
                f"{len(held_out)}: rebuild int_segment_surrogate_tree"
            )
        return held_out

    def node_depths(self) -> np.ndarray:
        """Depth of every node (root 0); parents precede children in the layout."""
        depths = np.zeros(len(self.feature), dtype="int64")
        for i in range(len(self.feature)):
            if self.feature[i] >= 0:
                depths[self.left[i]] = depths[self.right[i]] = depths[i] + 1
        return depths


def customer_ids(features_df: pd.DataFrame, id_column: str = ID_COLUMN) -> np.ndarray:
    """The customer ids the seeded samples are drawn from; an error names the missing column."""
    if id_column not in features_df.columns:
        raise ValueError(
            f"features_df lacks the customer id column {id_column} the samples are drawn from"
        )
    return features_df[id_column].to_numpy()


def _observed(df: pd.DataFrame, feature: str) -> np.ndarray:
    column = float_column(df, feature)
    return column[~np.isnan(column)]


def impute_values(features_df: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Median of each feature over all rows, NULLs ignored (what a NULL is replaced with).

    The median, like the k-means transform, because it is robust to the long monetary tail;
    rounded for integer-valued features so that integer rules stay exact. 0 when all are NULL.
    """
    result = []
    for f in features:
        observed = _observed(features_df, f)
        if observed.size == 0:
            result.append(0.0)
            continue
        median = float(np.median(observed))
        if np.all(np.mod(observed, 1) == 0):
            median = float(math.floor(median + 0.5))
        result.append(median)
    return np.array(result, dtype="float64")


def integer_features(features_df: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Whether every observed value of each feature is a whole number (thresholds are then
    printed as integers); False for a feature without any observed value."""
    flags = []
    for f in features:
        observed = _observed(features_df, f)
        flags.append(bool(observed.size) and bool(np.all(np.mod(observed, 1) == 0)))
    return np.array(flags, dtype=bool)


def feature_matrix(
    features_df: pd.DataFrame, features: Sequence[str], fill: np.ndarray, rows: Any = None
) -> np.ndarray:
    """Rows of ``features_df`` as a float matrix with NULLs replaced by ``fill`` (per column)."""
    frame = features_df if rows is None else features_df.iloc[rows]
    X = np.column_stack([float_column(frame, f) for f in features])
    if np.isinf(X).any():
        raise ValueError("features contain infinite values")
    missing = np.isnan(X)
    if missing.any():
        X[missing] = np.take(fill, np.nonzero(missing)[1])
    return X


def check_inputs(
    features_df: pd.DataFrame, segment_ids: Any, features: Sequence[str]
) -> np.ndarray:
    """The labels as int64, after checking they match ``features_df`` and the features exist."""
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
    *,
    options: SurrogateOptions | None = None,
    id_column: str = ID_COLUMN,
) -> FittedTree:
    """Fit a decision tree that mimics the segment labels on the fit part of the customers.

    ``features_df`` holds the features in original units and the customer id (``id_column``);
    NULLs are replaced by the median (:func:`impute_values`), so that a rule reads the same
    whatever the scaling of k-means. The fit sample is the first ``min(sample_size, fit part)``
    customers of the fit part (:func:`split_customers`) in priority order, drawn from the ids,
    so the tree does not depend on the order of the rows and never sees a held-out customer.
    """
    options = options or SurrogateOptions()
    labels = check_inputs(features_df, segment_ids, features)
    if options.max_depth < 1:
        raise ValueError(f"max_depth must be >= 1, got {options.max_depth}")
    if options.sample_size <= 0:
        raise ValueError(f"sample_size must be positive, got {options.sample_size}")
    fit_part = fit_part_size(len(labels), options.fit_share)
    fill = impute_values(features_df, features)
    rows = sample_customers(
        customer_ids(features_df, id_column),
        size=min(options.sample_size, fit_part),
        seed=options.seed,
    )
    estimator = DecisionTreeClassifier(
        max_depth=options.max_depth,
        min_samples_leaf=options.min_samples_leaf,
        random_state=options.seed,
    )
    estimator.fit(feature_matrix(features_df, features, fill, rows), labels[rows])
    tree = estimator.tree_
    leaf = tree.children_left == -1
    return FittedTree(
        features=list(features),
        impute_values=fill,
        integer_features=integer_features(features_df, features),
        feature=np.where(leaf, -1, tree.feature).astype("int64"),
        threshold=np.where(leaf, np.nan, tree.threshold).astype("float64"),
        left=tree.children_left.astype("int64"),
        right=tree.children_right.astype("int64"),
        segment=estimator.classes_[np.argmax(tree.value[:, 0, :], axis=1)].astype("int64"),
        node_customers=tree.n_node_samples.astype("int64"),
        max_depth=options.max_depth,
        seed=options.seed,
        customer_count=len(labels),
        fitted_customer_count=len(rows),
        fit_share=float(options.fit_share),
        held_out_customer_count=len(labels) - fit_part,
    )


class TreePredictor(ClassifierMixin, BaseEstimator):
    """A :class:`FittedTree` as a scikit-learn classifier, for ``permutation_importance``.

    It predicts exactly as the fitted ``DecisionTreeClassifier`` did: scikit-learn compares the
    features cast to float32 with float64 thresholds, and so does :meth:`predict`.
    """

    def __init__(self, tree: FittedTree | None = None) -> None:
        self.tree = tree

    def fit(self, X: Any, y: Any) -> TreePredictor:
        """The tree is already fitted; scikit-learn's scorers only require the method."""
        return self

    @property
    def classes_(self) -> np.ndarray:
        return np.unique(self.tree.segment[self.tree.feature < 0])

    def predict(self, X: Any) -> np.ndarray:
        values = np.asarray(X, dtype=np.float32)
        tree = self.tree
        node = np.zeros(len(values), dtype="int64")
        positions = np.arange(len(values))
        while True:
            inner = tree.feature[node] >= 0
            if not inner.any():
                return tree.segment[node]
            at, here = positions[inner], node[inner]
            goes_left = values[at, tree.feature[here]] <= tree.threshold[here]
            node[inner] = np.where(goes_left, tree.left[here], tree.right[here])


def _on_inner_nodes(values: Any, inner: np.ndarray, dtype: str) -> Any:
    """``values`` on inner nodes, NULL on leaves (which test no feature)."""
    return pd.array([v if ok else None for v, ok in zip(list(values), inner, strict=True)], dtype)


def tree_to_table(tree: FittedTree, *, model_version: str) -> pd.DataFrame:
    """The tree as its warehouse table (``int_segment_surrogate_tree``), one row per node.

    A node's ``impute_value`` and ``is_integer_feature`` are those of the feature it tests: they
    are all a reader needs, because a feature the tree never tests is never read.
    """
    inner = tree.feature >= 0
    split = np.where(inner, tree.feature, 0)
    n_nodes = len(tree.feature)
    table = pd.DataFrame(
        {
            "model_version": [model_version] * n_nodes,
            "node_id": np.arange(n_nodes, dtype="int64"),
            "depth": tree.node_depths(),
            "is_leaf": ~inner,
            "feature": _on_inner_nodes([tree.features[j] for j in split], inner, "object"),
            "threshold": tree.threshold,
            "impute_value": _on_inner_nodes(tree.impute_values[split], inner, "Float64"),
            "is_integer_feature": _on_inner_nodes(tree.integer_features[split], inner, "boolean"),
            "left_node_id": _on_inner_nodes(tree.left, inner, "Int64"),
            "right_node_id": _on_inner_nodes(tree.right, inner, "Int64"),
            "segment_id": tree.segment,
            "node_customer_count": tree.node_customers,
            "max_depth": tree.max_depth,
            "seed": tree.seed,
            "customer_count": tree.customer_count,
            "fitted_customer_count": tree.fitted_customer_count,
            "fit_share": tree.fit_share,
            "held_out_customer_count": tree.held_out_customer_count,
        }
    )
    return table[TREE_COLUMNS]


def tree_from_table(
    table: pd.DataFrame, features: Sequence[str], *, model_version: str | None = None
) -> FittedTree:
    """Rebuild the tree from its table; ``features`` are the model's, in their column order.

    With ``model_version``, a tree fitted for another model fails instead of explaining it.
    Features the tree never tests get impute value 0 and no integer flag: nothing reads them.
    """
    missing = [c for c in TREE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"int_segment_surrogate_tree lacks column(s) {', '.join(missing)}")
    versions = sorted(map(str, table["model_version"].unique()))
    if model_version is not None and versions != [model_version]:
        raise ValueError(
            f"int_segment_surrogate_tree explains model(s) {', '.join(versions) or 'none'}, "
            f"not {model_version}: rebuild it"
        )
    nodes = table.sort_values("node_id", ignore_index=True)
    if nodes["node_id"].tolist() != list(range(len(nodes))):
        raise ValueError("int_segment_surrogate_tree: node_id must be 0..n-1 without gaps")
    features = list(features)
    tested = nodes.loc[~nodes["is_leaf"].astype(bool), "feature"].astype(str)
    unknown = sorted(set(tested) - set(features))
    if unknown:
        raise ValueError(
            f"int_segment_surrogate_tree tests feature(s) {', '.join(unknown)} that the model "
            f"does not have ({', '.join(features)}): rebuild it"
        )
    index = {f: j for j, f in enumerate(features)}
    inner = ~nodes["is_leaf"].to_numpy(dtype=bool)
    feature = np.full(len(nodes), -1, dtype="int64")
    feature[inner] = [index[f] for f in tested]
    fill = np.zeros(len(features), dtype="float64")
    integer = np.zeros(len(features), dtype=bool)
    fill[feature[inner]] = nodes.loc[inner, "impute_value"].to_numpy(dtype="float64")
    integer[feature[inner]] = nodes.loc[inner, "is_integer_feature"].to_numpy(dtype=bool)
    first = nodes.iloc[0]
    return FittedTree(
        features=features,
        impute_values=fill,
        integer_features=integer,
        feature=feature,
        threshold=nodes["threshold"].to_numpy(dtype="float64", na_value=np.nan),
        left=nodes["left_node_id"].to_numpy(dtype="float64", na_value=-1).astype("int64"),
        right=nodes["right_node_id"].to_numpy(dtype="float64", na_value=-1).astype("int64"),
        segment=nodes["segment_id"].to_numpy(dtype="int64"),
        node_customers=nodes["node_customer_count"].to_numpy(dtype="int64"),
        max_depth=int(first["max_depth"]),
        seed=int(first["seed"]),
        customer_count=int(first["customer_count"]),
        fitted_customer_count=int(first["fitted_customer_count"]),
        fit_share=float(first["fit_share"]),
        held_out_customer_count=int(first["held_out_customer_count"]),
    )
