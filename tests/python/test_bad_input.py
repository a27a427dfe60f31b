"""Catalogue of damaged inputs: each case builds on a damaged copy of the demo data and checks the
documented outcome — a failed build whose message names the file/column and what was expected, or
the bad row quarantined in staging.stg_olist__rejects with its reason while the build goes on.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from dbt_harness import DbtResult, run_dbt

MART_ONLY = ["build", "--select", "+customer_rfm +data_quality"]


def csv_path(data_dir: Path, name: str) -> Path:
    (path,) = sorted(data_dir.glob(f"{name}.csv*"))
    return path


def read_rows(path: Path) -> list[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        handle.write(buffer.getvalue())


def set_value(data_dir: Path, name: str, column: str, row_index: int, value: str) -> list[str]:
    """Overwrite one cell (row_index counts data rows from 0); returns the damaged row."""
    path = csv_path(data_dir, name)
    rows = read_rows(path)
    header = rows[0]
    rows[row_index + 1][header.index(column)] = value
    write_rows(path, rows)
    return rows[row_index + 1]


def rejects(result: DbtResult, source_table: str) -> list[tuple]:
    return result.query(
        "select source_row, record_key, reject_category, reject_reason, raw_record"
        f" from staging.stg_olist__rejects where source_table = '{source_table}'"
    )


def test_missing_file_fails_naming_the_file(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    csv_path(data_dir, "olist_order_payments_dataset").unlink()
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert "missing file" in result.output
    assert "olist_order_payments_dataset.csv" in result.output
    assert "payment_value" in result.output, "the message lists the expected columns"


def test_missing_column_fails_naming_file_and_column(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    path = csv_path(data_dir, "olist_orders_dataset")
    rows = read_rows(path)
    rows[0][rows[0].index("order_status")] = "status"  # a renamed column
    write_rows(path, rows)
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert "missing column(s)" in result.output
    assert "olist_orders_dataset.csv" in result.output
    assert "order_status" in result.output


def test_untypable_price_is_quarantined_and_build_continues(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    damaged = set_value(data_dir, "olist_order_items_dataset", "price", 4, "12,50")
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode == 0, result.output[-3000:]
    assert "WARN" in result.output, "a quarantined row is reported as a warning"
    (row,) = rejects(result, "olist_order_items_dataset")
    source_row, record_key, category, reason, raw_record = row
    assert source_row == 5
    assert record_key == f"{damaged[0]}/{damaged[1]}"
    assert category == "untypable"
    assert 'price: expected money, got "12,50"' in reason
    assert "12,50" in raw_record


def test_fail_on_rejects_turns_quarantine_into_an_error(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    set_value(data_dir, "olist_orders_dataset", "order_purchase_timestamp", 2, "not a date")
    result = run_dbt([*MART_ONLY, "--vars", "{fail_on_rejects: true}"], data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert "assert_rejects_are_accepted" in result.output


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ("{rfm_f_score_min_orders: [1, 2, 3, 4]}", "rfm_f_score_min_orders"),
        ("{rfm_reference_date: '2031-01-01'}", "rfm_reference_date"),
        ("{rfm_reference_date: 'yesterday'}", "rfm_reference_date"),
    ],
)
def test_invalid_var_fails_naming_the_var(
    demo_data_dir: Path, tmp_path: Path, variables: str, expected: str
) -> None:
    result = run_dbt([*MART_ONLY, "--vars", variables], demo_data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert f"Invalid var {expected}" in result.output
