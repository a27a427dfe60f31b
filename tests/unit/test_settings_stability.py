"""The stability vars, parsed by olist_segmentation.settings: values and errors naming the var."""

from __future__ import annotations

from datetime import date

import pytest
from settings_fixtures import project_vars

from olist_segmentation.settings import StabilitySettings, load_settings


def stability(**overrides: object) -> StabilitySettings:
    return load_settings(project_vars(**overrides)).stability


def test_the_project_defaults() -> None:
    settings = stability()
    assert settings.t0 is None
    assert (settings.min_months, settings.max_months) == (8, 12)
    assert settings.sample_size == 20000 and settings.noise_seeds == 3
    assert (settings.ari_threshold, settings.psi_alert, settings.share_drift_alert) == (
        0.8,
        0.25,
        0.05,
    )
    assert settings.history_max_customers == 500000


def test_text_values_as_dbt_renders_them() -> None:
    settings = stability(
        stability_t0="2018-02-01",
        stability_min_months="3",
        stability_max_months="4",
        stability_sample_size="1500",
        stability_ari_threshold="0.75",
        stability_history_max_customers="1000",
    )
    assert settings.t0 == date(2018, 2, 1)
    assert (settings.min_months, settings.max_months, settings.sample_size) == (3, 4, 1500)
    assert settings.ari_threshold == 0.75 and settings.history_max_customers == 1000


@pytest.mark.parametrize("unset", [None, "", "None", "null"])
def test_an_unset_t0_means_the_default(unset: object) -> None:
    assert stability(stability_t0=unset).t0 is None


def test_max_months_is_at_least_min_months() -> None:
    assert stability(stability_min_months=6, stability_max_months=2).max_months == 6


@pytest.mark.parametrize(
    ("var", "value", "expected"),
    [
        ("stability_ari_threshold", "0", "a number in (0, 1]"),
        ("stability_ari_threshold", "1.2", "a number in (0, 1]"),
        ("stability_psi_alert", "-1", "a number in (0, 1]"),
        ("stability_share_drift_alert", "2", "a number in (0, 1]"),
        ("stability_t0", "last month", "a date YYYY-MM-01"),
        ("stability_sample_size", "10", "an integer >= 100"),
        ("stability_min_months", "0", "an integer >= 1"),
        ("stability_noise_seeds", "many", "an integer >= 1"),
        ("stability_history_max_customers", "999", "an integer >= 1000"),
    ],
)
def test_invalid_stability_vars_name_the_var(var: str, value: str, expected: str) -> None:
    with pytest.raises(ValueError) as error:
        stability(**{var: value})
    assert str(error.value).startswith(f"Invalid var {var}={value!r}: expected {expected}")


@pytest.mark.parametrize("threshold", [0, 0.0, -0.2, 1.01, 2, "abc", float("nan"), None])
def test_ari_threshold_outside_unit_interval_is_refused(threshold: object) -> None:
    with pytest.raises(ValueError, match=r"Invalid var stability_ari_threshold=.*: expected"):
        stability(stability_ari_threshold=threshold)
