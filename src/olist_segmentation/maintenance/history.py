"""The monthly customer history the maintenance study reads: dates, index, sample and t0.

``customer_rfm_history`` holds one row per ``(snapshot_date, customer_unique_id)``. The study
indexes it once (customer ids factorised to integer codes, dates normalised and checked to be
monthly) so that every later step is a vectorised pass over integer codes, which is what keeps
the per-month work linear for millions of customers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from olist_segmentation.sampling import (
    customer_priority,
    lowest_priority_positions,
    sql_share_filter,
)
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.settings import StabilitySettings
from olist_segmentation.warehouse import read_columns

DATE_COLUMN = "snapshot_date"
ID_COLUMN = "customer_unique_id"


# ---- dates ---------------------------------------------------------------------------------


def as_date(value: Any, what: str) -> date:
    """A calendar date from a date, datetime, Timestamp, datetime64 or ISO string."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what}: cannot read {value!r} as a date") from error
    if pd.isna(stamp):
        raise ValueError(f"{what}: missing date")
    return stamp.date()


def month_number(day: date) -> int:
    """Months since year 0: the difference of two of them is a calendar-month offset."""
    return day.year * 12 + day.month - 1


def monthly_dates(values: Iterable[Any], what: str) -> list[date]:
    """Sorted distinct dates, refusing two snapshots in one calendar month.

    Month offsets are calendar-month differences, so two snapshots in the same month would get
    the same offset and silently shadow each other.
    """
    dates = sorted({as_date(v, what) for v in values})
    for earlier, later in zip(dates, dates[1:], strict=False):
        if month_number(earlier) == month_number(later):
            raise ValueError(
                f"{what} must be monthly: {earlier} and {later} fall in the same calendar month"
            )
    return dates


def default_t0(snapshot_dates: Iterable[Any], *, min_steps: int = 8) -> date:
    """The latest snapshot date that still leaves ``min_steps`` monthly snapshots after it.

    Latest, because the reference model should be fitted on as much history as possible (early
    Olist months hold only a few thousand customers); but not later, because a study of fewer
    than ``min_steps`` months cannot recommend a longer retraining interval than that.
    """
    if min_steps < 1:
        raise ValueError(f"min_steps must be at least 1, got {min_steps}")
    dates = monthly_dates(snapshot_dates, "snapshot_date")
    if len(dates) < min_steps + 1:
        span = f"{dates[0]}..{dates[-1]}" if dates else "none"
        raise ValueError(
            f"the history has {len(dates)} monthly snapshot(s) ({span}); the stability study "
            f"needs at least {min_steps + 1} (t0 plus {min_steps} after it). Provide a longer "
            "history or lower the number of months studied"
        )
    return dates[-(min_steps + 1)]


def study_t0(history: pd.DataFrame, settings: StabilitySettings) -> date:
    """The start date: var stability_t0, else the latest one leaving min_months months after it."""
    snapshots = sorted(pd.to_datetime(history[DATE_COLUMN]).dt.date.unique())
    if settings.t0 is None:
        return default_t0(snapshots, min_steps=settings.min_months)
    if settings.t0 not in snapshots:
        raise ValueError(
            f"Invalid var stability_t0={settings.t0}: expected one of the monthly snapshot dates "
            f"{snapshots[0]}..{snapshots[-1]} (first day of a month)"
        )
    return settings.t0


def origin_dates(
    snapshot_dates: Iterable[Any],
    customer_counts: Sequence[int],
    *,
    min_months: int,
    min_customers: int,
) -> list[date]:
    """The study's starting months (t0): every snapshot leaving ``min_months`` months after it
    and holding at least ``min_customers`` customers, and always the latest such snapshot.

    One start gives one answer, and another start another; many starts give the spread of the
    answer. Early months of a young business hold too few customers for a k-means fit to mean
    anything, hence the minimum. The latest eligible month is kept whatever its size, so a small
    history still has one origin (the model production would have fitted last).
    ``customer_counts[i]`` is the number of customers at ``snapshot_dates[i]``.
    """
    dates = [as_date(value, DATE_COLUMN) for value in snapshot_dates]
    if len(dates) != len(customer_counts):
        raise ValueError(f"{len(dates)} snapshot dates but {len(customer_counts)} customer counts")
    counts = dict(zip(dates, customer_counts, strict=True))
    latest = default_t0(dates, min_steps=min_months)
    return [d for d in sorted(counts) if d < latest and counts[d] >= min_customers] + [latest]


def study_origins(history: pd.DataFrame, settings: StabilitySettings) -> list[date]:
    """The origins of the study: var stability_t0 alone when set, else :func:`origin_dates`."""
    if settings.t0 is not None:
        return [study_t0(history, settings)]
    counts = pd.to_datetime(history[DATE_COLUMN]).dt.date.value_counts()
    return origin_dates(
        counts.index,
        counts.to_numpy(),
        min_months=settings.min_months,
        min_customers=settings.min_origin_customers,
    )


# ---- the indexed history -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class History:
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

    def study_dates(self, t0: date, *, max_months: int | None) -> list[tuple[int, date]]:
        """``(month offset, date)`` of the snapshots 1..max_months calendar months after t0."""
        if t0 not in self.dates:
            raise ValueError(
                f"t0={t0} is not a {self.date_column} of the history; available: "
                f"{self.dates[0]}..{self.dates[-1]} ({len(self.dates)} snapshots)"
            )
        base = month_number(t0)
        limit = math.inf if max_months is None else max_months
        chosen = [
            (month_number(d) - base, d) for d in self.dates if 1 <= month_number(d) - base <= limit
        ]
        if not chosen:
            raise ValueError(f"no snapshot after t0={t0} (last snapshot {self.dates[-1]})")
        return chosen

    def priority(self, *, seed: int) -> np.ndarray:
        """The seeded sampling priority of every customer code (olist_segmentation.sampling)."""
        return customer_priority(self.id_values, seed=seed)


def index_history(
    history: pd.DataFrame,
    columns: Sequence[str],
    *,
    date_column: str = DATE_COLUMN,
    id_column: str = ID_COLUMN,
) -> History:
    """Index ``history`` once, keeping only ``columns`` of its frame."""
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
    dates = [as_date(v, date_column) for v in date_values]
    ordered = monthly_dates(dates, date_column)
    # recode so that code i means ordered[i]
    recode = np.array([ordered.index(d) for d in dates], dtype="int64")
    id_codes, id_values = pd.factorize(history[id_column])
    if (id_codes < 0).any():
        raise ValueError(f"history has NULL {id_column}")
    return History(
        frame=history[list(dict.fromkeys(columns))],
        date_codes=recode[date_codes],
        dates=ordered,
        id_codes=id_codes.astype("int64", copy=False),
        id_values=np.asarray(id_values, dtype=object),
        date_column=date_column,
        id_column=id_column,
    )


def panel_sample(codes: np.ndarray, priority: np.ndarray, *, size: int) -> np.ndarray:
    """Sorted positions (into ``codes``) of the ``size`` customers with the lowest priority.

    The priority is a seeded hash of the customer id, so the sample does not depend on row order
    and consecutive months sample mostly the same customers (a panel): month-to-month
    differences then measure time rather than sampling.
    """
    return lowest_priority_positions(priority[codes], size=size)


def model_log1p_features(
    history: pd.DataFrame, features: Sequence[str], log1p_features: Sequence[str]
) -> list[str]:
    """The log1p features that apply to this model.

    ``log1p_features`` may be the project-wide list (dbt var ``segment_log1p_features``); only the
    history columns the study needs are kept, so entries outside ``features`` are dropped here
    after the same typo check ``fit_transform`` does (a misspelt name must not silently disable
    the log).
    """
    unknown = [f for f in log1p_features if f not in history.columns]
    if unknown:
        raise ValueError(f"log1p feature(s) not found in the history: {', '.join(unknown)}")
    return [f for f in log1p_features if f in set(features)]


def needed_columns(
    history: pd.DataFrame,
    features: Sequence[str],
    *,
    extra: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> list[str]:
    """The model features, ``extra`` columns, and those ``optional`` ones the history has."""
    present = [c for c in optional if c in history.columns]
    return list(dict.fromkeys([*features, *extra, *present]))


# ---- reading it from the warehouse ---------------------------------------------------------


def history_sample_share(n_customers: int, *, max_customers: int) -> float:
    """Share of customers whose history the study reads (1.0 up to ``max_customers``).

    customer_rfm_history is customers x months (~100M rows at 100x Olist): above the limit the
    study reads a seeded hash sample of customers — the same customers in every month, so the
    panel stays a panel — and records the share in its rows.
    """
    if n_customers <= max_customers:
        return 1.0
    return max_customers / n_customers


def history_columns(model: SegmentModel) -> list[str]:
    """Columns of customer_rfm_history the study needs: 10x Olist is ~20M rows, so read no more."""
    return [DATE_COLUMN, ID_COLUMN, *model.features]


def read_study_history(
    rfm_relation: Any, history_relation: Any, model: SegmentModel, settings: StabilitySettings
) -> tuple[pd.DataFrame, float]:
    """The history the study needs, as (frame, sample share).

    Only the model's columns, and above ``history_max_customers`` a hash sample of whole
    customers, filtered in DuckDB so that pandas never holds the full history.
    """
    customers = rfm_relation.project("count(*)").fetchall()[0][0]
    share = history_sample_share(customers, max_customers=settings.history_max_customers)
    sampled = history_relation.filter(sql_share_filter(share))
    return read_columns(sampled, history_columns(model), "customer_rfm_history"), share
