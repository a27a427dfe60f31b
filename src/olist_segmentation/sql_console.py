"""olist-sql: query the warehouse with the installed DuckDB, read-only (no DuckDB CLI needed).

    olist-sql "select rfm_segment, count(*) from marts.customer_rfm group by 1 order by 2 desc"
    echo "select * from marts.data_quality" | olist-sql --csv > data_quality.csv
    olist-sql                      # interactive on a terminal: end statements with ';', .quit
    make sql Q="select ..."        # the same through make (SQL_ARGS="--csv" for CSV)

The warehouse is OLIST_DUCKDB_PATH (default warehouse/olist.duckdb), or --warehouse PATH;
`--warehouse :memory:` runs on an empty in-memory database (to read Parquet files such as
exports/*.parquet). It is opened READ-ONLY: a query never changes it and never blocks a running
build (`make build` swaps in the new warehouse; the next query sees it). Results print as an
aligned table, or as CSV with --csv. Errors are one line on stderr, exit code 1.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import decimal
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import duckdb

DEFAULT_WAREHOUSE = "warehouse/olist.duckdb"
PROMPT, CONTINUATION = "olist-sql> ", "      ...> "
QUIT = {".quit", ".exit", "\\q", "quit", "exit"}


class ConsoleError(Exception):
    """A one-line message for the user."""


def default_warehouse() -> str:
    return os.environ.get("OLIST_DUCKDB_PATH") or DEFAULT_WAREHOUSE


def connect(warehouse: str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    if warehouse == ":memory:":
        return duckdb.connect()
    path = Path(warehouse)
    if not path.exists():
        raise ConsoleError(
            f"no warehouse at {path.resolve()}: run `make build` first "
            "(or set OLIST_DUCKDB_PATH / --warehouse to the warehouse file)"
        )
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as error:
        raise ConsoleError(f"cannot open {path.resolve()}: {first_line(error)}") from error


def first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def run(connection: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    """The last statement's columns and rows ([] and [] for a statement without a result)."""
    try:
        relation = connection.sql(query)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.Error as error:
        raise ConsoleError(first_line(error)) from error


def cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else repr(value)
    return str(value)


def format_table(columns: Sequence[str], rows: Sequence[tuple], max_width: int = 60) -> str:
    """Columns aligned under their names (numbers to the right), long values cut with '…'."""
    if not columns:
        return "OK"
    texts = [[cell(value) for value in row] for row in rows]
    texts = [[t if len(t) <= max_width else t[: max_width - 1] + "…" for t in row] for row in texts]
    numeric = [
        bool(rows)
        and all(
            isinstance(row[i], int | float | decimal.Decimal) and not isinstance(row[i], bool)
            for row in rows
            if row[i] is not None
        )
        for i in range(len(columns))
    ]
    widths = [max([len(name)] + [len(row[i]) for row in texts]) for i, name in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return " | ".join(
            value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i])
            for i, value in enumerate(values)
        ).rstrip()

    out = [line(columns), "-+-".join("-" * width for width in widths)]
    out += [line(row) for row in texts]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def write_csv(columns: Sequence[str], rows: Sequence[tuple], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(["" if value is None else value for value in row] for row in rows)


def show(columns: Sequence[str], rows: Sequence[tuple], as_csv: bool, stream: TextIO) -> None:
    if as_csv:
        if columns:
            write_csv(columns, rows, stream)
    else:
        print(format_table(columns, rows), file=stream)


def interactive(connection: duckdb.DuckDBPyConnection, as_csv: bool) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 - line editing and history for input()
    print("olist-sql: end a statement with ';', .quit to leave (read-only warehouse)")
    buffer: list[str] = []
    while True:
        try:
            line = input(CONTINUATION if buffer else PROMPT)
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            buffer = []
            continue
        if not buffer and line.strip().lower() in QUIT:
            return 0
        buffer.append(line)
        statement = "\n".join(buffer).strip()
        if not statement.endswith(";"):
            continue
        buffer = []
        try:
            show(*run(connection, statement), as_csv, sys.stdout)
        except ConsoleError as error:
            print(f"error: {error}", file=sys.stderr)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="olist-sql",
        description="Query the Olist warehouse read-only with DuckDB.",
        epilog="No query and a terminal: an interactive prompt; no query and a pipe: stdin.",
    )
    parser.add_argument("query", nargs="?", help="SQL to run (default: stdin, or interactive)")
    parser.add_argument(
        "--warehouse",
        default=default_warehouse(),
        help="DuckDB file (default: $OLIST_DUCKDB_PATH or warehouse/olist.duckdb; :memory:: none)",
    )
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    parser.add_argument(
        "--read-write",
        action="store_true",
        help="open read-write (blocks builds while open; default: read-only)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    query = args.query
    try:
        if not (query and query.strip()) and not sys.stdin.isatty():
            query = sys.stdin.read()
            if not query.strip():
                raise ConsoleError("no query: give one as an argument or on stdin")
        with connect(args.warehouse, read_only=not args.read_write) as connection:
            if not (query and query.strip()):
                return interactive(connection, args.csv)
            show(*run(connection, query), args.csv, sys.stdout)
    except ConsoleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `olist-sql ... | head`
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
