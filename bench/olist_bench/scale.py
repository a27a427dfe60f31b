"""One scale: the floor, our full build, our raw -> RFM build and the baseline, in that order.

Everything measured goes into one JSON-able record per scale; a failed step is recorded with
the tail of its output and the next steps still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from olist_bench.data import prepare_demo_data, project_fingerprint, raw_stems, real_data_dir
from olist_bench.dbt_runs import dbt_run, drop_warehouse, query_warehouse
from olist_bench.measure import Limits, Measured, last_json, run_measured
from olist_bench.settings import (
    BASELINE,
    FALLBACK_FEATURES,
    FALLBACK_K,
    FLOOR_SCRIPT,
    log,
)

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


def _measure_floor(
    label: str, data_dir: Path, opts: argparse.Namespace, record: dict[str, Any]
) -> None:
    """The floor, twice: the first run warms the page cache for everything that follows."""
    floor_cmd = [sys.executable, str(FLOOR_SCRIPT), str(data_dir), *raw_stems()]
    for attempt in ("floor_cold", "floor"):
        floor = run_measured(
            attempt,
            floor_cmd,
            opts.work / label / "output",
            step=f"{label} | {attempt.replace('_', ' ')}",
            limits=Limits(quiet_wait_s=opts.wait_quiet_min * 60),
        )
        record[attempt] = {**summarize(floor), "result": last_json(floor.stdout())}
        if not floor.ok:
            record["failures"].append({"step": attempt, "tail": floor.tail})
            break
    floor_result = (record.get("floor") or {}).get("result") or {}
    if floor_result:
        record["raw_rows"] = {k: v["rows"] for k, v in floor_result["files"].items()}


def _measure_builds(
    label: str, data_dir: Path, opts: argparse.Namespace, record: dict[str, Any]
) -> None:
    """Our full build, then our raw -> RFM mart, each on a fresh warehouse."""
    scale_dir = opts.work / label
    full, full_results, full_dir = dbt_run(
        "dbt_full",
        ["build"],
        data_dir=data_dir,
        scale_dir=scale_dir,
        opts=opts,
        step=f"{label} | dbt build (full)",
    )
    record["dbt_full"] = {**summarize(full), **full_results}
    if not full.ok:
        record["failures"].append({"step": "dbt build", "tail": full.tail})
    warehouse = full_dir / "olist.duckdb"
    chosen = query_warehouse(
        warehouse,
        "select feature_set, features, k from marts.segment_model_selection where is_chosen",
    )
    counted = query_warehouse(warehouse, _COUNT_RFM_CUSTOMERS)
    if chosen:
        feature_set, features, k = chosen[0]
        record["chosen"] = {"feature_set": feature_set, "features": features, "k": k}
    else:
        record["chosen"] = {"feature_set": None, "features": FALLBACK_FEATURES, "k": FALLBACK_K}
        record["notes"].append(
            f"our build chose no k: the baseline used k={FALLBACK_K} on {FALLBACK_FEATURES}"
        )
    if counted:
        record["customers_rfm"] = counted[0][0]
    if not opts.keep_warehouses:
        drop_warehouse(full_dir)

    # Models and tests up to customer_rfm.
    rfm, rfm_results, rfm_dir = dbt_run(
        "dbt_rfm",
        ["build", "--select", "+customer_rfm", "--indirect-selection", "buildable"],
        data_dir=data_dir,
        scale_dir=scale_dir,
        opts=opts,
        step=f"{label} | dbt build --select +customer_rfm",
    )
    record["dbt_rfm"] = {**summarize(rfm), **rfm_results}
    if not rfm.ok:
        record["failures"].append({"step": "dbt build --select +customer_rfm", "tail": rfm.tail})
    if "customers_rfm" not in record:
        counted = query_warehouse(rfm_dir / "olist.duckdb", _COUNT_RFM_CUSTOMERS)
        if counted:
            record["customers_rfm"] = counted[0][0]
    if not opts.keep_warehouses:
        drop_warehouse(rfm_dir)


def _measure_baseline(
    label: str, data_dir: Path, opts: argparse.Namespace, record: dict[str, Any]
) -> None:
    """The pandas-notebook baseline with the k and feature set our build chose."""
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
