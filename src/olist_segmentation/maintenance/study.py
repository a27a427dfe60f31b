"""The stability study: how much of today's structure does a model frozen at t0 still capture?

Per origin ``t0`` and month offset ``m`` after it:

* **Decay** (``ari_frozen_vs_refit``): the model fitted at ``t0`` is frozen (transform *and*
  centroids). At ``t0 + m`` the same customers are labelled twice: by the frozen model, and by a
  model refitted on ``t0 + m`` with the same configuration and seed. Their adjusted Rand index
  says how much of today's structure the frozen model still captures.
* **Noise floor** (``noise_floor_ari``, its lowest value ``noise_floor_ari_low``): models
  refitted at the *same* date on other samples with other seeds disagree with the refit too
  (:mod:`.noise`). Decay is only meaningful against that floor: an ARI of 0.85 is alarming if the
  floor is 0.99 and unremarkable if it is 0.86. ``noise_floor_seed_ari`` keeps the seed-only part.
* **What moved**: the share of customers whose frozen segment changed, the drift of the frozen
  segment shares, the PSI of each feature, and the share of customers unknown at ``t0``.

**Many origins.** One starting month gives one answer and another start another, so the study
runs from every origin it is given; the contract reads the spread over origins. The refit and
noise floor of a date do not depend on the origin and are computed once per date.

Cost is bounded by the samples whatever the number of customers: the k-means fits (the only
super-linear part) run on at most ``sample_size`` customers, ``1 + 2 * n_noise_seeds`` fits per
date plus one reference fit per origin; everything else (transform, nearest-centroid
assignment, PSI, shares) is a vectorised linear pass per (origin, month).
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
)
from olist_segmentation.maintenance.noise import DateRefit, date_refit
from olist_segmentation.maintenance.reference import (
    FrozenReference,
    StudyOptions,
    fit_reference_at,
    frozen_labels,
    reference_rows,
)
from olist_segmentation.segmentation.transform import TransformParams

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
    "noise_floor_ari_low",
    "noise_floor_seed_ari",
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


def origin_list(t0: Any) -> list[date]:
    """The origins as sorted distinct dates: one date (any date-like) or a list of them."""
    values = list(t0) if isinstance(t0, list | tuple | np.ndarray | pd.Series | pd.Index) else [t0]
    origins = sorted({as_date(value, "t0") for value in values})
    if not origins:
        raise ValueError("the study needs at least one origin (t0)")
    return origins


@dataclass(frozen=True, eq=False)
class _Config:
    """The replayed configuration, shared by every origin."""

    features: list[str]
    log1p_features: list[str]
    k: int
    seed: int
    psi_features: list[str]
    options: StudyOptions


class _Refits:
    """The refit and noise floor of each date, computed once whatever the number of origins."""

    def __init__(self, hist: History, config: _Config, priority: np.ndarray) -> None:
        self._hist, self._config, self._priority = hist, config, priority
        self._cache: dict[date, DateRefit] = {}
        self.progress: Callable[[str], None] | None = None
        self.seconds = 0.0

    def at(self, day: date) -> DateRefit:
        if day not in self._cache:
            config = self._config
            refit = date_refit(
                self._hist,
                self._hist.positions(day),
                features=config.features,
                log1p_features=config.log1p_features,
                k=config.k,
                seed=config.seed,
                priority=self._priority,
                options=config.options,
            )
            self._cache[day] = refit
            self.seconds += refit.seconds
            if self.progress is not None:
                self.progress(
                    f"refit {day}: {len(refit.positions)} customers, {len(refit.sample)} sampled, "
                    f"noise floor {refit.floor:.3f} (low {refit.floor_low:.3f}, seed only "
                    f"{refit.seed_ari:.3f}) ({refit.seconds:.1f}s)"
                )
        return self._cache[day]

    def __len__(self) -> int:
        return len(self._cache)


@dataclass(frozen=True, eq=False)
class _Baseline:
    """What every month of one origin is compared with: the frozen model and the t0 customers."""

    t0: date
    params: TransformParams
    centroids: np.ndarray
    label_at_t0: np.ndarray  # per customer code; 0 = not a customer at t0
    shares: np.ndarray
    noise_floor: float
    psi_references: dict[str, PsiReference]
    customer_count: int
    sampled_customer_count: int


def _baseline(
    hist: History,
    t0: date,
    *,
    config: _Config,
    refits: _Refits,
    priority: np.ndarray,
    reference: FrozenReference | None,
) -> _Baseline:
    options = config.options
    if reference is None:
        fitted, pos0, sample0 = fit_reference_at(
            hist,
            t0,
            features=config.features,
            log1p_features=config.log1p_features,
            k=config.k,
            seed=config.seed,
            priority=priority,
            options=options,
        )
        params, centroids = fitted.params, fitted.centroids
    else:
        params, centroids = reference.params, reference.centroids
        pos0, sample0 = reference_rows(hist, t0, k=config.k, priority=priority, options=options)
    frame0 = hist.frame.iloc[pos0]
    labels0 = frozen_labels(frame0, params, centroids, chunk_size=options.chunk_size)
    label_at_t0 = np.zeros(hist.n_ids, dtype="int64")
    label_at_t0[hist.id_codes[pos0]] = labels0
    return _Baseline(
        t0=t0,
        params=params,
        centroids=centroids,
        label_at_t0=label_at_t0,
        shares=segment_shares(labels0, k=config.k),
        noise_floor=refits.at(t0).floor,
        psi_references=psi_references(frame0, config.psi_features, bins=options.psi_bins),
        customer_count=len(pos0),
        sampled_customer_count=len(sample0),
    )


def _month_row(
    hist: History, base: _Baseline, offset: int, day: date, refit: DateRefit, config: _Config
) -> dict[str, Any]:
    """The study row of snapshot ``day`` (``offset`` months after the origin ``base.t0``)."""
    started = time.perf_counter()
    k, options = config.k, config.options
    codes = hist.id_codes[refit.positions]
    n = len(codes)
    snapshot = hist.frame.iloc[refit.positions]
    frozen = frozen_labels(snapshot, base.params, base.centroids, chunk_size=options.chunk_size)
    before = base.label_at_t0[codes]
    known = before > 0
    n_known = int(known.sum())
    shares = segment_shares(frozen, k=k)
    psis = feature_psi(snapshot, base.psi_references, epsilon=options.psi_epsilon)
    worst = max(psis, key=lambda f: psis[f]) if psis else None
    segment_ids = np.arange(1, k + 1).tolist()
    return {
        "t0": base.t0,
        "snapshot_date": day,
        "month_offset": offset,
        "features": ",".join(config.features),
        "k": k,
        "seed": config.seed,
        "customer_count": n,
        "sampled_customer_count": len(refit.sample),
        "known_at_t0_customer_count": n_known,
        "new_customer_share": 1.0 - n_known / n,
        "ari_frozen_vs_refit": float(adjusted_rand_score(frozen[refit.sample], refit.labels)),
        "noise_floor_ari": refit.floor,
        "noise_floor_ari_low": refit.floor_low,
        "noise_floor_seed_ari": refit.seed_ari,
        "noise_floor_ari_t0": base.noise_floor,
        "changed_share": float(np.mean(before[known] != frozen[known])) if n_known else math.nan,
        "max_share_drift": float(np.abs(shares - base.shares).max()),
        "segment_shares": dict(zip(segment_ids, shares.tolist(), strict=True)),
        "segment_shares_t0": dict(zip(segment_ids, base.shares.tolist(), strict=True)),
        **{f"psi_{name}": value for name, value in psis.items()},
        "max_psi": psis[worst] if worst is not None else math.nan,
        "max_psi_feature": worst,
        "elapsed_seconds": time.perf_counter() - started,
    }


def _checked_references(
    references: Sequence[FrozenReference], *, k: int, features: list[str]
) -> dict[date, FrozenReference]:
    checked = {}
    for reference in references:
        centroids = np.asarray(reference.centroids, dtype="float64")
        if centroids.shape != (k, len(features)) or reference.params.names != features:
            raise ValueError(
                f"the reference model at {reference.t0} must have {k} centroids over features "
                f"{features}, got shape {centroids.shape} over {reference.params.names}"
            )
        t0 = as_date(reference.t0, "reference t0")
        checked[t0] = FrozenReference(t0=t0, params=reference.params, centroids=centroids)
    return checked


def stability_study(
    history: pd.DataFrame,
    *,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    t0: Any,
    options: StudyOptions | None = None,
    references: Sequence[FrozenReference] = (),
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Decay of a frozen segmentation, one row per (origin, month offset 1..M after it).

    ``t0`` is one origin or a list of them. For each origin ``M`` is the number of calendar months
    with a snapshot after it, at most ``options.max_months``. The reference model
    (:func:`fit_reference_model`) is fitted at the origin and frozen: its transform (medians,
    centres, scales) and centroids are never refitted, exactly like production scoring. Per row
    (the module docstring says why each number exists):

    * ``ari_frozen_vs_refit``: ARI, on the sampled customers of ``t0 + m``, between the frozen
      labels and a refit at ``t0 + m`` (transform + k-means, same ``k`` and ``seed``).
    * ``noise_floor_ari`` / ``noise_floor_ari_low``: median / lowest ARI between that refit and
      ``n_noise_seeds`` models fitted at the same date on bootstrap resamples with other seeds,
      all labelling the same sampled customers; ``noise_floor_seed_ari``: a refit of the same
      sample with the next seed (seed noise only); ``noise_floor_ari_t0``: the floor at ``t0``.
    * ``changed_share``: among all customers known at both dates, the share whose frozen
      segment differs between ``t0`` and ``t0 + m`` (comparable ids because the model is frozen).
    * ``max_share_drift``, ``segment_shares`` (``t0 + m``), ``segment_shares_t0``: frozen
      segment shares over all customers, ``{segment_id: share}`` (segment ids 1..k).
    * ``psi_<feature>`` for each of ``options.psi_features`` (default: the model features), raw
      values, bins = ``psi_bins`` quantiles at ``t0``; ``max_psi`` and ``max_psi_feature``.
    * ``new_customer_share``: customers of ``t0 + m`` unknown at ``t0``; ``customer_count``,
      ``sampled_customer_count`` (k-means rows), ``known_at_t0_customer_count``;
      ``elapsed_seconds`` of the row's linear passes.

    ``references`` are reference models already fitted by :func:`fit_reference_model` with the
    same arguments at some origins, so that an expensive fit is shared (e.g. with
    ``monthly_transitions``); the other origins are fitted here.
    """
    options = options if options is not None else StudyOptions()
    options.check_k(k)
    features = list(features)
    known = _checked_references(references, k=k, features=features)
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
    origins = origin_list(t0)
    months = {origin: hist.study_dates(origin, max_months=options.max_months) for origin in origins}
    config = _Config(features, log1p_features, k, seed, psi_list, options)
    priority = hist.priority(seed=seed)
    refits = _Refits(hist, config, priority)
    refits.progress = progress
    rows = []
    for number, origin in enumerate(origins, start=1):
        base = _baseline(
            hist,
            origin,
            config=config,
            refits=refits,
            priority=priority,
            reference=known.get(origin),
        )
        origin_rows = [
            _month_row(hist, base, offset, day, refits.at(day), config)
            for offset, day in months[origin]
        ]
        rows.extend(origin_rows)
        if progress is not None:
            aris = [row["ari_frozen_vs_refit"] for row in origin_rows]
            progress(
                f"t0 {origin} (origin {number}/{len(origins)}): reference model k={k} "
                f"{'read' if origin in known else 'fitted'} on {base.sampled_customer_count} of "
                f"{base.customer_count} customers; months 1..{months[origin][-1][0]} ARI "
                + " ".join(f"{a:.2f}" for a in aris)
                + f" (elapsed {time.perf_counter() - started:.1f}s)"
            )
    if progress is not None:
        progress(
            f"study done: {len(origins)} origin(s), {len(rows)} (t0, month) rows, {len(refits)} "
            f"dates refitted in {refits.seconds:.1f}s; study time "
            f"{time.perf_counter() - started:.1f}s"
        )
    return pd.DataFrame(rows, columns=stability_columns(psi_list))
