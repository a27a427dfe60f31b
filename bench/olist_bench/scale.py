"""One scale: the floors, our first, nightly and retrain builds, and the baseline, in that order.

Everything measured goes into one JSON-able record per scale; a failed step is recorded with
the tail of its output and the next steps still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from olist_bench.builds import run_build
from olist_bench.data import prepare_demo_data, project_fingerprint, raw_stems, real_data_dir
from olist_bench.dbt_runs import drop_warehouse, query_warehouse
from olist_bench.measure import Limits, Measured, last_json, run_measured
from olist_bench.metrics import get_in
from olist_bench.settings import (
    BASELINE,
    FALLBACK_FEATURES,
    FALLBACK_K,
    FLOOR_SCRIPT,
    log,
)
from olist_segmentation.raw_schema import load_raw_schema

_COUNT_RFM_CUSTOMERS = "select count(*) from marts.customer_rfm"


def summarize(measured: Measured) -> dict[str, Any]:
    """A measurement as a record entry (with its verdict, without the command line)."""
    data = asdict(measured)
    data["ok"] = measured.ok
    data["other_cores"] = measured.other_cores
    data.pop("command")
    return data


def _data_dir(
    label: str, factor: float | None, opts: argparse.Namespace, record: dict[str, Any]
) -> Path | None:
    """The folder of raw files of this scale, or None (with a note) when there is none."""
    if factor is None:
        data_dir = real_data_dir()
        if not data_dir.is_dir() or not list(data_dir.glob("olist_orders_dataset.csv*")):
            record["notes"].append(f"skipped: the real data is not in {data_dir}")
            log(f"{label}: no real data in {data_dir}, skipped")
            return None
        return data_dir
    return prepare_demo_data(factor, opts, opts.work / label, record)


def _floor_schema() -> str:
    """The column types of the raw files, from the sources yml, as the floor script reads them."""
    tables = load_raw_schema().values()
    return json.dumps({t.file_stem: [[c.name, c.type] for c in t.columns] for t in tables})


def _measure_floor(
    label: str, data_dir: Path, opts: argparse.Namespace, record: dict[str, Any]
) -> None:
    """The scan floor twice (the first run warms the page cache for everything that follows),
    then the floor: typed read + RFM."""
    scan_cmd = [sys.executable, str(FLOOR_SCRIPT), "scan", str(data_dir), *raw_stems()]
    typed_cmd = [sys.executable, str(FLOOR_SCRIPT), "typed", str(data_dir), _floor_schema()]
    for attempt, command, name in (
        ("scan_cold", scan_cmd, "scan floor (warms the cache)"),
        ("scan", scan_cmd, "scan floor"),
        ("floor", typed_cmd, "floor: typed read + RFM"),
    ):
        floor = run_measured(
            attempt,
            command,
            opts.work / label / "output",
            step=f"{label} | {name}",
            limits=Limits(
                quiet_wait_s=opts.wait_quiet_min * 60, rss_limit_bytes=opts.rss_limit_bytes
            ),
        )
        record[attempt] = {**summarize(floor), "result": last_json(floor.stdout())}
        if not floor.ok:
            record["failures"].append({"step": name, "run": attempt, "tail": floor.tail})
            if attempt == "scan_cold":
                break
    for attempt in ("scan", "floor"):
        files = get_in(record, attempt, "result", "files")
        if files and "raw_rows" not in record:
            record["raw_rows"] = {k: v["rows"] for k, v in files.items()}


#: The three builds of a scale, in order, into the same warehouse.
BUILDS = (
    ("build_first", [], "first build (fresh warehouse)", "retrain"),
    ("build_nightly", [], "nightly build (no retrain due)", "nightly"),
    ("build_retrain", ["--vars", "{segment_retrain: true}"], "forced retrain build", "retrain"),
)


def _check_path(record: dict[str, Any], key: str, expected: str, entry: dict[str, Any]) -> None:
    """Note a build that took another path than expected, and its monitoring row."""
    row = query_warehouse(
        Path(record["warehouse"]),
        "select retrain_due, is_promoted, reason, champion_model_version"
        " from marts.segment_model_monitoring order by built_at desc limit 1",
    )
    if row:
        due, promoted, reason, champion = row[0]
        entry["monitoring"] = {
            "retrain_due": due,
            "is_promoted": promoted,
            "reason": reason,
            "champion_model_version": champion,
        }
    monitored = (entry.get("monitoring") or {}).get("retrain_due")
    wanted_due = expected == "retrain"
    entry["path_ok"] = entry.get("path") == expected and monitored == wanted_due
    if not entry["path_ok"]:
        record["notes"].append(
            f"{key}: expected the {expected} path (monitoring retrain_due {wanted_due}), got "
            f"the {entry.get('path')} path with retrain_due {monitored}: its figures are not "
            f"counted as a {expected} build"
        )


def _measure_builds(
    label: str, data_dir: Path, opts: argparse.Namespace, record: dict[str, Any]
) -> None:
    """First build on a fresh warehouse, then a nightly and a forced retrain into it."""
    run_dir = opts.work / label / "build"
    shutil.rmtree(run_dir, ignore_errors=True)  # a fresh warehouse, target and logs
    record["warehouse"] = str(run_dir / "olist.duckdb")
    for key, dbt_args, name, expected in BUILDS:
        measured, entry = run_build(
            key, dbt_args, data_dir=data_dir, run_dir=run_dir, opts=opts, step=f"{label} | {name}"
        )
        record[key] = {**summarize(measured), **entry}
        if not measured.ok:
            record["failures"].append({"step": name, "run": key, "tail": measured.tail})
            break
        _check_path(record, key, expected, record[key])
        if key == "build_first":
            _record_chosen(record)
    if not opts.keep_warehouses:
        drop_warehouse(run_dir)


def _record_chosen(record: dict[str, Any]) -> None:
    """The k and features the first build chose (for the baseline) and its customer count."""
    warehouse = Path(record["warehouse"])
    chosen = query_warehouse(
        warehouse,
        "select feature_set, features, k from marts.segment_model_selection where is_chosen",
    )
    counted = query_warehouse(warehouse, _COUNT_RFM_CUSTOMERS)
    if chosen:
        feature_set, features, k = chosen[0]
        record["chosen"] = {"feature_set": feature_set, "features": features, "k": k}
    if counted:
        record["customers_rfm"] = counted[0][0]


def _measure_baseline(
    label: str, data_dir: Path, opts: argparse.Namespace, record: dict[str, Any]
) -> None:
    """The pandas-notebook baseline with the k and feature set our build chose."""
    if "chosen" not in record:
        record["chosen"] = {"feature_set": None, "features": FALLBACK_FEATURES, "k": FALLBACK_K}
        record["notes"].append(
            f"our build chose no k: the baseline used k={FALLBACK_K} on {FALLBACK_FEATURES}"
        )
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
        opts.work / label / "output",
        step=f"{label} | baseline (pandas notebook, k={chosen_cfg['k']})",
        limits=Limits(
            timeout_s=opts.timeout_min * 60,
            quiet_wait_s=opts.wait_quiet_min * 60,
            rss_limit_bytes=opts.rss_limit_bytes,
        ),
    )
    record["baseline"] = {**summarize(baseline), "result": last_json(baseline.stdout())}
    if not baseline.ok:
        record["failures"].append({"step": "baseline", "tail": baseline.tail})


def run_scale(label: str, factor: float | None, opts: argparse.Namespace) -> dict[str, Any]:
    """Measure one scale (``factor`` None = the real files) and return its record."""
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
    data_dir = _data_dir(label, factor, opts, record)
    if data_dir is None:
        return record
    record["data_dir"] = str(data_dir)
    record["data_bytes"] = sum(p.stat().st_size for p in data_dir.glob("*.csv*"))

    _measure_floor(label, data_dir, opts, record)
    _measure_builds(label, data_dir, opts, record)
    if opts.skip_baseline:
        record["notes"].append("baseline skipped (--skip-baseline)")
    else:
        _measure_baseline(label, data_dir, opts, record)

    if project_fingerprint() != record["code"]:
        record["notes"].append("the project's code changed while this scale ran")
    record["load_after"] = list(os.getloadavg())
    record["scale_wall_s"] = time.perf_counter() - scale_started
    log(f"=== scale {label} done in {record['scale_wall_s']:.0f}s ===")
    return record
