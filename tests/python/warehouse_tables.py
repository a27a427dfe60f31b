"""pandas frames as DuckDB tables, read back the way dbt.ref reads them in a Python model."""

from __future__ import annotations

import duckdb
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
