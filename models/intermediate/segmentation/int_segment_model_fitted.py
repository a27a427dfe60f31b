"""The segment model: the chosen configuration fitted on every customer (or loaded from a file)."""

from olist_segmentation.progress import stderr_progress
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.segmentation.steps import fit_segment_model
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_columns, segmentation_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).segmentation
    if settings.frozen_model_file is not None:
        # a model frozen earlier (make freeze-model): validated, then scored as is, never refitted
        frozen = session.read_parquet(settings.frozen_model_file).df()
        return SegmentModel.from_table(frozen, source=settings.frozen_model_file).to_table()
    customer_rfm = dbt.ref("customer_rfm")
    columns = segmentation_columns(settings.feature_sets.values(), customer_rfm.columns)
    rfm = read_columns(customer_rfm, columns, "customer_rfm")
    selection = dbt.ref("segment_model_selection").df()
    fitted = fit_segment_model(
        rfm, selection, settings, progress=stderr_progress("int_segment_model_fitted")
    )
    return fitted.to_table()
