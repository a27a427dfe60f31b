"""The DuckDB reads of the Python models equal the pandas functions on whole tables."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from olist_segmentation.explain import (
    category_customer_counts,
    segment_labels_of,
    segments_with_features,
    state_customer_counts,
)
from olist_segmentation.warehouse import (
    count_category_customers,
    count_state_customers,
    read_columns,
    read_segment_labels,
    read_segments_with_features,
    segmentation_columns,
)


@pytest.fixture()
def warehouse() -> duckdb.DuckDBPyConnection:
    """Tables shaped like the marts, stored in customer_unique_id order as dbt writes them."""
    rng = np.random.default_rng(3)
    n = 2_000
    ids = [f"c{i:05d}" for i in range(n)]
    rfm = pd.DataFrame(
        {
            "customer_unique_id": ids,
            "customer_state": rng.choice(["SP", "RJ", "MG"], n),
            "recency_days": rng.integers(1, 700, n),
            "frequency": rng.integers(1, 4, n),
            "monetary": rng.gamma(2.0, 80.0, n),
            "avg_review_score": np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, 6, n)),
            "rfm_label": "unused",
        }
    )
    segment_ids = rng.integers(1, 5, n).astype("float64")
    segment_ids[::97] = np.nan  # a few customers without a segment
    segments = pd.DataFrame(
        {
            "customer_unique_id": ids,
            "segment_id": pd.array(segment_ids, dtype="Int64"),
            "segment_name": [f"Segment {s}" for s in segment_ids],
            "model_version": "km-test",
        }
    )
    picks = rng.integers(0, n + 50, 5_000)  # some ids are not customers
    categories = pd.DataFrame(
        {
            "customer_unique_id": [f"c{i:05d}" for i in picks],
            "product_category": rng.choice(["toys", "garden_tools", "bed_bath_table", None], 5_000),
        }
    )
    con = duckdb.connect()
    for name, frame in {"rfm": rfm, "segments": segments, "categories": categories}.items():
        con.register(f"{name}_frame", frame)
        # a shuffled insert would make the test meaningless: dbt writes them ordered
        con.execute(f"create table {name} as select * from {name}_frame")
        con.unregister(f"{name}_frame")
    return con


def _ref(con: duckdb.DuckDBPyConnection, table: str) -> duckdb.DuckDBPyRelation:
    """What dbt.ref returns in a dbt-duckdb Python model."""
    return con.query(f"select * from {table}")


def test_joined_read_equals_the_pandas_join_of_whole_tables(warehouse):
    features = ["recency_days", "frequency", "monetary", "avg_review_score"]
    extra = ["segment_name", "model_version", "customer_state", "monetary"]
    read = read_segments_with_features(
        warehouse, _ref(warehouse, "segments"), _ref(warehouse, "rfm"), features, extra
    )
    whole = segments_with_features(
        _ref(warehouse, "segments").df(), _ref(warehouse, "rfm").df(), features
    )
    assert len(read) == len(whole) < 2_000  # customers without a segment are dropped
    assert read["segment_id"].dtype == "int64"
    for column in ["segment_id", "segment_name", "customer_state", *features]:
        np.testing.assert_array_equal(read[column].to_numpy(), whole[column].to_numpy())
    assert "customer_unique_id" not in read.columns  # not needed, not copied


def test_category_counts_in_duckdb_equal_the_pandas_counts(warehouse):
    counted = count_category_customers(
        warehouse, _ref(warehouse, "segments"), _ref(warehouse, "categories")
    )
    expected = category_customer_counts(
        _ref(warehouse, "categories").df(), _ref(warehouse, "segments").df()
    )
    expected = expected.sort_values(["segment_id", "product_category"], ignore_index=True)
    pd.testing.assert_frame_equal(counted, expected, check_dtype=False)
    assert counted["customers"].sum() < len(_ref(warehouse, "categories").df())


def test_state_counts_and_labels_in_duckdb_equal_the_pandas_ones(warehouse):
    segments, rfm = _ref(warehouse, "segments"), _ref(warehouse, "rfm")
    whole = segments_with_features(segments.df(), rfm.df(), [])
    whole.loc[whole.index[:5], "customer_state"] = None  # counted as "unknown"
    warehouse.register("patched", whole[["customer_unique_id", "customer_state"]])
    patched = warehouse.query("select * from patched")
    states = count_state_customers(warehouse, segments, patched)
    expected = state_customer_counts(whole).sort_values(["segment_id", "customer_state"])
    pd.testing.assert_frame_equal(states, expected.reset_index(drop=True), check_dtype=False)
    assert states.loc[states["customer_state"] == "unknown", "customers"].sum() == 5
    pd.testing.assert_frame_equal(
        read_segment_labels(warehouse, segments), segment_labels_of(segments.df())
    )


def test_read_columns_keeps_the_table_order_and_names_missing_columns(warehouse):
    rfm = _ref(warehouse, "rfm")
    columns = segmentation_columns([["recency_days", "monetary"], ["frequency"]], rfm.columns)
    assert columns == [
        "customer_unique_id",
        "recency_days",
        "monetary",
        "frequency",
        "avg_review_score",
    ]
    read = read_columns(rfm, columns, "customer_rfm")
    pd.testing.assert_frame_equal(read, rfm.df()[columns])
    with pytest.raises(ValueError, match="customer_rfm lacks column"):
        read_columns(rfm, ["customer_unique_id", "category_count"], "customer_rfm")
    with pytest.raises(ValueError, match="customer_segments lacks column"):
        read_segments_with_features(warehouse, rfm, rfm, ["monetary"])
