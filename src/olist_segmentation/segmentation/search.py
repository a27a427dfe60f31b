"""The hyper-parameter search over (feature set, k) and the rule that picks one configuration.

The search fits on a seeded sample of bounded size, so its cost does not grow with the customer
base; every tunable is a keyword option because the dbt project passes them from vars.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import (
    adjusted_rand_score,
)

from olist_segmentation.sampling import sample_customers
from olist_segmentation.segmentation.kmeans import cap_threads, fit_kmeans
from olist_segmentation.segmentation.metrics import cluster_metrics, min_share
from olist_segmentation.segmentation.transform import apply_transform, fit_transform

GRID_COLUMNS = [
    "feature_set",
    "features",
    "k",
    "inertia",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "min_segment_share",
    "bootstrap_ari",
    "fit_seconds",
    "eval_seconds",
    "fitted_customer_count",
]


def evaluate_grid(
    df: pd.DataFrame,
    feature_sets: Mapping[str, Sequence[str]],
    log1p_features: Sequence[str],
    k_values: Sequence[int],
    seed: int,
    sample_size: int = 20_000,
    silhouette_sample: int = 10_000,
    n_bootstrap: int = 3,
    progress: Callable[[str], None] | None = None,
    n_init: int = 4,
    minibatch_above: int = 1_000_000,
    n_threads: int | None = 1,
    *,
    id_column: str = "customer_unique_id",
) -> pd.DataFrame:
    """Score every (feature set, k) on one seeded sample; one row per configuration.

    All configurations see the same sample rows, so their metrics are comparable, and the cost is
    bounded by ``sample_size`` whatever the number of customers. The transform is fitted on that
    sample too (medians and standard deviations of 20k rows are as good as of 10M for this).

    The sample is drawn from the customer ids (``id_column``, see
    :func:`olist_segmentation.sampling.sample_customers`) and taken in priority order, so the
    whole grid is the same whatever the order of the rows of ``df``; the silhouette uses the
    first ``silhouette_sample`` customers of that order.

    Stability (``bootstrap_ari``): the model is refitted on ``n_bootstrap`` bootstrap resamples
    of the sample (different resample *and* different init seed); each refit labels the same
    evaluation sample and is compared with the reference labels by the adjusted Rand index. A
    value near 1 means the segmentation is a property of the data, not of the seed.

    ``n_threads`` caps OpenMP/BLAS threads (see :func:`cap_threads`): on 20k-row fits one
    thread is faster than two, and it stays fast when dbt runs other models at the same time.
    """
    if not feature_sets:
        raise ValueError("feature_sets must not be empty")
    k_list = sorted({int(k) for k in k_values})
    if not k_list or k_list[0] < 2:
        raise ValueError(
            f"k values must be a non-empty list of integers >= 2, got {list(k_values)!r}"
        )
    if id_column not in df.columns:
        raise ValueError(f"the customers lack the id column {id_column} the sample is drawn from")
    idx = sample_customers(df[id_column].to_numpy(), size=sample_size, seed=seed)
    sample = df.iloc[idx]
    n = len(sample)
    silhouette_rows = np.arange(min(n, silhouette_sample))
    too_large = [k for k in k_list if k >= n]
    if too_large:
        raise ValueError(f"k values {too_large} need more than {n} sampled rows")
    boot_rng = np.random.default_rng([seed, 1])
    boot_indices = [boot_rng.integers(0, n, size=n) for _ in range(n_bootstrap)]

    rows = []
    total = len(feature_sets) * len(k_list)
    started = time.perf_counter()
    done = 0
    cap_threads(n_threads)
    for set_name, features in feature_sets.items():
        features = list(features)
        params = fit_transform(sample, features, log1p_features)
        X = apply_transform(sample, params)
        for k in k_list:
            t0 = time.perf_counter()
            model = fit_kmeans(X, k, seed, n_init=n_init, minibatch_above=minibatch_above)
            fit_seconds = time.perf_counter() - t0
            labels = model.predict(X)
            metrics = cluster_metrics(X, labels, silhouette_rows=silhouette_rows)
            metrics["min_segment_share"] = min_share(labels, k)
            aris = []
            for b, boot in enumerate(boot_indices):
                boot_model = fit_kmeans(
                    X[boot], k, seed + 1 + b, n_init=n_init, minibatch_above=minibatch_above
                )
                aris.append(adjusted_rand_score(labels, boot_model.predict(X)))
            eval_seconds = time.perf_counter() - t0
            rows.append(
                {
                    "feature_set": set_name,
                    "features": ",".join(features),
                    "k": k,
                    "inertia": float(model.inertia_),
                    **metrics,
                    "bootstrap_ari": float(np.mean(aris)) if aris else np.nan,
                    "fit_seconds": fit_seconds,
                    "eval_seconds": eval_seconds,
                    "fitted_customer_count": n,
                }
            )
            done += 1
            if progress is not None:
                r = rows[-1]
                progress(
                    f"grid {done}/{total}: feature_set={set_name} k={k} rows={n} "
                    f"silhouette={r['silhouette']:.3f} bootstrap_ari={r['bootstrap_ari']:.3f} "
                    f"min_share={r['min_segment_share']:.3f} ({eval_seconds:.1f}s, "
                    f"elapsed {time.perf_counter() - started:.1f}s)"
                )
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


class Selection(NamedTuple):
    """Result of :func:`choose_configuration`: the chosen row and the annotated grid."""

    chosen: pd.Series
    grid: pd.DataFrame


def choose_configuration(
    grid: pd.DataFrame,
    min_segment_share: float = 0.02,
    min_bootstrap_ari: float = 0.8,
    k_override: int | None = None,
    feature_set_override: str | None = None,
    silhouette_tie_tolerance: float = 0.0,
) -> Selection:
    """Pick one configuration with a documented, auditable rule.

    Rule:

    1. Candidates are all grid rows, restricted by the overrides (dbt vars ``segment_k`` and
       ``segment_feature_set``) when given. An override that is not in the grid is an error:
       choosing silently something else would hide a configuration mistake.
    2. A candidate *passes* if ``min_segment_share >= min_segment_share`` (no segment too small
       to act on) and ``bootstrap_ari >= min_bootstrap_ari`` (segments reproducible; a NaN
       ``bootstrap_ari``, from ``n_bootstrap=0``, skips this floor).
    3. Among passing candidates take the best silhouette; silhouettes within
       ``silhouette_tie_tolerance`` of the best count as a tie and the smaller k wins (fewer
       segments are easier to use), then the feature set listed first.
    4. If nothing passes, fall back to the most stable candidate (highest ``bootstrap_ari``,
       then silhouette, then smaller k) and say so in ``selection_reason``.

    Returns the chosen row and the grid with ``is_chosen`` and ``selection_reason`` per row.
    """
    if grid.empty:
        raise ValueError("the grid is empty: nothing to choose from")
    grid = grid.reset_index(drop=True).copy()
    candidate = pd.Series(True, index=grid.index)
    excluded_by: dict[int, str] = {}

    if k_override is not None:
        allowed = sorted(int(k) for k in grid["k"].unique())
        if int(k_override) not in allowed:
            raise ValueError(
                f"segment_k={k_override} is not in the evaluated grid; allowed values: {allowed}"
            )
        mask = grid["k"] == int(k_override)
        for i in grid.index[~mask & candidate]:
            excluded_by[i] = f"excluded by segment_k={k_override}"
        candidate &= mask
    if feature_set_override is not None:
        allowed_sets = list(dict.fromkeys(grid["feature_set"]))
        if feature_set_override not in allowed_sets:
            raise ValueError(
                f"segment_feature_set={feature_set_override!r} is not in the evaluated grid; "
                f"allowed values: {allowed_sets}"
            )
        mask = grid["feature_set"] == feature_set_override
        for i in grid.index[~mask & candidate]:
            excluded_by[i] = f"excluded by segment_feature_set={feature_set_override}"
        candidate &= mask

    share_ok = grid["min_segment_share"] >= min_segment_share
    # NaN stability only arises with n_bootstrap=0, i.e. stability was deliberately not measured
    ari_ok = grid["bootstrap_ari"].isna() | (grid["bootstrap_ari"] >= min_bootstrap_ari)
    sil_ok = grid["silhouette"].notna()
    passing = candidate & share_ok & ari_ok & sil_ok
    set_rank = grid["feature_set"].map(
        {s: i for i, s in enumerate(dict.fromkeys(grid["feature_set"]))}
    )
    floors = f"min_segment_share>={min_segment_share:g} and bootstrap_ari>={min_bootstrap_ari:g}"

    if passing.any():
        pool = grid[passing]
        best_sil = pool["silhouette"].max()
        tied = pool[pool["silhouette"] >= best_sil - silhouette_tie_tolerance]
        order = sorted(tied.index, key=lambda i: (int(grid.at[i, "k"]), set_rank[i]))
        chosen_i = order[0]
        reason = (
            f"chosen: passes {floors}; best silhouette {grid.at[chosen_i, 'silhouette']:.4f} "
            f"among {int(passing.sum())} passing configuration(s)"
        )
        if len(tied) > 1:
            reason += f" (tie within {silhouette_tie_tolerance:g} resolved by smaller k)"
    else:
        pool = grid[candidate]
        order = sorted(
            pool.index,
            key=lambda i: (
                -np.nan_to_num(grid.at[i, "bootstrap_ari"], nan=-np.inf),
                -np.nan_to_num(grid.at[i, "silhouette"], nan=-np.inf),
                int(grid.at[i, "k"]),
                set_rank[i],
            ),
        )
        chosen_i = order[0]
        reason = (
            f"fallback: no candidate passes {floors}; chose the highest bootstrap_ari "
            f"({grid.at[chosen_i, 'bootstrap_ari']:.4f})"
        )
    if k_override is not None or feature_set_override is not None:
        reason += (
            f" [overrides: segment_k={k_override}, segment_feature_set={feature_set_override}]"
        )

    reasons = []
    for i in grid.index:
        if i == chosen_i:
            reasons.append(reason)
        elif i in excluded_by:
            reasons.append(excluded_by[i])
        else:
            problems = []
            if not share_ok[i]:
                share = grid.at[i, "min_segment_share"]
                problems.append(f"min_segment_share {share:.4f} < {min_segment_share:g}")
            if not ari_ok[i]:
                problems.append(
                    f"bootstrap_ari {grid.at[i, 'bootstrap_ari']:.4f} < {min_bootstrap_ari:g}"
                )
            if not sil_ok[i]:
                problems.append("silhouette undefined")
            if problems:
                reasons.append("fails floor: " + "; ".join(problems))
            else:
                reasons.append(
                    f"passes floors; silhouette {grid.at[i, 'silhouette']:.4f} vs chosen "
                    f"{grid.at[chosen_i, 'silhouette']:.4f} (k={int(grid.at[chosen_i, 'k'])})"
                )
    grid["is_chosen"] = grid.index == chosen_i
    grid["selection_reason"] = reasons
    return Selection(grid.loc[chosen_i], grid)
