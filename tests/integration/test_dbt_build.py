"""`dbt build` on the demo data and on the real Olist files, checked against pandas.

The pandas computation below is written independently of the SQL (straight from the raw CSVs), so
a mistake in a join or a filter of the dbt models shows up as a difference.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt_harness import DbtResult, generate_demo_data, real_data_dir, run_dbt

from olist_segmentation.registry import export_model


def read_raw(data_dir: Path, name: str) -> pd.DataFrame:
    matches = sorted(data_dir.glob(f"{name}.csv*"))
    assert len(matches) == 1, f"expected one file for {name} in {data_dir}, found {matches}"
    return pd.read_csv(matches[0], dtype=str, keep_default_na=False, na_values=[""])


def pandas_rfm(data_dir: Path) -> pd.DataFrame:
    """RFM per customer_unique_id from the raw files, the way a notebook would compute it."""
    orders = read_raw(data_dir, "olist_orders_dataset")
    customers = read_raw(data_dir, "olist_customers_dataset")
    payments = read_raw(data_dir, "olist_order_payments_dataset")
    orders["purchased_at"] = pd.to_datetime(orders["order_purchase_timestamp"])
    # an order counts once delivered to the customer (or, without that date, once promised)
    orders["delivered_at"] = pd.to_datetime(orders["order_delivered_customer_date"]).fillna(
        pd.to_datetime(orders["order_estimated_delivery_date"])
    )
    delivered = orders[orders["order_status"] == "delivered"]
    # the default reference date: the day after the last delivered purchase
    reference_date = delivered["purchased_at"].max().normalize() + pd.Timedelta(days=1)
    known = (delivered["purchased_at"] < reference_date) & (
        delivered["delivered_at"] < reference_date
    )
    delivered = delivered[known].merge(customers, on="customer_id")
    paid = payments.assign(payment_value=payments["payment_value"].astype(float))
    paid = paid.groupby("order_id", as_index=False)["payment_value"].sum()
    delivered = delivered.merge(paid, on="order_id", how="left").fillna({"payment_value": 0.0})
    per_customer = delivered.groupby("customer_unique_id").agg(
        frequency=("order_id", "count"),
        monetary=("payment_value", "sum"),
        last_purchase_at=("purchased_at", "max"),
    )
    per_customer["recency_days"] = (
        reference_date - per_customer["last_purchase_at"].dt.normalize()
    ).dt.days
    return per_customer


def mart(result: DbtResult) -> pd.DataFrame:
    rows = result.query(
        "select customer_unique_id, frequency, monetary, recency_days from marts.customer_rfm"
    )
    frame = pd.DataFrame(
        rows, columns=["customer_unique_id", "frequency", "monetary", "recency_days"]
    )
    return frame.set_index("customer_unique_id")


def assert_mart_matches_pandas(result: DbtResult, data_dir: Path) -> None:
    expected = pandas_rfm(data_dir)
    actual = mart(result)
    assert len(actual) == len(expected)
    assert set(actual.index) == set(expected.index)
    joined = actual.merge(expected, left_index=True, right_index=True, suffixes=("", "_pandas"))
    assert (joined["frequency"] == joined["frequency_pandas"]).all()
    assert (joined["recency_days"] == joined["recency_days_pandas"]).all()
    assert (joined["monetary"] - joined["monetary_pandas"]).abs().max() < 0.005
    assert actual["monetary"].sum() == pytest.approx(expected["monetary"].sum(), abs=0.05)


def test_demo_build_passes_every_dbt_test(demo_build: DbtResult) -> None:
    """Unit tests included: `make test` is where they run (the nightly job leaves them out)."""
    assert demo_build.returncode == 0, demo_build.output[-5000:]
    assert "ERROR=0" in demo_build.output
    assert re.search(r"Finished running .*\b[1-9]\d* unit tests", demo_build.output)


def test_demo_mart_matches_independent_pandas_computation(
    demo_build: DbtResult, demo_data_dir: Path
) -> None:
    assert_mart_matches_pandas(demo_build, demo_data_dir)


def test_demo_mart_has_one_row_per_person_not_per_order(demo_build: DbtResult) -> None:
    ((people, orders_per_person_max),) = demo_build.query(
        "select count(distinct customer_unique_id), max(frequency) from marts.customer_rfm"
    )
    ((customer_ids,),) = demo_build.query(
        "select count(distinct customer_id) from staging.stg_olist__customers"
    )
    assert orders_per_person_max > 1, "the demo data must hold repeat buyers"
    assert people < customer_ids, "customer_id is per order, so people must be fewer"


def test_demo_build_reads_each_raw_file_once(demo_build: DbtResult) -> None:
    """on-run-start loads each file (the only read_csv of a build); base models read the loaded
    tables, which on-run-end drops (the base tables keep every raw row)."""
    compiled = demo_build.warehouse.parent / "target" / "compiled" / "olist_segmentation"
    base_models = sorted(compiled.glob("models/staging/olist/base/base_olist__*.sql"))
    assert len(base_models) == 8
    for base_model in base_models:
        sql = base_model.read_text()
        assert "read_csv" not in sql.lower(), base_model.name
        source_table = base_model.stem.removeprefix("base_olist__")
        assert f'"olist"."olist_{source_table}' in sql or '"olist"."product_category' in sql, (
            base_model.name
        )
    assert "files, " in demo_build.output and "data rows loaded, read to the end once" in (
        demo_build.output
    )
    schemas = {row[0] for row in demo_build.query("select schema_name from duckdb_schemas()")}
    assert "olist" not in schemas or not demo_build.query(
        "select table_name from duckdb_tables() where schema_name = 'olist'"
    )


@pytest.mark.real_data
def test_real_build_passes_every_dbt_test(real_build: DbtResult) -> None:
    assert real_build.returncode == 0, real_build.output[-5000:]
    assert "ERROR=0" in real_build.output


@pytest.mark.real_data
def test_real_mart_matches_independent_pandas_computation(real_build: DbtResult) -> None:
    assert_mart_matches_pandas(real_build, real_data_dir())


@pytest.mark.real_data
def test_real_data_traps_are_handled(real_build: DbtResult) -> None:
    # zip prefixes keep their leading zeros (01151 would become 1151 as an integer)
    ((short_zips, leading_zero_zips),) = real_build.query(
        "select count(*) filter (where length(customer_zip_code_prefix) != 5),"
        " count(*) filter (where customer_zip_code_prefix like '0%')"
        " from staging.stg_olist__customers"
    )
    assert short_zips == 0 and leading_zero_zips > 0
    # review ids repeat across orders: all kept, keyed on (review_id, order_id)
    ((reviews, distinct_review_ids),) = real_build.query(
        "select count(*), count(distinct review_id) from staging.stg_olist__order_reviews"
    )
    assert reviews > distinct_review_ids
    # multi-line comments survive the CSV parsing intact
    ((multiline,),) = real_build.query(
        "select count(*) from staging.stg_olist__order_reviews"
        " where review_comment_message like '%' || chr(10) || '%'"
    )
    assert multiline > 0
    # orders without delivery date are staged, not dropped
    ((undelivered_kept,),) = real_build.query(
        "select count(*) from staging.stg_olist__orders where delivered_to_customer_at is null"
    )
    assert undelivered_kept > 0
    # several payment rows of one order are summed, not deduplicated away
    ((multi_payment_orders,),) = real_build.query(
        "select count(*) from intermediate.int_order_payments_aggregated_to_orders"
        " where payment_row_count > 1"
    )
    assert multi_payment_orders > 0


@pytest.mark.dbt
def test_an_exported_model_is_imported_as_champion_elsewhere(
    demo_build: DbtResult, tmp_path: Path
) -> None:
    """make export-model, then make import-model FILE=... on another warehouse and other data."""
    exported = tmp_path / "champion.parquet"
    version = export_model(warehouse=demo_build.warehouse, out=exported)
    other_data = generate_demo_data(tmp_path / "other", 1500, seed=11)
    result = run_dbt(
        ["build", "--vars", f"{{segment_import_model_file: '{exported}'}}"],
        other_data,
        tmp_path / "import_build",
    )
    assert result.returncode == 0, result.output[-3000:]
    assert result.query("select distinct model_version from marts.customer_segments") == [
        (version,)
    ]
    registry = result.query(
        "select model_version, status, promoted_because from marts.segment_models"
    )
    assert registry == [(version, "champion", f"imported from {exported}")]


@pytest.mark.dbt
def test_an_import_file_without_a_column_fails_naming_the_file(
    demo_build: DbtResult, demo_data_dir: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "champion.parquet"
    export_model(warehouse=demo_build.warehouse, out=exported)
    damaged = tmp_path / "damaged.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * exclude (center) from '{exported}') to '{damaged}' (format parquet)"
        )
    result = run_dbt(
        [
            "build",
            "--select",
            "+customer_segments",
            "--vars",
            f"{{segment_import_model_file: '{damaged}'}}",
        ],
        demo_data_dir,
        tmp_path / "bad_import",
    )
    assert result.returncode != 0
    assert f"{damaged} is missing column(s): center" in result.output
