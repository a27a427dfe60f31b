"""The refit at a date and its noise floor: what "the same model, refitted" disagrees by.

The study compares, on the sampled customers of a date, the frozen model's labels with a refit
at that date. That comparison mixes two things: real drift, and the disagreement any two fits
have even on unchanged data. The second part has two sources: the k-means initialisation (another
seed) and the sample (the frozen model was fitted on other customers, with its own scaler). The
noise floor here measures both, exactly as the frozen-vs-refit comparison is made: models fitted
on independent bootstrap resamples of the date's customers (transform and k-means, other seeds)
label the same sampled customers as the refit, and their ARI with the refit is the floor. Decay
is only drift when it falls clearly below that floor.

A date's refit and floor do not depend on the origin, so the study computes them once per date
however many origins reach it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import adjusted_rand_score

from olist_segmentation.maintenance.history import History, panel_sample
from olist_segmentation.maintenance.reference import StudyOptions
from olist_segmentation.segmentation.kmeans import assign_to_centroids, fit_kmeans
from olist_segmentation.segmentation.transform import apply_transform, fit_transform


def kmeans_labels(X: np.ndarray, *, k: int, seed: int, options: StudyOptions) -> np.ndarray:
    """Labels of a k-means fit on all of ``X`` (already a bounded sample)."""
    return _fit_and_assign(X, X, k=k, seed=seed, options=options)


def _fit_and_assign(
    X_fit: np.ndarray, X_label: np.ndarray, *, k: int, seed: int, options: StudyOptions
) -> np.ndarray:
    model = fit_kmeans(
        X_fit, k, seed, n_init=options.n_init, minibatch_above=options.minibatch_above
    )
    labels, _ = assign_to_centroids(X_label, model.cluster_centers_, options.chunk_size)
    return labels


def bootstrap_positions(order: np.ndarray, *, size: int, seed: int, draw: int) -> np.ndarray:
    """``size`` positions drawn with replacement from ``order`` (positions in hash order).

    A bootstrap rather than another subsample, so that a date with fewer customers than the
    sample size still gets a different sample; drawing from the hash order keeps the result
    independent of the row order of the history.
    """
    rng = np.random.default_rng([seed, draw])
    return order[rng.integers(0, len(order), size=size)]


@dataclass(frozen=True, eq=False)
class DateRefit:
    """The refit of one snapshot date and its noise floor.

    ``positions``: the date's row positions in the history; ``sample``: positions (into them)
    of the sampled customers the ARIs are measured on; ``labels``: the refit's labels of that
    sample; ``resample_aris``: ARI with the refit of each resampled model (sampling and seed
    noise); ``seed_ari``: ARI with a refit of the same sample with the next seed (seed noise
    only, NaN without noise seeds); ``seconds``: time spent fitting.
    """

    positions: np.ndarray
    sample: np.ndarray
    labels: np.ndarray
    resample_aris: np.ndarray
    seed_ari: float
    seconds: float

    @property
    def floor(self) -> float:
        """The noise floor: median ARI of the resampled models with the refit."""
        return float(np.median(self.resample_aris)) if len(self.resample_aris) else math.nan

    @property
    def floor_low(self) -> float:
        """The floor's spread, its lowest value."""
        return float(np.min(self.resample_aris)) if len(self.resample_aris) else math.nan


def date_refit(
    hist: History,
    positions: np.ndarray,
    *,
    features: Sequence[str],
    log1p_features: Sequence[str],
    k: int,
    seed: int,
    priority: np.ndarray,
    options: StudyOptions,
) -> DateRefit:
    """The refit of the date whose rows are ``positions``, with both noise floors.

    The refit is fitted like the reference model (transform then k-means with ``seed``) on the
    panel sample; each of ``options.n_noise_seeds`` resampled models is fitted the same way on a
    bootstrap resample with seed ``seed + s`` and labels the panel sample with its own transform
    and centroids, as the frozen model does. The seed-only figure refits the panel sample itself
    with ``seed + 1``.
    """
    started = time.perf_counter()
    codes = hist.id_codes[positions]
    sample = panel_sample(codes, priority, size=options.sample_size)
    if len(sample) <= k:
        raise ValueError(f"a snapshot has {len(sample)} customers: too few for k={k}")
    snapshot = hist.frame.iloc[positions]
    sampled = snapshot.iloc[sample]
    X = apply_transform(sampled, fit_transform(sampled, features, log1p_features))
    labels = kmeans_labels(X, k=k, seed=seed, options=options)
    order = np.argsort(priority[codes], kind="stable")
    resample_aris = []
    for draw in range(1, options.n_noise_seeds + 1):
        rows = snapshot.iloc[bootstrap_positions(order, size=len(sample), seed=seed, draw=draw)]
        params = fit_transform(rows, features, log1p_features)
        other = _fit_and_assign(
            apply_transform(rows, params),
            apply_transform(sampled, params),
            k=k,
            seed=seed + draw,
            options=options,
        )
        resample_aris.append(adjusted_rand_score(labels, other))
    seed_ari = math.nan
    if options.n_noise_seeds > 0:
        other = kmeans_labels(X, k=k, seed=seed + 1, options=options)
        seed_ari = float(adjusted_rand_score(labels, other))
    return DateRefit(
        positions=positions,
        sample=sample,
        labels=labels,
        resample_aris=np.asarray(resample_aris, dtype="float64"),
        seed_ari=seed_ari,
        seconds=time.perf_counter() - started,
    )
