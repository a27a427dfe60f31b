"""Reading a scale's record: the headline numbers, the node profile, and their text in tables.

A record comes from JSON (possibly written by an older driver), so every read tolerates a
missing step or value and the text helpers print a dash for it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import math
import os
import platform
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olist_bench.builds import group_seconds
from olist_bench.settings import GIB, psutil


def get_in(record: dict[str, Any], *keys: str) -> Any:
    """``record[k1][k2]...``, or None as soon as a level is missing or None."""
    value: Any = record
    for key in keys:
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def seconds_text(value: float | None) -> str:
    """Seconds with one decimal below 100, none above; a dash when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def ratio_of(a: float | None, b: float | None) -> float | None:
    """``a / b``, or None when either is unknown or ``b`` is 0."""
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return a / b


def ratio_text(value: float | None) -> str:
    """A ratio as ``1.23×``."""
    return "–" if value is None else f"{value:.2f}×"


def gib_text(value: float | None) -> str:
    """Bytes in GiB; a dash when unknown or 0 (never measured)."""
    return "–" if not value else f"{value / GIB:.2f} GiB"


def int_text(value: Any) -> str:
    """An integer with thousands separators."""
    return "–" if value is None else f"{int(value):,}"


#: The measured steps of a scale: record key -> its name in the report.
STEPS = {
    "floor": "floor (typed read + RFM)",
    "build_first": "first build",
    "build_nightly": "nightly build",
    "build_retrain": "retrain build",
    "baseline": "pandas (whole process)",
}


def _number(value: Any) -> float | None:
    """A measured number, or None when missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


@dataclass
class Metrics:
    """The headline numbers of one scale, read from its record.

    ``wall``, ``rss`` and ``cpu`` are per step of :data:`STEPS`; a wall time is set only when the
    step succeeded (and, for a build, took the path it should: a "nightly" that retrained is not
    a nightly). The floor's wall time is the process's (DuckDB start-up included), like the others.
    """

    scale: str
    factor: float | None
    n_orders: int | None = None
    n_customers: int | None = None
    n_customers_floor: int | None = None
    n_customers_baseline: int | None = None
    scan_s: float | None = None
    wall: dict[str, float | None] = field(default_factory=dict)
    rss: dict[str, int | None] = field(default_factory=dict)
    cpu: dict[str, float | None] = field(default_factory=dict)
    decide_s: float | None = None  # raw -> RFM + decision: the nightly build's decide run
    decide_exec_s: float | None = None
    search_s: float | None = None  # segment_model_selection_computed in the first build
    search_retrain_s: float | None = None  # the same node in the forced retrain (no grid)
    stability_s: float | None = None  # stability-study models in the retrain build
    other_cores: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, r: dict[str, Any]) -> Metrics:
        m = cls(r["scale"], r.get("factor"))
        m.n_orders = get_in(r, "raw_rows", "olist_orders_dataset")
        m.n_customers = r.get("customers_rfm")
        m.n_customers_floor = get_in(r, "floor", "result", "customers")
        m.n_customers_baseline = get_in(r, "baseline", "result", "customers")
        if get_in(r, "scan", "ok"):
            m.scan_s = _number(get_in(r, "scan", "wall_s"))
        for step in STEPS:
            valid = bool(get_in(r, step, "ok")) and get_in(r, step, "path_ok") is not False
            m.wall[step] = _number(get_in(r, step, "wall_s")) if valid else None
            m.rss[step] = get_in(r, step, "peak_rss_bytes") or None
            m.cpu[step] = _number(get_in(r, step, "cpu_s")) if valid else None
            other = _number(get_in(r, step, "other_cores"))
            if other is not None and step != "floor":
                m.other_cores.append(other)
        if m.wall["build_nightly"] is not None:
            m.decide_s = _number(get_in(r, "build_nightly", "phases", "run_wall_s", "decide"))
            m.decide_exec_s = _number(get_in(r, "build_nightly", "runs", "decide", "elapsed_s"))
        if get_in(r, "build_first", "ok"):
            m.search_s = group_seconds(r.get("build_first"), "search (k, features)")
        if m.wall["build_retrain"] is not None:
            m.stability_s = group_seconds(r.get("build_retrain"), "stability study")
            m.search_retrain_s = group_seconds(r.get("build_retrain"), "search (k, features)")
        return m


def cell(record: dict[str, Any], step: str, value: str) -> str:
    """``value`` for a step that succeeded, else why there is none (stopped, failed, not run,
    or a build that took another path than expected)."""
    run = record.get(step)
    if not run:
        return "–"
    if run.get("ok") and run.get("path_ok") is False:
        return f"took the {run.get('path')} path"
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


def verdict_text(ok: bool | None) -> str:
    """A target's verdict: pass, FAIL, or not measured (None)."""
    return {True: "**pass**", False: "**FAIL**", None: "not measured"}[ok]


def machine_info() -> dict[str, str]:
    """CPU, cores, memory, OS and the versions of the packages measured."""
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


def top_nodes(entry: dict[str, Any] | None, n_nodes: int = 10) -> list[dict[str, Any]]:
    """The slowest nodes over a build's dbt runs, slowest first (each with its run's label)."""
    nodes = [
        {**node, "run": label}
        for label, run in ((entry or {}).get("runs") or {}).items()
        for node in run["nodes"]
    ]
    return sorted(nodes, key=lambda node: -node["seconds"])[:n_nodes]


def nodes_at_peak(entry: dict[str, Any] | None) -> list[str]:
    """Names of a build's nodes running during the second of its peak RSS (longest first)."""
    timeline = (entry or {}).get("rss_timeline") or []
    if not timeline:
        return []
    second, _ = max(timeline, key=lambda pair: pair[1])
    running = [
        n
        for run in ((entry or {}).get("runs") or {}).values()
        for n in run["nodes"]
        if n.get("started") is not None
        and n["started"] - 1 <= second <= (n.get("completed") or math.inf) + 1
    ]
    return [n["name"] for n in sorted(running, key=lambda n: -n["seconds"])]


def options_text(argv: list[str] | None) -> str:
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
