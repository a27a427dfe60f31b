"""The stability study: how much of today's structure does a model frozen at t0 still capture?

Per month offset ``m`` after a reference date ``t0``:

* **Decay** (``ari_frozen_vs_refit``): the model fitted at ``t0`` is frozen (transform *and*
  centroids). At ``t0 + m`` the same customers are labelled twice: by the frozen model, and by a
  model refitted on ``t0 + m`` with the same configuration and seed. Their adjusted Rand index
  says how much of today's structure the frozen model still captures.
* **Noise floor** (``noise_floor_ari``): refits at the *same* date with other seeds disagree a
  little too (k-means initialisation). Decay is only meaningful against that floor: an ARI of
  0.85 is alarming if the floor is 0.99 and unremarkable if it is 0.86.
* **What moved**: the share of customers whose frozen segment changed, the drift of the frozen
  segment shares, the PSI of each feature, and the share of customers unknown at ``t0``.

Cost is bounded per month whatever the number of customers: the k-means fits (the only
super-linear part) run on a seeded id-hash sample of at most ``sample_size`` customers;
everything else (transform, nearest-centroid assignment, PSI, shares) is a vectorised linear pass.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from olist_segmentation.maintenance.drift import (
    PsiReference,
    feature_psi,
    psi_references,
    segment_shares,
)
from olist_segmentation.maintenance.history import (
    History,
    as_date,
    index_history,
    model_log1p_features,
    needed_columns,
    panel_sample,
)
from olist_segmentation.maintenance.reference import (
    StudyOptions,
    fit_reference_at,
    frozen_labels,
    reference_rows,
)
from olist_segmentation.segmentation.kmeans import assign_to_centroids, fit_kmeans
from olist_segmentation.segmentation.transform import (
    TransformParams,
    apply_transform,
    fit_transform,
)

# Columns of stability_study output; the per-feature ``psi_<feature>`` columns sit between the
# leading and trailing ones (see stability_columns).
STABILITY_LEADING_COLUMNS = [
    "t0",
    "snapshot_date",
    "month_offset",
    "features",
    "k",
    "seed",
    "customer_count",
    "sampled_customer_count",
    "known_at_t0_customer_count",
    "new_customer_share",
    "ari_frozen_vs_refit",
    "noise_floor_ari",
    "noise_floor_ari_t0",
    "changed_share",
    "max_share_drift",
    "segment_shares",
    "segment_shares_t0",
]
STABILITY_TRAILING_COLUMNS = ["max_psi", "max_psi_feature", "elapsed_seconds"]


def stability_columns(psi_features: Sequence[str]) -> list[str]:
    """Column order of :func:`stability_study` for the given PSI features."""
    return [
        *STABILITY_LEADING_COLUMNS,
        *(f"psi_{f}" for f in psi_features),
        *STABILITY_TRAILING_COLUMNS,
    ]


# ---- refits and the noise floor -----------------------------------------------------------


def kmeans_labels(X: np.ndarray, *, k: int, seed: int, options: StudyOptions) -> np.ndarray:
    """Labels of a k-means fit on all of ``X`` (already a bounded sample)."""
    model = fit_kmeans(
        X,
        k,
        seed,
        n_init=options.n_init,
        minibatch_above=options.minibatch_above,
    )
    labels, _ = assign_to_centroids(X, model.cluster_centers_, options.chunk_size)
    return labels


def noise_floor(
    X: np.ndarray, labels: np.ndarray, *, k: int, seed: int, options: StudyOptions
) -> float:
    """Mean ARI between ``labels`` (the ``seed`` fit) and refits of the same X with seeds
    ``seed + 1 .. seed + n_noise_seeds``: the disagreement due to initialisation alone."""
    if options.n_noise_seeds == 0:
        return math.nan
    aris = [
        adjusted_rand_score(labels, kmeans_labels(X, k=k, seed=seed + s, options=options))
        for s in range(1, options.n_noise_seeds + 1)
    ]
    return float(np.mean(aris))


# ---- the study -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Baseline:
    """What every month is compared with: the frozen model and the customers at t0."""

    t0: date
    features: list[str]
    log1p_features: list[str]
    k: int
    seed: int
    params: TransformParams
    centroids: np.ndarray
    label_at_t0: np.ndarray  # per customer code; 0 = not a customer at t0
    shares: np.ndarray
    noise_floor: float
    psi_references: dict[str, PsiReference]
    priority: np.ndarray
    customer_count: int
    sampled_customer_count: int


def _baseline(
    hist: History,
    t0: date,
    *,
    features: list[str],
    log1p_features: list[str],
    k: int,
    seed: int,
    psi_features: list[str],
    options: StudyOptions,
    reference: tuple[TransformParams, np.ndarray] | None,
) -> _Baseline:
    priority = hist.priority(seed=seed)
    if reference is None:
        fitted, pos0, sample0 = fit_reference_at(
            hist,
            t0,
            features=features,
            log1p_features=log1p_features,
            k=k,
            seed=seed,
            priority=priority,
            options=options,
        )
        params, centroids = fitted.params, fitted.centroids
    else:
        params, centroids = reference
        pos0, sample0 = reference_rows(hist, t0, k=k, priority=priority, options=options)
    frame0 = hist.frame.iloc[pos0]
    labels0 = frozen_labels(frame0, params, centroids, chunk_size=options.chunk_size)
    label_at_t0 = np.zeros(hist.n_ids, dtype="int64")
    label_at_t0[hist.id_codes[pos0]] = labels0
    X0 = apply_transform(frame0.iloc[sample0], params)
    return _Baseline(
        t0=t0,
        features=features,
        log1p_features=log1p_features,
        k=k,
        seed=seed,
        params=params,
        centroids=centroids,
        label_at_t0=label_at_t0,
        shares=segment_shares(labels0, k=k),
        # the reference's own labels of its sample: nearest centroid, as the fit assigned them
        noise_floor=noise_floor(X0, labels0[sample0], k=k, seed=seed, options=options),
        psi_references=psi_references(frame0, psi_features, bins=options.psi_bins),
        priority=priority,
        customer_count=len(pos0),
        sampled_customer_count=len(sample0),
    )


def _month_row(
    hist: History, base: _Baseline, offset: int, day: date, options: StudyOptions
) -> dict[str, Any]:
    """The study row of snapshot ``day`` (``offset`` months after t0)."""
    started = time.perf_counter()
    k, seed = base.k, base.seed
    pos = hist.positions(day)
    codes = hist.id_codes[pos]
    n = len(pos)
    snapshot = hist.frame.iloc[pos]
    frozen = frozen_labels(snapshot, base.params, base.centroids, chunk_size=options.chunk_size)
    before = base.label_at_t0[codes]
    known = before > 0
    n_known = int(known.sum())
    shares = segment_shares(frozen, k=k)

    sample = panel_sample(codes, base.priority, size=options.sample_size)
    if len(sample) <= k:
        raise ValueError(f"snapshot {day} has {len(sample)} customers: too few for k={k}")
    sampled = snapshot.iloc[sample]
    X = apply_transform(sampled, fit_transform(sampled, base.features, base.log1p_features))
    refit = kmeans_labels(X, k=k, seed=seed, options=options)
    psis = feature_psi(snapshot, base.psi_references, epsilon=options.psi_epsilon)
    worst = max(psis, key=lambda f: psis[f]) if psis else None
    segment_ids = np.arange(1, k + 1)
    return {
        "t0": base.t0,
        "snapshot_date": day,
        "month_offset": offset,
        "features": ",".join(base.features),
        "k": k,
        "seed": seed,
        "customer_count": n,
        "sampled_customer_count": len(sample),
        "known_at_t0_customer_count": n_known,
        "new_customer_share": 1.0 - n_known / n,
        "ari_frozen_vs_refit": float(adjusted_rand_score(frozen[sample], refit)),
        "noise_floor_ari": noise_floor(X, refit, k=k, seed=seed, options=options),
        "noise_floor_ari_t0": base.noise_floor,
        "changed_share": float(np.mean(before[known] != frozen[known])) if n_known else math.nan,
        "max_share_drift": float(np.abs(shares - base.shares).max()),
        "segment_shares": dict(zip(segment_ids.tolist(), shares.tolist(), strict=True)),
        "segment_shares_t0": dict(zip(segment_ids.tolist(), base.shares.tolist(), strict=True)),
        **{f"psi_{name}": value for name, value in psis.items()},
        "max_psi": psis[worst] if worst is not None else math.nan,
        "max_psi_feature": worst,
        "elapsed_seconds": time.perf_counter() - started,
    }


def stability_study(
    history: pd.DataFrame,
    *,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    t0: Any,
    options: StudyOptions | None = None,
    params: TransformParams | None = None,
    centroids: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Decay of a frozen segmentation, one row per month offset 1..M after ``t0``.

    ``M`` is the number of calendar months with a snapshot after ``t0``, at most
    ``options.max_months``. The reference model (:func:`fit_reference_model`) is fitted at ``t0``
    and frozen: its transform (medians, centres, scales) and centroids are never refitted, exactly
    like production scoring. Per month ``m`` (the module docstring says why each number exists):

    * ``ari_frozen_vs_refit``: ARI, on the sampled customers of ``t0 + m``, between the frozen
      labels and a refit at ``t0 + m`` (transform + k-means, same ``k`` and ``seed``).
    * ``noise_floor_ari``: mean ARI between that refit and ``n_noise_seeds`` refits with other
      seeds on the same rows; ``noise_floor_ari_t0`` is the same at ``t0`` (against the
      reference, which *is* the seed refit at ``t0``).
    * ``changed_share``: among all customers known at both dates, the share whose frozen
      segment differs between ``t0`` and ``t0 + m`` (comparable ids because the model is frozen).
    * ``max_share_drift``, ``segment_shares`` (``t0 + m``), ``segment_shares_t0``: frozen
      segment shares over all customers, ``{segment_id: share}`` (segment ids 1..k).
    * ``psi_<feature>`` for each of ``options.psi_features`` (default: the model features), raw
      values, bins = ``psi_bins`` quantiles at ``t0``; ``max_psi`` and ``max_psi_feature``.
    * ``new_customer_share``: customers of ``t0 + m`` unknown at ``t0``; ``customer_count``,
      ``sampled_customer_count`` (k-means rows), ``known_at_t0_customer_count``;
      ``elapsed_seconds`` of the month.

    Only the k-means fits use the sample, so the cost per month is bounded by
    ``(1 + n_noise_seeds)`` fits of ``sample_size`` rows plus linear passes over the snapshot.

    ``params`` and ``centroids`` (both or neither) are the reference model when it was already
    fitted by :func:`fit_reference_model` with the same arguments, so that the one expensive fit
    at ``t0`` is shared with ``monthly_transitions``; without them it is fitted here.
    """
    options = options if options is not None else StudyOptions()
    options.check_k(k)
    if (params is None) != (centroids is None):
        raise ValueError("pass both params and centroids of the reference model, or neither")
    reference = None
    if params is not None and centroids is not None:
        reference = (params, np.asarray(centroids, dtype="float64"))
        if reference[1].shape != (k, len(list(features))) or params.names != list(features):
            raise ValueError(
                f"the reference model must have {k} centroids over features "
                f"{list(features)}, got shape {reference[1].shape} over {params.names}"
            )
    features = list(features)
    log1p_features = model_log1p_features(history, features, log1p_features)
    psi_list = list(
        dict.fromkeys(features if options.psi_features is None else options.psi_features)
    )
    columns = needed_columns(
        history,
        features,
        extra=psi_list,
        optional=[options.value_feature, options.recency_feature],
    )
    started = time.perf_counter()
    hist = index_history(
        history, columns, date_column=options.date_column, id_column=options.id_column
    )
    t0_date = as_date(t0, "t0")
    months = hist.study_dates(t0_date, max_months=options.max_months)
    base = _baseline(
        hist,
        t0_date,
        features=features,
        log1p_features=log1p_features,
        k=k,
        seed=seed,
        psi_features=psi_list,
        options=options,
        reference=reference,
    )
    if progress is not None:
        progress(
            f"t0 {t0_date}: reference model k={k} {'read' if reference else 'fitted'} on "
            f"{base.sampled_customer_count} of "
            f"{base.customer_count} customers, noise floor {base.noise_floor:.3f} "
            f"({time.perf_counter() - started:.1f}s)"
        )
    rows = []
    for offset, day in months:
        row = _month_row(hist, base, offset, day, options)
        rows.append(row)
        if progress is not None:
            progress(
                f"month {offset}/{months[-1][0]}: snapshot {day} customers={row['customer_count']} "
                f"sampled={row['sampled_customer_count']} "
                f"known_at_t0={row['known_at_t0_customer_count']} "
                f"ari={row['ari_frozen_vs_refit']:.3f} noise_floor={row['noise_floor_ari']:.3f} "
                f"changed={row['changed_share']:.3f} max_psi={row['max_psi']:.3f} "
                f"({row['elapsed_seconds']:.1f}s, elapsed {time.perf_counter() - started:.1f}s)"
            )
    return pd.DataFrame(rows, columns=stability_columns(psi_list))
