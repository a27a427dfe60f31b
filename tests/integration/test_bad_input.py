"""Catalogue of damaged inputs: each case builds on a damaged copy of the demo data and checks the
documented outcome (README "Bad input") — a failed build whose message names the file/column and
what was expected, or the bad row quarantined in staging.stg_olist__rejects with its reason while
the build goes on.

The row-level cases that do not stop the build (bad timestamp, negative price, unknown status,
delivery before purchase, duplicate key, orphans, extra column) share one build on one copy
damaged in distinct orders (fixture `row_damage`): one dbt build instead of eight.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from dbt_harness import REPO_ROOT, DbtResult, run_dbt

from olist_segmentation.build import table_checksums

# cautious: only the tests whose every parent is selected (eager would also pick tests that
# compare customer_rfm with models outside the selection, which then do not exist)
MART_ONLY = [
    "build",
    "--select",
    "+customer_rfm +data_quality",
    "--indirect-selection",
    "cautious",
]
UNKNOWN_CUSTOMER = "ffffffffffffffffffffffffffff0001"
UNKNOWN_ORDER = "eeeeeeeeeeeeeeeeeeeeeeeeeeee0001"


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


def data_quality(result: DbtResult, source_table: str) -> dict[str, object]:
    columns = [
        "read_row_count",
        "staged_row_count",
        "untypable_row_count",
        "invalid_row_count",
        "duplicate_row_count",
        "orphaned_row_count",
        "unexplained_row_count",
    ]
    (row,) = result.query(
        f"select {', '.join(columns)} from marts.data_quality where source_table = '{source_table}'"
    )
    return dict(zip(columns, row, strict=True))


def reject_of(result: DbtResult, source_table: str, record_key: str) -> tuple:
    matches = [row for row in rejects(result, source_table) if row[1] == record_key]
    assert len(matches) == 1, f"expected one reject for {record_key}, got {matches}"
    return matches[0]


# ---------------------------------------------------------------------------------------------
# Row-level damage: quarantined or orphaned, the build goes on (one shared build)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowDamage:
    result: DbtResult
    # case -> (data row number, counted from 1 after the header like source_row; the damaged row)
    rows: dict[str, tuple[int, list[str]]]


@pytest.fixture(scope="module")
def row_damage(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RowDamage:
    work = tmp_path_factory.mktemp("row_damage")
    data_dir = work / "data"
    shutil.copytree(demo_data_dir, data_dir)
    damaged: dict[str, tuple[int, list[str]]] = {}

    orders_path = csv_path(data_dir, "olist_orders_dataset")
    orders = read_rows(orders_path)
    col = {name: index for index, name in enumerate(orders[0])}
    delivered = [
        index
        for index, row in enumerate(orders)
        if index > 0
        and row[col["order_status"]] == "delivered"
        and row[col["order_delivered_customer_date"]]
    ]
    picks = iter(delivered[10::7])

    def pick(case: str) -> list[str]:
        index = next(picks)
        damaged[case] = (index, orders[index])
        return orders[index]

    pick("timestamp")[col["order_purchase_timestamp"]] = "2018-02-30 25:61:00"
    pick("status")[col["order_status"]] = "lost_in_transit"
    row = pick("delivered_before_purchase")
    purchased = datetime.fromisoformat(row[col["order_purchase_timestamp"]])
    row[col["order_delivered_customer_date"]] = str(purchased - timedelta(days=3))
    pick("orphan_order")[col["customer_id"]] = UNKNOWN_CUSTOMER
    first = pick("duplicate_first")
    second = [*first]
    second[col["order_status"]] = "canceled"
    orders.append(second)
    damaged["duplicate_second"] = (len(orders) - 1, second)
    # an extra column the sources do not declare
    orders[0].append("order_channel")
    for row in orders[1:]:
        row.append("web")
    write_rows(orders_path, orders)

    damaged_orders = {row[0] for _, row in damaged.values()}
    items_path = csv_path(data_dir, "olist_order_items_dataset")
    items = read_rows(items_path)
    price = items[0].index("price")
    index = next(i for i in range(20, len(items)) if items[i][0] not in damaged_orders)
    items[index][price] = "-15.00"
    damaged["negative_price"] = (index, items[index])
    write_rows(items_path, items)

    payments_path = csv_path(data_dir, "olist_order_payments_dataset")
    payments = read_rows(payments_path)
    payments.append([UNKNOWN_ORDER, "1", "credit_card", "1", "99.90"])
    damaged["orphan_payment"] = (len(payments) - 1, payments[-1])
    write_rows(payments_path, payments)

    return RowDamage(run_dbt(MART_ONLY, data_dir, work / "run"), damaged)


def test_row_damage_build_passes_with_warnings_and_accounts_every_row(
    row_damage: RowDamage,
) -> None:
    result = row_damage.result
    assert result.returncode == 0, result.output[-3000:]
    assert "WARN" in result.output
    assert result.query(
        "select count(*) from marts.data_quality where unexplained_row_count != 0"
    ) == [(0,)]
    orders = data_quality(result, "olist_orders_dataset")
    assert orders["untypable_row_count"] == 1  # the timestamp
    assert orders["invalid_row_count"] == 2  # the status, the delivery before purchase
    assert orders["duplicate_row_count"] == 1
    assert orders["read_row_count"] == orders["staged_row_count"] + 4


def test_extra_column_is_ignored_with_a_warning_naming_it(row_damage: RowDamage) -> None:
    assert row_damage.result.returncode == 0
    assert "has extra column(s) order_channel: ignored" in row_damage.result.output


def test_unparseable_timestamp_is_quarantined_naming_the_column(row_damage: RowDamage) -> None:
    source_row, row = row_damage.rows["timestamp"]
    reject = reject_of(row_damage.result, "olist_orders_dataset", row[0])
    assert reject[0] == source_row
    assert reject[2] == "untypable"
    assert 'order_purchase_timestamp: expected timestamp, got "2018-02-30 25:61:00"' in reject[3]


def test_negative_price_is_quarantined_as_invalid(row_damage: RowDamage) -> None:
    source_row, row = row_damage.rows["negative_price"]
    reject = reject_of(row_damage.result, "olist_order_items_dataset", f"{row[0]}/{row[1]}")
    assert reject[0] == source_row
    assert reject[2] == "invalid"
    assert "price: expected a non-negative amount" in reject[3]


def test_unknown_order_status_is_quarantined_as_invalid(row_damage: RowDamage) -> None:
    _, row = row_damage.rows["status"]
    reject = reject_of(row_damage.result, "olist_orders_dataset", row[0])
    assert reject[2] == "invalid"
    assert "order_status: expected one of delivered, shipped" in reject[3]


def test_delivery_before_purchase_is_quarantined_as_invalid(row_damage: RowDamage) -> None:
    _, row = row_damage.rows["delivered_before_purchase"]
    reject = reject_of(row_damage.result, "olist_orders_dataset", row[0])
    assert reject[2] == "invalid"
    assert "delivered before order_purchase_timestamp" in reject[3]


def test_duplicate_key_keeps_the_first_row_and_rejects_the_second(row_damage: RowDamage) -> None:
    first_row, first = row_damage.rows["duplicate_first"]
    second_row, _ = row_damage.rows["duplicate_second"]
    reject = reject_of(row_damage.result, "olist_orders_dataset", first[0])
    assert reject[0] == second_row > first_row
    assert reject[2] == "duplicate"
    assert reject[3] == "duplicate key (order_id): kept the first row by _source_row"
    staged = row_damage.result.query(
        f"select order_status from staging.stg_olist__orders where order_id = '{first[0]}'"
    )
    assert staged == [("delivered",)], "the first row is the one kept"


def test_orphans_are_counted_kept_out_of_the_marts_and_the_build_continues(
    row_damage: RowDamage,
) -> None:
    result = row_damage.result
    assert result.returncode == 0
    _, orphan_order = row_damage.rows["orphan_order"]
    orphans = dict(
        result.query(
            "select record_key, orphan_reason from intermediate.int_orphan_rows_identified"
            f" where record_key in ('{orphan_order[0]}', '{UNKNOWN_ORDER}/1')"
        )
    )
    assert orphans == {
        orphan_order[0]: f"customer_id {UNKNOWN_CUSTOMER} is not in olist_customers_dataset",
        f"{UNKNOWN_ORDER}/1": f"order_id {UNKNOWN_ORDER} is not in olist_orders_dataset",
    }
    assert data_quality(result, "olist_orders_dataset")["orphaned_row_count"] == 1
    assert data_quality(result, "olist_order_payments_dataset")["orphaned_row_count"] >= 1
    kept_in = result.query(
        "select count(*) from intermediate.int_orders_enriched"
        f" where order_id in ('{orphan_order[0]}', '{UNKNOWN_ORDER}')"
    )
    assert kept_in == [(0,)], "orphans never reach the marts"
    # staged, so they are not rejects: the row accounting still balances
    assert data_quality(result, "olist_order_payments_dataset")["unexplained_row_count"] == 0


def test_orphans_fail_the_build_with_fail_on_rejects(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    path = csv_path(data_dir, "olist_order_payments_dataset")
    rows = read_rows(path)
    rows.append([UNKNOWN_ORDER, "1", "credit_card", "1", "99.90"])  # an orphan, no reject
    write_rows(path, rows)
    result = run_dbt([*MART_ONLY, "--vars", "{fail_on_rejects: true}"], data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert "FAIL 1 assert_reliability_orphans_are_accepted" in result.output


# ---------------------------------------------------------------------------------------------
# File-level damage: one clear message before any model runs
# ---------------------------------------------------------------------------------------------


def test_file_with_only_a_header_fails_before_any_model(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    path = csv_path(data_dir, "olist_orders_dataset")
    write_rows(path, read_rows(path)[:1])
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert f"no data rows: {path} holds only its header" in result.output
    assert "START sql table model" not in result.output, "no model ran"


def test_two_candidate_files_fail_as_ambiguous(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    plain = csv_path(data_dir, "olist_sellers_dataset")
    compressed = data_dir / "olist_sellers_dataset.csv.gz"
    compressed.write_bytes(gzip.compress(plain.read_bytes()))
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert f"ambiguous file: {plain} and {compressed} both match" in result.output
    assert "keep only one of them" in result.output


def test_malformed_csv_row_fails_naming_the_row(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    path = csv_path(data_dir, "olist_orders_dataset")
    lines = path.read_text(encoding="utf-8").split("\n")
    data_row = 50  # the orders file has no multi-line value: line 51 is data row 50
    lines[data_row] += ",an unexpected ninth field"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert f"malformed CSV: {path} holds 1 row(s) DuckDB cannot parse" in result.output
    assert f"first at data row {data_row} " in result.output
    assert "an unexpected ninth field" in result.output
    assert "Expected 8 comma-separated values per row" in result.output


def test_non_utf8_bytes_fail_naming_file_row_column_and_encoding(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    path = csv_path(data_dir, "olist_order_reviews_dataset")
    rows = read_rows(path)
    message = rows[0].index("review_comment_message")
    data_row = 120
    rows[data_row][message] = "N@@o recebi o produto"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    # one comment in Latin-1 ("ã" = 0xE3) inside an otherwise UTF-8 file
    path.write_bytes(buffer.getvalue().encode("utf-8").replace(b"N@@o", "Não".encode("latin-1")))
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert f"not UTF-8 text: {path} holds 1 row(s)" in result.output
    assert f"first at data row {data_row} " in result.output
    assert "column review_comment_message" in result.output
    assert "Expected UTF-8 text" in result.output
    assert "Traceback" not in result.output


def test_truncated_gzip_fails_with_one_clear_message(
    damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    data_dir = damaged_copy()
    plain = csv_path(data_dir, "olist_orders_dataset")
    compressed = gzip.compress(plain.read_bytes())
    plain.unlink()
    truncated = data_dir / "olist_orders_dataset.csv.gz"
    truncated.write_bytes(compressed[: len(compressed) * 2 // 3])
    result = run_dbt(MART_ONLY, data_dir, tmp_path / "run")
    assert result.returncode != 0
    assert f"unreadable file: {truncated}: DuckDB could not read it" in result.output
    assert result.output.count("the file is truncated or corrupt") == 1
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# Formatting that must not change anything
# ---------------------------------------------------------------------------------------------


def test_windows_line_endings_and_bom_build_identically(
    demo_build: DbtResult, damaged_copy: Callable[[], Path], tmp_path: Path
) -> None:
    clean = demo_build  # the session's build of the same files, unchanged
    assert clean.returncode == 0, clean.output[-3000:]
    data_dir = damaged_copy()
    for name in ("olist_orders_dataset", "olist_order_reviews_dataset"):  # the biggest files
        path = csv_path(data_dir, name)
        content = path.read_bytes()
        path.write_bytes(b"\xef\xbb\xbf" + content.replace(b"\n", b"\r\n"))
    windows = run_dbt(MART_ONLY, data_dir, tmp_path / "windows")
    assert windows.returncode == 0, windows.output[-3000:]
    clean_marts = table_checksums(clean.warehouse)
    assert clean_marts["customer_rfm"][0] > 0
    assert table_checksums(windows.warehouse)["customer_rfm"] == clean_marts["customer_rfm"]
    assert windows.query("select count(*) from staging.stg_olist__rejects") == [(0,)]


# ---------------------------------------------------------------------------------------------
# Configuration errors
# ---------------------------------------------------------------------------------------------


def test_segment_k_below_two_fails_naming_the_var(demo_data_dir: Path, tmp_path: Path) -> None:
    result = run_dbt(
        [
            "build",
            "--select",
            "+segment_model_selection",
            "--indirect-selection",
            "cautious",
            "--vars",
            "{segment_k: 1}",
        ],
        demo_data_dir,
        tmp_path / "run",
    )
    assert result.returncode != 0
    assert "Invalid var segment_k=1: expected an integer >= 2" in result.output


def _model_exists(name: str) -> bool:
    return any(
        path.stem == name
        for path in (REPO_ROOT / "models").rglob(f"{name}.*")
        if path.suffix in {".sql", ".py"}
    )


def test_stability_ari_threshold_outside_0_1_fails_naming_the_var(
    demo_data_dir: Path, tmp_path: Path
) -> None:
    if not _model_exists("maintenance_contract"):
        pytest.skip(
            "marts.maintenance_contract does not exist yet (being built in another change): "
            "var stability_ari_threshold cannot be checked end to end"
        )
    result = run_dbt(
        [
            "build",
            "--select",
            "+maintenance_contract",
            "--indirect-selection",
            "cautious",
            "--vars",
            "{stability_ari_threshold: 0}",  # the interval is open at 0
        ],
        demo_data_dir,
        tmp_path / "run",
    )
    assert result.returncode != 0
    assert "Invalid var stability_ari_threshold=0: expected a number in (0, 1]" in result.output
