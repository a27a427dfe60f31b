"""BI clients keep reading consistent data while a build runs (olist_segmentation.build).

BI tools connect through SQLAlchemy (duckdb-engine) or read the Parquet exports. While the atomic
build runs on other data, this test reconnects and reads over and over, as a dashboard refresh
does: every read must succeed (no lock error, no half-written Parquet file) and return one whole
build's data, the previous one until the swap; once the build has published, every read returns
the new data. test_reliability.py covers one long-lived raw DuckDB connection; here each read is
a new SQLAlchemy connection (a BI tool's pool) and a new Parquet scan.

The previous build is the session's demo build (demo_build, not rebuilt here) with its exports
written by the build's own code; the new build runs on other demo data (seed 7) with the same
settings, as the nightly job would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa
from dbt_harness import REPO_ROOT, DbtResult
from sqlalchemy.pool import NullPool
from test_reliability import build_env

from olist_segmentation.build import write_exports

PUBLISHED = "[build] published"

# One snapshot of what a BI tool sees: row counts and customer sets of the two customer marts.
WAREHOUSE_STATE = sa.text(
    "select"
    " (select count(*) from marts.customer_rfm),"
    " (select count(*) from marts.customer_segments),"
    " (select md5(string_agg(customer_unique_id, ',' order by customer_unique_id))"
    "  from marts.customer_rfm),"
    " (select md5(string_agg(customer_unique_id, ',' order by customer_unique_id))"
    "  from marts.customer_segments)"
)


def read_only_engine(warehouse: Path) -> sa.Engine:
    # NullPool: every connect opens the file anew, as a BI tool reconnecting for a refresh
    return sa.create_engine(f"duckdb:///{warehouse}?access_mode=read_only", poolclass=NullPool)


def warehouse_state(warehouse: Path) -> tuple:
    engine = read_only_engine(warehouse)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(WAREHOUSE_STATE).one())
    finally:
        engine.dispose()


def parquet_state(file: Path) -> tuple:
    with duckdb.connect() as connection:
        ((rows, digest),) = connection.sql(
            "select count(*), md5(string_agg(customer_unique_id, ',' order by customer_unique_id))"
            f" from read_parquet('{file}')"
        ).fetchall()
    return rows, digest


@dataclass
class Reads:
    """Every read of one source, in order, with whether the build had published before it."""

    states: list[tuple[bool, tuple]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_reads(name: str, reads: Reads, old: tuple, new: tuple) -> None:
    assert not reads.errors, f"{name}: reads failed during the build: {reads.errors[:3]}"
    seen = [state for _, state in reads.states]
    assert set(seen) <= {old, new}, f"{name}: a read saw neither build's data"
    first_new = seen.index(new) if new in seen else len(seen)
    assert all(state == new for state in seen[first_new:]), f"{name}: went back to old data"
    after_publish = [state for published, state in reads.states if published]
    assert all(state == new for state in after_publish), f"{name}: old data after the swap"
    assert seen.count(old) >= 5, f"{name}: too few reads of the previous build while it ran"


@pytest.fixture
def previous_build(demo_build: DbtResult, tmp_path: Path) -> Path:
    """A private copy of the session's demo warehouse, with its exports as a build writes them."""
    assert demo_build.returncode == 0, demo_build.output[-3000:]
    warehouse = tmp_path / "warehouse" / "olist.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(demo_build.warehouse, warehouse)
    for temporary, final in write_exports(warehouse, tmp_path / "exports"):
        os.replace(temporary, final)
    return warehouse


def test_sqlalchemy_and_parquet_readers_see_whole_builds_while_a_build_runs(
    previous_build: Path, other_data_dir: Path, tmp_path: Path
) -> None:
    warehouse, exports = previous_build, tmp_path / "exports"
    old = warehouse_state(warehouse)
    rfm_rows, segment_rows, rfm_ids, segment_ids = old
    assert rfm_rows > 0 and (rfm_rows, rfm_ids) == (segment_rows, segment_ids)
    old_parquet = {
        mart: parquet_state(exports / f"{mart}.parquet")
        for mart in ("customer_rfm", "customer_segments")
    }
    assert set(old_parquet.values()) == {(rfm_rows, rfm_ids)}, "exports = warehouse"

    reads = {"sqlalchemy": Reads(), "customer_rfm": Reads(), "customer_segments": Reads()}
    errors_file = tmp_path / "build.err"
    # output to files: a pipe nobody drains while the build runs would stall it when full
    with (tmp_path / "build.out").open("w") as out, errors_file.open("w") as err:
        builder = subprocess.Popen(
            # the demo build's own settings: its champion is within the grid the build checks
            [sys.executable, "-m", "olist_segmentation.build"],
            cwd=REPO_ROOT,
            env=build_env(other_data_dir, tmp_path),
            stdout=out,
            stderr=err,
            text=True,
        )
        try:
            while builder.poll() is None:
                published = PUBLISHED in errors_file.read_text()
                try:
                    state = warehouse_state(warehouse)
                    reads["sqlalchemy"].states.append((published, state))
                except Exception as error:  # a lock error or any failure is what we look for
                    reads["sqlalchemy"].errors.append(f"{type(error).__name__}: {error}")
                for mart in ("customer_rfm", "customer_segments"):
                    try:
                        state = parquet_state(exports / f"{mart}.parquet")
                        reads[mart].states.append((published, state))
                    except Exception as error:
                        reads[mart].errors.append(f"{type(error).__name__}: {error}")
                time.sleep(0.5)
        finally:
            if builder.poll() is None:
                builder.kill()
            builder.wait()
    output = (tmp_path / "build.out").read_text()[-3000:] + errors_file.read_text()[-2000:]
    assert builder.returncode == 0, output
    assert PUBLISHED in errors_file.read_text()

    # after the build: new connections and scans see the new, consistent data
    new = warehouse_state(warehouse)
    new_rows, new_segment_rows, new_ids, new_segment_ids = new
    assert (new_rows, new_ids) == (new_segment_rows, new_segment_ids), "marts agree"
    assert new_ids != rfm_ids, "the build on other data changed the customers"
    new_parquet = (new_rows, new_ids)
    for mart in ("customer_rfm", "customer_segments"):
        assert parquet_state(exports / f"{mart}.parquet") == new_parquet, mart
    assert not [p.name for p in exports.iterdir() if p.name.startswith(".")], "no temp file left"

    check_reads("sqlalchemy", reads["sqlalchemy"], old, new)
    for mart in ("customer_rfm", "customer_segments"):
        check_reads(f"exports/{mart}.parquet", reads[mart], old_parquet[mart], new_parquet)


def test_sqlalchemy_read_only_connection_cannot_write(previous_build: Path) -> None:
    engine = read_only_engine(previous_build)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names(schema="marts")
            assert {"customer_rfm", "customer_segments"} <= set(tables)
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                connection.execute(sa.text("delete from marts.customer_rfm"))
    finally:
        engine.dispose()
