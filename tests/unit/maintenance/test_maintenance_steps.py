"""The maintenance steps the dbt Python models call: settings, schema, contract, transitions."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from contract_sql import run_contract_models
from settings_fixtures import project_vars

from olist_segmentation.maintenance.history import history_columns, read_study_history
from olist_segmentation.maintenance.steps import (
    fit_stability_reference,
    run_monthly_transitions,
    run_stability_study,
    stability_measures,
    study_options,
)
from olist_segmentation.maintenance.study import stability_study
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.segmentation.steps import fit_segment_model
from olist_segmentation.settings import StabilitySettings, load_settings

# A short study: 3..4 months, small samples, two noise seeds.
SMALL_STUDY = {
    "stability_min_months": 3,
    "stability_max_months": 4,
    "stability_sample_size": 1500,
    "stability_noise_seeds": 2,
}


def stability(**overrides: object) -> StabilitySettings:
    return load_settings(project_vars(**{**SMALL_STUDY, **overrides})).stability


def synthetic_rfm(n_per_group: int, seed: int = 0) -> pd.DataFrame:
    """Three well separated groups: recent big spenders, dormant small spenders, repeat buyers."""
    rng = np.random.default_rng(seed)
    frames = []
    for index, (recency, frequency, monetary) in enumerate(
        [(30, 1, 900.0), (400, 1, 40.0), (150, 4, 250.0)]
    ):
        frames.append(
            pd.DataFrame(
                {
                    "customer_unique_id": [f"g{index}_{i:05d}" for i in range(n_per_group)],
                    "recency_days": rng.normal(recency, recency * 0.05, n_per_group).round(),
                    "frequency": np.full(n_per_group, frequency),
                    "monetary": rng.normal(monetary, monetary * 0.05, n_per_group),
                    "avg_review_score": rng.uniform(1, 5, n_per_group),
                    "late_delivery_share": rng.uniform(0, 1, n_per_group),
                    "reference_date": pd.Timestamp("2018-10-18"),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def unchanging_history(rfm: pd.DataFrame, months: int = 6) -> pd.DataFrame:
    """The same customers with the same features at every monthly snapshot."""
    snapshots = pd.date_range("2018-01-01", periods=months, freq="MS")
    return pd.concat(
        [rfm.assign(snapshot_date=snapshot) for snapshot in snapshots], ignore_index=True
    )


@pytest.fixture(scope="module")
def model() -> SegmentModel:
    """The segment model the study replays, read back from its table like the dbt models do."""
    rfm = synthetic_rfm(n_per_group=500)
    segmentation = load_settings(
        project_vars(segment_log1p_features=["frequency", "monetary"], segment_seed=7)
    ).segmentation
    chosen = pd.DataFrame(
        {
            "is_chosen": [True],
            "feature_set": ["rfm"],
            "features": ["recency_days,frequency,monetary"],
            "k": [3],
        }
    )
    fitted = fit_segment_model(rfm, chosen, segmentation)
    return SegmentModel.from_table(fitted.to_table())


def test_the_study_replays_the_frozen_configuration(model: SegmentModel) -> None:
    assert model.features == ["recency_days", "frequency", "monetary"]
    assert model.log1p_features == ["frequency", "monetary"]
    assert (model.k, model.seed) == (3, 7)
    assert history_columns(model) == ["snapshot_date", "customer_unique_id", *model.features]


def test_unchanging_data_keeps_the_segments_and_the_contract_says_so(model: SegmentModel) -> None:
    history = unchanging_history(synthetic_rfm(n_per_group=500))
    settings = stability()
    reference = SegmentModel.from_table(
        fit_stability_reference(history, model, settings).to_table()
    )
    study = run_stability_study(history, reference, settings)
    assert list(study["month_offset"]) == [1, 2, 3]
    assert "elapsed_seconds" not in study.columns, "timings would break idempotence"
    assert np.allclose(study["ari_frozen_vs_refit"], 1.0)
    assert np.allclose(study["changed_share"], 0.0)

    measured = stability_measures(study, history_sample_share=1.0)
    assert not measured.duplicated(["t0", "month_offset", "measure", "item"]).any()
    psi_rows = measured[measured["measure"] == "psi"]
    assert psi_rows.groupby("month_offset")["item"].agg(list).tolist() == [model.features] * 3
    models = run_contract_models(study, computed_on=date(2018, 10, 18), stability_min_months=3)
    stability_mart = models["segment_stability"]
    assert stability_mart["history_sample_share"].tolist() == [1.0] * 3
    assert np.allclose(stability_mart["ari_frozen_vs_refit"], study["ari_frozen_vs_refit"])
    feature_psi = models["segment_stability_feature_psi"]
    assert feature_psi.groupby("month_offset")["feature"].agg(list).tolist() == [model.features] * 3
    row = models["maintenance_contract"].iloc[0]
    assert row["recommended_retrain_months"] == 3
    assert bool(row["ari_never_below_threshold"])
    assert row["computed_on"] == pd.Timestamp(2018, 10, 18)


def test_the_study_runs_from_every_origin_with_enough_customers(model: SegmentModel) -> None:
    """Customers arrive over time: only months with enough of them are origins, the latest
    eligible month always; var stability_t0 keeps one origin."""
    rfm = synthetic_rfm(n_per_group=400)
    snapshots = pd.date_range("2018-01-01", periods=7, freq="MS")
    arrival = np.arange(len(rfm)) % 4  # a quarter of the customers at each of months 0..3
    history = pd.concat(
        [rfm[arrival <= i].assign(snapshot_date=day) for i, day in enumerate(snapshots)],
        ignore_index=True,
    )
    settings = stability(stability_min_origin_customers=850)
    reference = SegmentModel.from_table(
        fit_stability_reference(history, model, settings).to_table()
    )
    assert reference.reference_date == pd.Timestamp("2018-04-01")
    study = run_stability_study(history, reference, settings)
    # 300, 600, 900, 1200 customers at months 0..3; month 3 is the last leaving 3 months
    assert sorted(set(study["t0"])) == [date(2018, 3, 1), date(2018, 4, 1)]
    assert study.groupby("t0")["month_offset"].max().tolist() == [4, 3]
    one = stability(stability_min_origin_customers=850, stability_t0="2018-04-01")
    assert set(run_stability_study(history, reference, one)["t0"]) == {date(2018, 4, 1)}
    with pytest.raises(ValueError, match="rebuild int_stability_reference_model"):
        run_stability_study(history, reference, stability(stability_t0="2018-03-01"))


def test_an_explicit_t0_must_be_a_snapshot_date(model: SegmentModel) -> None:
    history = unchanging_history(synthetic_rfm(n_per_group=200))
    with pytest.raises(ValueError, match="Invalid var stability_t0=2018-01-15"):
        fit_stability_reference(history, model, stability(stability_t0="2018-01-15"))


def test_the_reference_model_is_fitted_once_and_read_back_unchanged(model: SegmentModel) -> None:
    history = unchanging_history(synthetic_rfm(n_per_group=300))
    settings = stability()
    fitted = fit_stability_reference(history, model, settings)
    stored = SegmentModel.from_table(fitted.to_table())
    assert (stored.features, stored.k, stored.seed) == (model.features, model.k, model.seed)
    assert stored.version.startswith(f"{model.version}-t0-")
    np.testing.assert_array_equal(stored.centroids, fitted.centroids)
    read = run_stability_study(history, stored, settings)
    refitted = stability_study(
        history,
        features=model.features,
        log1p_features=model.log1p_features,
        k=model.k,
        seed=model.seed,
        t0=stored.reference_date,
        options=study_options(settings),
    )
    pd.testing.assert_frame_equal(read, refitted.drop(columns="elapsed_seconds"))


def test_transitions_count_every_customer_known_at_both_dates(model: SegmentModel) -> None:
    rfm = synthetic_rfm(n_per_group=300)
    history = unchanging_history(rfm)
    reference = fit_stability_reference(history, model, stability())
    transitions = run_monthly_transitions(history, reference, stability())
    per_month = transitions.groupby("from_month_offset")["customer_count"].sum()
    assert (per_month == len(rfm)).all()
    moved = transitions[transitions["from_segment_id"] != transitions["to_segment_id"]]
    assert moved["customer_count"].sum() == 0, "nothing changes, so nobody moves"


def test_the_history_is_read_in_duckdb_with_the_model_columns_only(model: SegmentModel) -> None:
    history = unchanging_history(synthetic_rfm(n_per_group=800), months=2)
    with duckdb.connect() as connection:
        connection.register("history_frame", history)
        rfm = connection.sql("select distinct customer_unique_id from history_frame")
        relation = connection.sql("select * from history_frame")
        everything, share = read_study_history(rfm, relation, model, stability())
        assert share == 1.0
        assert list(everything.columns) == history_columns(model)
        assert len(everything) == len(history)
        limit = stability(stability_history_max_customers=1200)
        sampled, share = read_study_history(rfm, relation, model, limit)
    assert share == pytest.approx(0.5)
    per_customer = sampled.groupby("customer_unique_id").size()
    assert (per_customer == 2).all(), "a kept customer keeps all its months"
    assert 0.4 * 2400 <= len(per_customer) <= 0.6 * 2400
