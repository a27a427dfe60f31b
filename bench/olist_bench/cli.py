"""The driver's command line: measure each scale, save its record, write the report."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from olist_bench.data import parse_scale
from olist_bench.report import render_report
from olist_bench.scale import run_scale
from olist_bench.settings import GIB, REPO_ROOT, log, psutil


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The options, with the derived ones (RSS limit in bytes, data root, list of scales)."""
    parser = argparse.ArgumentParser(
        description="The atomic nightly build vs a DuckDB floor and a pandas notebook."
    )
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
    """Run the scales asked for; 0 when none had a failure (always 0 with --report-only)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = parse_args(argv)
    opts.argv = argv
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
