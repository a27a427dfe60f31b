"""dbt runs: their environment, their nodes (run_results.json or dbt's output), the warehouse."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb

from olist_bench.settings import ANSI_ESCAPE, REPO_ROOT, log


def dbt_env(data_dir: Path, run_dir: Path, threads: int | None) -> dict[str, str]:
    """dbt's environment: the data, and a warehouse, target and log folder of the run's own."""
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


def read_run_results(path: Path, manifest_path: Path) -> dict[str, Any]:
    """Per node of one dbt run (``run_results*.json`` at ``path``): kind, name, file, status,
    seconds; kinds and files from ``manifest.json`` (Python or SQL model)."""
    if not path.exists():
        return {"elapsed_s": math.nan, "nodes": []}
    results = json.loads(path.read_text())
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
                "path": meta.get("original_file_path", ""),
                "status": item["status"],
                "seconds": round(float(item["execution_time"]), 3),
                "started": min(stamps) if stamps else None,
                "completed": max(stamps) if stamps else None,
            }
        )
    return {"elapsed_s": float(results.get("elapsed_time", math.nan)), "nodes": nodes}


def add_node_rss(nodes: list[dict[str, Any]], timeline: list[tuple[int, int]]) -> None:
    """Set each node's ``peak_rss_bytes``: the peak RSS of the process tree while it ran."""
    for node in nodes:
        if node.get("started") is None:
            continue
        end = node.get("completed") or math.inf
        during = [rss for second, rss in timeline if node["started"] - 1 <= second <= end]
        node["peak_rss_bytes"] = max(during) if during else None


def query_warehouse(path: Path, sql: str) -> list[tuple] | None:
    """Rows of ``sql`` on a built warehouse (read-only); None when it is missing or fails."""

    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql(sql).fetchall()
    except duckdb.Error as exc:
        log(f"cannot query {path}: {exc}")
        return None


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
    """Delete a run's DuckDB files (and spill folder) once measured, to bound disk use."""
    for path in run_dir.glob("olist.duckdb*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
