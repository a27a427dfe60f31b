"""The dbt SQL models that count the explain inputs equal pandas computations on whole tables.

Each test runs the model's own SQL file (its refs pointed at in-memory tables, see
warehouse_tables.run_model), so what is checked is exactly what dbt builds.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from warehouse_tables import model_sql, run_model, tables_in_duckdb


@pytest.fixture()
def warehouse() -> duckdb.DuckDBPyConnection:
    """customer_segments and int_customer_categories_counted shaped like the real tables."""
    rng = np.random.default_rng(3)
    n = 2_000
    ids = [f"c{i:05d}" for i in range(n)]
    segment_ids = rng.integers(1, 5, n).astype("float64")
    segment_ids[::97] = np.nan  # a few customers without a segment
    states = rng.choice(["SP", "RJ", "MG"], n).astype(object)
    states[:5] = None  # counted as "unknown"
    segments = pd.DataFrame(
        {
            "customer_unique_id": ids,
            "segment_id": pd.array(segment_ids, dtype="Int32"),
            "segment_name": [None if np.isnan(s) else f"Segment {s:.0f}" for s in segment_ids],
            "model_version": "km-test",
            "customer_state": states,
        }
    )
    picks = rng.integers(0, n + 50, 5_000)  # some ids are not customers
    categories = pd.DataFrame(
        {
            "customer_unique_id": [f"c{i:05d}" for i in picks],
            "product_category": rng.choice(["toys", "garden_tools", "bed_bath_table", None], 5_000),
            "order_count": 1,
        }
    )
    return tables_in_duckdb(segments=segments, categories=categories)


def _segmented(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    segments = con.table("segments").df()
    return segments[segments["segment_id"].notna()].astype({"segment_id": "int64"})


def test_category_counts_equal_the_pandas_counts(warehouse):
    counted = run_model(
        warehouse,
        "int_segment_categories_counted",
        customer_segments="segments",
        int_customer_categories_counted="categories",
    )
    bought = warehouse.table("categories").df()[["customer_unique_id", "product_category"]]
    bought = bought.dropna().drop_duplicates().merge(_segmented(warehouse), on="customer_unique_id")
    expected = bought.groupby(["segment_id", "product_category"]).size().rename("customer_count")
    pd.testing.assert_frame_equal(counted, expected.reset_index(), check_dtype=False)
    assert counted["segment_id"].dtype == "int64"
    assert counted["customer_count"].sum() < len(warehouse.table("categories").df())


def test_category_counts_count_each_customer_once_per_category():
    con = tables_in_duckdb(
        segments=pd.DataFrame(
            {"customer_unique_id": ["a", "b", "c"], "segment_id": pd.array([1, 1, None], "Int64")}
        ),
        categories=pd.DataFrame(
            {
                "customer_unique_id": ["a", "a", "b", "c", "z"],
                "product_category": ["toys", "toys", "toys", "toys", "toys"],
            }
        ),
    )
    counts = run_model(
        con,
        "int_segment_categories_counted",
        customer_segments="segments",
        int_customer_categories_counted="categories",
    )
    # a twice and b once are 2 customers; c has no segment and z is not a customer: not counted
    assert counts.to_dict("records") == [
        {"segment_id": 1, "product_category": "toys", "customer_count": 2}
    ]


def test_state_counts_equal_the_pandas_counts(warehouse):
    states = run_model(warehouse, "int_segment_states_counted", customer_segments="segments")
    whole = _segmented(warehouse).fillna({"customer_state": "unknown"})
    expected = whole.groupby(["segment_id", "customer_state"]).size().rename("customer_count")
    pd.testing.assert_frame_equal(states, expected.reset_index(), check_dtype=False)
    assert states["segment_id"].dtype == "int64"
    unknown = states.loc[states["customer_state"] == "unknown", "customer_count"].sum()
    # 5 customers lack a state; the first has no segment either (segment_ids[::97])
    assert unknown == 4


def test_labels_equal_the_pandas_labels(warehouse):
    labels = run_model(warehouse, "int_segment_labels_counted", customer_segments="segments")
    whole = _segmented(warehouse)
    expected = (
        whole.groupby(["segment_id", "segment_name", "model_version"])
        .size()
        .rename("customer_count")
        .reset_index()
    )
    pd.testing.assert_frame_equal(labels, expected, check_dtype=False)
    assert labels["segment_id"].is_unique
    assert labels["customer_count"].sum() == len(whole)


def test_model_sql_renders_only_refs():
    sql = model_sql("int_segment_states_counted", customer_segments="segments")
    assert "from segments" in sql and "{{" not in sql
    with pytest.raises(KeyError, match="customer_segments"):
        model_sql("int_segment_states_counted")
