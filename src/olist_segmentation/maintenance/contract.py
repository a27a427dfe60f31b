"""The maintenance contract: a retrain interval and what to monitor, read off the stability study.

The study answers "how fast does a frozen model go stale on this data?"; the contract turns that
into the two things an operator needs: how many months a frozen model may be used, and which
cheap monthly numbers call for an earlier retrain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from numbers import Real

import numpy as np
import pandas as pd

from olist_segmentation.settings import StabilitySettings

CONTRACT_COLUMNS = [
    "computed_on",
    "t0",
    "k",
    "seed",
    "studied_month_count",
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

DEFAULT_RETRAIN_COMMAND = (
    "make build with segment_frozen_model_file unset (refits selection and model), i.e. "
    "dbt build --select segment_model_selection+ --vars '{segment_frozen_model_file: null}'"
)


def _in_range(value: object, name: str, *, high: float) -> None:
    """A real number in ``(0, high]``; strings, None and NaN are refused, not parsed."""
    is_number = isinstance(value, Real) and not isinstance(value, bool)
    if not (is_number and 0 < value <= high):  # type: ignore[operator]
        raise ValueError(f"{name} must be a number in (0, {high:g}], got {value!r}")


@dataclass(frozen=True)
class ContractThresholds:
    """When the contract says "retrain" (``ari_threshold``), "act" and "watch".

    ``ari_threshold``: retrain once the frozen model's ARI against a refit falls below it.
    ``psi_alert`` / ``share_drift_alert``: a feature's PSI, or a segment share's move, that calls
    for an earlier retrain; ``psi_watch``: a PSI worth looking at, not acting on.
    """

    ari_threshold: float
    psi_alert: float = 0.25
    share_drift_alert: float = 0.05
    psi_watch: float = 0.1

    def __post_init__(self) -> None:
        _in_range(self.ari_threshold, "ari_threshold", high=1.0)
        _in_range(self.psi_alert, "psi_alert", high=math.inf)
        _in_range(self.share_drift_alert, "share_drift_alert", high=1.0)

    @classmethod
    def from_settings(cls, settings: StabilitySettings) -> ContractThresholds:
        return cls(
            ari_threshold=settings.ari_threshold,
            psi_alert=settings.psi_alert,
            share_drift_alert=settings.share_drift_alert,
        )


@dataclass(frozen=True)
class RetrainInterval:
    """How long the frozen model stayed at or above the ARI threshold."""

    recommended_months: int
    first_month_below: int | None
    never_below: bool


def retrain_interval(months: np.ndarray, ari: np.ndarray, *, threshold: float) -> RetrainInterval:
    """The last month ``m`` such that the ARI is >= ``threshold`` in *every* month up to ``m``.

    The frozen model is trusted as long as it has never dropped below the threshold, because a
    later recovery is not something to plan on. 0 if the first month is already below (do not
    freeze for more than one build). If the ARI never drops below, the last month studied: the
    real interval may be longer, the data just cannot show it. A NaN ARI counts as below (no
    evidence of stability).
    """
    below = ~(ari >= threshold)
    if not below.any():
        return RetrainInterval(int(months[-1]), None, True)
    first = int(np.argmax(below))
    recommended = int(months[first - 1]) if first > 0 else 0
    return RetrainInterval(recommended, int(months[first]), False)


def first_and_max(
    months: np.ndarray, values: np.ndarray, *, limit: float
) -> tuple[int, int, float]:
    """(first month with value >= limit or -1, month of the max value, max value)."""
    hit = np.flatnonzero(values >= limit)
    best = int(np.nanargmax(values))
    return (int(months[hit[0]]) if len(hit) else -1), int(months[best]), float(values[best])


def drift_alerts(
    rows: pd.DataFrame, months: np.ndarray, thresholds: ContractThresholds
) -> list[str]:
    """One line per feature whose PSI reached ``psi_alert``, and one if a segment share moved by
    ``share_drift_alert`` or more: when it started and how bad it got."""
    alerts = []
    for column in (c for c in rows.columns if c.startswith("psi_")):
        values = rows[column].to_numpy(dtype="float64", na_value=np.nan)
        if np.isnan(values).all():
            continue
        first_hit, worst_month, worst = first_and_max(months, values, limit=thresholds.psi_alert)
        if first_hit >= 0:
            alerts.append(
                f"{column[4:]}: PSI >= {thresholds.psi_alert:g} from month {first_hit} "
                f"(max {worst:.2f} at month {worst_month})"
            )
    drift = rows["max_share_drift"].to_numpy(dtype="float64", na_value=np.nan)
    if not np.isnan(drift).all():
        limit = thresholds.share_drift_alert
        first_hit, worst_month, worst = first_and_max(months, drift, limit=limit)
        if first_hit >= 0:
            alerts.append(
                f"segment shares: drift >= {limit:g} from month {first_hit} "
                f"(max {worst:.3f} at month {worst_month})"
            )
    return alerts


def monitoring_text(
    rows: pd.DataFrame, interval: RetrainInterval, noise: float, thresholds: ContractThresholds
) -> str:
    """What to compute every month with the frozen model, and the retrain cadence."""
    psi_names = [c[4:] for c in rows.columns if c.startswith("psi_")]
    features = ", ".join(psi_names) if psi_names else "the model features"
    sampled = (
        int(rows["sampled_customer_count"].max()) if "sampled_customer_count" in rows else None
    )
    sample_text = f"a {sampled}-customer sample" if sampled else "a seeded sample"
    if interval.recommended_months == 0:
        cadence = (
            "The frozen model is already below the threshold after one month: refit at every "
            "monthly build rather than freezing it."
        )
    else:
        cadence = (
            f"Retrain at the latest {interval.recommended_months} month(s) after the model's "
            "reference date, earlier on any act-level alert."
        )
    return (
        "Every month, score the new customer_rfm snapshot with the frozen model (no refit) and "
        f"compare with the reference date: PSI of each feature ({features}) against its "
        f"reference deciles (watch >= {thresholds.psi_watch:g}, act >= "
        f"{thresholds.psi_alert:g}); frozen segment shares (act when one moves by >= "
        f"{thresholds.share_drift_alert:g}); share of customers unseen at the reference date; "
        f"and on {sample_text} the ARI between frozen labels and a same-seed refit (retrain "
        f"when < {thresholds.ari_threshold:g}; init-noise floor {noise:.2f}). {cadence}"
    )


def caveats(
    months: np.ndarray, ari: np.ndarray, interval: RetrainInterval, noise: float, threshold: float
) -> list[str]:
    """Reasons to read the recommendation with care (short history, noisy k-means, gaps)."""
    notes = []
    if interval.never_below:
        notes.append(
            f"ARI never fell below {threshold:g} within {len(months)} studied month(s): the "
            "interval is capped by the history available, the true one may be longer"
        )
    if not math.isnan(noise) and noise < threshold:
        notes.append(
            f"the init-noise floor ({noise:.3f}) is below the threshold: same-date refits with "
            "other seeds already disagree that much, so the ARI decay is not separable from "
            "k-means noise (consider a smaller k or a lower threshold)"
        )
    if np.isnan(ari).any():
        notes.append("some months have no ARI; they were treated as below the threshold")
    if len(months) and (months[0] != 1 or (np.diff(months) != 1).any()):
        notes.append(f"studied months are not consecutive: {months.tolist()}")
    return notes


def _checked_rows(stability: pd.DataFrame) -> tuple[pd.DataFrame, object]:
    """(the study rows in month order, their one t0), refusing what the contract cannot read."""
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
    return rows, t0_values[0]


def maintenance_contract(
    stability: pd.DataFrame,
    *,
    thresholds: ContractThresholds,
    computed_on: date | None = None,
    retrain_command: str = DEFAULT_RETRAIN_COMMAND,
) -> pd.DataFrame:
    """One-row contract read off ``stability_study``: retrain interval and what to watch.

    ``recommended_retrain_months`` follows :func:`retrain_interval`;
    ``ari_never_below_threshold`` is true when the history was too short to see the ARI fall.
    ``computed_on`` defaults to today; pass the run date for reproducible builds.
    """
    rows, t0 = _checked_rows(stability)
    months = rows["month_offset"].to_numpy(dtype="int64")
    ari = rows["ari_frozen_vs_refit"].to_numpy(dtype="float64", na_value=np.nan)
    threshold = float(thresholds.ari_threshold)
    interval = retrain_interval(months, ari, threshold=threshold)
    noise_values = rows["noise_floor_ari"].to_numpy(dtype="float64", na_value=np.nan)
    noise = math.nan if np.isnan(noise_values).all() else float(np.nanmean(noise_values))
    noise_t0 = (
        float(rows["noise_floor_ari_t0"].iloc[0]) if "noise_floor_ari_t0" in rows else math.nan
    )
    alerts = drift_alerts(rows, months, thresholds)
    notes = caveats(months, ari, interval, noise, threshold)
    contract = {
        "computed_on": computed_on if computed_on is not None else date.today(),
        "t0": t0,
        "k": int(rows["k"].iloc[0]) if "k" in rows else None,
        "seed": int(rows["seed"].iloc[0]) if "seed" in rows else None,
        "studied_month_count": len(months),
        "ari_threshold": threshold,
        "recommended_retrain_months": interval.recommended_months,
        "first_month_below_threshold": interval.first_month_below,
        "ari_never_below_threshold": interval.never_below,
        "min_ari_frozen_vs_refit": float(np.nanmin(ari)) if not np.isnan(ari).all() else math.nan,
        "noise_floor_ari": noise,
        "noise_floor_ari_t0": noise_t0,
        "psi_alert": float(thresholds.psi_alert),
        "share_drift_alert": float(thresholds.share_drift_alert),
        "drift_alerts": "; ".join(alerts) if alerts else "none",
        "monitoring": monitoring_text(rows, interval, noise, thresholds),
        "retrain_command": retrain_command,
        "caveats": "; ".join(notes) if notes else None,
    }
    frame = pd.DataFrame([contract], columns=CONTRACT_COLUMNS)
    frame["first_month_below_threshold"] = frame["first_month_below_threshold"].astype("Int64")
    return frame
