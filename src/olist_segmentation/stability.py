"""Maintenance contract of the segmentation (issue 5): how fast does a frozen model go stale?

A segmentation is frozen so that "segment 3" means the same thing next month. The price is that
the customer base moves on: recency grows, new customers arrive, behaviour drifts, and at some
point the frozen boundaries no longer describe the data. This module measures *when*, on a
monthly history of the RFM mart (one row per ``(snapshot_date, customer_unique_id)``, features
as of that date, computed from orders before it, so there is no leakage), and turns the answer
into a contract: retrain every N months, monitor these numbers in between.

The protocol, per month offset ``m`` after a reference date ``t0``:

* **Decay** (``ari_frozen_vs_refit``): the model fitted at ``t0`` is frozen (transform *and*
  centroids). At ``t0 + m`` the same customers are labelled twice: by the frozen model, and by a
  model refitted on ``t0 + m`` with the same configuration and seed. Their adjusted Rand index
  says how much of today's structure the frozen model still captures.
* **Noise floor** (``noise_floor_ari``): refits at the *same* date with other seeds disagree a
  little too (k-means initialisation). Decay is only meaningful against that floor: an ARI of
  0.85 is alarming if the floor is 0.99 and unremarkable if it is 0.86.
* **What moved**: the share of customers whose frozen segment changed, the drift of the frozen
  segment shares, the population stability index (PSI) of each feature, and the share of
  customers that did not exist at ``t0``.

Cost is bounded per month whatever the number of customers: the k-means fits (the only
super-linear part) run on a seeded sample of at most ``sample_size`` customers; everything else
(transform, nearest-centroid assignment, PSI, shares) is a vectorised linear pass. The sample is
drawn by a seeded *hash of the customer id*, not by row position, so (1) the result does not
depend on the row order of ``history`` and (2) consecutive months sample mostly the same
customers (a panel), which keeps month-to-month differences about time rather than sampling.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from olist_segmentation.clustering import (
    FittedSegmentation,
    assign_to_centroids,
    fit_final_model,
    fit_kmeans,
)
from olist_segmentation.features import TransformParams, apply_transform, fit_transform

# Columns of stability_study output; the per-feature ``psi_<feature>`` columns sit between the
# leading and trailing ones (see stability_columns).
STABILITY_LEADING_COLUMNS = [
    "t0",
    "snapshot_date",
    "month_offset",
    "features",
    "k",
    "seed",
    "n_customers",
    "n_sampled",
    "n_known_at_t0",
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

CONTRACT_COLUMNS = [
    "computed_on",
    "t0",
    "k",
    "seed",
    "months_studied",
    "ari_threshold",
    "recommended_retrain_months",
    "first_month_below_threshold",
    "ari_never_below_threshold",
    "min_ari_frozen_vs_refit",
    "noise_floor_ari",
    "noise_floor_ari_t0",
    "psi_alert",
    "share_drift_alert",
    "drift_alerts",
    "monitoring",
    "retrain_command",
    "caveats",
]

TRANSITION_COLUMNS = [
    "t0",
    "from_month_offset",
    "to_month_offset",
    "from_snapshot_date",
    "to_snapshot_date",
    "from_segment_id",
    "to_segment_id",
    "customers",
]

DEFAULT_RETRAIN_COMMAND = (
    "make build with segment_frozen_model_file unset (refits selection and model), i.e. "
    "dbt build --select segment_model_selection+ --vars '{segment_frozen_model_file: null}'"
)


def stability_columns(psi_features: Sequence[str]) -> list[str]:
    """Column order of :func:`stability_study` for the given PSI features."""
    return [
        *STABILITY_LEADING_COLUMNS,
        *(f"psi_{f}" for f in psi_features),
        *STABILITY_TRAILING_COLUMNS,
    ]


# --------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------


def _as_date(value: Any, what: str) -> date:
    """A calendar date from a date, datetime, Timestamp, datetime64 or ISO string."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what}: cannot read {value!r} as a date") from error
    if pd.isna(stamp):
        raise ValueError(f"{what}: missing date")
    return stamp.date()


def _month_number(day: date) -> int:
    """Months since year 0: the difference of two of them is a calendar-month offset."""
    return day.year * 12 + day.month - 1


def _monthly_dates(values: Iterable[Any], what: str) -> list[date]:
    """Sorted distinct dates, refusing two snapshots in one calendar month.

    Month offsets are calendar-month differences, so two snapshots in the same month would get
    the same offset and silently shadow each other.
    """
    dates = sorted({_as_date(v, what) for v in values})
    for earlier, later in zip(dates, dates[1:], strict=False):
        if _month_number(earlier) == _month_number(later):
            raise ValueError(
                f"{what} must be monthly: {earlier} and {later} fall in the same calendar month"
            )
    return dates


def default_t0(snapshot_dates: Iterable[Any], min_steps: int = 8) -> date:
    """The latest snapshot date that still leaves ``min_steps`` monthly snapshots after it.

    Latest, because the reference model should be fitted on as much history as possible (early
    Olist months hold only a few thousand customers); but not later, because a study of fewer
    than ``min_steps`` months cannot recommend a longer retraining interval than that.
    """
    if min_steps < 1:
        raise ValueError(f"min_steps must be at least 1, got {min_steps}")
    dates = _monthly_dates(snapshot_dates, "snapshot_date")
    if len(dates) < min_steps + 1:
        span = f"{dates[0]}..{dates[-1]}" if dates else "none"
        raise ValueError(
            f"the history has {len(dates)} monthly snapshot(s) ({span}); the stability study "
            f"needs at least {min_steps + 1} (t0 plus {min_steps} after it). Provide a longer "
            "history or lower the number of months studied"
        )
    return dates[-(min_steps + 1)]


# --------------------------------------------------------------------------------------------
# PSI
# --------------------------------------------------------------------------------------------


def _as_float_array(values: Any, what: str) -> np.ndarray:
    """1-D float64 with NaN for NULL (numpy, lists, pandas nullable dtypes alike)."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        array = values.to_numpy(dtype="float64", na_value=np.nan)
    else:
        array = np.asarray(values, dtype="float64")
    array = array.reshape(-1)
    if np.isinf(array).any():
        raise ValueError(f"{what} contains infinite values")
    return array


def _psi_edges(expected: np.ndarray, bins: int) -> np.ndarray:
    """Interior bin edges: distinct quantiles of the observed reference values.

    Quantiles of the *reference* make every bin hold ~1/bins of it, so PSI weighs all parts of
    the distribution alike. Discrete features (frequency is 1 for 97% of Olist customers) give
    repeated quantiles; de-duplicating them merges those bins instead of creating empty ones,
    and right-closed bins (see :func:`_bin_shares`) keep the tied mass apart from larger values.
    """
    observed = expected[~np.isnan(expected)]
    if observed.size == 0:
        return np.empty(0)
    return np.unique(np.quantile(observed, np.linspace(0.0, 1.0, bins + 1)[1:-1]))


def _bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of values per bin ``(edge_i, edge_i+1]``, plus a last bin for missing values.

    Right-closed like ``pandas.qcut``: when every decile of frequency is 1, the single edge 1
    gives the bins "1" and "more than 1", so a rise of repeat buyers is visible; left-closed
    bins would put 1, 2, 3... in one bin and make PSI blind to it. Missing values get their own
    bin so that a change in the NULL rate (say, fewer reviewed orders) counts as drift instead
    of disappearing from both sides.
    """
    missing = np.isnan(values)
    positions = np.searchsorted(edges, values[~missing], side="left")
    counts = np.bincount(positions, minlength=len(edges) + 1).astype("float64")
    counts = np.append(counts, float(missing.sum()))
    return counts / max(len(values), 1)


def _psi_from_shares(expected: np.ndarray, actual: np.ndarray, epsilon: float) -> float:
    """``sum((a - e) * ln(a / e))`` with empty bins floored at ``epsilon`` (no log of zero)."""
    e = np.maximum(expected, epsilon)
    a = np.maximum(actual, epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected: Any, actual: Any, bins: int = 10, epsilon: float = 1e-4) -> float:
    """Population stability index of ``actual`` against the reference ``expected``.

    Bins are the deciles (``bins`` quantiles) of ``expected``; NaN/NULL values form one extra
    bin; shares of empty bins are floored at ``epsilon``. PSI is 0 for identical distributions
    and is symmetric in the sense that swapping roles changes only the binning. Returns NaN when
    either side is empty, because "no data" is not "no drift".
    """
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    if not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}")
    e = _as_float_array(expected, "expected")
    a = _as_float_array(actual, "actual")
    if e.size == 0 or a.size == 0:
        return math.nan
    edges = _psi_edges(e, bins)
    return _psi_from_shares(_bin_shares(e, edges), _bin_shares(a, edges), epsilon)


def psi_alert_level(value: float, moderate: float = 0.1, significant: float = 0.25) -> str:
    """``"stable"`` below ``moderate``, ``"moderate"`` below ``significant``, else
    ``"significant"`` (the usual credit-scoring reading of PSI); ``"unknown"`` for NaN."""
    if not 0 <= moderate <= significant:
        raise ValueError(
            f"expected 0 <= moderate <= significant, got moderate={moderate}, "
            f"significant={significant}"
        )
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if value < moderate:
        return "stable"
    if value < significant:
        return "moderate"
    return "significant"


# --------------------------------------------------------------------------------------------
# history access
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _History:
    """The history indexed once: ids factorised to integer codes, dates normalised.

    Every later step works on integer codes (``label_at_t0[codes]``), which is what keeps the
    per-month work vectorised for a million customers.
    """

    frame: pd.DataFrame
    date_codes: np.ndarray
    dates: list[date]
    id_codes: np.ndarray
    id_values: np.ndarray
    date_column: str
    id_column: str

    @property
    def n_ids(self) -> int:
        return len(self.id_values)

    def positions(self, day: date) -> np.ndarray:
        """Row positions of snapshot ``day``, checked for duplicated customers."""
        pos = np.flatnonzero(self.date_codes == self.dates.index(day))
        codes = self.id_codes[pos]
        if len(codes) and np.bincount(codes, minlength=self.n_ids).max() > 1:
            raise ValueError(
                f"snapshot {day} lists a {self.id_column} more than once; the history must have "
                f"one row per ({self.date_column}, {self.id_column})"
            )
        return pos

    def study_dates(self, t0: date, max_months: int | None) -> list[tuple[int, date]]:
        """``(month offset, date)`` of the snapshots 1..max_months calendar months after t0."""
        if t0 not in self.dates:
            raise ValueError(
                f"t0={t0} is not a {self.date_column} of the history; available: "
                f"{self.dates[0]}..{self.dates[-1]} ({len(self.dates)} snapshots)"
            )
        base = _month_number(t0)
        limit = math.inf if max_months is None else max_months
        chosen = [
            (_month_number(d) - base, d)
            for d in self.dates
            if 1 <= _month_number(d) - base <= limit
        ]
        if not chosen:
            raise ValueError(f"no snapshot after t0={t0} (last snapshot {self.dates[-1]})")
        return chosen


def _index_history(
    history: pd.DataFrame, columns: Sequence[str], date_column: str, id_column: str
) -> _History:
    missing = [c for c in (date_column, id_column, *columns) if c not in history.columns]
    if missing:
        raise ValueError(
            f"history is missing column(s) {', '.join(dict.fromkeys(missing))}; it needs one row "
            f"per ({date_column}, {id_column}) with the customer_rfm feature columns"
        )
    if history.empty:
        raise ValueError("history is empty")
    date_codes, date_values = pd.factorize(history[date_column])
    if (date_codes < 0).any():
        raise ValueError(f"history has NULL {date_column}")
    dates = [_as_date(v, date_column) for v in date_values]
    ordered = _monthly_dates(dates, date_column)
    # recode so that code i means ordered[i]
    recode = np.array([ordered.index(d) for d in dates], dtype="int64")
    id_codes, id_values = pd.factorize(history[id_column])
    if (id_codes < 0).any():
        raise ValueError(f"history has NULL {id_column}")
    return _History(
        frame=history[list(dict.fromkeys(columns))],
        date_codes=recode[date_codes],
        dates=ordered,
        id_codes=id_codes.astype("int64", copy=False),
        id_values=np.asarray(id_values, dtype=object),
        date_column=date_column,
        id_column=id_column,
    )


def _sampling_priority(id_values: np.ndarray, seed: int) -> np.ndarray:
    """A seeded pseudo-random number per customer id, independent of row order.

    The sample of a snapshot is the ``sample_size`` customers with the smallest priority. Being a
    function of the id (not of the row position), the same customer keeps the same priority in
    every month, so consecutive samples overlap (a panel) and reordering the input changes
    nothing. ``hash_array`` ends with a bijective 64-bit mix, applied again after xor-ing a
    hash of the seed so that the seed reshuffles numeric and string ids alike.
    """
    hashed = pd.util.hash_array(id_values, categorize=False)  # ids are already distinct
    seed_hash = pd.util.hash_array(np.array([seed], dtype="int64"))[0]
    return pd.util.hash_array(hashed ^ seed_hash)


def _sample_positions(codes: np.ndarray, priority: np.ndarray, sample_size: int) -> np.ndarray:
    """Sorted positions (into ``codes``) of the ``sample_size`` lowest-priority customers."""
    if len(codes) <= sample_size:
        return np.arange(len(codes))
    chosen = np.argpartition(priority[codes], sample_size - 1)[:sample_size]
    return np.sort(chosen)


def _frozen_labels(
    frame: pd.DataFrame, params: TransformParams, centroids: np.ndarray, chunk_size: int
) -> np.ndarray:
    """Segment positions 1..k of ``frame`` under the frozen transform and centroids (no refit)."""
    positions, _ = assign_to_centroids(apply_transform(frame, params), centroids, chunk_size)
    return positions + 1


def _kmeans_labels(
    X: np.ndarray, k: int, seed: int, n_init: int, minibatch_above: int, chunk_size: int
) -> np.ndarray:
    """Labels of a k-means fit on all of ``X`` (already a bounded sample)."""
    model = fit_kmeans(
        X, k, seed, n_init=n_init, minibatch_above=minibatch_above, max_fit_rows=None
    )
    labels, _ = assign_to_centroids(X, model.cluster_centers_, chunk_size)
    return labels


def _noise_floor(
    X: np.ndarray,
    labels: np.ndarray,
    k: int,
    seed: int,
    n_noise_seeds: int,
    n_init: int,
    minibatch_above: int,
    chunk_size: int,
) -> float:
    """Mean ARI between ``labels`` (the ``seed`` fit) and refits of the same X with seeds
    ``seed + 1 .. seed + n_noise_seeds``: the disagreement due to initialisation alone."""
    if n_noise_seeds == 0:
        return math.nan
    aris = [
        adjusted_rand_score(
            labels, _kmeans_labels(X, k, seed + s, n_init, minibatch_above, chunk_size)
        )
        for s in range(1, n_noise_seeds + 1)
    ]
    return float(np.mean(aris))


def _shares_text(shares: np.ndarray, segment_ids: np.ndarray) -> str:
    """``"1:0.3012|2:0.0301|..."`` in segment id order (for a text column / BI tooltip)."""
    return "|".join(f"{int(s)}:{v:.4f}" for s, v in zip(segment_ids, shares, strict=True))


def _validate_common(k: int, sample_size: int, max_months: int | None, n_noise_seeds: int) -> None:
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    if sample_size < k:
        raise ValueError(f"sample_size must be at least k={k}, got {sample_size}")
    if max_months is not None and max_months < 1:
        raise ValueError(f"max_months must be at least 1, got {max_months}")
    if n_noise_seeds < 0:
        raise ValueError(f"n_noise_seeds must be >= 0, got {n_noise_seeds}")


# --------------------------------------------------------------------------------------------
# reference model and study
# --------------------------------------------------------------------------------------------


def _fit_reference(
    hist: _History,
    t0: date,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    sample_size: int,
    priority: np.ndarray,
    n_init: int,
    minibatch_above: int,
    value_feature: str,
    recency_feature: str,
    chunk_size: int,
) -> tuple[FittedSegmentation, np.ndarray, np.ndarray]:
    """(reference model, row positions of t0, positions of its sample within them)."""
    pos = hist.positions(t0)
    sample = _sample_positions(hist.id_codes[pos], priority, sample_size)
    if len(sample) <= k:
        raise ValueError(f"t0={t0} has {len(sample)} customers: too few for k={k}")
    reference = fit_final_model(
        hist.frame.iloc[pos[sample]],
        features,
        log1p_features,
        k,
        seed,
        minibatch_above=minibatch_above,
        n_init=n_init,
        value_feature=value_feature,
        recency_feature=recency_feature,
        chunk_size=chunk_size,
        max_fit_rows=None,
    )
    return reference, pos, sample


def _model_log1p(
    history: pd.DataFrame, features: Sequence[str], log1p_features: Sequence[str]
) -> list[str]:
    """The log1p features that apply to this model.

    ``log1p_features`` is the project-wide list (dbt var ``segment_log1p_features``); only the
    history columns the study needs are kept, so entries outside ``features`` are dropped here
    after the same typo check ``fit_transform`` does (a misspelt name must not silently disable
    the log).
    """
    unknown = [f for f in log1p_features if f not in history.columns]
    if unknown:
        raise ValueError(f"log1p feature(s) not found in the history: {', '.join(unknown)}")
    return [f for f in log1p_features if f in set(features)]


def _needed_columns(
    history: pd.DataFrame, features: Sequence[str], extra: Sequence[str], optional: Sequence[str]
) -> list[str]:
    return list(dict.fromkeys([*features, *extra, *(c for c in optional if c in history.columns)]))


def fit_reference_model(
    history: pd.DataFrame,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    t0: Any,
    sample_size: int = 20_000,
    minibatch_above: int = 1_000_000,
    *,
    n_init: int = 10,
    date_column: str = "snapshot_date",
    id_column: str = "customer_unique_id",
    value_feature: str = "monetary",
    recency_feature: str = "recency_days",
    chunk_size: int = 262_144,
) -> FittedSegmentation:
    """The frozen model of the study: the configuration fitted at ``t0`` only.

    Fitted (transform and k-means, :func:`fit_final_model`, segment ids in business order) on
    the same seeded id-hash sample of the ``t0`` customers that :func:`stability_study` uses, so
    that its ``params`` and ``centroids`` can be handed to :func:`monthly_transitions` and give
    the very labels the study measured. ``labels`` cover that sample.
    """
    _validate_common(k, sample_size, None, 0)
    log1p_features = _model_log1p(history, features, log1p_features)
    columns = _needed_columns(history, features, [], [value_feature, recency_feature])
    hist = _index_history(history, columns, date_column, id_column)
    reference, _, _ = _fit_reference(
        hist,
        _as_date(t0, "t0"),
        features,
        log1p_features,
        k,
        seed,
        sample_size,
        _sampling_priority(hist.id_values, seed),
        n_init,
        minibatch_above,
        value_feature,
        recency_feature,
        chunk_size,
    )
    return reference


def stability_study(
    history: pd.DataFrame,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    t0: Any,
    max_months: int = 12,
    sample_size: int = 20_000,
    n_noise_seeds: int = 3,
    minibatch_above: int = 1_000_000,
    progress: Callable[[str], None] | None = None,
    *,
    psi_features: Sequence[str] | None = None,
    psi_bins: int = 10,
    psi_epsilon: float = 1e-4,
    n_init: int = 10,
    date_column: str = "snapshot_date",
    id_column: str = "customer_unique_id",
    value_feature: str = "monetary",
    recency_feature: str = "recency_days",
    chunk_size: int = 262_144,
) -> pd.DataFrame:
    """Decay of a frozen segmentation, one row per month offset 1..M after ``t0``.

    ``M`` is the number of calendar months with a snapshot after ``t0``, at most ``max_months``.
    The reference model (:func:`fit_reference_model`) is fitted at ``t0`` and frozen: its
    transform (medians, centres, scales) and centroids are never refitted, exactly like
    production scoring. Per month ``m`` (see the module docstring for why each number exists):

    * ``ari_frozen_vs_refit``: ARI, on the sampled customers of ``t0 + m``, between the frozen
      labels and a refit at ``t0 + m`` (transform + k-means, same ``k`` and ``seed``).
    * ``noise_floor_ari``: mean ARI between that refit and ``n_noise_seeds`` refits with other
      seeds on the same rows; ``noise_floor_ari_t0`` is the same at ``t0`` (against the
      reference, which *is* the seed refit at ``t0``).
    * ``changed_share``: among all customers known at both dates, the share whose frozen
      segment differs between ``t0`` and ``t0 + m`` (comparable ids because the model is frozen).
    * ``max_share_drift``, ``segment_shares`` (``t0 + m``), ``segment_shares_t0``: frozen
      segment shares over all customers, ``"1:0.3012|2:..."``.
    * ``psi_<feature>`` for each of ``psi_features`` (default: the model features), raw values,
      bins = ``psi_bins`` quantiles at ``t0``; ``max_psi`` and ``max_psi_feature``.
    * ``new_customer_share``: customers of ``t0 + m`` unknown at ``t0``; ``n_customers``,
      ``n_sampled`` (k-means rows), ``n_known_at_t0``; ``elapsed_seconds`` of the month.

    Only the k-means fits use the sample (at most ``sample_size`` customers, drawn by a seeded id
    hash), so the cost per month is bounded by ``(1 + n_noise_seeds)`` fits of ``sample_size``
    rows plus linear passes over the snapshot.
    """
    _validate_common(k, sample_size, max_months, n_noise_seeds)
    features = list(features)
    log1p_features = _model_log1p(history, features, log1p_features)
    psi_list = list(dict.fromkeys(features if psi_features is None else psi_features))
    if psi_bins < 2:
        raise ValueError(f"psi_bins must be at least 2, got {psi_bins}")
    columns = _needed_columns(history, features, psi_list, [value_feature, recency_feature])
    started = time.perf_counter()
    hist = _index_history(history, columns, date_column, id_column)
    t0_date = _as_date(t0, "t0")
    months = hist.study_dates(t0_date, max_months)
    last_month = months[-1][0]
    priority = _sampling_priority(hist.id_values, seed)

    reference, pos0, sample0 = _fit_reference(
        hist,
        t0_date,
        features,
        log1p_features,
        k,
        seed,
        sample_size,
        priority,
        n_init,
        minibatch_above,
        value_feature,
        recency_feature,
        chunk_size,
    )
    params, centroids = reference.params, reference.centroids
    segment_ids = np.arange(1, k + 1)
    frame0 = hist.frame.iloc[pos0]
    labels0 = _frozen_labels(frame0, params, centroids, chunk_size)
    label_at_t0 = np.zeros(hist.n_ids, dtype="int64")  # 0 = not a customer at t0
    label_at_t0[hist.id_codes[pos0]] = labels0
    shares0 = np.bincount(labels0, minlength=k + 1)[1:] / len(labels0)
    X0 = apply_transform(frame0.iloc[sample0], params)
    noise_t0 = _noise_floor(
        X0, reference.labels, k, seed, n_noise_seeds, n_init, minibatch_above, chunk_size
    )
    psi_reference = {}
    for name in psi_list:
        values = _as_float_array(frame0[name], name)
        edges = _psi_edges(values, psi_bins)
        psi_reference[name] = (edges, _bin_shares(values, edges))
    if progress is not None:
        progress(
            f"t0 {t0_date}: reference model k={k} fitted on {len(sample0)} of {len(pos0)} "
            f"customers, noise floor {noise_t0:.3f} ({time.perf_counter() - started:.1f}s)"
        )

    rows = []
    for offset, day in months:
        month_started = time.perf_counter()
        pos = hist.positions(day)
        codes = hist.id_codes[pos]
        n = len(pos)
        snapshot = hist.frame.iloc[pos]
        frozen = _frozen_labels(snapshot, params, centroids, chunk_size)
        before = label_at_t0[codes]
        known = before > 0
        n_known = int(known.sum())
        shares = np.bincount(frozen, minlength=k + 1)[1:] / n

        sample = _sample_positions(codes, priority, sample_size)
        if len(sample) <= k:
            raise ValueError(f"snapshot {day} has {len(sample)} customers: too few for k={k}")
        sampled = snapshot.iloc[sample]
        X = apply_transform(sampled, fit_transform(sampled, features, log1p_features))
        refit = _kmeans_labels(X, k, seed, n_init, minibatch_above, chunk_size)
        ari = float(adjusted_rand_score(frozen[sample], refit))
        noise = _noise_floor(X, refit, k, seed, n_noise_seeds, n_init, minibatch_above, chunk_size)

        psis = {}
        for name in psi_list:
            edges, expected = psi_reference[name]
            actual = _bin_shares(_as_float_array(snapshot[name], name), edges)
            psis[name] = _psi_from_shares(expected, actual, psi_epsilon)
        worst = max(psis, key=lambda f: psis[f]) if psis else None

        row = {
            "t0": t0_date,
            "snapshot_date": day,
            "month_offset": offset,
            "features": ",".join(features),
            "k": k,
            "seed": seed,
            "n_customers": n,
            "n_sampled": len(sample),
            "n_known_at_t0": n_known,
            "new_customer_share": 1.0 - n_known / n,
            "ari_frozen_vs_refit": ari,
            "noise_floor_ari": noise,
            "noise_floor_ari_t0": noise_t0,
            "changed_share": (
                float(np.mean(before[known] != frozen[known])) if n_known else math.nan
            ),
            "max_share_drift": float(np.abs(shares - shares0).max()),
            "segment_shares": _shares_text(shares, segment_ids),
            "segment_shares_t0": _shares_text(shares0, segment_ids),
            **{f"psi_{name}": value for name, value in psis.items()},
            "max_psi": psis[worst] if worst is not None else math.nan,
            "max_psi_feature": worst,
            "elapsed_seconds": time.perf_counter() - month_started,
        }
        rows.append(row)
        if progress is not None:
            progress(
                f"month {offset}/{last_month}: snapshot {day} customers={n} "
                f"sampled={len(sample)} known_at_t0={n_known} ari={ari:.3f} "
                f"noise_floor={noise:.3f} changed={row['changed_share']:.3f} "
                f"max_psi={row['max_psi']:.3f} ({row['elapsed_seconds']:.1f}s, "
                f"elapsed {time.perf_counter() - started:.1f}s)"
            )
    return pd.DataFrame(rows, columns=stability_columns(psi_list))


# --------------------------------------------------------------------------------------------
# contract
# --------------------------------------------------------------------------------------------


def _checked_float(value: Any, var: str, low: float, high: float) -> float:
    """A number in ``(low, high]``; the error names the dbt var that carried it."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        number = math.nan
    if not (low < number <= high):
        raise ValueError(f"Invalid var {var}={value!r}: expected a number in ({low:g}, {high:g}]")
    return number


def _first_and_max(months: np.ndarray, values: np.ndarray, limit: float) -> tuple[int, int, float]:
    """(first month with value >= limit or -1, month of the max value, max value)."""
    hit = np.flatnonzero(values >= limit)
    best = int(np.nanargmax(values))
    return (int(months[hit[0]]) if len(hit) else -1), int(months[best]), float(values[best])


def maintenance_contract(
    stability: pd.DataFrame,
    threshold: float,
    psi_alert: float = 0.25,
    share_drift_alert: float = 0.05,
    computed_on: date | None = None,
    *,
    psi_watch: float = 0.1,
    retrain_command: str = DEFAULT_RETRAIN_COMMAND,
) -> pd.DataFrame:
    """One-row contract read off :func:`stability_study`: retrain interval and what to watch.

    ``recommended_retrain_months`` is the last studied month ``m`` such that
    ``ari_frozen_vs_refit >= threshold`` in *every* studied month up to ``m``: the frozen model
    is trusted as long as it has never dropped below the threshold, because a later recovery is
    not something to plan on. It is 0 if the first month is already below (do not freeze for
    more than one build). If the ARI never drops below the threshold, it is the last month
    studied and ``ari_never_below_threshold`` is true: the real interval may be longer, the data
    just cannot show it. A NaN ARI counts as below (no evidence of stability).

    ``computed_on`` defaults to today; pass the run date for reproducible builds.
    """
    threshold = _checked_float(threshold, "stability_ari_threshold", 0.0, 1.0)
    psi_alert = _checked_float(psi_alert, "stability_psi_alert", 0.0, math.inf)
    share_drift_alert = _checked_float(share_drift_alert, "stability_share_drift_alert", 0.0, 1.0)
    needed = ["t0", "month_offset", "ari_frozen_vs_refit", "noise_floor_ari", "max_share_drift"]
    missing = [c for c in needed if c not in stability.columns]
    if missing:
        raise ValueError(f"stability table is missing column(s): {', '.join(missing)}")
    if stability.empty:
        raise ValueError("stability table is empty: run the stability study first")
    t0_values = stability["t0"].unique()
    if len(t0_values) != 1:
        raise ValueError(f"stability table must hold one t0, found {len(t0_values)}")
    rows = stability.sort_values("month_offset", kind="stable").reset_index(drop=True)
    months = rows["month_offset"].to_numpy(dtype="int64")
    if len(np.unique(months)) != len(months):
        raise ValueError("stability table has duplicated month_offset values")
    ari = rows["ari_frozen_vs_refit"].to_numpy(dtype="float64", na_value=np.nan)

    below = ~(ari >= threshold)  # NaN counts as below
    if below.any():
        first = int(np.argmax(below))
        first_below: int | None = int(months[first])
        recommended = int(months[first - 1]) if first > 0 else 0
        never_below = False
    else:
        first_below, recommended, never_below = None, int(months[-1]), True

    noise_values = rows["noise_floor_ari"].to_numpy(dtype="float64", na_value=np.nan)
    noise = math.nan if np.isnan(noise_values).all() else float(np.nanmean(noise_values))
    noise_t0 = (
        float(rows["noise_floor_ari_t0"].iloc[0]) if "noise_floor_ari_t0" in rows else math.nan
    )

    alerts = []
    for column in (c for c in rows.columns if c.startswith("psi_")):
        values = rows[column].to_numpy(dtype="float64", na_value=np.nan)
        if np.isnan(values).all():
            continue
        first_hit, worst_month, worst = _first_and_max(months, values, psi_alert)
        if first_hit >= 0:
            alerts.append(
                f"{column[4:]}: PSI >= {psi_alert:g} from month {first_hit} "
                f"(max {worst:.2f} at month {worst_month})"
            )
    drift = rows["max_share_drift"].to_numpy(dtype="float64", na_value=np.nan)
    if not np.isnan(drift).all():
        first_hit, worst_month, worst = _first_and_max(months, drift, share_drift_alert)
        if first_hit >= 0:
            alerts.append(
                f"segment shares: drift >= {share_drift_alert:g} from month {first_hit} "
                f"(max {worst:.3f} at month {worst_month})"
            )

    psi_names = [c[4:] for c in rows.columns if c.startswith("psi_")]
    features = ", ".join(psi_names) if psi_names else "the model features"
    n_sampled = int(rows["n_sampled"].max()) if "n_sampled" in rows else None
    sample_text = f"a {n_sampled}-customer sample" if n_sampled else "a seeded sample"
    if recommended == 0:
        cadence = (
            "The frozen model is already below the threshold after one month: refit at every "
            "monthly build rather than freezing it."
        )
    else:
        cadence = (
            f"Retrain at the latest {recommended} month(s) after the model's reference date, "
            "earlier on any act-level alert."
        )
    monitoring = (
        "Every month, score the new customer_rfm snapshot with the frozen model (no refit) and "
        f"compare with the reference date: PSI of each feature ({features}) against its "
        f"reference deciles (watch >= {psi_watch:g}, act >= {psi_alert:g}); frozen segment "
        f"shares (act when one moves by >= {share_drift_alert:g}); share of customers unseen at "
        f"the reference date; and on {sample_text} the ARI between frozen labels and a "
        f"same-seed refit (retrain when < {threshold:g}; init-noise floor {noise:.2f}). "
        f"{cadence}"
    )

    caveats = []
    if never_below:
        caveats.append(
            f"ARI never fell below {threshold:g} within {len(months)} studied month(s): the "
            "interval is capped by the history available, the true one may be longer"
        )
    if not math.isnan(noise) and noise < threshold:
        caveats.append(
            f"the init-noise floor ({noise:.3f}) is below the threshold: same-date refits with "
            "other seeds already disagree that much, so the ARI decay is not separable from "
            "k-means noise (consider a smaller k or a lower threshold)"
        )
    if np.isnan(ari).any():
        caveats.append("some months have no ARI; they were treated as below the threshold")
    if len(months) and (months[0] != 1 or (np.diff(months) != 1).any()):
        caveats.append(f"studied months are not consecutive: {months.tolist()}")

    contract = {
        "computed_on": computed_on if computed_on is not None else date.today(),
        "t0": t0_values[0],
        "k": int(rows["k"].iloc[0]) if "k" in rows else None,
        "seed": int(rows["seed"].iloc[0]) if "seed" in rows else None,
        "months_studied": len(months),
        "ari_threshold": threshold,
        "recommended_retrain_months": recommended,
        "first_month_below_threshold": first_below,
        "ari_never_below_threshold": never_below,
        "min_ari_frozen_vs_refit": float(np.nanmin(ari)) if not np.isnan(ari).all() else math.nan,
        "noise_floor_ari": noise,
        "noise_floor_ari_t0": noise_t0,
        "psi_alert": psi_alert,
        "share_drift_alert": share_drift_alert,
        "drift_alerts": "; ".join(alerts) if alerts else "none",
        "monitoring": monitoring,
        "retrain_command": retrain_command,
        "caveats": "; ".join(caveats) if caveats else None,
    }
    frame = pd.DataFrame([contract], columns=CONTRACT_COLUMNS)
    frame["first_month_below_threshold"] = frame["first_month_below_threshold"].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------------
# transitions
# --------------------------------------------------------------------------------------------


def monthly_transitions(
    history: pd.DataFrame,
    params: TransformParams,
    centroids: np.ndarray,
    t0: Any,
    max_months: int | None = 12,
    segment_ids: Sequence[int] | None = None,
    *,
    date_column: str = "snapshot_date",
    id_column: str = "customer_unique_id",
    chunk_size: int = 262_144,
) -> pd.DataFrame:
    """Customers moving from segment A to segment B between consecutive monthly snapshots.

    Labels come from the frozen model (``params`` and ``centroids``, e.g. from
    :func:`fit_reference_model` or the frozen model table via ``params_from_frame`` /
    ``centroids_from_frame``), so ids mean the same thing at every date. Pairs are
    (t0, t0+1), (t0+1, t0+2), ... up to ``max_months``; only customers present at both dates of a
    pair are counted (new customers have no "from"). Every ``k x k`` combination is listed, zeros
    included, so a BI flow chart gets a fixed shape. ``segment_ids[i]`` is the id of
    ``centroids[i]`` (default ``1..k``).
    """
    centroids = np.asarray(centroids, dtype="float64")
    if centroids.ndim != 2 or centroids.shape[1] != params.n_features:
        raise ValueError(
            f"centroids must be k x {params.n_features} (the transform's features), "
            f"got shape {centroids.shape}"
        )
    k = len(centroids)
    ids = np.arange(1, k + 1) if segment_ids is None else np.asarray(segment_ids, dtype="int64")
    if len(ids) != k:
        raise ValueError(f"segment_ids has {len(ids)} entries for {k} centroids")
    if max_months is not None and max_months < 1:
        raise ValueError(f"max_months must be at least 1, got {max_months}")
    hist = _index_history(history, params.names, date_column, id_column)
    t0_date = _as_date(t0, "t0")
    steps = [(0, t0_date), *hist.study_dates(t0_date, max_months)]

    previous = np.zeros(hist.n_ids, dtype="int64")  # label position + 1, 0 = absent
    frames = []
    for i, (offset, day) in enumerate(steps):
        pos = hist.positions(day)
        codes = hist.id_codes[pos]
        labels = _frozen_labels(hist.frame.iloc[pos], params, centroids, chunk_size)
        if i > 0:
            before = previous[codes]
            both = before > 0
            pair = (before[both] - 1) * k + (labels[both] - 1)
            counts = np.bincount(pair, minlength=k * k)
            prev_offset, prev_day = steps[i - 1]
            frames.append(
                pd.DataFrame(
                    {
                        "t0": t0_date,
                        "from_month_offset": prev_offset,
                        "to_month_offset": offset,
                        "from_snapshot_date": prev_day,
                        "to_snapshot_date": day,
                        "from_segment_id": np.repeat(ids, k),
                        "to_segment_id": np.tile(ids, k),
                        "customers": counts.astype("int64"),
                    },
                    columns=TRANSITION_COLUMNS,
                )
            )
        previous = np.zeros(hist.n_ids, dtype="int64")
        previous[codes] = labels
    return pd.concat(frames, ignore_index=True)
