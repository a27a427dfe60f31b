"""Builds are idempotent and atomic, and readers never block them (olist_segmentation.build).

Every build here runs the real wrapper in a subprocess on the small demo data, with its own
warehouse, exports, target and log folders in a temporary directory (never warehouse/). The
segmentation grid is reduced with vars (k 3..4, one bootstrap run): the models and code paths
are the same, the search is just shorter.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_harness import REPO_ROOT

from olist_segmentation.build import (
    CONSUMER_MARTS,
    building_path,
    describe_lock_holder,
    table_checksums,
)

FAST_SEGMENTATION = "segment_k_min: 3, segment_k_max: 4, segment_bootstrap_runs: 1"
# Columns that measure the run (durations, memory) rather than the data: they differ between
# two builds by nature and are left out of the idempotence checksum.
RUN_MEASUREMENTS = ("fit_seconds", "eval_seconds", "peak_memory_mb")


@dataclass(frozen=True)
class BuildRun:
    returncode: int
    stdout: str
    stderr: str
    warehouse: Path
    exports: Path


def build_env(data_dir: Path, work_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "OLIST_DATA_DIR": str(data_dir),
        "OLIST_DUCKDB_PATH": str(work_dir / "warehouse" / "olist.duckdb"),
        "OLIST_EXPORT_DIR": str(work_dir / "exports"),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def build_command(variables: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "olist_segmentation.build", "--vars", f"{{{variables}}}", *extra]


def run_build(variables: str, data_dir: Path, work_dir: Path, *extra: str) -> BuildRun:
    completed = subprocess.run(
        build_command(variables, *extra),
        cwd=REPO_ROOT,
        env=build_env(data_dir, work_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    return BuildRun(
        completed.returncode,
        completed.stdout,
        completed.stderr,
        work_dir / "warehouse" / "olist.duckdb",
        work_dir / "exports",
    )


def file_digests(folder: Path) -> dict[str, str]:
    """md5 of every file in `folder` (hidden temporary files included, so leftovers show)."""
    return {
        path.name: hashlib.md5(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def copy_published(source: BuildRun, work_dir: Path) -> BuildRun:
    """A private copy of a published warehouse and its exports, for a test that builds on it."""
    (work_dir / "warehouse").mkdir(parents=True)
    shutil.copyfile(source.warehouse, work_dir / "warehouse" / "olist.duckdb")
    shutil.copytree(source.exports, work_dir / "exports")
    return BuildRun(0, "", "", work_dir / "warehouse" / "olist.duckdb", work_dir / "exports")


@dataclass(frozen=True)
class Published:
    first: BuildRun
    second: BuildRun
    first_marts: dict[str, tuple[int, str]]
    first_exports: dict[str, str]
    second_marts: dict[str, tuple[int, str]]
    second_exports: dict[str, str]


@pytest.fixture(scope="module")
def published(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Two builds in a row on the same data into the same (initially absent) warehouse."""
    work_dir = tmp_path_factory.mktemp("published")
    first = run_build(FAST_SEGMENTATION, demo_data_dir, work_dir)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-3000:]
    first_marts = table_checksums(first.warehouse, ignore_columns=RUN_MEASUREMENTS)
    first_exports = file_digests(first.exports)
    second = run_build(FAST_SEGMENTATION, demo_data_dir, work_dir)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-3000:]
    return Published(
        first,
        second,
        first_marts,
        first_exports,
        table_checksums(second.warehouse, ignore_columns=RUN_MEASUREMENTS),
        file_digests(second.exports),
    )


# Logs of the builds themselves: one monitoring row (and its PSI per feature) per build.
PER_BUILD_LOGS = ("segment_model_monitoring", "segment_model_monitoring_features")


def test_two_builds_on_the_same_data_give_identical_marts(published: Published) -> None:
    assert published.first_marts, "schema marts is empty"
    assert published.first_marts["customer_rfm"][0] > 0
    differing = [
        table
        for table in published.first_marts
        if table not in PER_BUILD_LOGS
        and published.first_marts[table] != published.second_marts.get(table)
    ]
    assert not differing, f"marts that differ between two identical builds: {differing}"
    # the second build kept the champion and logged exactly one more monitoring row
    assert published.second_marts["segment_model_monitoring"][0] == (
        published.first_marts["segment_model_monitoring"][0] + 1
    )
    assert published.second_marts.keys() == published.first_marts.keys()
    assert published.second_exports == published.first_exports, "Parquet exports differ"


def test_build_publishes_the_consumer_marts_as_parquet(published: Published) -> None:
    run = published.second
    expected = [name for name in CONSUMER_MARTS if name in published.second_marts]
    assert {"customer_rfm", "customer_segments", "data_quality"} <= set(expected)
    assert sorted(published.second_exports) == sorted(f"{name}.parquet" for name in expected)
    with duckdb.connect() as connection:
        for name in expected:
            ((rows,),) = connection.sql(
                f"select count(*) from read_parquet('{run.exports / name}.parquet')"
            ).fetchall()
            assert rows == published.second_marts[name][0], name
    assert not building_path(run.warehouse).exists(), "the building file is renamed, not left"
    assert "[build] published" in run.stderr
    decide = "[build] decide: dbt build --selector decide --exclude-resource-type unit_test --vars"
    assert decide in run.stderr, "progress on stderr"


def test_failed_build_leaves_warehouse_and_exports_untouched(
    published: Published, other_data_dir: Path, tmp_path: Path
) -> None:
    before = copy_published(published.second, tmp_path)
    marts_before = table_checksums(before.warehouse)
    exports_before = file_digests(before.exports)
    # customer_rfm is rebuilt on other data in the copy, then the segmentation fails on
    # segment_k: a build in place would already have replaced customer_rfm and more.
    failed = run_build(f"{FAST_SEGMENTATION}, segment_k: 1", other_data_dir, tmp_path)
    assert failed.returncode != 0
    assert "OK created sql table model marts.customer_rfm" in failed.stdout
    summary = failed.stderr.strip().splitlines()[-1]
    assert summary.startswith("BUILD FAILED: dbt build failed (exit code 1)")
    assert "Invalid var segment_k=1" in summary
    assert "were left unchanged" in summary
    assert table_checksums(failed.warehouse) == marts_before
    assert file_digests(failed.exports) == exports_before, "no export changed, no leftover"
    assert sorted(path.name for path in failed.warehouse.parent.iterdir()) == [
        "olist.build.lock",
        "olist.duckdb",
    ], "the building file is removed"


READER = """
import sys

import duckdb

connection = duckdb.connect(sys.argv[1], read_only=True)


def checksum():
    ((rows, digest),) = connection.sql(
        "select count(*), md5(string_agg(t::varchar, chr(10) order by t::varchar))"
        " from marts.customer_rfm as t"
    ).fetchall()
    return f"{rows} {digest}"


print("ready", checksum(), flush=True)
for _ in sys.stdin:
    print("read", checksum(), flush=True)
"""


def test_a_reader_on_the_old_warehouse_never_blocks_the_build_and_reads_old_data(
    published: Published, other_data_dir: Path, tmp_path: Path
) -> None:
    target = copy_published(published.second, tmp_path)
    with subprocess.Popen(
        [sys.executable, "-c", READER, str(target.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as reader:
        assert reader.stdin is not None and reader.stdout is not None
        status, old = reader.stdout.readline().strip().split(" ", 1)
        assert status == "ready"
        # output to files: a pipe nobody drains while the build runs would stall it when full
        build_output = (tmp_path / "build.out").open("w+")
        build_errors = (tmp_path / "build.err").open("w+")
        builder = subprocess.Popen(
            build_command(FAST_SEGMENTATION),
            cwd=REPO_ROOT,
            env=build_env(other_data_dir, tmp_path),
            stdout=build_output,
            stderr=build_errors,
            text=True,
        )
        reads_during_build = []
        while builder.poll() is None:  # the reader keeps querying while the build runs
            reader.stdin.write("read\n")
            reader.stdin.flush()
            reads_during_build.append(reader.stdout.readline().strip().split(" ", 1)[1])
            time.sleep(1)
        builder.wait()
        stdout = (tmp_path / "build.out").read_text()
        stderr = (tmp_path / "build.err").read_text()
        build_output.close()
        build_errors.close()
        assert builder.returncode == 0, stdout[-3000:] + stderr[-2000:]
        reader.stdin.write("read\n")
        reader.stdin.flush()
        after_build = reader.stdout.readline().strip().split(" ", 1)[1]
        reader.stdin.close()
        reader.wait(timeout=30)
    assert len(reads_during_build) >= 5
    assert set(reads_during_build) == {old}, "the reader saw something else than the old data"
    assert after_build == old, "the open connection keeps reading the old, consistent file"
    new = table_checksums(target.warehouse)["customer_rfm"]
    assert f"{new[0]} {new[1]}" != old, "a new connection sees the new build"


WRITER = """
import sys

import duckdb

connection = duckdb.connect(sys.argv[1])
print("ready", flush=True)
sys.stdin.read()
"""


def test_build_fails_fast_when_a_writer_holds_the_warehouse(
    published: Published, demo_data_dir: Path, tmp_path: Path
) -> None:
    target = copy_published(published.second, tmp_path)
    marts_before = table_checksums(target.warehouse)
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdout is not None and writer.stdin is not None
        assert writer.stdout.readline().strip() == "ready"
        started = time.monotonic()
        blocked = run_build(FAST_SEGMENTATION, demo_data_dir, tmp_path)
        elapsed = time.monotonic() - started
        writer.stdin.close()
        writer.wait(timeout=30)
    assert blocked.returncode == 2
    assert elapsed < 30, "fails fast, before dbt runs"
    assert "dbt build" not in blocked.stderr
    message = blocked.stderr.strip().splitlines()[-1]
    assert f"the warehouse {target.warehouse} is locked by a writer:" in message
    assert f"PID {writer.pid}" in message
    assert "holds a read-write DuckDB connection" in message
    assert "Close that connection" in message
    assert table_checksums(target.warehouse) == marts_before


def test_lock_holder_is_parsed_from_duckdb_message() -> None:
    text = (
        'IO Error: Could not set lock on file "/w/olist.duckdb": Conflicting lock is held in '
        "/usr/bin/python3.11 (PID 4242) by user ana. See also https://duckdb.org/docs"
    )
    described = describe_lock_holder(text)
    assert described.startswith("/usr/bin/python3.11 (PID 4242, user ana")
    assert describe_lock_holder("something else\nmore") == "something else"
