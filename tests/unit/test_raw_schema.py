"""olist_segmentation.raw_schema: the raw files as declared in the dbt sources yml, checked
against the real Kaggle headers and against the columns the staging models document."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import os
import re
from pathlib import Path

import pytest
import yaml

from olist_segmentation.raw_schema import (
    COLUMN_TYPES,
    SOURCES_YML,
    RawSchemaError,
    load_raw_schema,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
STAGING_DIR = REPO_ROOT / "models" / "staging" / "olist"
# columns every base model adds to the staged ones (macro stage_with_rejects)
BOOKKEEPING_COLUMNS = ("_source_row", "reject_category", "reject_reason", "raw_record")


def real_data_dir() -> Path:
    return Path(os.environ.get("OLIST_REAL_DATA_DIR", REPO_ROOT.parent / "shared/data/olist"))


def read_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    # utf-8-sig: the Kaggle translation file starts with a BOM
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def staging_models() -> dict[str, dict]:
    """The documented models of the staging folder: stg_ models and their base_ models."""
    models: dict[str, dict] = {}
    for path in (STAGING_DIR / "_olist__models.yml", STAGING_DIR / "base" / "_base__models.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        models.update({model["name"]: model for model in document["models"]})
    return models


def source_of_base_model(model_name: str) -> str:
    sql = (STAGING_DIR / "base" / f"{model_name}.sql").read_text(encoding="utf-8")
    (name,) = re.findall(r"source\(\s*'olist'\s*,\s*'(\w+)'\s*\)", sql)
    return name


def test_the_eight_kaggle_files_are_declared() -> None:
    schema = load_raw_schema()
    assert list(schema) == [
        "olist_customers_dataset",
        "olist_orders_dataset",
        "olist_order_items_dataset",
        "olist_order_payments_dataset",
        "olist_order_reviews_dataset",
        "olist_products_dataset",
        "olist_sellers_dataset",
        "product_category_name_translation",
    ]
    for name, table in schema.items():
        assert table.name == name
        assert table.file_stem == name
        assert set(table.primary_key) <= set(table.column_names)
        for column in table.columns:
            assert column.type in COLUMN_TYPES
        # a key column can never be empty
        assert all(column.required for column in table.columns if column.name in table.primary_key)


def test_known_facts_of_the_declaration() -> None:
    schema = load_raw_schema()
    assert schema["olist_order_reviews_dataset"].primary_key == ("review_id", "order_id")
    price = next(c for c in schema["olist_order_items_dataset"].columns if c.name == "price")
    assert (price.type, price.required, price.staged_as) == ("money", True, "price")
    renamed = {
        c.name: c.staged_as
        for c in schema["olist_products_dataset"].columns
        if c.staged_as != c.name
    }
    assert renamed == {
        "product_name_lenght": "product_name_length",
        "product_description_lenght": "product_description_length",
        "product_photos_qty": "product_photo_count",
    }


def test_tables_are_frozen_and_cached() -> None:
    table = load_raw_schema()["olist_orders_dataset"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.name = "other"  # type: ignore[misc]
    assert load_raw_schema() is load_raw_schema()
    assert load_raw_schema.__wrapped__(SOURCES_YML) == load_raw_schema()


def test_headers_match_the_real_kaggle_files() -> None:
    data_dir = real_data_dir()
    if not any(data_dir.glob("olist_orders_dataset.csv*")):
        pytest.skip(f"real Olist data not found at {data_dir} (set OLIST_REAL_DATA_DIR): skipped")
    for table in load_raw_schema().values():
        (path,) = sorted(data_dir.glob(f"{table.file_stem}.csv*"))
        assert read_header(path) == list(table.column_names), path.name


def test_every_staged_column_documented_in_staging_is_declared() -> None:
    schema = load_raw_schema()
    models = staging_models()
    base_models = [name for name in models if name.startswith("base_olist__")]
    assert {source_of_base_model(name) for name in base_models} == set(schema)
    for base_model in base_models:
        table = schema[source_of_base_model(base_model)]
        staged = [column.staged_as for column in table.columns]
        documented = [column["name"] for column in models[base_model]["columns"]]
        # the base model holds exactly the staged columns, in file order, then its bookkeeping
        assert documented == [*staged, *BOOKKEEPING_COLUMNS], base_model
        staging_model = base_model.replace("base_olist__", "stg_olist__")
        for column in models[staging_model]["columns"]:
            assert column["name"] in staged, f"{staging_model}.{column['name']}"


def write_sources(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "_olist__sources.yml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
version: 2
sources:
  - name: olist
    tables:
      - name: orders
        meta: {primary_key: [order_id]}
        columns:
          - name: order_id
            meta: {type: text, required: true}
          - name: purchased
            meta: {type: TYPE, required: true, staged_as: purchased_at}
"""


def test_a_small_declaration_loads(tmp_path: Path) -> None:
    (table,) = load_raw_schema(write_sources(tmp_path, VALID.replace("TYPE", "timestamp"))).values()
    assert table.column_names == ("order_id", "purchased")
    assert table.columns[1].staged_as == "purchased_at"
    assert table.columns[0].staged_as == "order_id"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (VALID.replace("TYPE", "datetime"), "column purchased: meta.type must be one of"),
        (VALID.replace("TYPE", "text").replace("required: true}", "}"), "meta.required"),
        (VALID.replace("TYPE", "text").replace("[order_id]", "[id]"), "unknown column(s) id"),
        (VALID.replace("TYPE", "text").replace("name: olist", "name: other"), "source olist"),
        ("sources: [name: olist\n  tables: ]", "cannot read the raw schema"),
    ],
)
def test_a_malformed_declaration_fails_in_one_line_naming_the_file(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write_sources(tmp_path, text)
    with pytest.raises(RawSchemaError) as raised:
        load_raw_schema(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message
