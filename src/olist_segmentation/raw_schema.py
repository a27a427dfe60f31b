"""The raw Olist files as declared once, in the dbt sources yml.

models/staging/olist/_olist__sources.yml (source `olist`) declares each raw file: its columns in
file order with their type, required flag and staged name, and its primary key. dbt stages the
files from that declaration (macros/staging/olist_raw_schema.sql); this module reads the same
yml for Python (demo-data generator, benchmark, tests), so the two cannot drift apart.

Pure: reads one yml file, no dbt, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SOURCES_YML = (
    Path(__file__).resolve().parents[2] / "models" / "staging" / "olist" / "_olist__sources.yml"
)
SOURCE_NAME = "olist"
# what macro stage_with_rejects can cast to (money is decimal(18, 2))
COLUMN_TYPES = ("text", "integer", "double", "money", "timestamp", "date")


class RawSchemaError(ValueError):
    """The sources yml does not declare a usable raw schema; the message names the file."""


Fail = Callable[[str, str], RawSchemaError]


@dataclass(frozen=True)
class RawColumn:
    """One column of a raw file, as named in its header."""

    name: str
    type: str
    required: bool
    # the column's name in staging: `name` unless the yml renames it (meta staged_as)
    staged_as: str


@dataclass(frozen=True)
class RawTable:
    """One raw file: `file_stem`.csv or `file_stem`.csv.gz in the data folder."""

    name: str
    file_stem: str
    columns: tuple[RawColumn, ...]
    # header names of the columns identifying a row
    primary_key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The header of the file, in order."""
        return tuple(column.name for column in self.columns)


@cache  # functools.lru_cache without a size bound
def load_raw_schema(path: Path = SOURCES_YML) -> dict[str, RawTable]:
    """Every table of source `olist` by name, in the order of the yml (read once per path)."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        problem = " ".join(str(error).split())
        raise RawSchemaError(f"{path}: cannot read the raw schema: {problem}") from None
    return _parse(document, path)


def _parse(document: Any, path: Path) -> dict[str, RawTable]:
    def fail(where: str, problem: str) -> RawSchemaError:
        return RawSchemaError(f"{path}: source {SOURCE_NAME}{where}: {problem}")

    sources = document.get("sources") if isinstance(document, dict) else None
    matches = [
        source
        for source in sources or []
        if isinstance(source, dict) and source.get("name") == SOURCE_NAME
    ]
    if len(matches) != 1:
        raise fail("", "expected exactly one source with this name under `sources`")
    tables: dict[str, RawTable] = {}
    parents: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for table in matches[0].get("tables") or []:
        name = table.get("name") if isinstance(table, dict) else None
        if not isinstance(name, str) or not name:
            raise fail("", "every table needs a name")
        if name in tables:
            raise fail(f", table {name}", "declared twice")
        where = f", table {name}"
        columns = tuple(_column(column, where, fail) for column in table.get("columns") or [])
        if not columns:
            raise fail(where, "no columns declared")
        names = [column.name for column in columns]
        meta = table.get("meta") or {}
        primary_key = _names(meta.get("primary_key"), names, where + ", meta.primary_key", fail)
        parents[name] = []
        for parent in meta.get("parents") or []:
            if not isinstance(parent, dict) or not isinstance(parent.get("table"), str):
                raise fail(where, "meta.parents must be a list of {table, columns}")
            parent_columns = _names(
                parent.get("columns"), names, where + ", meta.parents columns", fail
            )
            parents[name].append((parent["table"], parent_columns))
        tables[name] = RawTable(
            name=name,
            file_stem=table.get("identifier") or name,
            columns=columns,
            primary_key=primary_key,
        )
    if not tables:
        raise fail("", "no tables declared")
    for name, table_parents in parents.items():
        for parent_table, parent_columns in table_parents:
            if parent_table not in tables:
                raise fail(f", table {name}", f"meta.parents names unknown table {parent_table}")
            if len(parent_columns) != len(tables[parent_table].primary_key):
                raise fail(
                    f", table {name}",
                    f"meta.parents columns {', '.join(parent_columns)} do not match the "
                    f"primary_key {', '.join(tables[parent_table].primary_key)} of {parent_table}",
                )
    return tables


def _column(column: Any, where: str, fail: Fail) -> RawColumn:
    name = column.get("name") if isinstance(column, dict) else None
    if not isinstance(name, str) or not name:
        raise fail(where, "every column needs a name")
    where = f"{where}, column {name}"
    meta = column.get("meta") or {}
    if meta.get("type") not in COLUMN_TYPES:
        raise fail(
            where, f"meta.type must be one of {', '.join(COLUMN_TYPES)}, got {meta.get('type')!r}"
        )
    if not isinstance(meta.get("required"), bool):
        raise fail(where, f"meta.required must be true or false, got {meta.get('required')!r}")
    staged_as = meta.get("staged_as", name)
    if not isinstance(staged_as, str) or not staged_as:
        raise fail(where, f"meta.staged_as must be a column name, got {staged_as!r}")
    return RawColumn(name=name, type=meta["type"], required=meta["required"], staged_as=staged_as)


def _names(value: Any, columns: list[str], where: str, fail: Fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise fail(where, f"must be a non-empty list of column names, got {value!r}")
    unknown = [name for name in value if name not in columns]
    if unknown:
        raise fail(where, f"names unknown column(s) {', '.join(unknown)}")
    return tuple(value)
