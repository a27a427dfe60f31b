"""KMeans against agglomerative clustering (ward, average, complete) and Gaussian mixtures.

One row per algorithm and segment (the fits are the expensive part and run once, here);
clustering_comparison and clustering_comparison_segments are SQL views of these rows. The fits
run again only when the champion changed.
"""

from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.segmentation.steps import comparison_segment_rows, run_comparison
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import previous_rows, read_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).segmentation
    segment_model = SegmentModel.from_relation(dbt.ref("segment_centroids"))
    kept = previous_rows(session, dbt.this)
    if kept is not None:
        versions = {row[0] for row in kept.project("model_version").distinct().fetchall()}
        if versions == {segment_model.version}:
            return kept
    columns = ["customer_unique_id", *segment_model.features]
    rfm = read_columns(dbt.ref("customer_rfm"), columns, "customer_rfm")
    return comparison_segment_rows(run_comparison(rfm, segment_model, settings))
