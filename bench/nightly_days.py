"""Replay the nightly job on consecutive days of real data into one warehouse, then a retrain.

    .venv/bin/python bench/nightly_days.py --data ../shared/data/olist --first 2018-06-01 \
        --days 7 --work /tmp/olist-nightly --out bench/NIGHTLY.md

Each day the export of that morning (olist_segmentation.demo.cut) is built with the atomic build,
exactly as `make build` runs it. Prints and writes, per night: the champion, whether a retrain was
due and why, customers moved (by behaviour or retrain), snapshot rows added and the build's wall
time; then the same for a forced retrain on the last day.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from olist_segmentation.build import run_build_process
from olist_segmentation.demo.cut import cut_at

REPO_ROOT = Path(__file__).resolve().parents[1]


def build(data: Path, warehouse: Path, *extra: str) -> float:
    started = time.perf_counter()
    completed = run_build_process(data_dir=data, warehouse=warehouse, dbt_args=extra)
    if completed.returncode != 0:
        raise SystemExit(completed.stderr[-3000:])
    return time.perf_counter() - started


def night_figures(
    warehouse: Path, snapshot_rows_before: int, customers_before: int
) -> dict[str, object]:
    """The night's verdict and counts. The snapshot only grows by moves and new customers, and
    customers never disappear from a growing export, so moves = rows added - new customers."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        monitoring = con.execute(
            "select champion_model_version, retrain_due, coalesce(reason, '') as reason, "
            "is_promoted, reference_date from marts.segment_model_monitoring "
            "order by built_at desc limit 1"
        ).fetchone()
        snapshot_rows = con.execute(
            "select count(*) from marts.customer_segments_snapshot"
        ).fetchone()[0]
        customers = con.execute("select count(*) from marts.customer_segments").fetchone()[0]
    return {
        "champion": monitoring[0],
        "retrain_due": monitoring[1],
        "reason": monitoring[2],
        "promoted": monitoring[3],
        "reference_date": monitoring[4],
        "customers": customers,
        "moved": snapshot_rows - snapshot_rows_before - (customers - customers_before),
        "new_customers": customers - customers_before,
        "snapshot_rows_added": snapshot_rows - snapshot_rows_before,
        "snapshot_rows": snapshot_rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--first", type=date.fromisoformat, default=date(2018, 6, 1))
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/olist-nightly"))
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "NIGHTLY.md")
    args = parser.parse_args(argv)
    warehouse = args.work / "warehouse" / "olist.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    if warehouse.exists():
        warehouse.unlink()
    rows = []
    snapshot_rows = 0
    customers = 0
    days = [args.first + timedelta(days=n) for n in range(args.days)]
    runs = [(day, ()) for day in days] + [(days[-1], ("--vars", "{segment_retrain: true}"))]
    for day, extra in runs:
        data = cut_at(args.data, day, args.work / f"cut_{day}")
        seconds = build(data, warehouse, *extra)
        figures = night_figures(warehouse, snapshot_rows, customers)
        snapshot_rows, customers = figures["snapshot_rows"], figures["customers"]
        figures.update(day=day, seconds=seconds, forced=bool(extra))
        rows.append(figures)
        print(
            f"{day}{' (forced retrain)' if extra else ''}: {figures['champion']} "
            f"due={figures['retrain_due']} ({figures['reason']}) moved {figures['moved']} "
            f"new {figures['new_customers']} snapshot "
            f"+{figures['snapshot_rows_added']} in {seconds:.0f}s",
            flush=True,
        )
    lines = [
        "# Nightly builds on real data",
        "",
        f"`bench/nightly_days.py --first {args.first} --days {args.days}`: the export of each "
        "morning built with the atomic build into one warehouse, then a forced retrain.",
        "",
        "| night | customers | champion | retrain due (why) | promoted | customers moved "
        "| new customers | snapshot rows added | build seconds |",
        "|---|--:|---|---|---|--:|--:|--:|--:|",
    ]
    for r in rows:
        night = f"{r['day']}{' forced retrain' if r['forced'] else ''}"
        lines.append(
            f"| {night} | {r['customers']:,} | {r['champion']} | {r['retrain_due']} "
            f"({r['reason'] or '-'}) | {r['promoted']} | {r['moved']:,} | "
            f"{r['new_customers']:,} | {r['snapshot_rows_added']:,} | {r['seconds']:.0f} |"
        )
    args.out.write_text("\n".join(lines) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
