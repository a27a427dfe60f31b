"""Readable rules from the surrogate tree: one ``if ... then segment`` rule per leaf.

The fitted tree's thresholds (287.4999) are rounded to numbers a person would write (290), and
every count and share reported is computed with the rounded rules that are printed, on every
customer, so the table never claims more than the rules shown can do. The fidelity is given on
every customer, on the fit sample and on the held-out customers the tree never saw
(:func:`olist_segmentation.explain.surrogate.split_customers`): the last is the one to trust.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from olist_segmentation.explain.surrogate import (
    ID_COLUMN,
    FittedTree,
    check_inputs,
    customer_ids,
    feature_matrix,
)

RULE_COLUMNS = [
    "segment_id",
    "segment_name",
    "rule_id",
    "rule",
    "covered_customer_count",
    "rule_precision",
    "segment_coverage",
    "fidelity",
    "fit_fidelity",
    "holdout_fidelity",
    "tree_depth",
    "fitted_customer_count",
    "held_out_customer_count",
    "model_version",
]

Condition = tuple[int, bool, float]


@dataclass(frozen=True)
class ReadableTree:
    """The surrogate tree with readable (rounded) thresholds, as flat arrays.

    ``feature[i] == -1`` marks a leaf, whose ``leaf_segment`` is the segment it predicts. Rows go
    left when ``x <= threshold``. ``shown`` is the threshold as printed in the rules (for integer
    features ``threshold = shown + 0.5``, so "<= 3" is exact for integer values).
    """

    features: list[str]
    impute_values: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    shown: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf_segment: np.ndarray
    depth: int


def round_significant(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (287.5 -> 290, 0.456 -> 0.46)."""
    if value == 0 or not np.isfinite(value):
        return float(value)
    magnitude = math.floor(math.log10(abs(value)))
    return float(round(value, digits - 1 - magnitude))


def format_number(value: float) -> str:
    """A threshold as written in a rule: no exponent, no trailing zeros (290, 0.46)."""
    return np.format_float_positional(float(value), trim="-")


class _ReadableTreeBuilder:
    """Copies a fitted tree node by node with rounded thresholds, merging away every split whose
    two sides predict the same segment: it changes no prediction and only lengthens the rules."""

    def __init__(self, fitted: FittedTree, significant_digits: int) -> None:
        self.fitted = fitted
        self.digits = significant_digits
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.shown: list[float] = []
        self.left: list[int] = []
        self.right: list[int] = []
        self.leaf: list[int] = []

    def _columns(self) -> tuple[list[Any], ...]:
        return self.feature, self.threshold, self.shown, self.left, self.right, self.leaf

    def _add(self, feature: int, threshold: float, shown: float, leaf: int) -> int:
        values = (feature, threshold, shown, -1, -1, leaf)
        for column, value in zip(self._columns(), values, strict=True):
            column.append(value)
        return len(self.feature) - 1

    def _truncate(self, length: int) -> None:
        for column in self._columns():
            del column[length:]

    def build(self, node: int) -> tuple[int, int | None]:
        """(new node index, predicted segment if the subtree is a single leaf)."""
        fitted = self.fitted
        j = int(fitted.feature[node])
        if j < 0:
            segment = int(fitted.segment[node])
            return self._add(-1, np.nan, np.nan, segment), segment
        shown = round_significant(float(fitted.threshold[node]), self.digits)
        integer = bool(fitted.integer_features[j])
        if integer:
            shown = float(math.floor(shown))
        index = self._add(j, shown + 0.5 if integer else shown, shown, -1)
        left, left_leaf = self.build(int(fitted.left[node]))
        right, right_leaf = self.build(int(fitted.right[node]))
        if left_leaf is not None and left_leaf == right_leaf:
            self._truncate(index)
            return self._add(-1, np.nan, np.nan, left_leaf), left_leaf
        self.left[index], self.right[index] = left, right
        return index, None


def readable_tree(fitted: FittedTree, *, significant_digits: int = 2) -> ReadableTree:
    """The fitted tree with thresholds rounded to ``significant_digits`` significant digits
    (integer features to whole numbers) and splits that change no prediction merged away."""
    builder = _ReadableTreeBuilder(fitted, significant_digits)
    builder.build(0)
    feature = np.array(builder.feature, dtype="int64")
    left, right = np.array(builder.left, dtype="int64"), np.array(builder.right, dtype="int64")
    depths = np.zeros(len(feature), dtype="int64")
    for i in range(len(feature)):  # parents precede children in this layout
        if feature[i] >= 0:
            depths[left[i]] = depths[right[i]] = depths[i] + 1
    return ReadableTree(
        features=list(fitted.features),
        impute_values=fitted.impute_values,
        feature=feature,
        threshold=np.array(builder.threshold, dtype="float64"),
        shown=np.array(builder.shown, dtype="float64"),
        left=left,
        right=right,
        leaf_segment=np.array(builder.leaf, dtype="int64"),
        depth=int(depths.max()),
    )


def route(tree: ReadableTree, X: np.ndarray) -> np.ndarray:
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


def leaf_paths(tree: ReadableTree) -> dict[int, list[Condition]]:
    """Conditions ``(feature, goes_left, shown threshold)`` from the root to every leaf."""
    paths: dict[int, list[Condition]] = {}
    stack: list[tuple[int, list[Condition]]] = [(0, [])]
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


def rule_text(conditions: Sequence[Condition], features: Sequence[str]) -> str:
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
            parts.append(f"{format_number(low)} < {name} <= {format_number(high)}")
        elif high is not None:
            parts.append(f"{name} <= {format_number(high)}")
        else:
            parts.append(f"{name} > {format_number(low)}")
    return " and ".join(parts) if parts else "all customers"


@dataclass(frozen=True)
class LeafCounts:
    """Per leaf of a readable tree: rows routed there and rows whose segment it predicts; and the
    rows and hits of the fit sample (``fit_*``) and of the held-out rows (``holdout_*``)."""

    covered: np.ndarray
    correct: np.ndarray
    fit_total: int
    fit_correct: int
    holdout_total: int
    holdout_correct: int


_OTHER, _FIT, _HELD_OUT = 0, 1, 2


def count_leaves(
    tree: ReadableTree,
    features_df: pd.DataFrame,
    labels: np.ndarray,
    fit_rows: np.ndarray,
    held_out_rows: np.ndarray,
    *,
    chunk_size: int,
) -> LeafCounts:
    """Route every row in chunks of ``chunk_size`` (bounded memory) and count per leaf, plus the
    rows and hits among ``fit_rows`` and among ``held_out_rows`` (two disjoint sets)."""
    n_nodes, n = len(tree.feature), len(labels)
    covered = np.zeros(n_nodes, dtype="int64")
    correct = np.zeros(n_nodes, dtype="int64")
    part = np.full(n, _OTHER, dtype="int8")
    part[fit_rows] = _FIT
    if (part[held_out_rows] == _FIT).any():
        raise ValueError("a held-out customer is in the fit sample: rebuild the surrogate tree")
    part[held_out_rows] = _HELD_OUT
    totals = np.zeros(3, dtype="int64")
    hits = np.zeros(3, dtype="int64")
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        X = feature_matrix(features_df, tree.features, tree.impute_values, np.arange(start, stop))
        leaves = route(tree, X)
        hit = tree.leaf_segment[leaves] == labels[start:stop]
        covered += np.bincount(leaves, minlength=n_nodes)
        correct += np.bincount(leaves, weights=hit, minlength=n_nodes).astype("int64")
        here = part[start:stop]
        totals += np.bincount(here, minlength=3)
        hits += np.bincount(here, weights=hit, minlength=3).astype("int64")
    return LeafCounts(
        covered,
        correct,
        int(totals[_FIT]),
        int(hits[_FIT]),
        int(totals[_HELD_OUT]),
        int(hits[_HELD_OUT]),
    )


def surrogate_rules(
    features_df: pd.DataFrame,
    segment_ids: Any,
    segment_names: Mapping[int, str],
    fitted: FittedTree,
    *,
    significant_digits: int = 2,
    chunk_size: int = 262_144,
    model_version: str | None = None,
    id_column: str = ID_COLUMN,
) -> tuple[pd.DataFrame, float]:
    """Readable rules that reproduce the segments, one row per leaf, and their fidelity.

    ``features_df`` and ``segment_ids`` are the customers ``fitted`` was fitted from, in any
    order: the fit sample and the held-out customers are found again from the customer ids
    (``id_column``). **Fidelity** is the share of rows whose rule predicts their k-means
    segment, with the rounded thresholds that are printed: ``fidelity`` on *all* rows (the
    value returned), ``fit_fidelity`` on the fit sample only (training rows) and
    ``holdout_fidelity`` on the held-out rows only, which the tree never saw (NULL only when
    nothing is held out, ``fit_share`` = 1). Per rule, on all rows: ``covered_customer_count``
    (rows the rule matches), ``rule_precision`` (share of those really in the rule's segment)
    and ``segment_coverage`` (share of the segment's customers that the rule catches
    correctly). Rules that match nobody after rounding are dropped.
    """
    labels = check_inputs(features_df, segment_ids, fitted.features)
    if len(labels) != fitted.customer_count:
        raise ValueError(
            f"the surrogate tree was fitted on {fitted.customer_count} customers, "
            f"got {len(labels)}: rebuild int_segment_surrogate_tree"
        )
    ids = customer_ids(features_df, id_column)
    fit_rows, held_out_rows = fitted.fit_rows(ids), fitted.held_out_rows(ids)
    tree = readable_tree(fitted, significant_digits=significant_digits)
    counts = count_leaves(tree, features_df, labels, fit_rows, held_out_rows, chunk_size=chunk_size)
    fidelity = float(counts.correct.sum() / len(labels))
    fit_fidelity = counts.fit_correct / counts.fit_total
    holdout = counts.holdout_correct / counts.holdout_total if counts.holdout_total else np.nan
    segment_sizes = pd.Series(labels).value_counts()
    rows = []
    for leaf, path in leaf_paths(tree).items():
        covered, correct = counts.covered[leaf], counts.correct[leaf]
        if covered == 0:
            continue
        segment = int(tree.leaf_segment[leaf])
        rows.append(
            {
                "segment_id": segment,
                "segment_name": segment_names.get(segment, f"Segment {segment}"),
                "rule": rule_text(path, tree.features),
                "covered_customer_count": int(covered),
                "rule_precision": float(correct / covered),
                "segment_coverage": float(correct / segment_sizes.get(segment, np.nan)),
            }
        )
    rules = pd.DataFrame(rows)
    rules = rules.sort_values(
        ["segment_id", "covered_customer_count", "rule"], ascending=[True, False, True]
    ).reset_index(drop=True)
    rules.insert(2, "rule_id", np.arange(1, len(rules) + 1, dtype="int64"))
    rules["fidelity"] = fidelity
    rules["fit_fidelity"] = fit_fidelity
    rules["holdout_fidelity"] = holdout
    rules["tree_depth"] = tree.depth
    rules["fitted_customer_count"] = fitted.fitted_customer_count
    rules["held_out_customer_count"] = counts.holdout_total
    rules["model_version"] = model_version
    return rules[RULE_COLUMNS], fidelity
