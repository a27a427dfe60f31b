"""Population stability index and its reading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from olist_segmentation.maintenance.drift import psi, psi_alert_level, segment_shares


def test_psi_identical_is_zero_and_shift_is_significant() -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(0.0, 1.0, 20_000)
    assert psi(reference, reference) == pytest.approx(0.0, abs=1e-12)
    assert psi(reference, rng.normal(0.0, 1.0, 20_000)) < 0.01  # same law, new draw
    shifted = psi(reference, rng.normal(1.0, 1.0, 20_000))
    assert shifted > 0.25
    assert psi_alert_level(shifted) == "significant"


def test_psi_handles_missing_values() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(0.0, 1.0, 10_000)
    with_nan = np.where(rng.random(10_000) < 0.2, np.nan, values)
    assert psi(with_nan, with_nan) == pytest.approx(0.0, abs=1e-12)
    nullable = pd.Series(with_nan).astype("Float64")  # pandas NA, not NaN
    assert psi(nullable, nullable) == pytest.approx(0.0, abs=1e-12)
    # same observed values, but the NULL rate goes from 20% to 60%: that is drift
    more_nan = np.where(rng.random(10_000) < 0.6, np.nan, values)
    assert np.isfinite(psi(with_nan, more_nan)) and psi(with_nan, more_nan) > 0.25
    assert np.isnan(psi([], values))
    assert np.isfinite(psi(np.full(100, np.nan), values))


def test_psi_on_a_discrete_feature_merges_repeated_deciles() -> None:
    frequency = np.array([1] * 97 + [2, 2, 3])
    assert psi(frequency, frequency) == pytest.approx(0.0, abs=1e-12)
    assert psi(frequency, np.array([1] * 70 + [2] * 30)) > 0.25


def test_psi_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="bins must be at least 2"):
        psi([1.0], [1.0], bins=1)
    with pytest.raises(ValueError, match="epsilon must be positive"):
        psi([1.0], [1.0], epsilon=0.0)
    with pytest.raises(ValueError, match="infinite"):
        psi([1.0, np.inf], [1.0])


@pytest.mark.parametrize(
    ("value", "level"),
    [(0.0, "stable"), (0.099, "stable"), (0.1, "moderate"), (0.2499, "moderate"),
     (0.25, "significant"), (3.0, "significant"), (float("nan"), "unknown")],
)  # fmt: skip
def test_psi_alert_level(value: float, level: str) -> None:
    assert psi_alert_level(value) == level


def test_psi_alert_level_thresholds_are_parameters() -> None:
    assert psi_alert_level(0.15, moderate=0.2, significant=0.3) == "stable"
    assert psi_alert_level(0.35, moderate=0.2, significant=0.4) == "moderate"
    with pytest.raises(ValueError):
        psi_alert_level(0.1, moderate=0.3, significant=0.2)


def test_segment_shares_per_position() -> None:
    shares = segment_shares(np.array([1, 1, 3, 1]), k=3)
    assert shares.tolist() == [0.75, 0.0, 0.25]
