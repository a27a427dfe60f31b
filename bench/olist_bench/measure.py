"""Running a measured subprocess: wall time, peak RSS and CPU of its whole process tree.

Other people use the machine while the benchmark runs, so a step can wait for quiet CPUs first,
and limits stop a step (its own process group only) before it times out the whole run, meets
the OOM killer or fills the disk.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olist_bench.settings import (
    ANSI_ESCAPE,
    GIB,
    HEARTBEAT_SECONDS,
    POLL_SECONDS,
    REPO_ROOT,
    TAIL_LINES,
    log,
    psutil,
)


@dataclass
class Measured:
    """One subprocess: wall time, peak RSS of its process tree, CPU used, its output."""

    label: str
    command: list[str]
    returncode: int | None = None
    wall_s: float = math.nan
    peak_rss_bytes: int = 0
    rss_method: str = ""
    cpu_s: float = math.nan  # user + system of the tree (psutil only)
    busy_cores: float = math.nan  # whole machine, during the run (psutil only)
    timed_out: bool = False
    stdout_path: str = ""
    stderr_path: str = ""
    tail: str = ""
    waited_for_quiet_s: float = 0.0
    rss_limit_hit: bool = False
    disk_limit_hit: bool = False
    min_free_disk_bytes: int | None = None  # of the work dir's file system (DuckDB spills there)
    started_epoch: float = 0.0
    # (unix second, max RSS of the tree in that second): ties memory to the dbt nodes running
    rss_timeline: list[tuple[int, int]] = field(default_factory=list)
    # (unix time, line) of each stderr line when asked for (the build's `[build]` progress)
    stderr_lines: list[tuple[float, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        stopped = self.timed_out or self.rss_limit_hit or self.disk_limit_hit
        return self.returncode == 0 and not stopped

    @property
    def other_cores(self) -> float:
        """Cores busy with other processes than ours during the run (contention indicator)."""
        if math.isnan(self.busy_cores) or math.isnan(self.cpu_s) or not self.wall_s:
            return math.nan
        return max(0.0, self.busy_cores - self.cpu_s / self.wall_s)

    def stdout(self) -> str:
        return Path(self.stdout_path).read_text(errors="replace") if self.stdout_path else ""


@dataclass(frozen=True)
class Limits:
    """When to start and when to stop a measured step; 0 or None = no limit.

    ``quiet_wait_s``: wait at most this long for other processes to leave the CPUs first;
    ``timeout_s`` and ``rss_limit_bytes`` stop the step when it runs too long or its process
    tree grows too big; ``min_free_disk_bytes`` stops it when ``disk_path``'s file system runs
    low (DuckDB spills beside the warehouse).
    """

    timeout_s: float = 0.0
    quiet_wait_s: float = 0.0
    rss_limit_bytes: int = 0
    min_free_disk_bytes: int = 0
    disk_path: Path | None = None


def last_json(text: str) -> dict[str, Any] | None:
    """The last line of ``text`` that parses as a JSON object (a step's printed result)."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                return json.loads(line)
    return None


def _tail(out_path: Path, err_path: Path, lines: int = TAIL_LINES) -> str:
    """The end of stdout (dbt's log) and, apart, the end of stderr (Python models' progress)."""
    parts = []
    for path, keep in ((out_path, lines), (err_path, lines // 4)):
        if path.exists() and path.stat().st_size:
            text = ANSI_ESCAPE.sub("", path.read_text(errors="replace")).splitlines()
            parts.append(f"--- {path.suffix[1:]} (last {min(keep, len(text))} lines) ---")
            parts.extend(text[-keep:])
    return "\n".join(parts)


def _copy_stamped(source: Any, sink: Any, lines: list[tuple[float, str]]) -> None:
    """Copy ``source`` to ``sink`` line by line, noting when each line arrived."""
    for raw in iter(source.readline, b""):
        lines.append((time.time(), raw.decode(errors="replace").rstrip("\n")))
        sink.write(raw)
        sink.flush()


def _tree(proc: Any) -> list[Any]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _kill_group(proc: subprocess.Popen) -> None:
    """End the process group we started (start_new_session=True): TERM, then KILL."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for_quiet(max_wait_s: float, step: str, max_busy_cores: float = 0.5) -> float:
    """Wait (at most ``max_wait_s``) until other processes use < ``max_busy_cores`` for 5 s."""
    if psutil is None or max_wait_s <= 0:
        return 0.0
    started = time.perf_counter()
    n_cores = psutil.cpu_count() or 1
    while True:
        busy = psutil.cpu_percent(interval=5.0) / 100 * n_cores
        waited = time.perf_counter() - started
        if busy < max_busy_cores:
            return waited
        if waited >= max_wait_s:
            log(f"{step}: machine still busy ({busy:.1f} cores) after {waited:.0f}s, going on")
            return waited
        if waited < 6 or int(waited) % 60 < 5:
            log(f"{step}: waiting for other processes to finish ({busy:.1f} cores busy)")


def _busy_seconds() -> tuple[float, float]:
    times = psutil.cpu_times()
    total = sum(times)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


def _poll_tree(
    proc: subprocess.Popen,
    result: Measured,
    limits: Limits,
    *,
    step: str,
    started: float,
    cpu_by_pid: dict[int, float],
    timeline: dict[int, int],
) -> None:
    """Sample the RSS and CPU of the tree until it ends, stopping it when a limit is hit.

    ``started`` is the run's ``perf_counter`` start; ``cpu_by_pid`` and ``timeline`` (max RSS
    per unix second) are filled as the tree is sampled.
    """
    next_beat = HEARTBEAT_SECONDS
    root = psutil.Process(proc.pid)
    n_polls = 0
    while proc.poll() is None:
        rss = 0
        for member in _tree(root):
            try:
                rss += member.memory_info().rss
                cpu = member.cpu_times()
                cpu_by_pid[member.pid] = cpu.user + cpu.system
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        result.peak_rss_bytes = max(result.peak_rss_bytes, rss)
        second = int(time.time())
        timeline[second] = max(timeline.get(second, 0), rss)
        elapsed = time.perf_counter() - started
        if elapsed >= next_beat:
            log(
                f"{step}: running {elapsed:.0f}s, RSS {rss / GIB:.2f} GiB "
                f"(peak {result.peak_rss_bytes / GIB:.2f})"
            )
            next_beat += HEARTBEAT_SECONDS
        if limits.timeout_s and elapsed > limits.timeout_s:
            result.timed_out = True
            log(f"{step}: timeout after {elapsed:.0f}s, stopping it")
            _kill_group(proc)
            return
        n_polls += 1
        if limits.disk_path is not None and n_polls % 10 == 1:
            free = shutil.disk_usage(limits.disk_path).free
            if result.min_free_disk_bytes is None or free < result.min_free_disk_bytes:
                result.min_free_disk_bytes = free
            if limits.min_free_disk_bytes and free < limits.min_free_disk_bytes:
                result.disk_limit_hit = True
                log(f"{step}: only {free / GIB:.1f} GiB of disk left, stopping it")
                _kill_group(proc)
                return
        if limits.rss_limit_bytes and rss > limits.rss_limit_bytes:
            result.rss_limit_hit = True
            log(
                f"{step}: RSS {rss / GIB:.1f} GiB above the limit "
                f"{limits.rss_limit_bytes / GIB:.1f} GiB, stopping it"
            )
            _kill_group(proc)
            return
        time.sleep(POLL_SECONDS)


def _status(result: Measured, limits: Limits) -> str:
    """The step's outcome for the log; explains a stop at the end of the tail as well."""
    status = "ok" if result.ok else f"FAILED rc={result.returncode}"
    if result.timed_out:
        status = "TIMEOUT"
    if result.rss_limit_hit:
        status = f"STOPPED (RSS above {limits.rss_limit_bytes / GIB:.1f} GiB)"
        limit = limits.rss_limit_bytes / GIB
        result.tail += f"\n[bench] stopped: RSS of the process tree above {limit:.1f} GiB"
    elif result.disk_limit_hit:
        status = "STOPPED (disk almost full)"
        result.tail += (
            f"\n[bench] stopped: less than {limits.min_free_disk_bytes / GIB:.0f} GiB of disk left"
        )
    elif result.timed_out:
        result.tail += f"\n[bench] stopped: still running after {limits.timeout_s / 60:.0f} min"
    return status


def run_measured(
    label: str,
    command: list[str],
    log_dir: Path,
    *,
    step: str,
    env: dict[str, str] | None = None,
    limits: Limits | None = None,
    stamp_stderr: bool = False,
) -> Measured:
    """Run ``command`` from the repo root; poll the RSS of its whole process tree.

    Its stdout and stderr go to ``log_dir/label.out`` and ``.err``; ``limits`` say how long to
    wait for quiet CPUs first and when to stop the process group we started. With
    ``stamp_stderr`` each stderr line is also kept with its arrival time (``stderr_lines``).
    """
    limits = limits or Limits()
    waited = wait_for_quiet(limits.quiet_wait_s, step)
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{label}.out", log_dir / f"{label}.err"
    result = Measured(label, command, stdout_path=str(out_path), stderr_path=str(err_path))
    result.waited_for_quiet_s = waited
    argv = list(command)
    if psutil is None:
        argv = ["/usr/bin/time", "-v", *argv]
        result.rss_method = "/usr/bin/time -v (largest single process)"
    else:
        result.rss_method = f"psutil, sum over the process tree every {POLL_SECONDS}s"
    log(f"{step}: start ({shlex.join(command[:4])}{' ...' if len(command) > 4 else ''})")
    started = time.perf_counter()
    result.started_epoch = time.time()
    cpu_by_pid: dict[int, float] = {}
    timeline: dict[int, int] = {}
    busy0, total0 = _busy_seconds() if psutil else (0.0, 0.0)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            argv,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE if stamp_stderr else err,
            start_new_session=True,
        )
        reader = None
        if stamp_stderr:
            reader = threading.Thread(
                target=_copy_stamped, args=(proc.stderr, err, result.stderr_lines), daemon=True
            )
            reader.start()
        try:
            if psutil is None:
                proc.wait(timeout=limits.timeout_s or None)
            else:
                _poll_tree(
                    proc,
                    result,
                    limits,
                    step=step,
                    started=started,
                    cpu_by_pid=cpu_by_pid,
                    timeline=timeline,
                )
        except subprocess.TimeoutExpired:
            result.timed_out = True
            log(f"{step}: timeout, stopping it")
            _kill_group(proc)
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            if reader is not None:
                proc.wait()
                reader.join(timeout=30)
    result.wall_s = time.perf_counter() - started
    result.returncode = proc.wait()
    result.rss_timeline = sorted(timeline.items())
    if psutil is not None:
        busy1, total1 = _busy_seconds()
        result.cpu_s = sum(cpu_by_pid.values())
        if total1 > total0:
            result.busy_cores = (busy1 - busy0) / result.wall_s
    else:
        for line in err_path.read_text(errors="replace").splitlines():
            if "Maximum resident set size" in line:
                result.peak_rss_bytes = int(line.rsplit(":", 1)[1]) * 1024
    result.tail = _tail(out_path, err_path)
    status = _status(result, limits)
    log(f"{step}: {status} in {result.wall_s:.1f}s, peak RSS {result.peak_rss_bytes / GIB:.2f} GiB")
    return result
