"""The maintenance steps the dbt Python models call: settings, schema, contract, transitions."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from test_pipeline import config, synthetic_rfm

from olist_segmentation.maintenance import (
    configuration_of,
    history_columns,
    history_sample_filter,
    history_sample_share,
    run_maintenance_contract,
    run_monthly_transitions,
    run_stability_study,
    stability_settings_from_config,
)
from olist_segmentation.pipeline import fit_frozen_model, run_model_selection, settings_from_config


def stability_config(**overrides: object) -> dict[str, str]:
    base = {
        "stability_t0": "None",
        "stability_min_months": "3",
        "stability_max_months": "4",
        "stability_sample_size": "1500",
        "stability_noise_seeds": "2",
        "stability_ari_threshold": "0.8",
        "stability_psi_alert": "0.25",
        "stability_share_drift_alert": "0.05",
        "stability_history_max_customers": "500000",
    }
    return {**base, **{key: str(value) for key, value in overrides.items()}}


def unchanging_history(rfm: pd.DataFrame, months: int = 6) -> pd.DataFrame:
    """The same customers with the same features at every monthly snapshot."""
    snapshots = pd.date_range("2018-01-01", periods=months, freq="MS")
    return pd.concat(
        [rfm.assign(snapshot_date=snapshot) for snapshot in snapshots], ignore_index=True
    )


@pytest.fixture(scope="module")
def frozen() -> pd.DataFrame:
    rfm = synthetic_rfm(n_per_group=500)
    settings = settings_from_config(config(segment_k="3"))
    return fit_frozen_model(rfm, run_model_selection(rfm, settings), settings)


@pytest.mark.parametrize(
    ("overrides", "var"),
    [
        ({"stability_ari_threshold": "0"}, "stability_ari_threshold"),
        ({"stability_ari_threshold": "1.2"}, "stability_ari_threshold"),
        ({"stability_psi_alert": "-1"}, "stability_psi_alert"),
        ({"stability_t0": "last month"}, "stability_t0"),
        ({"stability_sample_size": "10"}, "stability_sample_size"),
    ],
)
def test_invalid_stability_vars_name_the_var(overrides: dict[str, str], var: str) -> None:
    with pytest.raises(ValueError, match=f"Invalid var {var}"):
        stability_settings_from_config(stability_config(**overrides))


def test_the_study_replays_the_frozen_configuration(frozen: pd.DataFrame) -> None:
    model = configuration_of(frozen)
    assert model.features == ["recency_days", "frequency", "monetary"]
    assert model.log1p_features == ["frequency", "monetary"]
    assert (model.k, model.seed) == (3, 7)
    assert history_columns(frozen) == ["snapshot_date", "customer_unique_id", *model.features]


def test_unchanging_data_keeps_the_segments_and_the_contract_says_so(frozen: pd.DataFrame) -> None:
    history = unchanging_history(synthetic_rfm(n_per_group=500))
    settings = stability_settings_from_config(stability_config())
    stability = run_stability_study(history, frozen, settings)
    assert list(stability["month_offset"]) == [1, 2, 3]
    assert "elapsed_seconds" not in stability.columns, "timings would break idempotence"
    assert not [c for c in stability.columns if c.startswith("psi_")]
    assert stability["feature_psi"].str.contains("recency_days:").all()
    assert np.allclose(stability["ari_frozen_vs_refit"], 1.0)
    assert np.allclose(stability["changed_share"], 0.0)
    contract = run_maintenance_contract(stability, settings, computed_on=date(2018, 10, 18))
    row = contract.iloc[0]
    assert row["recommended_retrain_months"] == 3
    assert bool(row["ari_never_below_threshold"])


def test_an_explicit_t0_must_be_a_snapshot_date(frozen: pd.DataFrame) -> None:
    history = unchanging_history(synthetic_rfm(n_per_group=200))
    settings = stability_settings_from_config(stability_config(stability_t0="2018-01-15"))
    with pytest.raises(ValueError, match="Invalid var stability_t0=2018-01-15"):
        run_stability_study(history, frozen, settings)


def test_transitions_count_every_customer_known_at_both_dates(frozen: pd.DataFrame) -> None:
    rfm = synthetic_rfm(n_per_group=300)
    history = unchanging_history(rfm)
    settings = stability_settings_from_config(stability_config())
    transitions = run_monthly_transitions(history, frozen, settings)
    per_month = transitions.groupby("from_month_offset")["customers"].sum()
    assert (per_month == len(rfm)).all()
    moved = transitions[transitions["from_segment_id"] != transitions["to_segment_id"]]
    assert moved["customers"].sum() == 0, "nothing changes, so nobody moves"


def test_history_is_sampled_by_whole_customers_only_above_the_limit() -> None:
    config_text = stability_config(stability_history_max_customers=1000)
    settings = stability_settings_from_config(config_text)
    assert history_sample_share(800, settings) == 1.0
    assert history_sample_filter(1.0) == "true"
    share = history_sample_share(4000, settings)
    assert share == pytest.approx(0.25)
    predicate = history_sample_filter(share)

    with duckdb.connect() as connection:
        connection.execute(
            "create table history as select 'c' || (i % 4000) as customer_unique_id, i // 4000 as m"
            " from range(16000) as t(i)"
        )
        kept, months = connection.sql(
            f"select count(distinct customer_unique_id), count(distinct m) from history"
            f" where {predicate}"
        ).fetchall()[0]
        per_customer = connection.sql(
            f"select distinct count(*) from history where {predicate} group by customer_unique_id"
        ).fetchall()
    assert 800 <= kept <= 1200, "about a quarter of the customers"
    assert months == 4 and per_customer == [(4,)], "a kept customer keeps all its months"
