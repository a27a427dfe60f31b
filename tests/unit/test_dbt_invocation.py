"""The one-line summaries of a failed dbt run inside the atomic build."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from olist_segmentation.dbt_invocation import BuildError, crash_summary, has_own_selection, run_dbt

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


def test_run_dbt_reports_a_killed_dbt_in_one_line(tmp_path, monkeypatch) -> None:
    """A dbt stand-in that kills itself with SIGSEGV, as a native crash would."""
    fake = tmp_path / "dbt"
    fake.write_text(
        f"#!{sys.executable}\nimport os, signal\n"
        "print('  1 of 2 START sql table model marts.customer_segments .. [RUN]', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr("olist_segmentation.dbt_invocation.dbt_executable", lambda: str(fake))
    with pytest.raises(BuildError) as raised:
        run_dbt([], env={**os.environ, "DBT_TARGET_PATH": str(tmp_path)}, label="decide")
    message = str(raised.value)
    assert message.startswith(
        "dbt build was killed by SIGSEGV, a crash inside a native library "
        "(last node started: sql table model marts.customer_segments; innermost frame: File "
    )
    assert message.endswith(f'{fake}", line 4 in <module>)'), "PYTHONFAULTHANDLER gave the frame"


def test_own_selection_flags_run_once() -> None:
    assert has_own_selection(["--select", "customer_rfm"])
    assert has_own_selection(["--selector=decide"])
    assert not has_own_selection(["--vars", "{segment_retrain: true}"])
