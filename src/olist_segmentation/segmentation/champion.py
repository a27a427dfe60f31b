"""The champion model of each build: kept as it is, refitted, or imported, as the decision says.

A nightly build keeps the champion (no fit at all). When a retrain is due, the champion's own
configuration is refitted on today's customers (or the search's choice, on a reselect), and its
segments inherit the ids and names of the champion's segments they match (see ``identity``). An
imported model is promoted as it was exported. The result is the model table of segment_centroids
plus the registry columns that say whether and why a new model was promoted, and where each of its
segments comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from olist_segmentation.segmentation.identity import carry_identity
from olist_segmentation.segmentation.model import MODEL_TABLE_COLUMNS, SegmentModel
from olist_segmentation.segmentation.steps import chosen_configuration, fit_configuration
from olist_segmentation.settings import SegmentationSettings

REGISTRY_COLUMNS = [
    "is_promoted",
    "promoted_because",
    "previous_model_version",
    "previous_segment_id",
    "match_distance",
]


@dataclass(frozen=True)
class Decision:
    """What int_segment_retrain_decision decided for this build."""

    retrain_due: bool
    reselect: bool
    promote_reason: str | None

    @classmethod
    def from_row(cls, row: pd.Series) -> Decision:
        reason = row["promote_reason"]
        return cls(
            retrain_due=bool(row["retrain_due"]),
            reselect=bool(row["reselect"]),
            promote_reason=None if pd.isna(reason) else str(reason),
        )


def kept_champion_table(previous_table: pd.DataFrame) -> pd.DataFrame:
    """The champion's table unchanged: nothing is promoted."""
    table = previous_table[MODEL_TABLE_COLUMNS].copy()
    return table.assign(
        is_promoted=False,
        promoted_because=None,
        previous_model_version=None,
        previous_segment_id=None,
        match_distance=None,
    )


def promoted_table(
    model: SegmentModel, *, reason: str, lineage: pd.DataFrame | None = None
) -> pd.DataFrame:
    """A newly promoted model's table with, per segment, the segment it continues (if any)."""
    table = model.to_table().assign(is_promoted=True, promoted_because=reason)
    if lineage is None:
        return table.assign(
            previous_model_version=None, previous_segment_id=None, match_distance=None
        )
    origins = lineage[
        ["segment_id", "previous_model_version", "previous_segment_id", "match_distance"]
    ]
    return table.merge(origins, on="segment_id", how="left")


def imported_model(table: pd.DataFrame, *, source: str, available: list[str]) -> SegmentModel:
    """A model read from an export, checked against the customer_rfm columns it will score."""
    numeric = ["segment_id", "feature_order", "centroid_scaled", "centroid_original", "k", "seed"]
    numeric += ["impute_value", "center", "scale", "customer_count", "segment_share"]
    for column in [c for c in numeric if c in table.columns]:
        if not pd.api.types.is_numeric_dtype(table[column]):
            raise ValueError(
                f"{source}: column {column} is {table[column].dtype}, expected a number"
            )
    model = SegmentModel.from_table(table, source=source)
    missing = [feature for feature in model.features if feature not in available]
    if missing:
        raise ValueError(
            f"{source}: model {model.version} uses feature(s) {', '.join(missing)} that "
            "customer_rfm does not have"
        )
    return model


def refit(
    rfm: pd.DataFrame,
    *,
    previous: SegmentModel | None,
    selection: pd.DataFrame | None,
    settings: SegmentationSettings,
    progress: Callable[[str], None] | None = None,
) -> SegmentModel:
    """Today's fit: the search's configuration on a reselect, else the champion's own."""
    if previous is None or selection is not None:
        if selection is None:
            raise ValueError("a first build or a reselect needs segment_model_selection")
        feature_set, features, k = chosen_configuration(selection)
        log1p = settings.log1p_features
        seed = settings.seed
    else:
        feature_set, features, k = previous.feature_set, previous.features, previous.k
        log1p, seed = previous.log1p_features, previous.seed
    return fit_configuration(
        rfm,
        feature_set=feature_set,
        features=features,
        log1p_features=log1p,
        k=k,
        seed=seed,
        minibatch_above=settings.minibatch_above,
        progress=progress,
    )


def next_champion(
    *,
    decision: Decision,
    previous_table: pd.DataFrame,
    fit: Callable[[SegmentModel | None], SegmentModel],
    settings: SegmentationSettings,
) -> pd.DataFrame:
    """The champion table of this build (see the module docstring).

    ``fit(previous)`` is only called when a retrain is due, so a nightly build fits nothing.
    """
    previous = None
    if len(previous_table):
        previous = SegmentModel.from_table(
            previous_table[MODEL_TABLE_COLUMNS], source="the champion of marts.segment_models"
        )
    if not decision.retrain_due and previous is not None:
        return kept_champion_table(previous_table)
    reason = decision.promote_reason or "first build"
    candidate = fit(previous)
    if reason.startswith("imported from"):
        if previous is not None and candidate.version == previous.version:
            # the champion itself re-imported: kept, with its own promotion date and reason
            return kept_champion_table(previous_table)
        return promoted_table(candidate, reason=reason)
    first_free_id = 1
    if len(previous_table):
        first_free_id = int(previous_table["max_segment_id_ever"].max()) + 1
    result = carry_identity(
        previous,
        candidate,
        max_distance=settings.match_max_distance,
        first_free_id=first_free_id,
    )
    if previous is not None and result.model.version == previous.version:
        return kept_champion_table(previous_table)
    return promoted_table(result.model, reason=reason, lineage=result.lineage)
