"""pandas frames as DuckDB tables, read back the way dbt.ref reads them in a Python model, and
the SQL of dbt models run on them (refs replaced by those tables) to check it against pandas."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pandas as pd


def tables_in_duckdb(**frames: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding one table per keyword, rows in the frame's order (as dbt
    writes the marts: ordered, so that reads which keep the table order can be checked)."""
    con = duckdb.connect()
    for name, frame in frames.items():
        con.register(f"{name}_frame", frame)
        con.execute(f"create table {name} as select * from {name}_frame")
        con.unregister(f"{name}_frame")
    return con


def ref(con: duckdb.DuckDBPyConnection, table: str) -> duckdb.DuckDBPyRelation:
    """What dbt.ref returns in a dbt-duckdb Python model."""
    return con.query(f"select * from {table}")


MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def model_sql(model: str, **refs: str) -> str:
    """The SQL of dbt model ``model`` (a .sql file under models/) with every ``ref('name')``
    replaced by the table ``refs[name]``. Any other Jinja (a macro, a var) fails, so a model that
    needs dbt to compile is never run half-rendered."""
    paths = list(MODELS_DIR.rglob(f"{model}.sql"))
    if len(paths) != 1:
        raise FileNotFoundError(f"expected one models/**/{model}.sql, found {len(paths)}")

    def ref(name: str) -> str:
        if name not in refs:
            raise KeyError(f"{model} refs {name!r}: pass it as {name}=<table>")
        return refs[name]

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return environment.from_string(paths[0].read_text()).render(ref=ref)


def run_model(con: duckdb.DuckDBPyConnection, model: str, **refs: str) -> pd.DataFrame:
    """The rows dbt model ``model`` builds from the tables of ``con`` named in ``refs``."""
    return con.sql(model_sql(model, **refs)).df()
