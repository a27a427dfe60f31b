"""Our atomic build (``python -m olist_segmentation.build``), measured as the nightly job runs it.

One build is one measured process: it copies the warehouse (a night) or starts from a new file
whose dbt runs keep only what persists (a forced retrain), runs dbt twice in one child process
(``decide``, then ``nightly`` or ``retrain``), exports Parquet and swaps the file in. The
record of a build holds its wall time, CPU and peak RSS, each dbt run's nodes
(``run_results.<label>.json``) and the phases read from the build's ``[build]`` progress lines
on stderr, stamped as they arrive.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import Any

from olist_bench.dbt_runs import add_node_rss, dbt_env, nodes_from_log, read_run_results
from olist_bench.measure import Limits, Measured, run_measured
from olist_bench.settings import GIB

RUN_LABELS = ("selection", "decide", "nightly", "retrain")
# Models of the stability study (the retrain path only) and of the k search.
STABILITY_MODELS = {
    "int_stability_reference_model",
    "int_segment_stability_measured",
    "segment_transitions",
    "customer_rfm_history",
}
STABILITY_PREFIXES = ("segment_stability", "maintenance_contract")
SEARCH_MODELS = {"segment_model_selection_computed"}
FIT_MODELS = {
    "int_segment_model_fitted",
    "int_clustering_compared",
    "clustering_comparison",
    "clustering_comparison_segments",
}
SCORING_MODELS = {"customer_segments", "segment_centroids"}
#: The groups of "where the time goes", in the report's order.
NODE_GROUPS = (
    "on-run-start (raw file load)",
    "staging models",
    "RFM models",
    "decision and registry",
    "scoring",
    "search (k, features)",
    "fits and comparison",
    "stability study",
    "explanations",
    "other models",
    "seeds",
    "snapshot",
    "tests",
    "on-run-end",
)
_START = re.compile(r"^\[build\] (\w+): dbt build(?! succeeded in)")
_END = re.compile(r"^\[build\] (\w+): dbt build succeeded in")
_KEPT = re.compile(r"Kept from the previous build \((?:needed|rest), ([\d.]+) s\)")


def node_group(node: dict[str, Any]) -> str:
    """The group of a node in "where the time goes" (by kind, name and file)."""
    kind, name, path = node["kind"], node["name"], node.get("path") or ""
    if kind == "operation":
        return (
            "on-run-start (raw file load)" if "on-run-start" in node["unique_id"] else "on-run-end"
        )
    if kind in ("test", "unit_test"):
        return "tests"
    if kind in ("seed", "snapshot"):
        return {"seed": "seeds", "snapshot": "snapshot"}[kind]
    if name in STABILITY_MODELS or name.startswith(STABILITY_PREFIXES):
        return "stability study"
    if name in SEARCH_MODELS:
        return "search (k, features)"
    if name in FIT_MODELS:
        return "fits and comparison"
    if name in SCORING_MODELS:
        return "scoring"
    if path.startswith("models/staging"):
        return "staging models"
    if path.startswith("models/intermediate/orders") or name == "customer_rfm":
        return "RFM models"
    if "/registry/" in path:
        return "decision and registry"
    if "/explain/" in path:
        return "explanations"
    return "other models"


def build_phases(measured: Measured, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Seconds of the build's phases from its stamped ``[build]`` lines (empty when none).

    ``startup_s``: Python start-up and imports before the first line; ``copy_s``: the warehouse
    copy (a night) and the start of the dbt child process, up to the parse (or the first dbt run);
    ``parse_s``: the project's parse that both runs share; ``keep_s``:
    tables kept from the published warehouse by the dbt runs' hooks (their "Kept from the
    previous build" lines, inside the runs' execution);
    per dbt run its wall time (``run_wall_s``); ``between_s``: reading the decision between runs;
    ``export_s``: Parquet export, checkpoint and swap after the last run; ``exit_s``: the rest,
    to the process end.
    """
    lines = [(t, text) for t, text in measured.stderr_lines if text.startswith("[build] ")]
    if not lines:
        return {}
    starts = {m[1]: t for t, text in lines if (m := _START.match(text))}
    ends = {m[1]: t for t, text in lines if (m := _END.match(text))}
    published = next((t for t, text in lines if text.startswith("[build] published ")), None)
    end = measured.started_epoch + measured.wall_s
    phases: dict[str, Any] = {"startup_s": lines[0][0] - measured.started_epoch}
    kept = [float(m[1]) for m in _KEPT.finditer(measured.stdout())]
    if kept:
        phases["keep_s"] = sum(kept)
    parse_start = next((t for t, text in lines if text.startswith("[build] parse: ")), None)
    if starts:
        first_run = min(starts.values())
        if parse_start is None:
            phases["copy_s"] = first_run - lines[0][0]
        else:
            phases["copy_s"] = parse_start - lines[0][0]
            phases["parse_s"] = first_run - parse_start
    phases["run_wall_s"] = {label: ends[label] - starts[label] for label in starts if label in ends}
    ordered = sorted(starts, key=starts.get)
    if len(ordered) == 2 and ordered[0] in ends:
        phases["between_s"] = starts[ordered[1]] - ends[ordered[0]]
    if published is not None and ends:
        phases["export_s"] = published - max(ends.values())
        phases["exit_s"] = end - published
    for label, wall in phases["run_wall_s"].items():
        elapsed = (runs.get(label) or {}).get("elapsed_s")
        if elapsed is not None and not math.isnan(elapsed):
            phases.setdefault("dbt_startup_s", {})[label] = wall - elapsed
    return phases


def _read_runs(measured: Measured, target: Path) -> dict[str, dict[str, Any]]:
    """The dbt runs of this build: ``run_results.<label>.json`` written since it started, and a
    failed run's plain ``run_results.json`` (else its nodes from dbt's output) as ``failed``."""
    runs: dict[str, dict[str, Any]] = {}
    since = measured.started_epoch - 1
    manifest = target / "manifest.json"
    for label in RUN_LABELS:
        path = target / f"run_results.{label}.json"
        if path.exists() and path.stat().st_mtime >= since:
            runs[label] = read_run_results(path, manifest)
    plain = target / "run_results.json"
    if not measured.ok:
        if plain.exists() and plain.stat().st_mtime >= since:
            copies = [target / f"run_results.{label}.json" for label in runs]
            if not any(p.read_bytes() == plain.read_bytes() for p in copies):
                runs["failed"] = read_run_results(plain, manifest)
        if not runs:
            ended = measured.started_epoch + measured.wall_s
            nodes = nodes_from_log(measured.stdout(), measured.started_epoch, ended)
            runs["failed"] = {"elapsed_s": math.nan, "nodes": nodes, "source": "dbt output"}
    for run in runs.values():
        add_node_rss(run["nodes"], measured.rss_timeline)
        for node in run["nodes"]:
            node["group"] = node_group(node)
    return runs


def run_build(
    label: str,
    dbt_args: list[str],
    *,
    data_dir: Path,
    run_dir: Path,
    opts: argparse.Namespace,
    step: str,
) -> tuple[Measured, dict[str, Any]]:
    """``python -m olist_segmentation.build DBT_ARGS`` into ``run_dir/olist.duckdb``.

    The warehouse, target, logs and exports of ``run_dir`` are kept between builds (a nightly
    build runs on the warehouse of the night before, with dbt's partial parse). Returns the
    measurement and its record entry: runs, nodes, phases, the path taken (``nightly`` or
    ``retrain``).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    measured = run_measured(
        label,
        [sys.executable, "-m", "olist_segmentation.build", *dbt_args],
        run_dir.parent / "output",
        step=step,
        env=dbt_env(data_dir, run_dir, opts.threads),
        limits=Limits(
            timeout_s=opts.timeout_min * 60,
            quiet_wait_s=opts.wait_quiet_min * 60,
            rss_limit_bytes=opts.rss_limit_bytes,
            min_free_disk_bytes=int(opts.min_free_disk_gib * GIB),
            disk_path=run_dir,
        ),
        stamp_stderr=True,
    )
    runs = _read_runs(measured, run_dir / "target")
    path = next((name for name in ("nightly", "retrain", "selection") if name in runs), None)
    entry = {
        "dbt_args": dbt_args,
        "runs": runs,
        "path": path,
        "elapsed_s": sum(
            run["elapsed_s"] for run in runs.values() if not math.isnan(run["elapsed_s"])
        ),
        "phases": build_phases(measured, runs),
    }
    return measured, entry


def group_seconds(entry: dict[str, Any] | None, group: str) -> float | None:
    """Sum of the node seconds of one group over a build's runs; None without runs."""
    runs = (entry or {}).get("runs") or {}
    if not runs:
        return None
    return sum(
        node["seconds"]
        for run in runs.values()
        for node in run["nodes"]
        if node.get("group", node_group(node)) == group
    )
