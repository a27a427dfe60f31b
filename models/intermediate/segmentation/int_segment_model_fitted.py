"""The champion of this build: kept, refitted or imported, as int_segment_retrain_decision says."""

from olist_segmentation.progress import stderr_progress
from olist_segmentation.segmentation.champion import Decision, imported_model, next_champion, refit
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_columns, segmentation_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).segmentation
    # dbt finds a Python model's refs only where they are not an argument of another call
    decision_rows = dbt.ref("int_segment_retrain_decision").df()
    decision = Decision.from_row(decision_rows.iloc[0])
    previous_table = dbt.ref("int_segment_champion_previous").df()
    customer_rfm = dbt.ref("customer_rfm")

    def fit(previous):
        if settings.import_model_file is not None:
            exported = session.read_parquet(settings.import_model_file).df()
            return imported_model(
                exported, source=settings.import_model_file, available=customer_rfm.columns
            )
        features = [*settings.feature_sets.values()]
        if previous is not None:
            features.append(previous.features)
        rfm = read_columns(
            customer_rfm, segmentation_columns(features, customer_rfm.columns), "customer_rfm"
        )
        selection = dbt.ref("segment_model_selection").df() if decision.reselect else None
        return refit(
            rfm,
            previous=previous,
            selection=selection,
            settings=settings,
            progress=stderr_progress("int_segment_model_fitted"),
        )

    return next_champion(
        decision=decision, previous_table=previous_table, fit=fit, settings=settings
    )
