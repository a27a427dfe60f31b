"""Seeded samples of customers chosen by a hash of their id, independent of row order.

Sampling by id (not by row position) means the same customer is in or out of a sample whatever the
order of the rows, and stays in it from one month to the next, so samples of consecutive months
form a panel. Every sample of the project (the search, the final fit, the comparison, the
explanations, the report's charts, the stability study) is drawn this way; DuckDB filters with
the same idea in SQL before any row reaches pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def customer_priority(id_values: np.ndarray, *, seed: int) -> np.ndarray:
    """A seeded pseudo-random 64-bit number per customer id, independent of row order.

    ``hash_array`` ends with a bijective 64-bit mix, applied again after xor-ing a hash of the
    seed so that the seed reshuffles numeric and string ids alike.
    """
    hashed = pd.util.hash_array(np.asarray(id_values), categorize=False)
    seed_hash = pd.util.hash_array(np.array([seed], dtype="int64"))[0]
    return pd.util.hash_array(hashed ^ seed_hash)


def lowest_priority_positions(priority: np.ndarray, *, size: int) -> np.ndarray:
    """Sorted positions of the ``size`` lowest priorities (all positions when there are fewer)."""
    if len(priority) <= size:
        return np.arange(len(priority))
    chosen = np.argpartition(priority, size - 1)[:size]
    return np.sort(chosen)


def sample_customers(id_values: Any, *, size: int, seed: int) -> np.ndarray:
    """Positions of a seeded sample of at most ``size`` customer ids, in priority order.

    The positions come in the order of the customers' priorities, not of the rows: the sampled
    rows are then the same rows *in the same order* whatever the order of the input, which is
    what makes order-sensitive fits (k-means++ seeding, bootstrap draws, tree tie-breaks) give the
    same result on shuffled input. A smaller sample with the same seed is a prefix of a larger
    one, so nested samples (silhouette inside the fit sample, say) are consistent. With fewer
    than ``size`` ids, every position is returned, in priority order too.
    """
    if size <= 0:
        raise ValueError(f"sample size must be positive, got {size}")
    priority = customer_priority(np.asarray(id_values), seed=seed)
    chosen = lowest_priority_positions(priority, size=size)
    return chosen[np.argsort(priority[chosen], kind="stable")]


def sql_share_filter(share: float, *, column: str = "customer_unique_id") -> str:
    """DuckDB predicate keeping a deterministic share of customers (every row of each)."""
    if share >= 1.0:
        return "true"
    return f"hash({column}) % 1000000 < {int(share * 1_000_000)}"
