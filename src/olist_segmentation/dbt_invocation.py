"""The dbt runs of one atomic build: decide first, then build only what tonight needs.

A nightly build without a retrain must not pay for the search, the fits, the stability study,
the monthly history and the model explanations: they would all come out as they are. dbt cannot
choose its selection half-way through a run, so the build runs dbt twice in the same warehouse
file (the second run reuses the first one's parse):

1. selector ``decide``: raw files → staging → ``customer_rfm`` → ``int_segment_retrain_decision``
   (the champion against today's customers), with their tests;
2. selector ``nightly_after_decide`` when no retrain is due — scoring with the champion
   (``customer_segments``), the registry's monitoring rows, the snapshot, data quality and the
   segment profiles — or ``retrain_after_decide`` (everything else) when one is due. The models a
   nightly run leaves out keep the tables of the build that last ran them: the champion's.

A build given its own selection (``--select``, ``--selector``, ``--exclude``...) runs once, as
asked.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

DECIDE_SELECTOR = "decide"
NIGHTLY_SELECTOR = "nightly_after_decide"
RETRAIN_SELECTOR = "retrain_after_decide"
DECISION_TABLE = "int_segment_retrain_decision"
_SELECTION_FLAGS = (
    "-s",
    "--select",
    "--selector",
    "--exclude",
    "-m",
    "--models",
    "--resource-type",
)


class BuildError(Exception):
    """A build that must stop; the message is the one-line summary shown to the user."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def progress(message: str) -> None:
    print(f"[build] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class RetrainDecision:
    """What the first run decided, as ``int_segment_retrain_decision`` recorded it."""

    retrain_due: bool
    reason: str


def has_own_selection(dbt_args: Sequence[str]) -> bool:
    """Whether the caller chose the nodes (then the build runs once, with that selection)."""
    return any(arg.split("=", 1)[0] in _SELECTION_FLAGS for arg in dbt_args)


def read_decision(database: Path) -> RetrainDecision:
    """The decision row the ``decide`` run wrote into ``database`` (closed before returning)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        schemas = connection.execute(
            "select table_schema from information_schema.tables where table_name = ?",
            [DECISION_TABLE],
        ).fetchall()
        if len(schemas) != 1:
            raise BuildError(
                f"{database}: expected one table {DECISION_TABLE} after the decide run, "
                f"found {len(schemas)}"
            )
        table = f'"{schemas[0][0]}".{DECISION_TABLE}'
        row = connection.execute(
            f"select retrain_due, coalesce(promote_reason, '-') from {table}"
        ).fetchall()
    if len(row) != 1 or row[0][0] is None:
        raise BuildError(f"{database}: {DECISION_TABLE} must hold one row with retrain_due set")
    return RetrainDecision(retrain_due=bool(row[0][0]), reason=str(row[0][1]))


def dbt_executable() -> str:
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("dbt")
    if not found:
        raise BuildError("dbt is not installed in this environment (run `make venv`)")
    return found


_EXCEPTION_LINE = re.compile(r"^[A-Z]\w*(Error|Exception): ")


def condense_dbt_message(message: str) -> str:
    """The line that says why: a Python exception's last line, else dbt's first detail line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    exceptions = [line for line in lines if _EXCEPTION_LINE.match(line)]
    if exceptions:
        return exceptions[-1]
    detail = [line for line in lines[1:] if not line.startswith(("Python model failed", "LINE "))]
    return (detail or lines or ["no message"])[0]


def summarise_dbt_failure(output_tail: Sequence[str], run_results: Path, started: float) -> str:
    """One line naming what failed: from run_results.json, else dbt's 'Encountered an error'."""
    if run_results.exists() and run_results.stat().st_mtime >= started:
        try:
            results = json.loads(run_results.read_text())["results"]
        except (OSError, ValueError, KeyError):
            results = []
        failed = [r for r in results if r.get("status") in {"error", "fail", "runtime error"}]
        # a failing model explains the tests that fail after it: name it first
        failed.sort(key=lambda result: not str(result.get("unique_id")).startswith("model."))
        if failed:
            first = failed[0]
            resource, name = str(first["unique_id"]).split(".")[0], str(first["unique_id"])
            name = name.split(".")[2] if name.count(".") >= 2 else name
            why = condense_dbt_message(str(first.get("message") or first["status"]))
            more = f" (and {len(failed) - 1} more failure(s))" if len(failed) > 1 else ""
            return f"{resource} {name}: {why[:400]}{more}"
    lines = [line.strip() for line in output_tail]
    for index, line in enumerate(lines):
        if line.endswith("Encountered an error:"):
            detail = [part for part in lines[index + 1 : index + 6] if part and part[0] != ">"]
            return " ".join(detail)[:600]
    meaningful = [line for line in lines if line]
    return meaningful[-1][:400] if meaningful else "no output"


def crash_summary(signal_number: int, output_tail: Sequence[str]) -> str:
    """'was killed by SIGSEGV (...)': a native crash, with the model and Python frame running.

    dbt runs with PYTHONFAULTHANDLER, so a crash prints the Python stack of every thread; the
    last node dbt started and the innermost project frame say where to look.
    """
    try:
        name = signal.Signals(signal_number).name
    except ValueError:
        name = f"signal {signal_number}"
    started = [line.split(" START ", 1)[1] for line in output_tail if " START " in line]
    where = [f"last node started: {started[-1].split(' ..')[0].strip()}" if started else ""]
    frames = [line.strip() for line in output_tail if line.strip().startswith("File ")]
    ours = [frame for frame in frames if "olist_segmentation" in frame or "/models/" in frame]
    if ours or frames:
        where.append(f"innermost frame: {(ours or frames)[0]}")
    details = "; ".join(part for part in where if part) or "no node had started"
    return f"was killed by {name}, a crash inside a native library ({details})"


def run_dbt(dbt_args: Sequence[str], *, env: dict[str, str], label: str) -> None:
    """One `dbt build` with ``dbt_args``; its output streamed to stdout, a failure summarised.

    run_results.json of the run is also kept as ``run_results.<label>.json`` beside it, since
    the next run of the same build overwrites the plain one (the benchmark reads both).
    """
    command = [dbt_executable(), "build", *dbt_args]
    progress(f"{label}: dbt {' '.join(command[1:])}")
    started = time.time()
    tail: list[str] = []
    # a native crash (signal) then prints every thread's Python stack into the output
    env = {**env, "PYTHONFAULTHANDLER": "1"}
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            tail.append(line.rstrip("\n"))
            del tail[:-300]
        returncode = process.wait()
    run_results = Path(env.get("DBT_TARGET_PATH", "target")) / "run_results.json"
    if returncode < 0:
        raise BuildError(f"dbt build {crash_summary(-returncode, tail)}")
    if returncode != 0:
        summary = summarise_dbt_failure(tail, run_results, started - 1)
        raise BuildError(f"dbt build failed (exit code {returncode}): {summary}")
    if run_results.exists():
        shutil.copyfile(run_results, run_results.with_name(f"run_results.{label}.json"))
    progress(f"{label}: dbt build succeeded in {time.time() - started:.0f} s")


def run_dbt_builds(building: Path, dbt_args: Sequence[str], *, env: dict[str, str]) -> None:
    """Decide, then build the nightly or the retrain path (or the caller's own selection).

    The last run also keeps, at its end, every table of the published warehouse that no run
    rebuilt (``OLIST_PREVIOUS_KEEP_REST``, read by macro keep_previous_build).
    """
    last_run_env = {**env, "OLIST_PREVIOUS_KEEP_REST": "true"}
    env = {key: value for key, value in env.items() if key != "OLIST_PREVIOUS_KEEP_REST"}
    if has_own_selection(dbt_args):
        run_dbt(dbt_args, env=last_run_env, label="selection")
        return
    run_dbt(["--selector", DECIDE_SELECTOR, *dbt_args], env=env, label="decide")
    decision = read_decision(building)
    if decision.retrain_due:
        progress(f"retrain due ({decision.reason}): search, fit, study and explanations run")
        run_dbt(["--selector", RETRAIN_SELECTOR, *dbt_args], env=last_run_env, label="retrain")
    else:
        progress("no retrain due: scoring with the champion, nothing is refitted")
        run_dbt(["--selector", NIGHTLY_SELECTOR, *dbt_args], env=last_run_env, label="nightly")
