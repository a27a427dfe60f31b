"""Customers moving between frozen segments from one monthly snapshot to the next.

The study says how much the segmentation decays; this table shows where customers go (a flow
chart for marketing: "who left the best segment last month?"). Labels come from a frozen model,
so a segment id means the same thing at every date.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from olist_segmentation.maintenance.history import as_date, index_history
from olist_segmentation.maintenance.reference import StudyOptions, frozen_labels
from olist_segmentation.segmentation.transform import TransformParams

TRANSITION_COLUMNS = [
    "t0",
    "from_month_offset",
    "to_month_offset",
    "from_snapshot_date",
    "to_snapshot_date",
    "from_segment_id",
    "to_segment_id",
    "customer_count",
]


def _pair_counts(before: np.ndarray, after: np.ndarray, *, k: int) -> np.ndarray:
    """Counts of every (from, to) pair of positions 1..k, row-major, of customers in both."""
    both = before > 0
    pair = (before[both] - 1) * k + (after[both] - 1)
    return np.bincount(pair, minlength=k * k)


def monthly_transitions(
    history: pd.DataFrame,
    *,
    params: TransformParams,
    centroids: np.ndarray,
    t0: Any,
    segment_ids: Sequence[int] | None = None,
    options: StudyOptions | None = None,
) -> pd.DataFrame:
    """Customers moving from segment A to segment B between consecutive monthly snapshots.

    Labels come from the frozen model (``params`` and ``centroids``, e.g. from
    ``fit_reference_model`` or a ``SegmentModel``), so ids mean the same thing at every date.
    Pairs are (t0, t0+1), (t0+1, t0+2), ... up to ``options.max_months``; only customers present
    at both dates of a pair are counted (new customers have no "from"). Every ``k x k``
    combination is listed, zeros included, so a BI flow chart gets a fixed shape.
    ``segment_ids[i]`` is the id of ``centroids[i]`` (default ``1..k``).
    """
    options = options if options is not None else StudyOptions()
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
    hist = index_history(
        history, params.names, date_column=options.date_column, id_column=options.id_column
    )
    t0_date = as_date(t0, "t0")
    steps = [(0, t0_date), *hist.study_dates(t0_date, max_months=options.max_months)]

    previous = np.zeros(hist.n_ids, dtype="int64")  # label position + 1, 0 = absent
    frames = []
    for i, (offset, day) in enumerate(steps):
        pos = hist.positions(day)
        codes = hist.id_codes[pos]
        labels = frozen_labels(
            hist.frame.iloc[pos], params, centroids, chunk_size=options.chunk_size
        )
        if i > 0:
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
                        "customer_count": _pair_counts(previous[codes], labels, k=k).astype(
                            "int64"
                        ),
                    },
                    columns=TRANSITION_COLUMNS,
                )
            )
        previous = np.zeros(hist.n_ids, dtype="int64")
        previous[codes] = labels
    return pd.concat(frames, ignore_index=True)
