"""Feature preparation for customer segmentation, as a transform that can be frozen.

K-means works on Euclidean distances, so every feature must be on a comparable scale and free of
NULLs. The transform here is deliberately simple and fully described by a handful of numbers per
feature (impute value, optional ``log1p``, centre, scale). That lets the dbt project store it in a
table next to the centroids and score new customers later with *exactly* the same arithmetic,
without refitting anything: a refit would silently move the segment boundaries.

Order of operations, per feature:

1. NULLs are replaced by the median of the raw feature (robust to the long monetary tail).
2. Optionally ``log1p`` (monetary and frequency are heavily right-skewed; without the log a few
   big spenders would dominate the distances).
3. Standardise with the mean and population standard deviation (ddof=0, like scikit-learn's
   ``StandardScaler``) computed *after* steps 1 and 2. A constant feature gets scale 1 instead of a
   division by zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# A standard deviation at or below this is treated as "constant feature". It is a numerical
# tolerance (float noise on a constant column), not a modelling choice, hence not a parameter.
_CONSTANT_STD = 1e-12


PARAMS_COLUMNS = (
    "model_version",
    "feature",
    "feature_order",
    "log1p",
    "impute_value",
    "center",
    "scale",
)


@dataclass(frozen=True)
class FeatureParams:
    """Frozen transform of one feature: everything needed to reproduce its scaled value."""

    name: str
    log1p: bool
    impute_value: float
    center: float
    scale: float


@dataclass(frozen=True)
class TransformParams:
    """Frozen transform of a feature vector; the order of ``features`` is the column order."""

    features: tuple[FeatureParams, ...]

    @property
    def names(self) -> list[str]:
        """Feature names in column order of the transformed matrix."""
        return [f.name for f in self.features]

    @property
    def log1p_names(self) -> list[str]:
        """Names of the features that are ``log1p``-transformed."""
        return [f.name for f in self.features if f.log1p]

    @property
    def n_features(self) -> int:
        """Number of columns of the transformed matrix."""
        return len(self.features)


def _check_columns(df: pd.DataFrame, features: Sequence[str]) -> None:
    """Fail early with a message that names the offending column(s), not a KeyError deep inside."""
    if len(features) == 0:
        raise ValueError("at least one feature is required")
    duplicated = sorted({f for f in features if list(features).count(f) > 1})
    if duplicated:
        raise ValueError(f"duplicated feature(s): {', '.join(duplicated)}")
    missing = [f for f in features if f not in df.columns]
    if missing:
        available = ", ".join(map(str, df.columns))
        raise ValueError(f"missing column(s) {', '.join(missing)}; available columns: {available}")
    non_numeric = [
        f
        for f in features
        if not pd.api.types.is_numeric_dtype(df[f]) or pd.api.types.is_complex_dtype(df[f])
    ]
    if non_numeric:
        described = ", ".join(f"{f} (dtype {df[f].dtype})" for f in non_numeric)
        raise ValueError(f"feature(s) must be numeric: {described}")


def _raw_column(df: pd.DataFrame, name: str) -> np.ndarray:
    """Column as float64 with NaN for NULL; works for numpy and pandas nullable dtypes alike."""
    values = df[name].to_numpy(dtype="float64", na_value=np.nan, copy=True)
    if np.isinf(values).any():
        raise ValueError(f"feature {name} contains infinite values")
    return values


def _log1p_checked(values: np.ndarray, name: str) -> np.ndarray:
    """``log1p`` that refuses values outside its domain instead of producing NaN silently."""
    if (values <= -1).any():
        raise ValueError(f"feature {name} has values <= -1, so log1p is undefined")
    return np.log1p(values)


def fit_transform(
    df: pd.DataFrame, features: Sequence[str], log1p_features: Sequence[str]
) -> TransformParams:
    """Learn the frozen transform of ``features`` from ``df``.

    ``log1p_features`` is usually one project-wide list (from a dbt var) shared by several feature
    sets, so entries that are not in ``features`` are ignored; they must still be columns of ``df``
    so that a typo does not silently disable the log.
    """
    features = list(features)
    _check_columns(df, features)
    unknown_log = [f for f in log1p_features if f not in df.columns]
    if unknown_log:
        raise ValueError(f"log1p feature(s) not found in the data: {', '.join(unknown_log)}")
    log_set = set(log1p_features)

    params = []
    for name in features:
        raw = _raw_column(df, name)
        observed = raw[~np.isnan(raw)]
        if observed.size == 0:
            raise ValueError(f"feature {name} has no non-NULL value, so it cannot be imputed")
        impute_value = float(np.median(observed))
        values = np.where(np.isnan(raw), impute_value, raw)
        use_log = name in log_set
        if use_log:
            values = _log1p_checked(values, name)
        center = float(values.mean())
        std = float(values.std())
        scale = std if np.isfinite(std) and std > _CONSTANT_STD else 1.0
        params.append(FeatureParams(name, use_log, impute_value, center, scale))
    return TransformParams(tuple(params))


def apply_transform(df: pd.DataFrame, params: TransformParams) -> np.ndarray:
    """Scale ``df`` with frozen ``params`` (never refits): returns a float64 matrix n x d.

    Filled column by column into one preallocated array so that 10M rows need one n x d buffer
    plus one column of scratch, not a copy of the whole frame.
    """
    _check_columns(df, params.names)
    out = np.empty((len(df), params.n_features), dtype="float64")
    for j, p in enumerate(params.features):
        values = _raw_column(df, p.name)
        np.copyto(values, p.impute_value, where=np.isnan(values))
        if p.log1p:
            values = _log1p_checked(values, p.name)
        values -= p.center
        values /= p.scale
        out[:, j] = values
    return out


def inverse_transform(X: np.ndarray, params: TransformParams) -> np.ndarray:
    """Map scaled values back to original units (used to explain centroids to humans).

    Imputation cannot be undone and is not attempted. For ``log1p`` features the back-transform of
    a centroid is ``expm1(mean of log1p)``, i.e. a geometric-style mean, which is the honest
    "typical" value of a skewed feature rather than its arithmetic mean.
    """
    X = np.asarray(X, dtype="float64")
    if X.ndim != 2 or X.shape[1] != params.n_features:
        raise ValueError(f"expected an array of shape (n, {params.n_features}), got {X.shape}")
    out = X * np.array([p.scale for p in params.features]) + np.array(
        [p.center for p in params.features]
    )
    for j, p in enumerate(params.features):
        if p.log1p:
            out[:, j] = np.expm1(out[:, j])
    return out


def params_to_frame(params: TransformParams, model_version: str) -> pd.DataFrame:
    """Long table (one row per feature) so the transform can be persisted as a dbt table."""
    return pd.DataFrame(
        {
            "model_version": [model_version] * params.n_features,
            "feature": params.names,
            "feature_order": np.arange(1, params.n_features + 1, dtype="int64"),
            "log1p": [p.log1p for p in params.features],
            "impute_value": np.array([p.impute_value for p in params.features], dtype="float64"),
            "center": np.array([p.center for p in params.features], dtype="float64"),
            "scale": np.array([p.scale for p in params.features], dtype="float64"),
        },
        columns=list(PARAMS_COLUMNS),
    )


def params_from_frame(frame: pd.DataFrame, model_version: str | None = None) -> TransformParams:
    """Rebuild :class:`TransformParams` from :func:`params_to_frame` output (exact round trip).

    The table may hold several model versions (an append-only history); then ``model_version``
    must say which one to use, because mixing versions would produce a meaningless transform.
    """
    missing = [c for c in PARAMS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"transform table is missing column(s): {', '.join(missing)}")
    if model_version is not None:
        frame = frame[frame["model_version"] == model_version]
        if frame.empty:
            raise ValueError(f"transform table has no rows for model_version {model_version!r}")
    versions = sorted(map(str, frame["model_version"].unique()))
    if len(versions) != 1:
        raise ValueError(
            "transform table must hold exactly one model_version (pass model_version=...); "
            f"found: {', '.join(versions) or 'none'}"
        )
    frame = frame.sort_values("feature_order", kind="stable")
    order = frame["feature_order"].to_numpy()
    if list(order) != list(range(1, len(frame) + 1)):
        raise ValueError(f"feature_order must be 1..{len(frame)} without gaps, got {list(order)}")
    return TransformParams(
        tuple(
            FeatureParams(
                name=str(row.feature),
                log1p=bool(row.log1p),
                impute_value=float(row.impute_value),
                center=float(row.center),
                scale=float(row.scale),
            )
            for row in frame.itertuples(index=False)
        )
    )
