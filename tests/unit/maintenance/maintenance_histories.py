"""Synthetic monthly customer histories with a known answer, for the maintenance tests.

Clusters that never move, clusters whose recency grows by 30 days a month until one group reaches
another, a constant shift that only a refitted scaler could hide. They are small (hundreds of
customers, a handful of months) so the studies run in seconds.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

T0 = date(2017, 1, 1)
FEATURES = ["recency_days", "monetary"]
SEED = 42


def month(offset: int) -> date:
    """The snapshot date ``offset`` months after T0."""
    return (pd.Timestamp(T0) + pd.DateOffset(months=offset)).date()


def stack_months(snapshots: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack per-month customer frames into one history, month i at T0 + i months."""
    frames = [frame.assign(snapshot_date=month(i)) for i, frame in enumerate(snapshots)]
    history = pd.concat(frames, ignore_index=True)
    history["frequency"] = 1
    return history


def groups(centres: list[tuple[float, float]], per_group: int, seed: int) -> pd.DataFrame:
    """Tight groups of customers around ``(recency_days, monetary)`` centres, ids c0, c1, ..."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(centres)), per_group)
    points = np.array(centres)[group] + rng.normal(0.0, 5.0, size=(len(group), 2))
    return pd.DataFrame(
        {
            "customer_unique_id": [f"c{i}" for i in range(len(group))],
            "recency_days": points[:, 0],
            "monetary": points[:, 1],
            "group": group,
        }
    )


def static_history() -> pd.DataFrame:
    """Same customers with the same features at every one of 6 snapshots."""
    customers = groups([(30.0, 500.0), (200.0, 100.0), (400.0, 50.0)], 150, seed=0)
    return stack_months([customers] * 6)


def drifting_history() -> pd.DataFrame:
    """Recency grows by 30 days a month (nobody re-orders), and 20 customers join each month.

    Groups A=(20, 100), B=(170, 100), C=(20, 600) hold 200 customers each at t0. A drifts
    towards B; the frozen boundary between them sits at recency ~95, i.e. a shift of ~75 days:
    months 1 and 2 (30, 60 days) stay on A's side, from month 3 (90 days) A is labelled B. A
    refit sees three groups again at every date (everybody moves together and newcomers join a
    group where it is now), so the ARI collapses at month 3.
    """
    rng = np.random.default_rng(1)
    centres = np.array([(20.0, 100.0), (170.0, 100.0), (20.0, 600.0)])
    group = np.concatenate([np.repeat([0, 1, 2], 200), rng.integers(0, 3, 140)])
    points = centres[group] + rng.normal(0.0, 5.0, size=(len(group), 2))
    customers = pd.DataFrame(
        {
            "customer_unique_id": [f"c{i}" for i in range(600)] + [f"n{j}" for j in range(140)],
            "recency_days": points[:, 0],
            "monetary": points[:, 1],
            "group": group,
            "arrival": np.concatenate([np.zeros(600, dtype=int), np.repeat(np.arange(1, 8), 20)]),
        }
    )
    snapshots = []
    for m in range(8):
        present = customers[customers["arrival"] <= m]
        snapshots.append(present.assign(recency_days=present["recency_days"] + 30.0 * m))
    return stack_months(snapshots)


def jump_history(*, jump_month: int, months: int) -> pd.DataFrame:
    """Three tight groups that do not move until ``jump_month``, when group A leaves for a place
    of its own (recency 400, spend 350) and stays there.

    A model frozen before the jump puts A's new place with group B (nearest frozen centroid),
    while a refit sees three groups again: the ARI falls from 1 to about 0.6 at the jump and
    stays there. A model frozen after it sees no change at all.
    """
    customers = groups([(20.0, 100.0), (200.0, 100.0), (20.0, 600.0)], 150, seed=4)
    moved = customers.copy()
    in_a = moved["group"] == 0
    moved.loc[in_a, "recency_days"] += 380.0
    moved.loc[in_a, "monetary"] += 250.0
    return stack_months([customers if m < jump_month else moved for m in range(months)])
