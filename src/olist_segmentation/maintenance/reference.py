"""The reference model of the maintenance study: the configuration fitted at t0, then frozen.

Production freezes the transform (medians, centres, scales) *and* the centroids, so the study does
the same: the reference model is fitted once, at ``t0``, and every later month is labelled with it
by nearest centroid, never refitted. Its segment ids follow the production business order
(segment 1 = most valuable), so the transitions table reads like the production segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from olist_segmentation.maintenance.history import (
    DATE_COLUMN,
    ID_COLUMN,
    History,
    as_date,
    index_history,
    model_log1p_features,
    needed_columns,
    panel_sample,
)
from olist_segmentation.segmentation.kmeans import (
    FittedSegmentation,
    assign_to_centroids,
    fit_final_model,
)
from olist_segmentation.segmentation.transform import TransformParams, apply_transform


@dataclass(frozen=True)
class StudyOptions:
    """How the study (and the transitions that follow its months) runs.

    ``sample_size`` bounds every k-means fit; ``psi_features`` defaults to the model features;
    ``value_feature`` and ``recency_feature`` order the reference model's segments like
    production (segment 1 = most valuable).
    """

    max_months: int | None = 12
    sample_size: int = 20_000
    n_noise_seeds: int = 3
    minibatch_above: int = 1_000_000
    n_init: int = 10
    psi_features: Sequence[str] | None = None
    psi_bins: int = 10
    psi_epsilon: float = 1e-4
    value_feature: str = "monetary"
    recency_feature: str = "recency_days"
    chunk_size: int = 262_144
    date_column: str = DATE_COLUMN
    id_column: str = ID_COLUMN

    def __post_init__(self) -> None:
        if self.max_months is not None and self.max_months < 1:
            raise ValueError(f"max_months must be at least 1, got {self.max_months}")
        if self.n_noise_seeds < 0:
            raise ValueError(f"n_noise_seeds must be >= 0, got {self.n_noise_seeds}")
        if self.psi_bins < 2:
            raise ValueError(f"psi_bins must be at least 2, got {self.psi_bins}")

    def check_k(self, k: int) -> None:
        """The model's k must be a real segmentation that fits in the sample."""
        if k < 2:
            raise ValueError(f"k must be at least 2, got {k}")
        if self.sample_size < k:
            raise ValueError(f"sample_size must be at least k={k}, got {self.sample_size}")


@dataclass(frozen=True, eq=False)
class FrozenReference:
    """A reference model already fitted at ``t0``: its frozen transform and centroids."""

    t0: date
    params: TransformParams
    centroids: np.ndarray


def frozen_labels(
    frame: pd.DataFrame, params: TransformParams, centroids: np.ndarray, *, chunk_size: int
) -> np.ndarray:
    """Segment positions 1..k of ``frame`` under the frozen transform and centroids (no refit)."""
    positions, _ = assign_to_centroids(apply_transform(frame, params), centroids, chunk_size)
    return positions + 1


def reference_rows(
    hist: History, t0: date, *, k: int, priority: np.ndarray, options: StudyOptions
) -> tuple[np.ndarray, np.ndarray]:
    """(row positions of t0, positions of the reference sample within them).

    The sample is the panel sample of the study (``priority`` = the seeded id hash), so the
    reference model and the monthly refits are fitted on mostly the same customers.
    """
    pos = hist.positions(t0)
    sample = panel_sample(hist.id_codes[pos], priority, size=options.sample_size)
    if len(sample) <= k:
        raise ValueError(f"t0={t0} has {len(sample)} customers: too few for k={k}")
    return pos, sample


def fit_reference_at(
    hist: History,
    t0: date,
    *,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    priority: np.ndarray,
    options: StudyOptions,
) -> tuple[FittedSegmentation, np.ndarray, np.ndarray]:
    """(reference model, row positions of t0, positions of its sample within them)."""
    pos, sample = reference_rows(hist, t0, k=k, priority=priority, options=options)
    reference = fit_final_model(
        hist.frame.iloc[pos[sample]],
        features,
        log1p_features,
        k,
        seed,
        minibatch_above=options.minibatch_above,
        n_init=options.n_init,
        value_feature=options.value_feature,
        recency_feature=options.recency_feature,
        chunk_size=options.chunk_size,
    )
    return reference, pos, sample


def fit_reference_model(
    history: pd.DataFrame,
    *,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    t0: Any,
    options: StudyOptions | None = None,
) -> FittedSegmentation:
    """The frozen model of the study: the configuration fitted at ``t0`` only.

    Fitted (transform and k-means, ``fit_final_model``, segment ids in business order) on the
    same seeded id-hash sample of the ``t0`` customers that ``stability_study`` uses, so that
    its ``params`` and ``centroids`` can be handed to ``monthly_transitions`` and give the very
    labels the study measured. ``labels`` cover that sample.
    """
    options = options if options is not None else StudyOptions()
    options.check_k(k)
    log1p_features = model_log1p_features(history, features, log1p_features)
    columns = needed_columns(
        history, features, optional=[options.value_feature, options.recency_feature]
    )
    hist = index_history(
        history, columns, date_column=options.date_column, id_column=options.id_column
    )
    reference, _, _ = fit_reference_at(
        hist,
        as_date(t0, "t0"),
        features=features,
        log1p_features=log1p_features,
        k=k,
        seed=seed,
        priority=hist.priority(seed=seed),
        options=options,
    )
    return reference
