"""Every dbt var the Python models read, parsed once into typed settings.

A dbt Python model cannot call ``var()``, and dbt renders neither project vars nor macros in
dbt_project.yml configs. So the models' yml renders the vars of their stage as one JSON object
(``settings: "{{ tojson({...}) }}"``, shared by a YAML anchor within the file); each model hands
``dbt.config.get("settings")`` to :func:`load_settings` and reads the typed, validated group it
needs. No other module parses configuration, so a bad var fails with the same one-line message
wherever it is read: ``Invalid var NAME=VALUE: expected ...``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

UNSET_WORDS = frozenset({"", "none", "null"})


def is_unset(value: Any) -> bool:
    """True for a var left at null, however it arrives (None, "", "None", "null")."""
    return value is None or (isinstance(value, str) and value.strip().lower() in UNSET_WORDS)


def _structured(value: Any) -> Any:
    """A mapping or list given as text on the command line (JSON or YAML) becomes an object."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml  # ships with dbt-core

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return value


class VarReader:
    """Reads named vars from the rendered mapping; every error names the var and what it expects."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw

    def _fail(self, name: str, expected: str) -> ValueError:
        if name not in self._raw:
            return ValueError(
                f"Missing var {name} in this model's settings config: add it to the tojson "
                "mapping of its yml config"
            )
        return ValueError(f"Invalid var {name}={self._raw.get(name)!r}: expected {expected}")

    def is_unset(self, name: str) -> bool:
        return is_unset(self._raw.get(name))

    def integer(self, name: str, *, minimum: int, maximum: int | None = None) -> int:
        value = self._raw.get(name)
        try:
            if isinstance(value, bool):
                raise ValueError
            number = value if isinstance(value, int) else int(str(value).strip())
        except (TypeError, ValueError):
            number = None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            allowed = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum}"
            raise self._fail(name, f"an integer {allowed}")
        return number

    def optional_integer(self, name: str, *, minimum: int) -> int | None:
        return None if self.is_unset(name) else self.integer(name, minimum=minimum)

    def number(self, name: str, *, low: float, high: float) -> float:
        """A number in (low, high]: the open lower bound suits shares and thresholds."""
        value = self._raw.get(name)
        try:
            number = float(str(value).strip())
        except (TypeError, ValueError):
            number = None
        if number is None or not (low < number <= high):
            raise self._fail(name, f"a number in ({low:g}, {high:g}]")
        return number

    def optional_text(self, name: str) -> str | None:
        return None if self.is_unset(name) else str(self._raw[name]).strip()

    def optional_date(self, name: str, *, expected: str) -> date | None:
        text = self.optional_text(name)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise self._fail(name, expected) from error

    def names(self, name: str, *, what: str = "a list of customer_rfm columns") -> list[str]:
        """A non-empty list of distinct names (a comma-separated string is accepted too)."""
        value = _structured(self._raw.get(name))
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        expected = f"{what} without repeats, e.g. [recency_days, frequency, monetary]"
        if not isinstance(value, Sequence) or isinstance(value, str) or not value:
            raise self._fail(name, expected)
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self._fail(name, expected)
        names = [item.strip() for item in value]
        if len(set(names)) != len(names):
            raise self._fail(name, expected)
        return names

    def name_lists(self, name: str) -> dict[str, list[str]]:
        """A mapping of set name to a list of names, in the order given."""
        value = _structured(self._raw.get(name))
        expected = (
            "a mapping of name to a non-empty list of customer_rfm columns without repeats, "
            "e.g. {rfm: [recency_days, frequency, monetary]}"
        )
        if not isinstance(value, Mapping) or not value:
            raise self._fail(name, expected)
        result: dict[str, list[str]] = {}
        for key, members in value.items():
            if not isinstance(key, str) or not key.strip():
                raise self._fail(name, expected)
            try:
                result[key.strip()] = VarReader({name: members}).names(name)
            except ValueError as error:
                raise self._fail(name, expected) from error
        return result


@dataclass(frozen=True)
class SegmentationSettings:
    """The search, the fit and the comparison (vars segment_*)."""

    feature_sets: dict[str, list[str]]
    log1p_features: list[str]
    k_values: list[int]
    seed: int
    k_override: int | None
    feature_set_override: str | None
    search_sample_size: int
    silhouette_sample_size: int
    bootstrap_runs: int
    min_segment_share: float
    min_bootstrap_ari: float
    minibatch_above: int
    comparison_sample_size: int
    import_model_file: str | None = None
    match_max_distance: float = 1.0


@dataclass(frozen=True)
class ExplainSettings:
    """Profiles, surrogate rules and importance (vars profile_features, surrogate_*, ...)."""

    profile_features: list[str]
    surrogate_max_depth: int
    surrogate_sample_size: int
    importance_sample_size: int
    seed: int
    fit_share: float = 0.8


@dataclass(frozen=True)
class StabilitySettings:
    """The stability study and the maintenance contract (vars stability_*)."""

    t0: date | None
    min_months: int
    max_months: int
    sample_size: int
    noise_seeds: int
    ari_threshold: float
    psi_alert: float
    share_drift_alert: float
    history_max_customers: int
    min_origin_customers: int = 5000
    origin_share: float = 0.8


class Settings:
    """The settings of the Python models, one group per stage, each parsed when first read.

    A model's config holds only the vars of its own stage, so a group is parsed (and validated)
    only when the model asks for it.
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._read = VarReader(raw)

    @cached_property
    def segmentation(self) -> SegmentationSettings:
        return _segmentation(self._read)

    @cached_property
    def explain(self) -> ExplainSettings:
        return _explain(self._read)

    @cached_property
    def stability(self) -> StabilitySettings:
        return _stability(self._read)


def _segmentation(read: VarReader) -> SegmentationSettings:
    feature_sets = read.name_lists("segment_feature_sets")
    k_min = read.integer("segment_k_min", minimum=2)
    k_max = read.integer("segment_k_max", minimum=k_min)
    k_override = read.optional_integer("segment_k", minimum=2)
    if k_override is not None and not k_min <= k_override <= k_max:
        raise ValueError(
            f"Invalid var segment_k={k_override}: expected an integer within the searched "
            f"range segment_k_min..segment_k_max = {k_min}..{k_max}"
        )
    feature_set_override = read.optional_text("segment_feature_set")
    if feature_set_override is not None and feature_set_override not in feature_sets:
        raise ValueError(
            f"Invalid var segment_feature_set={feature_set_override!r}: expected one of "
            f"{', '.join(sorted(feature_sets))} (the keys of segment_feature_sets)"
        )
    return SegmentationSettings(
        feature_sets=feature_sets,
        log1p_features=read.names("segment_log1p_features"),
        k_values=list(range(k_min, k_max + 1)),
        seed=read.integer("segment_seed", minimum=0),
        k_override=k_override,
        feature_set_override=feature_set_override,
        search_sample_size=read.integer("segment_search_sample_size", minimum=100),
        silhouette_sample_size=read.integer("segment_silhouette_sample_size", minimum=100),
        bootstrap_runs=read.integer("segment_bootstrap_runs", minimum=1),
        min_segment_share=read.number("segment_min_share", low=0.0, high=1.0),
        min_bootstrap_ari=read.number("segment_min_bootstrap_ari", low=-1.0, high=1.0),
        minibatch_above=read.integer("segment_minibatch_above", minimum=1000),
        comparison_sample_size=read.integer("segment_comparison_sample_size", minimum=100),
        import_model_file=read.optional_text("segment_import_model_file"),
        match_max_distance=read.number("segment_match_max_distance", low=0.0, high=1e9),
    )


def _explain(read: VarReader) -> ExplainSettings:
    return ExplainSettings(
        profile_features=read.names("profile_features"),
        surrogate_max_depth=read.integer("surrogate_max_depth", minimum=1, maximum=6),
        surrogate_sample_size=read.integer("surrogate_sample_size", minimum=100),
        importance_sample_size=read.integer("importance_sample_size", minimum=100),
        seed=read.integer("segment_seed", minimum=0),
        fit_share=read.number("explain_fit_share", low=0.0, high=1.0),
    )


def _stability(read: VarReader) -> StabilitySettings:
    min_months = read.integer("stability_min_months", minimum=1)
    return StabilitySettings(
        t0=read.optional_date(
            "stability_t0",
            expected="a date YYYY-MM-01 (a monthly snapshot date of customer_rfm_history) "
            "or null for the default",
        ),
        min_months=min_months,
        max_months=max(read.integer("stability_max_months", minimum=1), min_months),
        sample_size=read.integer("stability_sample_size", minimum=100),
        noise_seeds=read.integer("stability_noise_seeds", minimum=1),
        ari_threshold=read.number("stability_ari_threshold", low=0.0, high=1.0),
        psi_alert=read.number("stability_psi_alert", low=0.0, high=1.0),
        share_drift_alert=read.number("stability_share_drift_alert", low=0.0, high=1.0),
        history_max_customers=read.integer("stability_history_max_customers", minimum=1000),
        min_origin_customers=read.integer("stability_min_origin_customers", minimum=10),
        origin_share=read.number("stability_origin_share", low=0.0, high=1.0),
    )


def load_settings(rendered: str | Mapping[str, Any] | None) -> Settings:
    """Parse the ``settings`` config (JSON text rendered by dbt, or a mapping in tests)."""
    if rendered is None:
        raise ValueError(
            "Python model has no `settings` config: give it `settings: *settings` in its yml "
            "config (the anchor renders the vars of its stage with tojson)"
        )
    return Settings(json.loads(rendered) if isinstance(rendered, str) else rendered)
