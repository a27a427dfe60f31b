"""The SQL layer builds on Apache Spark (dbt-spark, session method) with the same results as DuckDB.

One small demo data set, with a few damaged rows so that typing, business checks and de-duplication
run too, is built twice with `dbt build --selector sql_layer`: on DuckDB and with `--target spark`.
`customer_rfm`, `data_quality` and the rejects must then hold the same rows and values (floats
within 1e-9: averages may add up in another order). Then the nightly scoring: a champion model
fitted with the package on DuckDB's customer_rfm is written to Parquet, loaded on both engines
(`dbt run-operation load_segment_model`, what ref('segment_centroids') reads) and
`customer_segments` is built with it: same segment for every customer, same distances. Spark's
warehouse and Hive metastore live in a temporary folder (OLIST_SPARK_DIR), so nothing is left in
the repository.

Needs the `spark` extra (dbt-spark[session], pyspark) and Java 17+: skipped with the reason when
one is missing, failed instead when OLIST_REQUIRE_SPARK=1 (what `make test-spark` sets).
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from dbt_harness import REPO_ROOT, DbtResult, generate_demo_data, run_dbt

from olist_segmentation.segmentation.steps import fit_configuration

pytestmark = [pytest.mark.spark, pytest.mark.dbt]

PARITY_CUSTOMERS = 3000
SQL_LAYER = ["build", "--selector", "sql_layer"]
SCORING = ["build", "--select", "customer_segments"]
# a model with a feature that has NULLs (avg_review_score: imputed) and log1p'd ones
CHAMPION_FEATURES = ["recency_days", "frequency", "monetary", "avg_review_score"]
CHAMPION_LOG1P = ["recency_days", "frequency", "monetary"]
FLOAT_TOLERANCE = 1e-9


def spark_unavailable_reason() -> str | None:
    """Why the Spark build cannot run here, or None."""
    for module, package in (("pyspark", "pyspark"), ("dbt.adapters.spark", "dbt-spark[session]")):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return f"{package} is not installed (pip install -e '.[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    java = shutil.which("java", path=f"{java_home}/bin") if java_home else shutil.which("java")
    if java is None:
        return "java is not installed (Spark 4 needs Java 17+, e.g. openjdk-17-jre-headless)"
    version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', version)
    if match is None or int(match.group(1)) < 17:
        return f"Spark 4 needs Java 17+, found: {version.splitlines()[0] if version else java}"
    return None


@pytest.fixture(scope="module")
def spark_required() -> None:
    reason = spark_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("OLIST_REQUIRE_SPARK") == "1":
        pytest.fail(f"OLIST_REQUIRE_SPARK=1 but the Spark test cannot run: {reason}")
    pytest.skip(f"Spark parity test skipped: {reason}")


def damage(data_dir: Path) -> None:
    """One reject of each kind, so the staging macro's dialect-specific parts are compared too."""

    def edit(name: str, change) -> None:
        path = data_dir / f"{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        change(rows[0], rows)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)

    def set_cell(column: str, row: int, value: str):
        return lambda header, rows: rows[row + 1].__setitem__(header.index(column), value)

    edit("olist_order_items_dataset", set_cell("price", 3, "12,50"))  # untypable
    edit("olist_customers_dataset", set_cell("customer_zip_code_prefix", 5, "1234"))  # invalid
    edit("olist_customers_dataset", set_cell("customer_state", 6, "S1"))  # invalid
    edit("olist_order_payments_dataset", set_cell("payment_value", 7, "-5.00"))  # invalid
    edit("olist_orders_dataset", set_cell("order_status", 8, "lost"))  # invalid
    edit("olist_orders_dataset", lambda header, rows: rows.append(list(rows[10])))  # duplicate


@pytest.fixture(scope="module")
def parity_data_dir(spark_required: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = generate_demo_data(tmp_path_factory.mktemp("spark_parity_data"), PARITY_CUSTOMERS)
    damage(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def duckdb_build(parity_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    return run_dbt(SQL_LAYER, parity_data_dir, tmp_path_factory.mktemp("parity_duckdb"))


@pytest.fixture(scope="module")
def spark_run(
    parity_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DbtResult, Path, set[str]]:
    """The Spark build, its warehouse folder, and what it added to the repository's top level."""
    work_dir = tmp_path_factory.mktemp("parity_spark")
    spark_dir = work_dir / "spark"
    before = {path.name for path in REPO_ROOT.iterdir()}
    result = run_dbt(
        [*SQL_LAYER, "--target", "spark"],
        parity_data_dir,
        work_dir,
        extra_env={"OLIST_SPARK_DIR": str(spark_dir)},
    )
    added = {path.name for path in REPO_ROOT.iterdir()} - before
    return result, spark_dir / "warehouse", added


@pytest.fixture(scope="module")
def spark_build(spark_run: tuple[DbtResult, Path, set[str]]) -> Path:
    """The warehouse of a successful Spark build (one folder of Parquet files per table)."""
    result, warehouse, _ = spark_run
    assert result.returncode == 0, result.output[-5000:]
    assert "ERROR=0" in result.output
    return warehouse


def duckdb_table(build: DbtResult, table: str) -> pd.DataFrame:
    assert build.returncode == 0, build.output[-5000:]
    with duckdb.connect(str(build.warehouse), read_only=True) as connection:
        return connection.sql(f"select * from {table}").df()


def spark_table(warehouse: Path, table: str) -> pd.DataFrame:
    schema, name = table.split(".")
    files = warehouse / f"{schema}.db" / name / "*.parquet"
    return duckdb.sql(f"select * from read_parquet('{files}')").df()


def assert_same_table(duck: pd.DataFrame, spark: pd.DataFrame, key: list[str]) -> None:
    """Same columns and types, same rows by key, same values (floats within tolerance)."""
    assert list(spark.columns) == list(duck.columns)
    assert spark.dtypes.astype(str).tolist() == duck.dtypes.astype(str).tolist()
    assert len(spark) == len(duck)
    duck = duck.sort_values(key).reset_index(drop=True)
    spark = spark.sort_values(key).reset_index(drop=True)
    for column in duck.columns:
        expected, actual = duck[column], spark[column]
        assert (expected.isna() == actual.isna()).all(), f"{column}: nulls differ"
        present = expected.notna()
        if pd.api.types.is_float_dtype(expected) or pd.api.types.is_float_dtype(actual):
            np.testing.assert_allclose(
                actual[present].astype(float),
                expected[present].astype(float),
                rtol=FLOAT_TOLERANCE,
                atol=FLOAT_TOLERANCE,
                err_msg=column,
            )
        else:
            differs = expected[present].astype(str) != actual[present].astype(str)
            assert not differs.any(), (
                f"{column}: {int(differs.sum())} values differ, e.g. "
                f"{expected[present][differs].head(3).tolist()} vs "
                f"{actual[present][differs].head(3).tolist()}"
            )


def test_customer_rfm_is_identical_on_spark(duckdb_build: DbtResult, spark_build: Path) -> None:
    duck = duckdb_table(duckdb_build, "marts.customer_rfm")
    spark = spark_table(spark_build, "marts.customer_rfm")
    assert len(duck) > PARITY_CUSTOMERS * 0.9
    assert_same_table(duck, spark, ["customer_unique_id"])


def test_data_quality_is_identical_on_spark(duckdb_build: DbtResult, spark_build: Path) -> None:
    duck = duckdb_table(duckdb_build, "marts.data_quality")
    assert duck["untypable_row_count"].sum() >= 1 and duck["duplicate_row_count"].sum() >= 1
    assert_same_table(duck, spark_table(spark_build, "marts.data_quality"), ["source_table"])


def test_rejects_are_identical_on_spark(duckdb_build: DbtResult, spark_build: Path) -> None:
    duck = duckdb_table(duckdb_build, "staging.stg_olist__rejects")
    spark = spark_table(spark_build, "staging.stg_olist__rejects")
    assert set(duck["reject_category"]) == {"untypable", "invalid", "duplicate"}
    # same data-row numbers (file order), reasons, and raw rows as the same JSON text
    assert_same_table(duck, spark, ["source_table", "source_row"])


@pytest.fixture(scope="module")
def champion_model_file(duckdb_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model fitted on DuckDB's customer_rfm: the Parquet file of its segment_centroids rows."""
    rfm = duckdb_table(duckdb_build, "marts.customer_rfm")
    model = fit_configuration(
        rfm,
        feature_set="parity",
        features=CHAMPION_FEATURES,
        log1p_features=CHAMPION_LOG1P,
        k=4,
        seed=42,
        minibatch_above=1_000_000,
    )
    path = tmp_path_factory.mktemp("champion") / "segment_centroids.parquet"
    duckdb.from_df(model.to_table()).write_parquet(str(path))
    return path


def load_and_score(data_dir: Path, work_dir: Path, model_file: Path, *target: str, **env) -> None:
    """Load the champion (run-operation), then build customer_segments with it."""
    load = run_dbt(
        ["run-operation", "load_segment_model", "--args", f"{{file: '{model_file}'}}", *target],
        data_dir,
        work_dir,
        extra_env=env,
    )
    assert load.returncode == 0, load.output[-5000:]
    assert "loaded segment model" in load.output
    build = run_dbt([*SCORING, *target], data_dir, work_dir, extra_env=env)
    assert build.returncode == 0, build.output[-5000:]
    assert "ERROR=0" in build.output and "unit_test" in build.output


def test_customer_segments_are_identical_on_spark(
    parity_data_dir: Path,
    duckdb_build: DbtResult,
    spark_run: tuple[DbtResult, Path, set[str]],
    spark_build: Path,
    champion_model_file: Path,
) -> None:
    spark_dir = spark_build.parent
    load_and_score(parity_data_dir, duckdb_build.warehouse.parent, champion_model_file)
    load_and_score(
        parity_data_dir,
        spark_dir.parent,
        champion_model_file,
        "--target",
        "spark",
        OLIST_SPARK_DIR=str(spark_dir),
    )
    duck = duckdb_table(duckdb_build, "marts.customer_segments")
    spark = spark_table(spark_build, "marts.customer_segments")
    assert len(duck) == len(duckdb_table(duckdb_build, "marts.customer_rfm"))
    assert duck["segment_id"].nunique() == 4 and duck["segment_id"].notna().all()
    assert_same_table(duck, spark, ["customer_unique_id"])


def test_spark_leaves_nothing_in_the_repository(
    spark_run: tuple[DbtResult, Path, set[str]],
) -> None:
    _, warehouse, added = spark_run
    assert (warehouse / "marts.db").is_dir(), "the Spark warehouse is in OLIST_SPARK_DIR"
    assert not added, f"the Spark build wrote {sorted(added)} into the repository"
