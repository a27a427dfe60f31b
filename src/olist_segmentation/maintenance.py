"""The maintenance-contract steps the dbt Python models call (see stability.py for the protocol).

The study reuses the configuration of the current frozen model (features, log1p list, k, seed) so
that its answer — "retrain every N months" — is about the segmentation marketing actually uses.
Settings arrive as text from the models' yml config; errors name the dbt var.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from olist_segmentation.clustering import limit_threads
from olist_segmentation.pipeline import split_frozen_model
from olist_segmentation.stability import (
    default_t0,
    fit_reference_model,
    maintenance_contract,
    monthly_transitions,
    stability_study,
)


@dataclass(frozen=True)
class StabilitySettings:
    """Validated settings of the stability study (defaults in dbt_project.yml vars)."""

    t0: date | None
    min_months: int
    max_months: int
    sample_size: int
    noise_seeds: int
    ari_threshold: float
    psi_alert: float
    share_drift_alert: float
    history_max_customers: int


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(raw: Mapping[str, Any], var: str, minimum: int) -> int:
    try:
        number = int(_text(raw.get(var)))
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ValueError(f"Invalid var {var}={raw.get(var)!r}: expected an integer >= {minimum}")
    return number


def _float(raw: Mapping[str, Any], var: str) -> float:
    try:
        number = float(_text(raw.get(var)))
    except ValueError:
        number = None
    if number is None or not 0 < number <= 1:
        raise ValueError(f"Invalid var {var}={raw.get(var)!r}: expected a number in (0, 1]")
    return number


def stability_settings_from_config(raw: Mapping[str, Any]) -> StabilitySettings:
    """Parse the stability vars; every error names the var and the allowed values."""
    t0_text = _text(raw.get("stability_t0"))
    t0 = None
    if t0_text.lower() not in {"", "none", "null"}:
        try:
            t0 = date.fromisoformat(t0_text)
        except ValueError as error:
            raise ValueError(
                f"Invalid var stability_t0={t0_text!r}: expected a date YYYY-MM-01 (a monthly "
                "snapshot date of customer_rfm_history) or null for the default"
            ) from error
    min_months = _int(raw, "stability_min_months", 1)
    return StabilitySettings(
        t0=t0,
        min_months=min_months,
        max_months=max(_int(raw, "stability_max_months", 1), min_months),
        sample_size=_int(raw, "stability_sample_size", 100),
        noise_seeds=_int(raw, "stability_noise_seeds", 1),
        ari_threshold=_float(raw, "stability_ari_threshold"),
        psi_alert=_float(raw, "stability_psi_alert"),
        share_drift_alert=_float(raw, "stability_share_drift_alert"),
        history_max_customers=_int(raw, "stability_history_max_customers", 1000),
    )


@dataclass(frozen=True)
class ModelConfiguration:
    """The configuration of the current frozen model, replayed by the study."""

    features: list[str]
    log1p_features: list[str]
    k: int
    seed: int


def configuration_of(frozen: pd.DataFrame) -> ModelConfiguration:
    """Read features, log1p list, k and seed back from the frozen model table."""
    split_frozen_model(frozen)  # validates the columns
    per_feature = frozen.drop_duplicates("feature").sort_values("feature_order")
    return ModelConfiguration(
        features=per_feature["feature"].tolist(),
        log1p_features=per_feature.loc[per_feature["log1p"].astype(bool), "feature"].tolist(),
        k=int(frozen["k"].iloc[0]),
        seed=int(frozen["seed"].iloc[0]),
    )


def history_sample_share(n_customers: int, settings: StabilitySettings) -> float:
    """Share of customers whose history the study reads (1.0 up to history_max_customers).

    customer_rfm_history is customers x months (~100M rows at 100x Olist): above the limit the
    study reads a seeded hash sample of customers — the same customers in every month, so the
    panel stays a panel — and records the share in its rows.
    """
    if n_customers <= settings.history_max_customers:
        return 1.0
    return settings.history_max_customers / n_customers


def history_sample_filter(share: float) -> str:
    """SQL predicate keeping a deterministic share of customers (all months of each)."""
    if share >= 1.0:
        return "true"
    return f"hash(customer_unique_id) % 1000000 < {int(share * 1_000_000)}"


def read_study_history(
    rfm_relation: Any, history_relation: Any, frozen: pd.DataFrame, settings: StabilitySettings
) -> tuple[pd.DataFrame, float]:
    """The history the study needs, as (frame, sample share): the model's columns only, and a
    hash sample of whole customers above history_max_customers, filtered in DuckDB before pandas."""
    customers = rfm_relation.project("count(*)").fetchall()[0][0]
    share = history_sample_share(customers, settings)
    history = (
        history_relation.filter(history_sample_filter(share))
        .project(", ".join(history_columns(frozen)))
        .df()
    )
    return history, share


def history_columns(frozen: pd.DataFrame) -> list[str]:
    """Columns of customer_rfm_history the study needs: 10x Olist is ~20M rows, so read no more."""
    return ["snapshot_date", "customer_unique_id", *configuration_of(frozen).features]


def study_t0(history: pd.DataFrame, settings: StabilitySettings) -> date:
    """The start date: var stability_t0, else the latest one leaving min_months months after it."""
    snapshots = sorted(pd.to_datetime(history["snapshot_date"]).dt.date.unique())
    if settings.t0 is None:
        return default_t0(snapshots, min_steps=settings.min_months)
    if settings.t0 not in snapshots:
        raise ValueError(
            f"Invalid var stability_t0={settings.t0}: expected one of the monthly snapshot dates "
            f"{snapshots[0]}..{snapshots[-1]} (first day of a month)"
        )
    return settings.t0


def run_stability_study(
    history: pd.DataFrame,
    frozen: pd.DataFrame,
    settings: StabilitySettings,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Frozen-vs-refit ARI, noise floor, changes and drift for each month after t0."""
    model = configuration_of(frozen)
    with limit_threads(1):
        study = stability_study(
            history,
            model.features,
            model.log1p_features,
            model.k,
            model.seed,
            study_t0(history, settings),
            max_months=settings.max_months,
            sample_size=settings.sample_size,
            n_noise_seeds=settings.noise_seeds,
            progress=progress,
        )
    return with_stable_schema(study)


def with_stable_schema(study: pd.DataFrame) -> pd.DataFrame:
    """One text column for the per-feature PSI, no timing column.

    The features depend on the chosen feature set, and a table whose columns change with it would
    break BI queries and the docs; timings would make two builds on the same data differ.
    """
    psi_columns = [c for c in study.columns if c.startswith("psi_")]
    psi_text = study[psi_columns].apply(
        lambda row: "|".join(f"{c.removeprefix('psi_')}:{row[c]:.4f}" for c in psi_columns), axis=1
    )
    stable = study.drop(columns=[*psi_columns, "elapsed_seconds"], errors="ignore")
    return stable.assign(feature_psi=psi_text.astype(str) if len(study) else [])


def with_psi_columns(stability: pd.DataFrame) -> pd.DataFrame:
    """Expand feature_psi ("recency_days:0.12|...") back to the psi_<feature> columns."""
    if "feature_psi" not in stability.columns or stability.empty:
        return stability
    parsed = stability["feature_psi"].map(
        lambda text: {
            f"psi_{name}": float(value)
            for name, value in (pair.split(":") for pair in str(text).split("|") if pair)
        }
    )
    wide = pd.DataFrame(parsed.tolist(), index=stability.index)
    return pd.concat([stability.drop(columns=["feature_psi"]), wide], axis=1)


def run_maintenance_contract(
    stability: pd.DataFrame, settings: StabilitySettings, computed_on: date
) -> pd.DataFrame:
    """One row: retrain interval, threshold, noise floor, drift alerts, how to retrain.

    computed_on is the data's reference date, not today, so a rebuild on the same data gives the
    same table.
    """
    return maintenance_contract(
        with_psi_columns(stability),
        settings.ari_threshold,
        psi_alert=settings.psi_alert,
        share_drift_alert=settings.share_drift_alert,
        computed_on=computed_on,
    )


def run_monthly_transitions(
    history: pd.DataFrame, frozen: pd.DataFrame, settings: StabilitySettings
) -> pd.DataFrame:
    """Segment-to-segment counts between consecutive months of the study (reference model at t0)."""
    model = configuration_of(frozen)
    t0 = study_t0(history, settings)
    with limit_threads(1):
        reference = fit_reference_model(
            history,
            model.features,
            model.log1p_features,
            model.k,
            model.seed,
            t0,
            sample_size=settings.sample_size,
        )
        return monthly_transitions(
            history, reference.params, reference.centroids, t0, max_months=settings.max_months
        )
