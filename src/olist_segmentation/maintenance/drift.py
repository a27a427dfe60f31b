"""Drift of the customer base against a reference date: feature PSI and segment shares.

The ARI of the study says *that* a frozen model went stale; these numbers say *what* moved, and
they are cheap enough (one linear pass per month) to be the monthly monitoring in production.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


def as_float_array(values: Any, what: str) -> np.ndarray:
    """1-D float64 with NaN for NULL (numpy, lists, pandas nullable dtypes alike)."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        array = values.to_numpy(dtype="float64", na_value=np.nan)
    else:
        array = np.asarray(values, dtype="float64")
    array = array.reshape(-1)
    if np.isinf(array).any():
        raise ValueError(f"{what} contains infinite values")
    return array


def psi_edges(expected: np.ndarray, *, bins: int) -> np.ndarray:
    """Interior bin edges: distinct quantiles of the observed reference values.

    Quantiles of the *reference* make every bin hold ~1/bins of it, so PSI weighs all parts of
    the distribution alike. Discrete features (frequency is 1 for 97% of Olist customers) give
    repeated quantiles; de-duplicating them merges those bins instead of creating empty ones,
    and right-closed bins (see :func:`bin_shares`) keep the tied mass apart from larger values.
    """
    observed = expected[~np.isnan(expected)]
    if observed.size == 0:
        return np.empty(0)
    return np.unique(np.quantile(observed, np.linspace(0.0, 1.0, bins + 1)[1:-1]))


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
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


def psi_from_shares(expected: np.ndarray, actual: np.ndarray, *, epsilon: float) -> float:
    """``sum((a - e) * ln(a / e))`` with empty bins floored at ``epsilon`` (no log of zero)."""
    e = np.maximum(expected, epsilon)
    a = np.maximum(actual, epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected: Any, actual: Any, *, bins: int = 10, epsilon: float = 1e-4) -> float:
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
    e = as_float_array(expected, "expected")
    a = as_float_array(actual, "actual")
    if e.size == 0 or a.size == 0:
        return math.nan
    edges = psi_edges(e, bins=bins)
    return psi_from_shares(bin_shares(e, edges), bin_shares(a, edges), epsilon=epsilon)


def psi_alert_level(value: float, *, moderate: float = 0.1, significant: float = 0.25) -> str:
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


@dataclass(frozen=True, eq=False)
class PsiReference:
    """The bins of one feature at the reference date and the reference's share in each.

    Computed once at t0 so that every later month costs one ``searchsorted`` pass.
    """

    edges: np.ndarray
    shares: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, *, bins: int) -> PsiReference:
        edges = psi_edges(values, bins=bins)
        return cls(edges=edges, shares=bin_shares(values, edges))

    def psi(self, values: np.ndarray, *, epsilon: float) -> float:
        """PSI of ``values`` against the reference."""
        return psi_from_shares(self.shares, bin_shares(values, self.edges), epsilon=epsilon)


def psi_references(
    frame: pd.DataFrame, features: Sequence[str], *, bins: int
) -> dict[str, PsiReference]:
    """The reference bins of each feature of ``frame`` (the customers at t0)."""
    return {
        name: PsiReference.of(as_float_array(frame[name], name), bins=bins) for name in features
    }


def feature_psi(
    frame: pd.DataFrame, references: Mapping[str, PsiReference], *, epsilon: float
) -> dict[str, float]:
    """PSI of each referenced feature of ``frame`` (the customers of a later month)."""
    return {
        name: reference.psi(as_float_array(frame[name], name), epsilon=epsilon)
        for name, reference in references.items()
    }


def segment_shares(labels: np.ndarray, *, k: int) -> np.ndarray:
    """Share of customers in each segment position 1..k (``labels`` hold positions 1..k)."""
    return np.bincount(labels, minlength=k + 1)[1:] / len(labels)
