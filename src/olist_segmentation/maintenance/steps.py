"""The maintenance steps the dbt Python models call, one function per model.

The study replays the configuration of the current segment model (features, log1p list, k, seed)
so that its answer — "retrain every N months" — is about the segmentation marketing actually
uses. Settings come from :mod:`olist_segmentation.settings`; the dbt models only read refs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd

from olist_segmentation.maintenance.history import study_origins, study_t0
from olist_segmentation.maintenance.reference import (
    FrozenReference,
    StudyOptions,
    fit_reference_model,
)
from olist_segmentation.maintenance.study import stability_study
from olist_segmentation.maintenance.transitions import monthly_transitions
from olist_segmentation.segmentation.kmeans import cap_threads
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.settings import StabilitySettings


def study_options(settings: StabilitySettings) -> StudyOptions:
    """The study's options from the stability vars (the rest keep their defaults)."""
    return StudyOptions(
        max_months=settings.max_months,
        sample_size=settings.sample_size,
        n_noise_seeds=settings.noise_seeds,
    )


def fit_stability_reference(
    history: pd.DataFrame, model: SegmentModel, settings: StabilitySettings
) -> SegmentModel:
    """The study's reference model: the segment model's configuration fitted at t0, then frozen.

    It is the one expensive fit the study and the transitions share, so it is fitted once (dbt
    model int_stability_reference_model) and both read it back: their labels then come from the
    very same centroids. Segment ids follow the production business order; ``reference_date``
    is t0 and the version names the production model it replays.
    """
    t0 = study_t0(history, settings)
    cap_threads(1)
    fitted = fit_reference_model(
        history,
        features=model.features,
        log1p_features=model.log1p_features,
        k=model.k,
        seed=model.seed,
        t0=t0,
        options=study_options(settings),
    )
    return SegmentModel.from_fitted(
        fitted,
        version=f"{model.version}-t0-{t0:%Y%m%d}",
        feature_set=model.feature_set,
        segment_names={i: f"reference segment {i}" for i in range(1, fitted.k + 1)},
        reference_date=pd.Timestamp(t0),
    )


def _reference_t0(reference: SegmentModel) -> date:
    if reference.reference_date is None:
        raise ValueError("the stability reference model has no reference_date (its t0)")
    return reference.reference_date.date()


def run_stability_study(
    history: pd.DataFrame,
    reference: SegmentModel,
    settings: StabilitySettings,
    *,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Frozen-vs-refit ARI, noise floor, changes and drift per (origin, month after it).

    The origins are :func:`study_origins` (var stability_t0 alone when set). ``reference`` is
    :func:`fit_stability_reference`'s model, fitted at the latest origin (its
    ``reference_date``); the study reuses it there and fits the other origins itself. Without
    the timing column: it would make two builds on the same data differ.
    """
    origins = study_origins(history, settings)
    latest = _reference_t0(reference)
    if latest != origins[-1]:
        raise ValueError(
            f"the stability reference model was fitted at {latest}, but the latest origin of the "
            f"study is {origins[-1]}: rebuild int_stability_reference_model"
        )
    frozen = FrozenReference(
        t0=latest, params=reference.transform_params, centroids=reference.centroids
    )
    cap_threads(1)
    study = stability_study(
        history,
        features=reference.features,
        log1p_features=reference.log1p_features,
        k=reference.k,
        seed=reference.seed,
        t0=origins,
        options=study_options(settings),
        references=[frozen],
        progress=progress,
    )
    return study.drop(columns=["elapsed_seconds"], errors="ignore")


# The study's long table (int_segment_stability_measured): one row per origin, month and measure.
# The per-month keys are repeated on every row; ``item`` names the feature (measure ``psi``) or the
# segment id (``segment_share``, ``segment_share_t0``) and is null for the one-value measures.
MEASURED_KEY_COLUMNS = ["t0", "snapshot_date", "month_offset", "features", "k", "seed"]
MEASURED_COLUMNS = [*MEASURED_KEY_COLUMNS, "measure", "item", "item_position", "value"]
SCALAR_MEASURES = [
    "customer_count",
    "sampled_customer_count",
    "known_at_t0_customer_count",
    "new_customer_share",
    "ari_frozen_vs_refit",
    "noise_floor_ari",
    "noise_floor_ari_low",
    "noise_floor_seed_ari",
    "noise_floor_ari_t0",
    "changed_share",
    "max_share_drift",
]


def stability_measures(study: pd.DataFrame, *, history_sample_share: float) -> pd.DataFrame:
    """The study as long rows: (month, measure, item) -> value, no packed text.

    A long table keeps one schema whatever the feature set and k (new features or segments are
    new rows, not new columns), and no consumer has to parse a text column back to numbers.
    ``item_position`` keeps the feature order of the study (1-based) or the segment id.
    """
    psi_columns = [c for c in study.columns if c.startswith("psi_")]
    shares = {"segment_share": "segment_shares", "segment_share_t0": "segment_shares_t0"}
    records: list[dict[str, object]] = []
    for row in study.to_dict("records"):
        key = {c: row[c] for c in MEASURED_KEY_COLUMNS}
        items: list[tuple[str, object, str | None, int | None]] = [
            *((measure, row[measure], None, None) for measure in SCALAR_MEASURES),
            ("history_sample_share", history_sample_share, None, None),
            *(
                ("psi", row[column], column.removeprefix("psi_"), position)
                for position, column in enumerate(psi_columns, start=1)
            ),
            *(
                (measure, share, str(segment_id), int(segment_id))
                for measure, column in shares.items()
                for segment_id, share in row[column].items()
            ),
        ]
        records.extend(
            {**key, "measure": measure, "item": item, "item_position": position, "value": value}
            for measure, value, item, position in items
        )
    measured = pd.DataFrame(records, columns=MEASURED_COLUMNS)
    return measured.astype({"item_position": "Int64", "value": "float64"})


def run_monthly_transitions(
    history: pd.DataFrame, reference: SegmentModel, settings: StabilitySettings
) -> pd.DataFrame:
    """Segment-to-segment counts between consecutive months after the latest origin.

    One origin only, the latest (the model production would have fitted last): a flow chart
    per origin would repeat the same customers' moves many times over. The labels come from
    the study's reference model (:func:`fit_stability_reference`, read back from its table), so
    they are the labels segment_stability measured for that origin.
    """
    cap_threads(1)
    return monthly_transitions(
        history,
        params=reference.transform_params,
        centroids=reference.centroids,
        t0=_reference_t0(reference),
        segment_ids=reference.segment_ids,
        options=study_options(settings),
    )
