"""The champion of a build: kept without any fit, refitted with inherited ids, or imported."""

from __future__ import annotations

import pandas as pd
import pytest
from settings_fixtures import project_vars
from test_segmentation_identity import CENTERS, fit, population

from olist_segmentation.segmentation.champion import Decision, imported_model, next_champion
from olist_segmentation.settings import load_settings

SETTINGS = load_settings(project_vars()).segmentation


def previous_table(model) -> pd.DataFrame:
    return model.to_table().assign(max_segment_id_ever=int(model.segment_ids.max()))


def test_a_night_without_a_retrain_keeps_the_champion_and_fits_nothing() -> None:
    champion = fit(population(CENTERS, seed=1), seed=1)

    def must_not_fit(previous):
        raise AssertionError("a nightly build without a retrain must not fit")

    table = next_champion(
        decision=Decision(retrain_due=False, reselect=False, promote_reason=None),
        previous_table=previous_table(champion),
        fit=must_not_fit,
        settings=SETTINGS,
    )
    assert set(table["model_version"]) == {champion.version}
    assert not table["is_promoted"].any()


def test_a_due_retrain_promotes_a_refit_that_keeps_the_persisting_ids() -> None:
    champion = fit(population(CENTERS, seed=1), seed=1)
    table = next_champion(
        decision=Decision(retrain_due=True, reselect=False, promote_reason="forced"),
        previous_table=previous_table(champion),
        fit=lambda previous: fit(population(CENTERS, seed=2), seed=9),
        settings=SETTINGS,
    )
    assert table["is_promoted"].all()
    assert set(table["promoted_because"]) == {"forced"}
    assert set(table["segment_id"]) == set(champion.segment_ids.tolist())
    assert set(table["previous_model_version"]) == {champion.version}
    assert set(table["model_version"]) != {champion.version}


def test_an_import_is_checked_against_the_columns_it_will_score() -> None:
    exported = fit(population(CENTERS, seed=1), seed=1).to_table()
    with pytest.raises(ValueError, match="model.parquet: model .* uses feature.s. frequency"):
        imported_model(exported, source="model.parquet", available=["recency_days", "monetary"])
    mistyped = exported.assign(center=exported["center"].astype(str))
    with pytest.raises(
        ValueError, match="model.parquet: column center is (object|str), expected a number"
    ):
        imported_model(mistyped, source="model.parquet", available=["recency_days"])
    with pytest.raises(ValueError, match="model.parquet is missing column.s.: scale"):
        imported_model(exported.drop(columns=["scale"]), source="model.parquet", available=[])


def test_re_importing_the_champion_keeps_it_as_it_was_promoted() -> None:
    champion = fit(population(CENTERS, seed=1), seed=1)
    table = next_champion(
        decision=Decision(retrain_due=True, reselect=False, promote_reason="imported from f"),
        previous_table=previous_table(champion),
        fit=lambda previous: champion,
        settings=SETTINGS,
    )
    assert set(table["model_version"]) == {champion.version}
    assert not table["is_promoted"].any(), "the registry keeps its row, not 'imported from f'"
