"""The DuckDB reads of the Python models equal pandas computations on whole tables."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from warehouse_tables import ref, tables_in_duckdb

from olist_segmentation.warehouse import (
    float_column,
    read_columns,
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
    return tables_in_duckdb(rfm=rfm, segments=segments)


def _joined_in_pandas(segments: pd.DataFrame, rfm: pd.DataFrame) -> pd.DataFrame:
    """The reference: customers with a segment merged with their customer_rfm row."""
    keys = segments[segments["segment_id"].notna()]
    joined = keys.merge(rfm, on="customer_unique_id", how="inner", validate="one_to_one")
    return joined.astype({"segment_id": "int64"})


def test_joined_read_equals_the_pandas_join_of_whole_tables(warehouse):
    features = ["recency_days", "frequency", "monetary", "avg_review_score"]
    extra = ["segment_name", "model_version", "customer_state", "monetary"]
    read = read_segments_with_features(
        warehouse,
        ref(warehouse, "segments"),
        ref(warehouse, "rfm"),
        features,
        extra_columns=extra,
    )
    whole = _joined_in_pandas(ref(warehouse, "segments").df(), ref(warehouse, "rfm").df())
    assert len(read) == len(whole) < 2_000  # customers without a segment are dropped
    assert read["segment_id"].dtype == "int64"
    for column in ["segment_id", "segment_name", "customer_state", *features]:
        np.testing.assert_array_equal(read[column].to_numpy(), whole[column].to_numpy())
    assert "customer_unique_id" not in read.columns  # not needed, not copied


def test_read_columns_keeps_the_table_order_and_names_missing_columns(warehouse):
    rfm = ref(warehouse, "rfm")
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


def test_segments_with_features_joins_one_row_per_customer():
    con = tables_in_duckdb(
        segments=pd.DataFrame(
            {
                "customer_unique_id": ["a", "b", "c"],
                "segment_id": pd.array([1, 2, None], "Int64"),
                "segment_name": ["x", "y", None],
                "model_version": "v",
            }
        ),
        rfm=pd.DataFrame(
            {
                "customer_unique_id": ["c", "b", "a"],
                "customer_state": ["SP", "RJ", "MG"],
                "monetary": [1.0, 2.0, 3.0],
                "recency_days": [10, 20, 30],
            }
        ),
    )
    segments, rfm = ref(con, "segments"), ref(con, "rfm")
    joined = read_segments_with_features(
        con, segments, rfm, ["recency_days"], extra_columns=["customer_unique_id"]
    )
    assert joined["customer_unique_id"].tolist() == ["a", "b"]  # no segment: dropped
    assert joined["recency_days"].tolist() == [30, 20]
    with pytest.raises(ValueError, match="avg_review_score"):
        read_segments_with_features(con, segments, rfm, ["avg_review_score"])


def test_float_column_turns_every_null_into_nan():
    frame = pd.DataFrame({"n": pd.array([1, None, 3], "Int64"), "x": [0.5, np.nan, 2.0]})
    np.testing.assert_array_equal(float_column(frame, "n"), [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(float_column(frame, "x"), [0.5, np.nan, 2.0])
    assert float_column(frame, "n").dtype == "float64"
