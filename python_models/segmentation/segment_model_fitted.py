"""The frozen model: the chosen configuration fitted on every customer (or loaded from a file)."""

import pandas as pd

from olist_segmentation.pipeline import fit_frozen_model, settings_from_config, stderr_progress
from olist_segmentation.warehouse import read_columns, segmentation_columns


def model(dbt, session):
    dbt.config(materialized="table")
    frozen_model_file = dbt.config.get("segment_frozen_model_file")
    if frozen_model_file not in (None, "", "None", "none"):
        # Score with a model frozen earlier (make freeze-model): nothing is refitted.
        return pd.read_parquet(frozen_model_file)
    settings = settings_from_config(dbt.config.get("segment_settings"))
    customer_rfm = dbt.ref("customer_rfm")
    columns = segmentation_columns(settings.feature_sets.values(), customer_rfm.columns)
    rfm = read_columns(customer_rfm, columns, "customer_rfm")
    selection = dbt.ref("segment_model_selection").df()
    return fit_frozen_model(rfm, selection, settings, stderr_progress("segment_model_fitted"))
