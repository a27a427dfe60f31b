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


@dataclass
class Metrics:
    """The headline numbers of one scale, read from its record."""

    scale: str
    factor: float | None
    n_orders: int | None = None
    n_customers: int | None = None
    n_customers_baseline: int | None = None
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
        m.n_orders = get_in(r, "raw_rows", "olist_orders_dataset")
        m.n_customers = r.get("customers_rfm")
        m.n_customers_baseline = get_in(r, "baseline", "result", "customers")
        m.floor_s = get_in(r, "floor", "result", "total")
        m.full_ok = bool(get_in(r, "dbt_full", "ok"))
        m.rfm_ok = bool(get_in(r, "dbt_rfm", "ok"))
        m.base_ok = bool(get_in(r, "baseline", "ok"))
        if m.rfm_ok:
            m.rfm_s = get_in(r, "dbt_rfm", "wall_s")
            m.rfm_exec_s = get_in(r, "dbt_rfm", "elapsed_s")
        if m.full_ok:
            m.full_s = get_in(r, "dbt_full", "wall_s")
            m.full_exec_s = get_in(r, "dbt_full", "elapsed_s")
        m.full_rss = get_in(r, "dbt_full", "peak_rss_bytes")
        m.base_rss = get_in(r, "baseline", "peak_rss_bytes")
        if m.base_ok:
            m.base_rfm_s = get_in(r, "baseline", "result", "raw_to_rfm")
            m.base_total_s = get_in(r, "baseline", "result", "total")
            m.base_wall_s = get_in(r, "baseline", "wall_s")
        for step in ("floor", "dbt_full", "dbt_rfm", "baseline"):
            cpu = get_in(r, step, "cpu_s")
            m.cpu[step] = None if cpu is None or math.isnan(cpu) else cpu
        for step in ("dbt_full", "dbt_rfm", "baseline"):
            other = get_in(r, step, "other_cores")
            if other is not None and not math.isnan(other):
                m.other_cores.append(other)
        return m


def cell(record: dict[str, Any], step: str, value: str) -> str:
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


def top_nodes(record: dict[str, Any], n_nodes: int = 10) -> list[dict[str, Any]]:
    """The slowest nodes of the full build, slowest first."""
    nodes = get_in(record, "dbt_full", "nodes") or []
    return sorted(nodes, key=lambda node: -node["seconds"])[:n_nodes]


def nodes_at_peak(record: dict[str, Any]) -> list[str]:
    """Names of the nodes of the full build running during the second of its peak RSS."""
    timeline = get_in(record, "dbt_full", "rss_timeline") or []
    if not timeline:
        return []
    second, _ = max(timeline, key=lambda pair: pair[1])
    running = [
        n
        for n in get_in(record, "dbt_full", "nodes") or []
        if n.get("started") is not None
        and n["started"] - 1 <= second <= (n.get("completed") or math.inf) + 1
    ]
    return [n["name"] for n in sorted(running, key=lambda n: -n["seconds"])]


def time_by_kind(record: dict[str, Any], run: str) -> dict[str, float]:
    """Seconds of ``run``'s nodes summed per kind (sql model, test, ...)."""
    totals: dict[str, float] = {}
    for node in get_in(record, run, "nodes") or []:
        totals[node["kind"]] = totals.get(node["kind"], 0.0) + node["seconds"]
    return totals


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
