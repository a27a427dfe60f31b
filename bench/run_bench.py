"""`make bench`: our dbt build against a pandas-notebook baseline, from the real size to 100x Olist.

For every scale (``real`` = the Kaggle files, ``N`` = demo data at N x Olist) the driver runs, on
the same files and with warm page cache:

* the **floor**: DuckDB alone counting every raw file once (the least any raw -> mart path costs);
* our **full build**: ``dbt build`` on a fresh warehouse (wall time, peak RSS of the process tree,
  the time of every model and test from ``run_results.json``);
* our **raw -> RFM**: ``dbt build --select +customer_rfm`` on another fresh warehouse;
* the **baseline**: ``bench/baseline_notebook.py`` (pandas + scikit-learn, k = our build's k);

then writes a Markdown report (default ``bench/RESULTS.md``) with the targets of issue 7.

    python bench/run_bench.py --scales real,1,10[,100] --out bench/RESULTS.md \
        --work /tmp/olist-bench

Each scale's measurements are also saved as JSON under ``WORK/results``: ``--reuse`` skips the
scales measured already and ``--report-only`` rewrites the report from them.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:
    import psutil
except ImportError:  # fall back to /usr/bin/time -v (largest process, not the tree)
    psutil = None

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
BASELINE = REPO_ROOT / "bench" / "baseline_notebook.py"
GENERATOR = REPO_ROOT / "src" / "olist_segmentation" / "demo_data.py"
REAL_CUSTOMERS = 96_096
SEED = 42
RAW_FILES = [
    "olist_customers_dataset",
    "olist_orders_dataset",
    "olist_order_items_dataset",
    "olist_order_payments_dataset",
    "olist_order_reviews_dataset",
    "olist_products_dataset",
    "olist_sellers_dataset",
    "product_category_name_translation",
]
# The same reader options as the dbt sources (models/staging/olist/_olist__sources.yml).
READ_CSV_OPTIONS = "all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"'"
# Rough disk needs per 1x Olist: demo CSVs and one DuckDB warehouse (checked before generating).
CSV_BYTES_PER_X = 70e6
WAREHOUSE_BYTES_PER_X = 150e6
FALLBACK_K = 4
FALLBACK_FEATURES = "recency_days,frequency,monetary"
GIB = 1024**3
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 30.0
TAIL_LINES = 40

# Targets of issue 7.
TARGET_RFM_RATIO = 1.0  # real data: our raw -> RFM <= 1.0 x the baseline's
TARGET_BUILD_RATIO = 3.0  # full dbt build <= 3 x the whole baseline
TARGET_SCALING = 10.0  # 1x -> 10x: the total grows <= ~10x (borderline up to 11x)
TARGET_SCALING_BORDERLINE = 11.0
TARGET_RSS_100X = 12 * GIB  # peak RSS of the 100x build

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_START = time.perf_counter()


def log(message: str) -> None:
    elapsed = int(time.perf_counter() - _START)
    stamp = f"{elapsed // 3600:02d}:{elapsed % 3600 // 60:02d}:{elapsed % 60:02d}"
    print(f"[bench +{stamp}] {message}", flush=True)


# ---------------------------------------------------------------------------------------------
# Running a measured subprocess
# ---------------------------------------------------------------------------------------------


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


def _tail(out_path: Path, err_path: Path, lines: int = TAIL_LINES) -> str:
    """The end of stdout (dbt's log) and, apart, the end of stderr (Python models' progress)."""
    parts = []
    for path, keep in ((out_path, lines), (err_path, lines // 4)):
        if path.exists() and path.stat().st_size:
            text = ANSI_ESCAPE.sub("", path.read_text(errors="replace")).splitlines()
            parts.append(f"--- {path.suffix[1:]} (last {min(keep, len(text))} lines) ---")
            parts.extend(text[-keep:])
    return "\n".join(parts)


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
    cores = psutil.cpu_count() or 1
    while True:
        busy = psutil.cpu_percent(interval=5.0) / 100 * cores
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


def run_measured(
    label: str,
    command: list[str],
    log_dir: Path,
    env: dict[str, str] | None = None,
    timeout_s: float = 0.0,
    step: str = "",
    quiet_wait_s: float = 0.0,
    rss_limit_bytes: int = 0,
    min_free_disk_bytes: int = 0,
    disk_path: Path | None = None,
) -> Measured:
    """Run ``command`` from the repo root; poll the RSS of its whole process tree.

    ``timeout_s`` / ``rss_limit_bytes`` (0 = none) stop the process group we started when it runs
    too long or its tree grows past the limit (a guard against the OOM killer on a shared machine);
    ``min_free_disk_bytes`` stops it when ``disk_path``'s file system runs low (DuckDB spills).
    """
    waited = wait_for_quiet(quiet_wait_s, step)
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
            stderr=err,
            start_new_session=True,
        )
        next_beat = HEARTBEAT_SECONDS
        try:
            if psutil is None:
                proc.wait(timeout=timeout_s or None)
            else:
                root = psutil.Process(proc.pid)
                polls = 0
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
                    if timeout_s and elapsed > timeout_s:
                        result.timed_out = True
                        log(f"{step}: timeout after {elapsed:.0f}s, stopping it")
                        _kill_group(proc)
                        break
                    polls += 1
                    if disk_path is not None and polls % 10 == 1:
                        free = shutil.disk_usage(disk_path).free
                        if result.min_free_disk_bytes is None or free < result.min_free_disk_bytes:
                            result.min_free_disk_bytes = free
                        if min_free_disk_bytes and free < min_free_disk_bytes:
                            result.disk_limit_hit = True
                            log(f"{step}: only {free / GIB:.1f} GiB of disk left, stopping it")
                            _kill_group(proc)
                            break
                    if rss_limit_bytes and rss > rss_limit_bytes:
                        result.rss_limit_hit = True
                        log(
                            f"{step}: RSS {rss / GIB:.1f} GiB above the limit "
                            f"{rss_limit_bytes / GIB:.1f} GiB, stopping it"
                        )
                        _kill_group(proc)
                        break
                    time.sleep(POLL_SECONDS)
        except subprocess.TimeoutExpired:
            result.timed_out = True
            log(f"{step}: timeout, stopping it")
            _kill_group(proc)
        except BaseException:
            _kill_group(proc)
            raise
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
    status = "ok" if result.ok else f"FAILED rc={proc.returncode}"
    if result.timed_out:
        status = "TIMEOUT"
    if result.rss_limit_hit:
        status = f"STOPPED (RSS above {rss_limit_bytes / GIB:.1f} GiB)"
        limit = rss_limit_bytes / GIB
        result.tail += f"\n[bench] stopped: RSS of the process tree above {limit:.1f} GiB"
    elif result.disk_limit_hit:
        status = "STOPPED (disk almost full)"
        result.tail += (
            f"\n[bench] stopped: less than {min_free_disk_bytes / GIB:.0f} GiB of disk left"
        )
    elif result.timed_out:
        result.tail += f"\n[bench] stopped: still running after {timeout_s / 60:.0f} min"
    log(f"{step}: {status} in {result.wall_s:.1f}s, peak RSS {result.peak_rss_bytes / GIB:.2f} GiB")
    return result


# ---------------------------------------------------------------------------------------------
# Floor: DuckDB scanning every raw file once (run in a subprocess by --floor)
# ---------------------------------------------------------------------------------------------


def raw_path(data_dir: Path, stem: str) -> Path:
    matches = sorted(glob.glob(str(data_dir / f"{stem}.csv*")))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected one {stem}.csv[.gz] in {data_dir}, found {matches}")
    return Path(matches[0])


def floor_main(data_dir: Path) -> int:
    import duckdb

    files = {}
    started = time.perf_counter()
    with duckdb.connect() as con:
        for stem in RAW_FILES:
            path = str(raw_path(data_dir, stem)).replace("'", "''")
            t0 = time.perf_counter()
            rows = con.sql(
                f"select count(*) from read_csv('{path}', {READ_CSV_OPTIONS})"
            ).fetchall()[0][0]
            files[stem] = {"rows": int(rows), "seconds": round(time.perf_counter() - t0, 3)}
    total = time.perf_counter() - started
    print(json.dumps({"files": files, "total": round(total, 3)}))
    return 0


def last_json(text: str) -> dict[str, Any] | None:
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                return json.loads(line)
    return None


# ---------------------------------------------------------------------------------------------
# dbt runs
# ---------------------------------------------------------------------------------------------


def dbt_env(data_dir: Path, run_dir: Path, threads: int | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "OLIST_DATA_DIR": str(data_dir),
        "OLIST_DUCKDB_PATH": str(run_dir / "olist.duckdb"),
        "OLIST_EXPORT_DIR": str(run_dir / "exports"),
        "DBT_TARGET_PATH": str(run_dir / "target"),
        "DBT_LOG_PATH": str(run_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }
    if threads:
        env["OLIST_DBT_THREADS"] = str(threads)
    return env


def read_run_results(target_dir: Path) -> dict[str, Any]:
    """Per node: kind, name, status, seconds (from run_results.json and manifest.json)."""
    path = target_dir / "run_results.json"
    if not path.exists():
        return {"elapsed_s": math.nan, "nodes": []}
    results = json.loads(path.read_text())
    manifest_path = target_dir / "manifest.json"
    nodes_meta: dict[str, Any] = {}
    if manifest_path.exists():
        nodes_meta = json.loads(manifest_path.read_text()).get("nodes", {})
    nodes = []
    for item in results["results"]:
        uid = item["unique_id"]
        kind = uid.split(".", 1)[0]
        meta = nodes_meta.get(uid, {})
        if kind == "model":
            kind = "python model" if meta.get("language") == "python" else "sql model"
        stamps = [
            dt.datetime.fromisoformat(t[key].replace("Z", "+00:00")).timestamp()
            for t in item.get("timing", [])
            for key in ("started_at", "completed_at")
            if t.get(key)
        ]
        nodes.append(
            {
                "unique_id": uid,
                "name": meta.get("name") or ".".join(uid.split(".")[2:]),
                "kind": kind,
                "status": item["status"],
                "seconds": round(float(item["execution_time"]), 3),
                "started": min(stamps) if stamps else None,
                "completed": max(stamps) if stamps else None,
            }
        )
    return {"elapsed_s": float(results.get("elapsed_time", math.nan)), "nodes": nodes}


def query_warehouse(path: Path, sql: str) -> list[tuple] | None:
    import duckdb

    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql(sql).fetchall()
    except duckdb.Error as exc:
        log(f"cannot query {path}: {exc}")
        return None


def dbt_run(
    label: str,
    args: list[str],
    data_dir: Path,
    scale_dir: Path,
    opts: argparse.Namespace,
    step: str,
) -> tuple[Measured, dict[str, Any], Path]:
    run_dir = scale_dir / label
    shutil.rmtree(run_dir, ignore_errors=True)  # a fresh warehouse, target and logs every time
    run_dir.mkdir(parents=True)
    measured = run_measured(
        label,
        [str(BIN_DIR / "dbt"), *args],
        scale_dir / "output",
        env=dbt_env(data_dir, run_dir, opts.threads),
        timeout_s=opts.timeout_min * 60,
        step=step,
        quiet_wait_s=opts.wait_quiet_min * 60,
        rss_limit_bytes=opts.rss_limit_bytes,
        min_free_disk_bytes=int(opts.min_free_disk_gib * GIB),
        disk_path=run_dir,
    )
    results = read_run_results(run_dir / "target")
    if not results["nodes"]:  # stopped or crashed: dbt wrote no run_results.json
        results["nodes"] = nodes_from_log(
            measured.stdout(), measured.started_epoch, measured.started_epoch + measured.wall_s
        )
        results["nodes_source"] = "dbt output (no run_results.json)"
    timeline = measured.rss_timeline
    for node in results["nodes"]:
        if node.get("started") is None:
            continue
        end = node.get("completed") or math.inf
        during = [rss for second, rss in timeline if node["started"] - 1 <= second <= end]
        node["peak_rss_bytes"] = max(during) if during else None
    return measured, results, run_dir


DBT_LINE = re.compile(
    r"^(\d\d:\d\d:\d\d)\s+(\d+) of \d+ (START|OK|PASS|WARN|FAIL|ERROR|SKIP)\s+(.*?)"
    r"(?:\s\.+)?\s+\[(?:RUN|([^\]]*?) in ([\d.]+)s|[^\]]*)\]\s*$"
)


def nodes_from_log(text: str, started_epoch: float, ended_epoch: float) -> list[dict[str, Any]]:
    """Nodes from dbt's progress lines, for a run stopped before it wrote run_results.json;
    nodes started but never finished get status ``unfinished`` (what was running at the stop)."""
    day = dt.datetime.fromtimestamp(started_epoch).date()
    nodes: dict[str, dict[str, Any]] = {}
    for line in ANSI_ESCAPE.sub("", text).splitlines():
        match = DBT_LINE.match(line.strip())
        if not match:
            continue
        clock, index, verb, description, status, seconds = match.groups()
        stamp = dt.datetime.combine(day, dt.time.fromisoformat(clock)).timestamp()
        if stamp < started_epoch - 60:
            stamp += 86400  # the run went past midnight
        words = description.split()
        name = words[-1].split(".")[-1] if words else "?"
        if verb == "START":
            kind = "test" if "test" in words[:2] else ("model" if "model" in words else words[0])
            if kind == "model":
                kind = "python model" if "python" in words else "sql model"
            nodes[index] = {
                "unique_id": f"{kind}.{name}",
                "name": name,
                "kind": kind,
                "status": "unfinished",
                "seconds": round(ended_epoch - stamp, 1),
                "started": stamp,
                "completed": None,
            }
        elif index in nodes and seconds is not None:
            nodes[index]["status"] = (status or verb).split()[0].lower()
            nodes[index]["seconds"] = float(seconds)
            nodes[index]["completed"] = stamp
    return list(nodes.values())


def drop_warehouse(run_dir: Path) -> None:
    for path in run_dir.glob("olist.duckdb*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def parse_scale(text: str) -> tuple[str, float | None]:
    text = text.strip().lower().removesuffix("x")
    if text == "real":
        return "real", None
    factor = float(text)
    if factor <= 0:
        raise argparse.ArgumentTypeError(f"scale must be > 0, got {text}")
    label = f"{factor:g}x"
    return label, factor


def real_data_dir() -> Path:
    return Path(os.environ.get("OLIST_REAL_DATA_DIR", REPO_ROOT.parent / "shared/data/olist"))


PROJECT_SOURCES = ["models", "macros", "python_models", "seeds", "snapshots", "src"]
PROJECT_FILES = ["dbt_project.yml", "profiles.yml", "selectors.yml"]


def project_fingerprint() -> dict[str, str]:
    """Hash and newest change of what a build runs (models, macros, Python, configs, data tests):
    other people edit the tree while the benchmark runs, and scales must be compared on one code."""
    paths = [REPO_ROOT / name for name in PROJECT_FILES]
    for folder in PROJECT_SOURCES:
        paths += (REPO_ROOT / folder).rglob("*")
    paths += (REPO_ROOT / "tests").glob("*.sql")
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(p for p in paths if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = dt.datetime.fromtimestamp(newest).astimezone().isoformat(timespec="seconds")
    return {"sha256": digest.hexdigest()[:12], "newest_change": changed}


def generator_digest() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def demo_data(
    factor: float, opts: argparse.Namespace, scale_dir: Path, record: dict[str, Any]
) -> Path | None:
    """Demo data at ``factor`` x Olist, generated once (a marker file says it is complete)."""
    customers = max(1, round(REAL_CUSTOMERS * factor))
    out = opts.data_root / f"demo_{factor:g}x"
    marker = out / ".bench-complete"
    wanted = {"customers": customers, "seed": SEED, "generator": generator_digest()}
    record["customers_generated"] = customers
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        log(f"{record['scale']}: reusing demo data in {out}")
        record["generation"] = {"reused": True}
        return out
    shutil.rmtree(out, ignore_errors=True)
    opts.data_root.mkdir(parents=True, exist_ok=True)
    need = CSV_BYTES_PER_X * factor + 2 * WAREHOUSE_BYTES_PER_X * factor
    free = shutil.disk_usage(opts.data_root).free
    if free < need:
        record["notes"].append(
            f"skipped: ~{need / GIB:.1f} GiB of disk needed for the data and the warehouses, "
            f"{free / GIB:.1f} GiB free in {opts.data_root}"
        )
        log(f"{record['scale']}: not enough disk ({free / GIB:.1f} GiB free), skipped")
        return None
    gen = run_measured(
        "generate",
        [
            sys.executable,
            "-m",
            "olist_segmentation.demo_data",
            "--out",
            str(out),
            "--customers",
            str(customers),
            "--seed",
            str(SEED),
        ],
        scale_dir / "output",
        timeout_s=opts.timeout_min * 60,
        step=f"{record['scale']} | generate {customers:,} customers",
        rss_limit_bytes=opts.rss_limit_bytes,
    )
    record["generation"] = {"reused": False, "wall_s": gen.wall_s, "ok": gen.ok}
    if not gen.ok:
        record["failures"].append({"step": "generate demo data", "tail": gen.tail})
        return None
    marker.write_text(json.dumps(wanted))
    return out


# ---------------------------------------------------------------------------------------------
# One scale
# ---------------------------------------------------------------------------------------------


def summarize(measured: Measured) -> dict[str, Any]:
    data = asdict(measured)
    data["ok"] = measured.ok
    data["other_cores"] = measured.other_cores
    data.pop("command")
    return data


def run_scale(label: str, factor: float | None, opts: argparse.Namespace) -> dict[str, Any]:
    scale_dir = opts.work / label
    record: dict[str, Any] = {
        "scale": label,
        "factor": factor,
        "measured_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_before": list(os.getloadavg()),
        "threads": opts.threads or int(os.environ.get("OLIST_DBT_THREADS", "2")),
        "code": project_fingerprint(),
        "argv": opts.argv,
        "notes": [],
        "failures": [],
    }
    scale_started = time.perf_counter()
    log(f"=== scale {label}: load average {os.getloadavg()[0]:.2f} ===")
    if factor is None:
        data_dir = real_data_dir()
        if not data_dir.is_dir() or not list(data_dir.glob("olist_orders_dataset.csv*")):
            record["notes"].append(f"skipped: the real data is not in {data_dir}")
            log(f"{label}: no real data in {data_dir}, skipped")
            return record
    else:
        data_dir = demo_data(factor, opts, scale_dir, record)
        if data_dir is None:
            return record
    record["data_dir"] = str(data_dir)
    record["data_bytes"] = sum(p.stat().st_size for p in data_dir.glob("*.csv*"))

    # Floor, twice: the first run warms the page cache for everything that follows.
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--floor", str(data_dir)]
    for attempt in ("floor_cold", "floor"):
        floor = run_measured(
            attempt,
            floor_cmd,
            scale_dir / "output",
            step=f"{label} | {attempt.replace('_', ' ')}",
            quiet_wait_s=opts.wait_quiet_min * 60,
        )
        record[attempt] = {**summarize(floor), "result": last_json(floor.stdout())}
        if not floor.ok:
            record["failures"].append({"step": attempt, "tail": floor.tail})
            break
    floor_result = _get(record, "floor", "result") or {}
    if floor_result:
        record["raw_rows"] = {k: v["rows"] for k, v in floor_result["files"].items()}

    # Our full build.
    full, full_results, full_dir = dbt_run(
        "dbt_full", ["build"], data_dir, scale_dir, opts, f"{label} | dbt build (full)"
    )
    record["dbt_full"] = {**summarize(full), **full_results}
    if not full.ok:
        record["failures"].append({"step": "dbt build", "tail": full.tail})
    warehouse = full_dir / "olist.duckdb"
    chosen = query_warehouse(
        warehouse,
        "select feature_set, features, k from marts.segment_model_selection where is_chosen",
    )
    customers = query_warehouse(warehouse, "select count(*) from marts.customer_rfm")
    if chosen:
        feature_set, features, k = chosen[0]
        record["chosen"] = {"feature_set": feature_set, "features": features, "k": k}
    else:
        record["chosen"] = {"feature_set": None, "features": FALLBACK_FEATURES, "k": FALLBACK_K}
        record["notes"].append(
            f"our build chose no k: the baseline used k={FALLBACK_K} on {FALLBACK_FEATURES}"
        )
    if customers:
        record["customers_rfm"] = customers[0][0]
    if not opts.keep_warehouses:
        drop_warehouse(full_dir)

    # Our raw -> RFM mart: models and tests up to customer_rfm, on a fresh warehouse.
    rfm, rfm_results, rfm_dir = dbt_run(
        "dbt_rfm",
        ["build", "--select", "+customer_rfm", "--indirect-selection", "buildable"],
        data_dir,
        scale_dir,
        opts,
        f"{label} | dbt build --select +customer_rfm",
    )
    record["dbt_rfm"] = {**summarize(rfm), **rfm_results}
    if not rfm.ok:
        record["failures"].append({"step": "dbt build --select +customer_rfm", "tail": rfm.tail})
    if "customers_rfm" not in record:
        customers = query_warehouse(
            rfm_dir / "olist.duckdb", "select count(*) from marts.customer_rfm"
        )
        if customers:
            record["customers_rfm"] = customers[0][0]
    if not opts.keep_warehouses:
        drop_warehouse(rfm_dir)

    # The pandas-notebook baseline with our k and feature set.
    if opts.skip_baseline:
        record["notes"].append("baseline skipped (--skip-baseline)")
    else:
        chosen_cfg = record["chosen"]
        baseline = run_measured(
            "baseline",
            [
                sys.executable,
                str(BASELINE),
                str(data_dir),
                "--k",
                str(chosen_cfg["k"]),
                "--features",
                str(chosen_cfg["features"]),
            ],
            scale_dir / "output",
            timeout_s=opts.timeout_min * 60,
            step=f"{label} | baseline (pandas notebook, k={chosen_cfg['k']})",
            quiet_wait_s=opts.wait_quiet_min * 60,
            rss_limit_bytes=opts.rss_limit_bytes,
        )
        record["baseline"] = {**summarize(baseline), "result": last_json(baseline.stdout())}
        if not baseline.ok:
            record["failures"].append({"step": "baseline", "tail": baseline.tail})

    if project_fingerprint() != record["code"]:
        record["notes"].append("the project's code changed while this scale ran")
    record["load_after"] = list(os.getloadavg())
    record["scale_wall_s"] = time.perf_counter() - scale_started
    log(f"=== scale {label} done in {record['scale_wall_s']:.0f}s ===")
    return record


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _get(record: dict[str, Any], *keys: str) -> Any:
    value: Any = record
    for key in keys:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def _s(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return a / b


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×"


def _gib(value: float | None) -> str:
    return "–" if not value else f"{value / GIB:.2f} GiB"


def _int(value: Any) -> str:
    return "–" if value is None else f"{int(value):,}"


@dataclass
class Metrics:
    """The headline numbers of one scale, read from its record."""

    scale: str
    factor: float | None
    orders: int | None = None
    customers: int | None = None
    customers_baseline: int | None = None
    floor_s: float | None = None
    rfm_s: float | None = None
    rfm_exec_s: float | None = None
    base_rfm_s: float | None = None
    full_s: float | None = None
    full_exec_s: float | None = None
    base_total_s: float | None = None
    base_wall_s: float | None = None
    full_rss: int | None = None
    base_rss: int | None = None
    full_ok: bool = False
    rfm_ok: bool = False
    base_ok: bool = False
    other_cores: list[float] = field(default_factory=list)
    cpu: dict[str, float | None] = field(default_factory=dict)

    @classmethod
    def of(cls, r: dict[str, Any]) -> Metrics:
        m = cls(r["scale"], r.get("factor"))
        m.orders = _get(r, "raw_rows", "olist_orders_dataset")
        m.customers = r.get("customers_rfm")
        m.customers_baseline = _get(r, "baseline", "result", "customers")
        m.floor_s = _get(r, "floor", "result", "total")
        m.full_ok = bool(_get(r, "dbt_full", "ok"))
        m.rfm_ok = bool(_get(r, "dbt_rfm", "ok"))
        m.base_ok = bool(_get(r, "baseline", "ok"))
        if m.rfm_ok:
            m.rfm_s = _get(r, "dbt_rfm", "wall_s")
            m.rfm_exec_s = _get(r, "dbt_rfm", "elapsed_s")
        if m.full_ok:
            m.full_s = _get(r, "dbt_full", "wall_s")
            m.full_exec_s = _get(r, "dbt_full", "elapsed_s")
        m.full_rss = _get(r, "dbt_full", "peak_rss_bytes")
        m.base_rss = _get(r, "baseline", "peak_rss_bytes")
        if m.base_ok:
            m.base_rfm_s = _get(r, "baseline", "result", "raw_to_rfm")
            m.base_total_s = _get(r, "baseline", "result", "total")
            m.base_wall_s = _get(r, "baseline", "wall_s")
        for step in ("floor", "dbt_full", "dbt_rfm", "baseline"):
            cpu = _get(r, step, "cpu_s")
            m.cpu[step] = None if cpu is None or math.isnan(cpu) else cpu
        for step in ("dbt_full", "dbt_rfm", "baseline"):
            other = _get(r, step, "other_cores")
            if other is not None and not math.isnan(other):
                m.other_cores.append(other)
        return m


def _cell(record: dict[str, Any], step: str, value: str) -> str:
    """``value`` for a step that succeeded, else why there is none (stopped, failed, not run)."""
    run = record.get(step)
    if not run:
        return "–"
    if run.get("ok"):
        return value
    wall = run.get("wall_s") or 0.0
    if run.get("rss_limit_hit"):
        return f"stopped at {wall:,.0f} s (RSS limit)"
    if run.get("disk_limit_hit"):
        return f"stopped at {wall:,.0f} s (disk almost full)"
    if run.get("timed_out"):
        return f"> {wall:,.0f} (timeout)"
    return f"failed (rc {run.get('returncode')})"


def _verdict(ok: bool | None) -> str:
    return {True: "**pass**", False: "**FAIL**", None: "not measured"}[ok]


def machine_info() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    if psutil is not None:
        memory = f"{psutil.virtual_memory().total / GIB:.1f} GiB"
    versions = {}
    for package in ("dbt-core", "dbt-duckdb", "duckdb", "scikit-learn", "pandas", "numpy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "?"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} logical ({usable} usable)",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
    }


def top_nodes(record: dict[str, Any], n: int = 10) -> list[dict[str, Any]]:
    nodes = _get(record, "dbt_full", "nodes") or []
    return sorted(nodes, key=lambda node: -node["seconds"])[:n]


def nodes_at_peak(record: dict[str, Any]) -> list[str]:
    """Names of the nodes of the full build running during the second of its peak RSS."""
    timeline = _get(record, "dbt_full", "rss_timeline") or []
    if not timeline:
        return []
    second, _ = max(timeline, key=lambda pair: pair[1])
    running = [
        n
        for n in _get(record, "dbt_full", "nodes") or []
        if n.get("started") is not None
        and n["started"] - 1 <= second <= (n.get("completed") or math.inf) + 1
    ]
    return [n["name"] for n in sorted(running, key=lambda n: -n["seconds"])]


def time_by_kind(record: dict[str, Any], run: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for node in _get(record, run, "nodes") or []:
        totals[node["kind"]] = totals.get(node["kind"], 0.0) + node["seconds"]
    return totals


def _options(argv: list[str] | None) -> str:
    """The options a scale was measured with, without those naming scales and paths."""
    if argv is None:
        return "?"
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in ("--scales", "--out", "--work", "--data-root"):
            skip = "=" not in arg
            continue
        if name in ("--reuse", "--report-only"):
            continue
        kept.append(arg)
    return f"`{shlex.join(kept)}`" if kept else "defaults"


def render_report(records: list[dict[str, Any]], argv: list[str], scales: str) -> str:
    machine = machine_info()
    metrics = [Metrics.of(r) for r in records]
    by_scale = {m.scale: m for m in metrics}
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    lines = [
        "# Benchmark: dbt build vs a pandas-notebook baseline (issue 7)",
        "",
        f"Generated {now} by `{shlex.join(['python', 'bench/run_bench.py', *argv])}`. "
        f"Reproduce with `make bench BENCH_SCALES={scales}` (`BENCH_ARGS=` the options of "
        "each scale, in the table below).",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        "| peak RSS | "
        + (
            "psutil: RSS summed over the process tree, sampled every 0.2 s"
            if psutil
            else "/usr/bin/time -v: largest single process"
        )
        + " |",
        "",
        "| scale | measured at | options | dbt threads | code (sha256, newest change) "
        "| load average before (1/5/15 min) | other processes' CPU during our runs |",
        "|---|---|---|--:|---|---|---|",
    ]
    for r, m in zip(records, metrics, strict=True):
        load = r.get("load_before") or []
        others = ", ".join(f"{v:.2f}" for v in m.other_cores) or "–"
        code = r.get("code") or {}
        options = _options(r.get("argv"))
        lines.append(
            f"| {r['scale']} | {r.get('measured_at', '?')} | {options} | {r.get('threads', '?')} "
            f"| {code.get('sha256', '?')}, {code.get('newest_change', '?')} "
            f"| {' / '.join(f'{v:.2f}' for v in load) or '–'} | {others} cores |"
        )
    if len({(r.get("code") or {}).get("sha256") for r in records}) > 1:
        lines += [
            "",
            "**Warning: the scales were measured on different versions of the project's code**; "
            "compare them with care (rerun with the same code for a clean comparison).",
        ]

    lines += [
        "",
        "## Results",
        "",
        "Times in seconds, page cache warm. *Our raw→RFM* = wall time of "
        "`dbt build --select +customer_rfm` (models, seeds and tests up to the mart, dbt start-up "
        "and parsing included) on a fresh warehouse; *baseline raw→RFM* = its read + RFM cells. "
        "*Our full build* = wall time of `dbt build` on a fresh warehouse; *whole baseline* = read "
        "+ RFM + KMeans cells. *Floor* = DuckDB alone counting the rows of the 8 raw files.",
        "",
        "| scale | orders | customers (ours / baseline) | floor | our raw→RFM (dbt exec) "
        "| baseline raw→RFM | ratio | our full build (dbt exec) | whole baseline | ratio "
        "| raw→RFM / floor | peak RSS build | peak RSS baseline |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r, m in zip(records, metrics, strict=True):
        rfm = _cell(r, "dbt_rfm", f"{_s(m.rfm_s)} ({_s(m.rfm_exec_s)})")
        full = _cell(r, "dbt_full", f"{_s(m.full_s)} ({_s(m.full_exec_s)})")
        lines.append(
            f"| {m.scale} | {_int(m.orders)} | {_int(m.customers)} / {_int(m.customers_baseline)} "
            f"| {_s(m.floor_s)} | {rfm} | {_cell(r, 'baseline', _s(m.base_rfm_s))} "
            f"| {_x(_ratio(m.rfm_s, m.base_rfm_s))} | {full} "
            f"| {_cell(r, 'baseline', _s(m.base_total_s))} "
            f"| {_x(_ratio(m.full_s, m.base_total_s))} "
            f"| {_x(_ratio(m.rfm_s, m.floor_s))} | {_gib(m.full_rss)} | {_gib(m.base_rss)} |"
        )

    if any(m.cpu.get("dbt_full") for m in metrics):
        lines += [
            "",
            "CPU seconds (user + system of the whole process tree, start-up included): less "
            "disturbed than wall time when other processes share the machine.",
            "",
            "| scale | floor | our raw→RFM | our full build | baseline (whole process) "
            "| full build / baseline |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for r, m in zip(records, metrics, strict=True):
            cpu = {
                step: m.cpu.get(step) if _get(r, step, "ok") else None
                for step in ("floor", "dbt_rfm", "dbt_full", "baseline")
            }
            lines.append(
                f"| {m.scale} | {_cell(r, 'floor', _s(cpu['floor']))} "
                f"| {_cell(r, 'dbt_rfm', _s(cpu['dbt_rfm']))} "
                f"| {_cell(r, 'dbt_full', _s(cpu['dbt_full']))} "
                f"| {_cell(r, 'baseline', _s(cpu['baseline']))} "
                f"| {_x(_ratio(cpu['dbt_full'], cpu['baseline']))} |"
            )

    # Scaling between consecutive demo scales.
    demo = sorted((m for m in metrics if m.factor), key=lambda m: m.factor or 0)
    if len(demo) >= 2:
        lines += [
            "",
            "### Scaling",
            "",
            "| step | data | floor | our raw→RFM | our full build | full build, dbt exec "
            "| baseline raw→RFM | whole baseline |",
            "|---|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for low, high in zip(demo, demo[1:], strict=False):
            lines.append(
                f"| {high.scale} / {low.scale} | {_x(_ratio(high.orders, low.orders))} "
                f"| {_x(_ratio(high.floor_s, low.floor_s))} | {_x(_ratio(high.rfm_s, low.rfm_s))} "
                f"| {_x(_ratio(high.full_s, low.full_s))} "
                f"| {_x(_ratio(high.full_exec_s, low.full_exec_s))} "
                f"| {_x(_ratio(high.base_rfm_s, low.base_rfm_s))} "
                f"| {_x(_ratio(high.base_total_s, low.base_total_s))} |"
            )

    # Targets.
    lines += ["", "## Targets", "", "| target | scale | measured | verdict |", "|---|---|--:|---|"]
    real = by_scale.get("real")
    rfm_ratio = _ratio(real.rfm_s, real.base_rfm_s) if real else None
    lines.append(
        f"| real data raw→RFM ≤ {TARGET_RFM_RATIO:g}× baseline | real | {_x(rfm_ratio)} | "
        f"{_verdict(None if rfm_ratio is None else rfm_ratio <= TARGET_RFM_RATIO)} |"
    )
    for m in metrics:
        ratio = _ratio(m.full_s, m.base_total_s)
        lines.append(
            f"| full dbt build ≤ {TARGET_BUILD_RATIO:g}× whole baseline | {m.scale} | {_x(ratio)} "
            f"| {_verdict(None if ratio is None else ratio <= TARGET_BUILD_RATIO)} |"
        )
    one, ten = by_scale.get("1x"), by_scale.get("10x")
    growth = _ratio(ten.full_s, one.full_s) if one and ten else None
    if growth is None:
        verdict = _verdict(None)
    elif growth <= TARGET_SCALING:
        verdict = _verdict(True)
    elif growth <= TARGET_SCALING_BORDERLINE:
        verdict = "borderline (≤ 11×)"
    else:
        verdict = _verdict(False)
    lines.append(f"| 1×→10× full build grows ≤ ~10× | 10x / 1x | {_x(growth)} | {verdict} |")
    hundred = by_scale.get("100x")
    rss = hundred.full_rss if hundred else None
    if rss and rss >= TARGET_RSS_100X:
        verdict = _verdict(False)
    elif rss and hundred and hundred.full_ok:
        verdict = _verdict(True)
    elif rss:
        verdict = "incomplete: the build stopped before its end"
    else:
        verdict = _verdict(None)
    lines.append(
        f"| 100× peak RSS < {TARGET_RSS_100X / GIB:g} GiB | 100x | {_gib(rss)} | {verdict} |"
    )

    # Where the time goes.
    lines += ["", "## Where the time goes (full `dbt build`, run_results.json)", ""]
    seen = {kind for r in records for kind in time_by_kind(r, "dbt_full")}
    order = ["sql model", "python model", "test", "unit_test", "seed", "snapshot", "operation"]
    kinds = [k for k in order if k in seen] + sorted(seen - set(order))
    kinds = [
        k for k in kinds if any(time_by_kind(r, "dbt_full").get(k, 0) >= 0.05 for r in records)
    ]
    lines += [
        "| scale | wall | dbt start-up + parse | "
        + " | ".join(f"{k}s (sum)" for k in kinds)
        + " |",
        "|---|--:|--:|" + "--:|" * len(kinds),
    ]
    for r, m in zip(records, metrics, strict=True):
        totals = time_by_kind(r, "dbt_full")
        wall, exec_s = _get(r, "dbt_full", "wall_s"), _get(r, "dbt_full", "elapsed_s")
        overhead = wall - exec_s if wall is not None and exec_s is not None else None
        lines.append(
            f"| {m.scale} | {_s(wall)} | {_s(overhead)} | "
            + " | ".join(_s(totals.get(k)) for k in kinds)
            + " |"
        )
    lines += [
        "",
        "Sums of node times exceed the wall time when dbt runs nodes in parallel (threads).",
    ]
    for r in records:
        nodes = top_nodes(r)
        if not nodes:
            continue
        lines += [
            "",
            f"### Slowest 10 nodes at {r['scale']}",
            "",
            "| node | kind | status | s | peak RSS of the build while it ran |",
            "|---|---|---|--:|--:|",
        ]
        lines += [
            f"| {n['name']} | {n['kind']} | {n['status']} | {n['seconds']:.2f} "
            f"| {_gib(n.get('peak_rss_bytes'))} |"
            for n in nodes
        ]
        if _get(r, "dbt_full", "nodes_source"):
            lines += ["", f"(nodes read from the {r['dbt_full']['nodes_source']})"]
        unfinished = [
            n["name"] for n in _get(r, "dbt_full", "nodes") or [] if n["status"] == "unfinished"
        ]
        if unfinished:
            lines += ["", f"Still running when the build stopped: {', '.join(unfinished)}."]
        free = _get(r, "dbt_full", "min_free_disk_bytes")
        if free is not None:
            lines += ["", f"Free disk beside the warehouse fell to {_gib(free)} during the build."]
        at_peak = nodes_at_peak(r)
        if at_peak:
            more = f" and {len(at_peak) - 6} more" if len(at_peak) > 6 else ""
            lines += [
                "",
                f"At the build's peak RSS ({_gib(_get(r, 'dbt_full', 'peak_rss_bytes'))}) these "
                f"nodes were running (longest first): {', '.join(at_peak[:6])}{more}.",
            ]

    # The slow nodes across scales: which ones do not scale linearly.
    # Keyed by kind and name: nodes read from dbt's output have no manifest unique_id.
    def key(node: dict[str, Any]) -> str:
        return f"{node['kind']}:{node['name']}"

    union: list[str] = []
    for r in records:
        for n in top_nodes(r):
            if key(n) not in union:
                union.append(key(n))
    if union and len(records) > 1:
        times = {
            r["scale"]: {
                key(n): n["seconds"]
                for n in _get(r, "dbt_full", "nodes") or []
                if n["status"] != "unfinished"
            }
            for r in records
        }
        unfinished = {
            r["scale"]: {
                key(n): n["seconds"]
                for n in _get(r, "dbt_full", "nodes") or []
                if n["status"] == "unfinished"
            }
            for r in records
        }
        names = {key(n): n["name"] for r in records for n in _get(r, "dbt_full", "nodes") or []}
        header = [r["scale"] for r in records]
        growth_cols = [(lo.scale, hi.scale) for lo, hi in zip(demo, demo[1:], strict=False)]
        lines += [
            "",
            "### Slow nodes across scales (s)",
            "",
            "| node | "
            + " | ".join(header)
            + "".join(f" | {hi}/{lo}" for lo, hi in growth_cols)
            + " |",
            "|---|" + "--:|" * (len(header) + len(growth_cols)),
        ]
        for uid in union:
            row = [
                f"> {unfinished[s][uid]:,.0f} (stopped)"
                if uid in unfinished[s]
                else _s(times[s].get(uid))
                for s in header
            ]
            grow = [_x(_ratio(times[hi].get(uid), times[lo].get(uid))) for lo, hi in growth_cols]
            lines.append(f"| {names[uid]} | " + " | ".join(row + grow) + " |")

    # Notes and failures.
    notes = [(r["scale"], note) for r in records for note in r.get("notes", [])]
    failures = [(r["scale"], f) for r in records for f in r.get("failures", [])]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {scale}: {note}" for scale, note in notes]
    if failures:
        lines += ["", "## Failures", ""]
        runs = {"dbt build": "dbt_full", "dbt build --select +customer_rfm": "dbt_rfm"}
        by_label = {r["scale"]: r for r in records}
        for scale, failure in failures:
            run = failure.get("run") or runs.get(failure["step"], failure["step"])
            why = _cell(by_label[scale], run, "")
            lines += [f"### {scale}: {failure['step']}" + (f" — {why}" if why else ""), ""]
            lines += ["```", failure["tail"] or "(no output)", "```", ""]
    lines += [
        "",
        "## Method",
        "",
        "- Demo data: `python -m olist_segmentation.demo_data --customers 96096×N --seed 42`; "
        "`real` = the Kaggle files (`OLIST_REAL_DATA_DIR`, default `../shared/data/olist`).",
        "- Per scale, in this order: floor twice (the first run warms the page cache and is not "
        "reported), `dbt build`, `dbt build --select +customer_rfm --indirect-selection "
        "buildable`, the baseline. Each dbt run gets a fresh warehouse, target and log folder "
        "in the work directory (so dbt parses the project from scratch, as in CI).",
        "- The baseline (`bench/baseline_notebook.py`) uses the k and feature set our build "
        "chose, fits KMeans(n_init=10, seed 42) on every customer, and skips what the dbt "
        "project adds: typing with rejects, de-duplication, tests, the k search, history, "
        "stability and explanation marts.",
        "- *Other processes' CPU* = busy cores of the machine minus the cores our process used, "
        "per run (full build, raw→RFM, baseline): above ~0.3 the timings are disturbed.",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="dbt build vs a pandas-notebook baseline.")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # internal: floor subprocess
    parser.add_argument(
        "--scales",
        default="real,1,10",
        help="comma-separated: real and/or multiples of Olist's size (default real,1,10)",
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--work", type=Path, default=Path("/tmp/olist-bench"))
    parser.add_argument(
        "--data-root", type=Path, help="where demo data is generated (default WORK/data)"
    )
    parser.add_argument(
        "--threads", type=int, help="dbt threads (OLIST_DBT_THREADS; default: the env or 2)"
    )
    parser.add_argument(
        "--timeout-min",
        type=float,
        default=0.0,
        help="stop any single step after this many minutes (default: no limit)",
    )
    parser.add_argument(
        "--wait-quiet-min",
        type=float,
        default=3.0,
        help="before each measured step, wait up to this many minutes until other processes "
        "use less than half a core (default 3; 0 = never wait)",
    )
    parser.add_argument(
        "--rss-limit-gib",
        type=float,
        help="stop a step whose process tree grows past this RSS (default: 80%% of the RAM; "
        "0 = no limit), so that a run too big for the machine fails alone, not via the OOM killer",
    )
    parser.add_argument(
        "--min-free-disk-gib",
        type=float,
        default=10.0,
        help="stop a dbt build when its file system has less free space than this (DuckDB "
        "spills to a .tmp folder beside the warehouse; default 10, 0 = no limit)",
    )
    parser.add_argument("--reuse", action="store_true", help="reuse scales measured already")
    parser.add_argument(
        "--report-only", action="store_true", help="only rewrite the report from WORK/results"
    )
    parser.add_argument("--skip-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--keep-warehouses", action="store_true", help="keep the DuckDB files of every run"
    )
    opts = parser.parse_args(argv)
    opts.work = opts.work.resolve()
    if opts.rss_limit_gib is None:
        total = psutil.virtual_memory().total if psutil else 0
        opts.rss_limit_bytes = int(0.8 * total)
    else:
        opts.rss_limit_bytes = int(opts.rss_limit_gib * GIB)
    opts.data_root = (opts.data_root or opts.work / "data").resolve()
    try:
        opts.scale_list = [parse_scale(s) for s in opts.scales.split(",") if s.strip()]
    except ValueError as exc:
        parser.error(f"--scales: {exc}")
    return opts


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = parse_args(argv)
    opts.argv = argv
    if opts.floor:
        return floor_main(opts.floor)
    results_dir = opts.work / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    log(
        f"scales {', '.join(label for label, _ in opts.scale_list)}; work {opts.work}; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    if psutil is None:
        log("psutil not installed: peak RSS from /usr/bin/time -v (largest process only)")
    records = []
    for label, factor in opts.scale_list:
        path = results_dir / f"{label}.json"
        if (opts.reuse or opts.report_only) and path.exists():
            log(f"{label}: using the measurements in {path}")
            records.append(json.loads(path.read_text()))
            continue
        if opts.report_only:
            log(f"{label}: no measurements in {path}, left out")
            continue
        try:
            record = run_scale(label, factor, opts)
        except Exception as exc:  # one broken scale must not lose the others
            log(f"{label}: driver error {exc!r}")
            record = {
                "scale": label,
                "factor": factor,
                "notes": [],
                "failures": [{"step": "driver", "tail": repr(exc)}],
            }
        path.write_text(json.dumps(record, indent=1, default=str))
        records.append(record)
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        opts.out.write_text(render_report(records, argv, opts.scales))  # partial report so far

    report = render_report(records, argv, opts.scales)
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(report)
    start = report.index("## Results")
    end = report.index("## Where the time goes")
    print(report[start:end], flush=True)
    log(f"report written to {opts.out}")
    if opts.report_only:
        return 0
    return 0 if all(not r.get("failures") for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
