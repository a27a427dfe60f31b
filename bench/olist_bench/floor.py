"""The floor: DuckDB alone counting the rows of every raw file once.

It is the least any raw -> mart path costs. Run as a script in its own process
(``python floor.py DATA_DIR STEM [STEM ...]``, the stems of the raw files) that imports nothing
but DuckDB, so the CPU time measured for it is the scan's. It prints one JSON line:
``{"files": {stem: {"rows", "seconds"}}, "total": seconds}``.
"""

from __future__ import annotations

import glob
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

# The same reader options as the dbt sources (models/staging/olist/_olist__sources.yml).
READ_CSV_OPTIONS = "all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"'"


def raw_path(data_dir: Path, stem: str) -> Path:
    """The one ``STEM.csv`` or ``STEM.csv.gz`` of ``data_dir``; an error when 0 or 2 exist."""
    matches = sorted(glob.glob(str(data_dir / f"{stem}.csv*")))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected one {stem}.csv[.gz] in {data_dir}, found {matches}")
    return Path(matches[0])


def count_rows(data_dir: Path, stems: Sequence[str]) -> dict[str, object]:
    """Rows and seconds per raw file, and the total seconds."""
    files = {}
    started = time.perf_counter()
    with duckdb.connect() as con:
        for stem in stems:
            path = str(raw_path(data_dir, stem)).replace("'", "''")
            t0 = time.perf_counter()
            n_rows = con.sql(
                f"select count(*) from read_csv('{path}', {READ_CSV_OPTIONS})"
            ).fetchall()[0][0]
            files[stem] = {"rows": int(n_rows), "seconds": round(time.perf_counter() - t0, 3)}
    total = time.perf_counter() - started
    return {"files": files, "total": round(total, 3)}


def main(argv: Sequence[str]) -> int:
    data_dir, *stems = argv
    print(json.dumps(count_rows(Path(data_dir), stems)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
