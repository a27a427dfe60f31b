"""The dbt runs of one atomic build: decide first, then build only what tonight needs.

A nightly build without a retrain must not pay for the search, the fits, the stability study,
the monthly history and the model explanations: they would all come out as they are. dbt cannot
choose its selection half-way through a run, so the build runs dbt twice in the same warehouse
file, both runs in one child process (``python -m olist_segmentation.dbt_invocation``: dbt's
start-up is paid once, and both runs use one parse of the project, ``dbt parse``):

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

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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


def progress(message: str, *, stream: TextIO | None = None) -> None:
    """A ``[build]`` line: on stderr, or on ``stream`` in the child, whose parent moves it there."""
    print(f"[build] {message}", file=stream or sys.stderr, flush=True)


def child_progress(message: str) -> None:
    """A ``[build]`` line of the dbt child: on stdout, in order with dbt's output."""
    progress(message, stream=sys.stdout)


@dataclass(frozen=True)
class RetrainDecision:
    """What the first run decided, as ``int_segment_retrain_decision`` recorded it."""

    retrain_due: bool
    reason: str


def selector_args(selector: str, dbt_args: Sequence[str]) -> list[str]:
    """The arguments of one of the build's own runs: its selector, without the unit tests.

    dbt unit tests check the models' logic on fixed fixture rows: tonight's data cannot change
    their result, so the scheduled job does not pay for them (dbt's own advice). They run
    wherever the logic changes: in `make test` (a plain `dbt build` of the demo data) and in a
    developer's `dbt build` or `dbt test --select test_type:unit`.
    """
    return ["--selector", selector, "--exclude-resource-type", "unit_test", *dbt_args]


def has_own_selection(dbt_args: Sequence[str]) -> bool:
    """Whether the caller chose the nodes (then the build runs once, with that selection)."""
    return any(arg.split("=", 1)[0] in _SELECTION_FLAGS for arg in dbt_args)


def parse_args(dbt_args: Sequence[str]) -> list[str]:
    """The options of a ``dbt build`` command line that ``dbt parse`` also takes.

    The build parses the project once for both of its runs, with the options that shape the
    manifest (``--vars``, ``--target``, ``--profile``, ...); options that only a build takes
    (``--full-refresh``, ``--exclude``...) are left out with their values.
    """
    from dbt.cli.main import cli
    from dbt.cli.options import MultiOption

    def options(command: str) -> dict[str, Any]:
        return {
            name: param
            for param in cli.commands[command].params
            for name in (*param.opts, *param.secondary_opts)
        }

    build, parse = options("build"), options("parse")
    kept: list[str] = []
    args = list(dbt_args)
    position = 0
    while position < len(args):
        name, _, inline_value = args[position].partition("=")
        param = build.get(name)
        end = position + 1
        if param is not None and not inline_value and not (param.is_flag or param.count):
            end += 1  # its value; dbt's selection options take several (--select a b)
            while isinstance(param, MultiOption) and end < len(args) and args[end][:1] != "-":
                end += 1
        if param is None or name in parse:
            kept.extend(args[position:end])
        position = end
    return kept


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


_EXCEPTION_LINE = re.compile(r"^[A-Z]\w*(Error|Exception): ")


def condense_dbt_message(message: str) -> str:
    """The line that says why: a Python exception's last line, else dbt's first detail line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    exceptions = [line for line in lines if _EXCEPTION_LINE.match(line)]
    if exceptions:
        return exceptions[-1]
    detail = [line for line in lines[1:] if not line.startswith(("Python model failed", "LINE "))]
    bullets = [line[2:] for line in detail[1:] if line.startswith("- ")]
    if detail and detail[0].endswith(":") and bullets:
        # "<what>:" followed by a list of problems: the first one says why
        more = f" (and {len(bullets) - 1} more)" if len(bullets) > 1 else ""
        return f"{detail[0]} {bullets[0]}{more}"
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


def child_command(dbt_args: Sequence[str]) -> list[str]:
    """The process that runs the build's dbt runs: this module, in the build's Python."""
    return [sys.executable, "-m", "olist_segmentation.dbt_invocation", *dbt_args]


def run_dbt_builds(building: Path, dbt_args: Sequence[str], *, env: dict[str, str]) -> None:
    """Decide, then build the nightly or the retrain path (or the caller's own selection).

    Both dbt runs happen in one child process (:func:`main`), so dbt is started once. Its output
    is streamed to stdout and its ``[build]`` progress lines to stderr; a failure, or a crash of
    the process, is raised as one :class:`BuildError` line. ``building`` is where the runs
    write (``OLIST_DUCKDB_PATH`` of ``env``).
    """
    env = {key: value for key, value in env.items() if key != "OLIST_PREVIOUS_KEEP_REST"}
    # progress and dbt's output in their order; a native crash prints every thread's stack
    env.update(
        {"OLIST_DUCKDB_PATH": str(building), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    )
    started = time.time()
    tail: list[str] = []
    failure: str | None = None
    with subprocess.Popen(
        child_command(dbt_args),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(_FAILED):
                failure = line[len(_FAILED) :].strip()
            elif line.startswith(_PROGRESS):
                sys.stderr.write(line)
                sys.stderr.flush()
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
                tail.append(line.rstrip("\n"))
                del tail[:-300]
        returncode = process.wait()
    if returncode < 0:
        raise BuildError(f"dbt build {crash_summary(-returncode, tail)}")
    if returncode != 0:
        run_results = Path(env.get("DBT_TARGET_PATH", "target")) / "run_results.json"
        summary = failure or (
            f"dbt build failed (exit code {returncode}): "
            + summarise_dbt_failure(tail, run_results, started - 1)
        )
        raise BuildError(summary)


_PROGRESS = "[build] "
_FAILED = "[build] failed: "


def _invoke(runner: object, dbt_args: Sequence[str], *, label: str, last: bool) -> None:
    """One `dbt build` in this process; its run_results.json also kept as
    ``run_results.<label>.json`` (the next run overwrites the plain one; the benchmark reads
    both). The last run of a build also keeps, at its end, every table of the published
    warehouse that no run rebuilt (``OLIST_PREVIOUS_KEEP_REST``, macro keep_previous_build).
    """
    if last:
        os.environ["OLIST_PREVIOUS_KEEP_REST"] = "true"
    else:
        os.environ.pop("OLIST_PREVIOUS_KEEP_REST", None)
    child_progress(f"{label}: dbt build {' '.join(dbt_args)}")
    started = time.time()
    result = runner.invoke(["build", *dbt_args])  # type: ignore[attr-defined]
    run_results = Path(os.environ.get("DBT_TARGET_PATH", "target")) / "run_results.json"
    if not result.success:
        if result.exception is not None:
            raise _raised_by_dbt(result.exception)
        why = summarise_dbt_failure([], run_results, started - 1)
        raise BuildError(f"dbt build failed (exit code 1): {why}", exit_code=1)
    if run_results.exists():
        shutil.copyfile(run_results, run_results.with_name(f"run_results.{label}.json"))
    child_progress(f"{label}: dbt build succeeded in {time.time() - started:.0f} s")


def _parse(runner: Any, dbt_args: Sequence[str]) -> Any:
    """The project's manifest, parsed with the build's options (``dbt parse``; partial parsing
    keeps it cheap when the project and the vars did not change since the last build)."""
    args = ["parse", *parse_args(dbt_args)]
    child_progress(f"parse: dbt {' '.join(args)}")
    result = runner.invoke(args)
    if not result.success:
        raise _raised_by_dbt(result.exception or RuntimeError("dbt parse failed"))
    return result.result


def _raised_by_dbt(exception: BaseException) -> BuildError:
    """The build's one-line error for an exception dbt raised (a compile, parse or usage error:
    dbt's exit code 2)."""
    why = condense_dbt_message(str(exception))
    return BuildError(f"dbt build failed (exit code 2): {why}", exit_code=2)


def release_dbt_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open between runs of one process.

    DuckDB opens a file once per process and configuration: the decision could not be read with
    a connection of our own while dbt-duckdb's stays open. The next run opens it again. (This
    is dbt-duckdb's class-level environment, as pinned in requirements/lock.txt.)
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None


def run_builds_in_process(building: Path, dbt_args: Sequence[str]) -> None:
    """The child's work: decide, read the decision, then the nightly or the retrain run."""
    try:
        from dbt.cli.main import dbtRunner
    except ImportError as error:
        raise BuildError("dbt is not installed in this environment (run `make venv`)") from error
    runner = dbtRunner()
    if has_own_selection(dbt_args):
        _invoke(runner, dbt_args, label="selection", last=True)
    else:
        # Parsed once for both runs: the second would otherwise check every file of the project
        # again (a partial parse, about 1.5 s a night).
        runner = dbtRunner(manifest=_parse(runner, dbt_args))
        _invoke(runner, selector_args(DECIDE_SELECTOR, dbt_args), label="decide", last=False)
        release_dbt_database()
        decision = read_decision(building)
        if decision.retrain_due:
            child_progress(
                f"retrain due ({decision.reason}): search, fit, study and explanations run"
            )
            _invoke(runner, selector_args(RETRAIN_SELECTOR, dbt_args), label="retrain", last=True)
        else:
            child_progress("no retrain due: scoring with the champion, nothing is refitted")
            _invoke(runner, selector_args(NIGHTLY_SELECTOR, dbt_args), label="nightly", last=True)
    # Closed here, DuckDB checkpoints the file before the process ends without teardown
    # (os._exit below); left open, the parent would replay the run from the write-ahead log.
    release_dbt_database()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m olist_segmentation.dbt_invocation [dbt build args]``: the build's child."""
    dbt_args = list(sys.argv[1:] if argv is None else argv)
    try:
        run_builds_in_process(Path(os.environ["OLIST_DUCKDB_PATH"]), dbt_args)
    except (BuildError, duckdb.Error) as error:
        print(f"{_FAILED}{' '.join(str(error).split())}", flush=True)
        return getattr(error, "exit_code", 1)
    return 0


if __name__ == "__main__":
    exit_code = main()
    # Every file is written and closed by now (dbt's results, the checkpointed warehouse): skip
    # the interpreter's teardown of dbt's caches and threads, about a second. The exit handlers
    # still run (a few ms): they flush the logs and release dbt's multiprocessing locks, which
    # the resource tracker would otherwise report as leaked semaphores on every build.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
