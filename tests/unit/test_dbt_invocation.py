"""The atomic build's dbt runs: their child process, one-line failures, and the retrain vars."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from olist_segmentation.build import dbt_environment, retrain_requested
from olist_segmentation.dbt_invocation import (
    BuildError,
    condense_dbt_message,
    crash_summary,
    has_own_selection,
    parse_args,
    run_dbt_builds,
    selector_args,
)

CRASH_OUTPUT = [
    "16:28:03  81 of 284 START python table model intermediate.int_clustering_compared ... [RUN]",
    "16:28:03  82 of 284 START python table model intermediate.int_stability_reference_model ..",
    "Fatal Python error: Segmentation fault",
    "Thread 0x00007f (most recent call first):",
    '  File "/repo/.venv/lib/python3.11/site-packages/sklearn/cluster/_kmeans.py", line 1, in fit',
    '  File "/repo/src/olist_segmentation/segmentation/kmeans.py", line 90, in fit_kmeans',
]


def test_a_crash_names_the_signal_the_last_node_and_our_innermost_frame() -> None:
    summary = crash_summary(signal.SIGSEGV, CRASH_OUTPUT)
    assert summary.startswith("was killed by SIGSEGV, a crash inside a native library")
    assert "last node started: python table model intermediate.int_stability_reference_model" in (
        summary
    )
    assert 'innermost frame: File "/repo/src/olist_segmentation/segmentation/kmeans.py"' in summary


def test_a_crash_before_any_node_says_so() -> None:
    assert crash_summary(signal.SIGKILL, ["Running with dbt=1.11"]).endswith(
        "(no node had started)"
    )


def _fake_child(tmp_path, monkeypatch, body: str) -> None:
    """A stand-in for the build's dbt child process, running ``body``."""
    fake = tmp_path / "child.py"
    fake.write_text("import os, signal, sys\n" + body)
    monkeypatch.setattr(
        "olist_segmentation.dbt_invocation.child_command",
        lambda dbt_args: [sys.executable, str(fake), *dbt_args],
    )


def test_a_crashed_dbt_process_is_reported_in_one_line(tmp_path, monkeypatch, capsys) -> None:
    """The child kills itself with SIGSEGV, as a native crash would."""
    _fake_child(
        tmp_path,
        monkeypatch,
        "print('[build] decide: dbt build --selector decide', flush=True)\n"
        "print('  1 of 2 START sql table model marts.customer_segments .. [RUN]', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n",
    )
    env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path)}
    with pytest.raises(BuildError) as raised:
        run_dbt_builds(tmp_path / "olist.building.duckdb", [], env=env)
    message = str(raised.value)
    assert message.startswith(
        "dbt build was killed by SIGSEGV, a crash inside a native library "
        "(last node started: sql table model marts.customer_segments; innermost frame: File "
    )
    assert message.endswith('child.py", line 4 in <module>)'), "PYTHONFAULTHANDLER gave the frame"
    out, err = capsys.readouterr()
    assert "[build] decide: dbt build --selector decide" in err, "progress goes to stderr"
    assert "START sql table model" in out and "[build]" not in out


def test_a_failed_run_is_reported_with_the_childs_summary(tmp_path, monkeypatch) -> None:
    _fake_child(
        tmp_path,
        monkeypatch,
        "print('[build] failed: dbt build failed (exit code 1): model x: boom', flush=True)\n"
        "sys.exit(1)\n",
    )
    with pytest.raises(BuildError, match=r"^dbt build failed \(exit code 1\): model x: boom$"):
        run_dbt_builds(tmp_path / "olist.building.duckdb", [], env=dict(os.environ))


def test_own_selection_flags_run_once() -> None:
    assert has_own_selection(["--select", "customer_rfm"])
    assert has_own_selection(["--selector=decide"])
    assert not has_own_selection(["--vars", "{segment_retrain: true}"])


@pytest.mark.parametrize(
    ("dbt_args", "expected"),
    [
        ([], False),
        (["--vars", "{segment_retrain: true}"], True),
        (["--vars={segment_reselect: true, segment_retrain: true}"], True),
        (["--vars", "{segment_import_model_file: '/tmp/m.parquet'}"], True),
        (["--vars", "{segment_retrain: false, fail_on_rejects: true}"], False),
        (["--vars", "{segment_retrain_blocked: true}"], False),
        (["--vars", "{not: [valid yaml"], False),
        (["--select", "customer_rfm"], False),
    ],
)
def test_a_build_knows_from_its_vars_when_a_retrain_is_asked(dbt_args, expected) -> None:
    """Then it starts from a new file and keeps only what persists; a night copies the file."""
    assert retrain_requested(dbt_args) is expected


def test_a_list_of_problems_is_condensed_to_its_first_one_and_a_count() -> None:
    message = """Compilation Error in operation olist_segmentation-on-run-start-1 (dbt_project.yml)
  Raw Olist files are not usable (folder: /data):
    - missing file: expected /data/olist_customers_dataset.csv (or .csv.gz)
    - missing file: expected /data/olist_orders_dataset.csv (or .csv.gz)

  > in macro check_raw_files (macros/staging/check_raw_files.sql)"""
    assert condense_dbt_message(message) == (
        "Raw Olist files are not usable (folder: /data): missing file: expected "
        "/data/olist_customers_dataset.csv (or .csv.gz) (and 1 more)"
    )


def test_the_scheduled_runs_leave_the_unit_tests_to_ci() -> None:
    args = selector_args("decide", ["--vars", "{segment_retrain: true}"])
    assert args[:2] == ["--selector", "decide"]
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert args[-2:] == ["--vars", "{segment_retrain: true}"]


def test_the_builds_file_log_is_at_info_unless_asked(tmp_path, monkeypatch) -> None:
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.delenv("DBT_LOG_LEVEL_FILE", raising=False)
    assert dbt_environment(warehouse, keep_tables=False)["DBT_LOG_LEVEL_FILE"] == "info"
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    assert dbt_environment(warehouse, keep_tables=False)["DBT_LOG_LEVEL_FILE"] == "debug"


def test_the_builds_native_math_runs_one_thread_per_dbt_thread_unless_asked(
    tmp_path, monkeypatch
) -> None:
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    env = dbt_environment(warehouse, keep_tables=False)
    assert (env["OPENBLAS_NUM_THREADS"], env["OMP_NUM_THREADS"]) == ("1", "2")


def test_the_shared_parse_takes_the_options_that_shape_the_manifest() -> None:
    build_args = [
        "--vars",
        "{segment_retrain: true}",
        "--full-refresh",
        "--target=dev",
        "--exclude",
        "customer_orders",
        "segment_profiles",
        "--threads",
        "3",
        "--no-partial-parse",
    ]
    assert parse_args(build_args) == [
        "--vars",
        "{segment_retrain: true}",
        "--target=dev",
        "--threads",
        "3",
        "--no-partial-parse",
    ]
