"""olist-sql: read-only by default, readable tables, CSV, one-line errors."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pytest

from olist_segmentation import sql_console


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "olist.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.sql(
            "create schema marts; create table marts.t as"
            " select * from (values (1, 'a', 1.5), (22, null, 2.0)) as v(n, s, x)"
        )
    return path


def test_query_prints_an_aligned_table(warehouse: Path, capsys: pytest.CaptureFixture) -> None:
    assert sql_console.main(["--warehouse", str(warehouse), "select * from marts.t"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == " n | s    |   x"
    assert lines[2] == " 1 | a    | 1.5"
    assert lines[3] == "22 | NULL | 2.0"
    assert lines[-1] == "(2 rows)"


def test_csv(warehouse: Path, capsys: pytest.CaptureFixture) -> None:
    argv = ["--warehouse", str(warehouse), "--csv", "select n, s from marts.t order by n"]
    assert sql_console.main(argv) == 0
    assert capsys.readouterr().out == "n,s\n1,a\n22,\n"


def test_read_only_by_default(warehouse: Path, capsys: pytest.CaptureFixture) -> None:
    assert sql_console.main(["--warehouse", str(warehouse), "drop table marts.t"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "read-only" in error
    assert error.count("\n") == 1, "one line"


def test_query_from_stdin(
    warehouse: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("select count(*) as n from marts.t"))
    assert sql_console.main(["--warehouse", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "2"


def test_missing_warehouse_says_where_and_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    missing = tmp_path / "nowhere" / "olist.duckdb"
    assert sql_console.main(["--warehouse", str(missing), "select 1"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert str(missing) in error and "make build" in error


def test_sql_error_is_one_line(warehouse: Path, capsys: pytest.CaptureFixture) -> None:
    assert sql_console.main(["--warehouse", str(warehouse), "select * from marts.nope"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "nope" in error


def test_default_warehouse_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLIST_DUCKDB_PATH", "/somewhere/w.duckdb")
    assert sql_console.default_warehouse() == "/somewhere/w.duckdb"
    monkeypatch.delenv("OLIST_DUCKDB_PATH")
    assert sql_console.default_warehouse() == "warehouse/olist.duckdb"


def test_interactive_loop_runs_statements_until_quit(
    warehouse: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter(["select count(*) as n", "from marts.t;", "select * from nope;", ".quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    with sql_console.connect(str(warehouse)) as connection:
        assert sql_console.interactive(connection, as_csv=False) == 0
    captured = capsys.readouterr()
    assert "(1 row)" in captured.out
    assert captured.err.startswith("error: Catalog Error")
