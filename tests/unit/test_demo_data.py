"""Tests of the Olist demo-data generator.

The generator stands in for the real Kaggle files in CI and demos, so these tests pin what
downstream dbt models rely on: exact files and headers, Kaggle formats and traps, referential
integrity, determinism, and distributions close to the real data (when it is available).
"""

from __future__ import annotations

import csv
import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from olist_segmentation import demo

REPO = Path(__file__).resolve().parents[2]
REAL_DIR = Path(os.environ.get("OLIST_REAL_DATA_DIR", REPO.parent / "shared" / "data" / "olist"))
HAS_REAL = (REAL_DIR / "olist_orders_dataset.csv.gz").exists() or (
    REAL_DIR / "olist_orders_dataset.csv"
).exists()
needs_real = pytest.mark.skipif(
    not HAS_REAL,
    reason=f"real Olist files not found in {REAL_DIR} (set OLIST_REAL_DATA_DIR to compare)",
)

# Written out here on purpose (not imported) so that an accidental edit of the generator's
# column list fails a test even without the real files.
EXPECTED_HEADERS: dict[str, list[str]] = {
    "olist_customers_dataset.csv": [
        "customer_id",
        "customer_unique_id",
        "customer_zip_code_prefix",
        "customer_city",
        "customer_state",
    ],
    "olist_orders_dataset.csv": [
        "order_id",
        "customer_id",
        "order_status",
        "order_purchase_timestamp",
        "order_approved_at",
        "order_delivered_carrier_date",
        "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ],
    "olist_order_items_dataset.csv": [
        "order_id",
        "order_item_id",
        "product_id",
        "seller_id",
        "shipping_limit_date",
        "price",
        "freight_value",
    ],
    "olist_order_payments_dataset.csv": [
        "order_id",
        "payment_sequential",
        "payment_type",
        "payment_installments",
        "payment_value",
    ],
    "olist_order_reviews_dataset.csv": [
        "review_id",
        "order_id",
        "review_score",
        "review_comment_title",
        "review_comment_message",
        "review_creation_date",
        "review_answer_timestamp",
    ],
    "olist_products_dataset.csv": [
        "product_id",
        "product_category_name",
        "product_name_lenght",
        "product_description_lenght",
        "product_photos_qty",
        "product_weight_g",
        "product_length_cm",
        "product_height_cm",
        "product_width_cm",
    ],
    "olist_sellers_dataset.csv": [
        "seller_id",
        "seller_zip_code_prefix",
        "seller_city",
        "seller_state",
    ],
    "product_category_name_translation.csv": [
        "product_category_name",
        "product_category_name_english",
    ],
}

SMALL_N = 3000
MEDIUM_N = 20000
TS = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
MONEY = re.compile(r"^\d+\.\d{2}$")
HEX = re.compile(r"^[0-9a-f]{32}$")


def _path(directory: Path, name: str) -> Path:
    plain = directory / name
    return plain if plain.exists() else directory / (name + ".gz")


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - caller closes


def header_of(directory: Path, name: str) -> list[str]:
    with _open_text(_path(directory, name)) as fh:
        return next(csv.reader(fh))


def read(directory: Path, name: str) -> pd.DataFrame:
    """Read as strings (zip prefixes keep their zeros); empty fields become NaN."""
    return pd.read_csv(
        _path(directory, name), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
    )


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_small")
    demo.generate(out, SMALL_N, seed=7)
    return out


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_medium")
    demo.generate(out, MEDIUM_N, seed=42)
    return out


@pytest.fixture(scope="module")
def tables(small: Path) -> dict[str, pd.DataFrame]:
    return {name.split(".")[0]: read(small, name) for name in EXPECTED_HEADERS}


# --- (1) determinism ------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(small: Path, tmp_path: Path) -> None:
    demo.generate(tmp_path, SMALL_N, seed=7)
    for name in EXPECTED_HEADERS:
        assert (tmp_path / name).read_bytes() == (small / name).read_bytes(), name


def test_gzip_is_deterministic_and_matches_plain(small: Path, tmp_path: Path) -> None:
    for sub in ("a", "b"):
        demo.generate(tmp_path / sub, SMALL_N, seed=7, compress=True)
    for name in EXPECTED_HEADERS:
        gz_a, gz_b = tmp_path / "a" / (name + ".gz"), tmp_path / "b" / (name + ".gz")
        assert gz_a.read_bytes() == gz_b.read_bytes(), name
        assert gzip.decompress(gz_a.read_bytes()) == (small / name).read_bytes(), name


def test_other_seed_gives_other_data(small: Path, tmp_path: Path) -> None:
    demo.generate(tmp_path, SMALL_N, seed=8)
    assert (tmp_path / "olist_orders_dataset.csv").read_bytes() != (
        small / "olist_orders_dataset.csv"
    ).read_bytes()


# --- (2) files and headers ------------------------------------------------------------------


def test_exactly_the_kaggle_files(small: Path) -> None:
    assert sorted(p.name for p in small.iterdir()) == sorted(EXPECTED_HEADERS)


def test_headers_match_hard_coded_kaggle_headers(small: Path) -> None:
    assert {k: list(v) for k, v in demo.KAGGLE_COLUMNS.items()} == EXPECTED_HEADERS
    for name, expected in EXPECTED_HEADERS.items():
        assert header_of(small, name) == expected, name


@needs_real
@pytest.mark.real_data
def test_headers_match_real_files(small: Path) -> None:
    for name in EXPECTED_HEADERS:
        assert header_of(REAL_DIR, name) == header_of(small, name), name


def test_kaggle_formats(small: Path, tables: dict[str, pd.DataFrame]) -> None:
    raw = (small / "olist_customers_dataset.csv").read_text(encoding="utf-8").splitlines()
    assert raw[0] == ",".join(f'"{c}"' for c in EXPECTED_HEADERS["olist_customers_dataset.csv"])
    assert all(re.search(r',"\d{5}",', line) for line in raw[1:])  # quoted zip prefixes

    translation = (small / "product_category_name_translation.csv").read_bytes()
    assert translation.startswith(b"\xef\xbb\xbfproduct_category_name,")
    assert b"\r\n" in translation and b"\n" not in translation.replace(b"\r\n", b"")
    assert not translation.endswith(b"\n")
    assert len(tables["product_category_name_translation"]) == 71

    orders = tables["olist_orders_dataset"]
    for col in EXPECTED_HEADERS["olist_orders_dataset.csv"][3:]:
        assert orders[col].dropna().str.match(TS).all(), col
    assert orders["order_estimated_delivery_date"].str.endswith(" 00:00:00").all()
    items = tables["olist_order_items_dataset"]
    for col in ("price", "freight_value"):
        assert items[col].str.match(MONEY).all(), col
    assert tables["olist_order_payments_dataset"]["payment_value"].str.match(MONEY).all()
    for name, col in (
        ("olist_orders_dataset", "order_id"),
        ("olist_customers_dataset", "customer_unique_id"),
        ("olist_products_dataset", "product_id"),
        ("olist_sellers_dataset", "seller_id"),
        ("olist_order_reviews_dataset", "review_id"),
    ):
        assert tables[name][col].str.match(HEX).all(), (name, col)
    # Ids starting with a digit are quoted, others are not, like Kaggle's uneven quoting.
    lines = (small / "olist_orders_dataset.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert any(line.startswith('"') for line in lines)
    assert any(re.match(r"^[a-f]", line) for line in lines)


# --- (3) traps --------------------------------------------------------------------------------


def test_traps_present(small: Path, tables: dict[str, pd.DataFrame]) -> None:
    customers = tables["olist_customers_dataset"]
    zips = customers["customer_zip_code_prefix"]
    assert zips.str.len().eq(5).all() and zips.str.startswith("0").any()
    sellers = tables["olist_sellers_dataset"]
    assert sellers["seller_zip_code_prefix"].str.len().eq(5).all()
    assert sellers["seller_city"].str.contains(",").sum() >= 2

    reviews = tables["olist_order_reviews_dataset"]
    messages = reviews["review_comment_message"].dropna()
    assert messages.str.contains("\r\n").any() and messages.str.contains(r"(?<!\r)\n").any()
    assert messages.str.contains('"').any() and messages.str.contains(",").any()
    assert reviews["review_id"].duplicated().any()
    assert reviews["order_id"].duplicated().any()  # orders with two reviews
    assert reviews["review_creation_date"].str.endswith(" 00:00:00").all()

    orders = tables["olist_orders_dataset"]
    assert orders["order_delivered_customer_date"].isna().any()
    assert (~orders["order_id"].isin(tables["olist_order_items_dataset"]["order_id"])).any()

    payments = tables["olist_order_payments_dataset"]
    assert payments.groupby("order_id").size().max() > 1
    assert customers.groupby("customer_unique_id").size().max() > 1
    assert customers["customer_unique_id"].nunique() == SMALL_N
    assert customers["customer_id"].is_unique and orders["order_id"].is_unique

    products = tables["olist_products_dataset"]
    assert products["product_category_name"].isna().any()
    no_cat = products["product_category_name"].isna()
    assert products.loc[no_cat, "product_name_lenght"].isna().all()
    assert products["product_weight_g"].isna().any()
    translated = set(tables["product_category_name_translation"]["product_category_name"])
    missing = set(products["product_category_name"].dropna()) - translated
    assert missing == {"pc_gamer", "portateis_cozinha_e_preparadores_de_alimentos"}


def test_multiline_comments_parse_back_with_csv_module(small: Path) -> None:
    with open(small / "olist_order_reviews_dataset.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert {len(r) for r in rows} == {7}
    assert any("\r\n" in r[4] for r in rows[1:])
    physical = (small / "olist_order_reviews_dataset.csv").read_bytes().count(b"\n")
    assert physical > len(rows)


# --- (4) referential integrity and internal consistency -------------------------------------


def test_referential_integrity(tables: dict[str, pd.DataFrame]) -> None:
    orders = tables["olist_orders_dataset"]
    order_ids = set(orders["order_id"])
    for name in ("olist_order_items_dataset", "olist_order_payments_dataset"):
        assert set(tables[name]["order_id"]) <= order_ids, name
    assert set(tables["olist_order_reviews_dataset"]["order_id"]) <= order_ids
    assert set(orders["customer_id"]) == set(tables["olist_customers_dataset"]["customer_id"])
    items = tables["olist_order_items_dataset"]
    assert set(items["product_id"]) <= set(tables["olist_products_dataset"]["product_id"])
    assert set(items["seller_id"]) <= set(tables["olist_sellers_dataset"]["seller_id"])
    # (review_id, order_id) is the real key even though review_id alone repeats.
    reviews = tables["olist_order_reviews_dataset"]
    assert not reviews.duplicated(["review_id", "order_id"]).any()


def test_internal_consistency(tables: dict[str, pd.DataFrame]) -> None:
    items = tables["olist_order_items_dataset"]
    numbered = items.groupby("order_id")["order_item_id"].apply(
        lambda s: sorted(s.astype(int)) == list(range(1, len(s) + 1))
    )
    assert numbered.all()
    payments = tables["olist_order_payments_dataset"]
    seq_ok = payments.groupby("order_id")["payment_sequential"].apply(
        lambda s: sorted(s.astype(int)) == list(range(1, len(s) + 1))
    )
    assert seq_ok.all()
    total_items = (
        (items["price"].astype(float) + items["freight_value"].astype(float))
        .groupby(items["order_id"])
        .sum()
    )
    total_paid = payments["payment_value"].astype(float).groupby(payments["order_id"]).sum()
    both = pd.concat([total_items, total_paid], axis=1, join="inner")
    assert ((both.iloc[:, 0] - both.iloc[:, 1]).abs() < 0.011).mean() > 0.999
    inst = payments["payment_installments"].astype(int)
    assert inst[payments["payment_type"] != "credit_card"].eq(1).all()
    assert inst.between(0, 24).all()

    orders = tables["olist_orders_dataset"]
    ts = {c: pd.to_datetime(orders[c]) for c in EXPECTED_HEADERS["olist_orders_dataset.csv"][3:]}
    purchase = ts["order_purchase_timestamp"]
    assert purchase.min() >= pd.Timestamp("2016-09-04")
    assert purchase.max() <= pd.Timestamp("2018-10-18")
    assert (ts["order_approved_at"].dropna() >= purchase[ts["order_approved_at"].notna()]).all()
    delivered_at = ts["order_delivered_customer_date"]
    has = delivered_at.notna()
    assert (delivered_at[has] >= ts["order_delivered_carrier_date"][has]).all()

    # A person's orders: one customer row each, mostly the same address.
    customers = tables["olist_customers_dataset"]
    repeat = customers[customers.duplicated("customer_unique_id", keep=False)]
    same_place = repeat.groupby("customer_unique_id")["customer_zip_code_prefix"].nunique() == 1
    assert same_place.mean() > 0.8


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_writes_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert demo.main(["--out", str(tmp_path / "x"), "--customers", "200", "--gzip"]) == 0
    captured = capsys.readouterr()
    assert "olist_orders_dataset.csv.gz" in captured.out
    assert "olist_orders_dataset.csv.gz:" in captured.err  # progress line per file
    assert len(list((tmp_path / "x").glob("*.csv.gz"))) == 8


@pytest.mark.parametrize("customers", ["0", "-5"])
def test_cli_rejects_bad_customer_count(
    tmp_path: Path, customers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        demo.main(["--out", str(tmp_path), "--customers", customers])
    assert exc.value.code == 2
    assert "--customers must be >= 1" in capsys.readouterr().err


def test_cli_rejects_unwritable_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(SystemExit) as exc:
        demo.main(["--out", str(blocker / "sub")])
    assert exc.value.code == 2
    assert "cannot create output directory" in capsys.readouterr().err


def test_module_entry_point(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "olist_segmentation.demo", "--out", str(tmp_path)]
        + ["--customers", "30", "--seed", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "olist_order_reviews_dataset.csv").exists()


# --- (5) distributions against the real data ----------------------------------------------------


def _figures(directory: Path) -> dict[str, object]:
    """The figures compared with the real data, computed the same way on both sides."""
    customers = read(directory, "olist_customers_dataset.csv")
    orders = read(directory, "olist_orders_dataset.csv")
    items = read(directory, "olist_order_items_dataset.csv")
    payments = read(directory, "olist_order_payments_dataset.csv")
    reviews = read(directory, "olist_order_reviews_dataset.csv")
    per_person = customers.groupby("customer_unique_id").size()
    months = pd.to_datetime(orders["order_purchase_timestamp"]).dt.to_period("M")
    return {
        "one_time": 100 * (per_person == 1).mean(),
        "states": 100 * customers["customer_state"].value_counts(normalize=True),
        "delivered": 100 * (orders["order_status"] == "delivered").mean(),
        "scores": 100 * reviews["review_score"].value_counts(normalize=True),
        "payment_types": 100 * payments["payment_type"].value_counts(normalize=True),
        "median_price": items["price"].astype(float).median(),
        "items_per_order": items.groupby("order_id").size().mean(),
        "monthly": months.value_counts().sort_index(),
    }


@pytest.fixture(scope="module")
def comparison(medium: Path) -> tuple[dict[str, object], dict[str, object]]:
    return _figures(REAL_DIR), _figures(medium)


@needs_real
@pytest.mark.real_data
def test_distributions_close_to_real(
    comparison: tuple[dict[str, object], dict[str, object]],
) -> None:
    real, demo = comparison
    assert abs(real["one_time"] - demo["one_time"]) <= 2
    for state in real["states"].index[:3]:
        assert abs(real["states"][state] - demo["states"].get(state, 0)) <= 3, state
    assert abs(real["delivered"] - demo["delivered"]) <= 2
    # Note: the reviews in the real folder are a documented synthetic stand-in (see SOURCE.md).
    for score in "12345":
        assert abs(real["scores"].get(score, 0) - demo["scores"].get(score, 0)) <= 4, score
    for kind in ("credit_card", "boleto", "voucher", "debit_card"):
        gap = abs(real["payment_types"].get(kind, 0) - demo["payment_types"].get(kind, 0))
        assert gap <= 4, kind
    assert abs(demo["median_price"] / real["median_price"] - 1) <= 0.25
    assert abs(demo["items_per_order"] / real["items_per_order"] - 1) <= 0.15


@needs_real
@pytest.mark.real_data
def test_monthly_order_volume_follows_real(
    comparison: tuple[dict[str, object], dict[str, object]],
) -> None:
    real, demo = comparison
    months = real["monthly"].index.union(demo["monthly"].index)
    r = real["monthly"].reindex(months, fill_value=0)
    d = demo["monthly"].reindex(months, fill_value=0)
    corr = np.corrcoef(r / r.sum(), d / d.sum())[0, 1]
    assert corr > 0.8
