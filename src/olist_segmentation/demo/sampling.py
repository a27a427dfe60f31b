"""Small vectorised helpers shared by the table generators (random draws, ids, index tricks).

Timestamps are int64 seconds since 1970 everywhere, with -1 for null; ids are ``S32`` bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.integer]

#: Seconds in a day.
DAY_SECONDS = 86_400


def probabilities(weights: Sequence[float]) -> NDArray[np.float64]:
    """Normalise weights to probabilities, so parameters can be written as raw real counts."""
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def epoch_seconds(stamp: str) -> int:
    """Seconds since 1970 for an ISO date/time: all timestamps are int64 seconds internally."""
    return int(np.datetime64(stamp, "s").astype(np.int64))


def hex_ids(rng: np.random.Generator, n_ids: int) -> NDArray[np.bytes_]:
    """Return ``n_ids`` random 32-hex ids (``S32``), like Olist's md5-looking keys.

    Random 128-bit ids collide with negligible probability, and generating them as bytes keeps
    10 million ids at 320 MB instead of gigabytes of Python strings.
    """
    table = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
    raw = rng.integers(0, 256, size=(n_ids, 16), dtype=np.uint8)
    return np.ascontiguousarray(table[raw]).view("S32").reshape(n_ids)


def group_starts(counts: IntArray) -> IntArray:
    """Index of the first child row of each parent, for ``np.repeat``-expanded child tables."""
    return np.cumsum(counts) - counts


def rank_within(counts: IntArray) -> IntArray:
    """1-based position of each child row within its parent (order_item_id, sequential)."""
    n_children = int(counts.sum())
    return np.arange(n_children, dtype=np.int64) - np.repeat(group_starts(counts), counts) + 1


def lognormal(
    rng: np.random.Generator, median: float | NDArray, sigma: float, n_draws: int
) -> NDArray:
    """Lognormal draws parametrised by the median, which is what the real figures give."""
    return np.asarray(median) * np.exp(sigma * rng.standard_normal(n_draws))


def day_floor(ts: IntArray) -> IntArray:
    """Midnight of the same day: estimated delivery and review creation are dates."""
    return ts - ts % DAY_SECONDS


def cover_then_draw(
    rng: np.random.Generator, n_draws: int, weights: NDArray[np.float64]
) -> IntArray:
    """Draw ``n_draws`` indices so that every index appears once (if draws suffice).

    The real data has no product without a sale and no seller without a product, so the first
    draws are a permutation of all indices and the rest follow the (skewed) weights.
    """
    k = len(weights)
    forced = rng.permutation(k)[: min(n_draws, k)]
    rest = rng.choice(k, size=max(0, n_draws - k), p=weights / weights.sum())
    return rng.permutation(np.concatenate([forced, rest]).astype(np.int64))


def take_all(columns: dict[str, np.ndarray], index: NDArray[np.integer]) -> dict[str, np.ndarray]:
    """Reorder every column by ``index`` one at a time, so only one extra copy is ever alive.

    Callers hand over their only reference (``del`` the local names) for this to save memory.
    """
    for key in list(columns):
        columns[key] = columns[key][index]
    return columns
