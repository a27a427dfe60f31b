"""One row per segment: size, revenue, top states and categories, description and action."""

from olist_segmentation.explain.profiles import segment_profiles
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
    # numbers per customer from DuckDB; names, states, categories and feature statistics already
    # computed per segment
    customers = read_segments_with_features(
        session, dbt.ref("customer_segments"), dbt.ref("customer_rfm"), ["monetary"]
    )
    return segment_profiles(
        customers,
        dbt.ref("int_segment_labels_counted").df(),
        dbt.ref("int_segment_states_counted").df(),
        dbt.ref("int_segment_categories_counted").df(),
        dbt.ref("segment_profile_features").df(),
    )
