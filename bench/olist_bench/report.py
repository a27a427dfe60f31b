"""The Markdown report (bench/RESULTS.md) rendered from the records of the scales measured.

One function per section; each returns its lines, and :func:`render_report` joins them. The
report must stay readable when a step failed or a scale was skipped, so every number may be
missing and every table says why. The time profile of the builds is in :mod:`.report_time`.
"""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Any

from olist_bench.metrics import (
    STEPS,
    Metrics,
    cell,
    get_in,
    gib_text,
    int_text,
    machine_info,
    options_text,
    ratio_of,
    ratio_text,
    seconds_text,
    verdict_text,
)
from olist_bench.report_time import time_sections
from olist_bench.settings import (
    GIB,
    TARGET_FIRST_100X_RSS,
    TARGET_GROWTH,
    TARGET_NIGHTLY_FLOOR,
    TARGET_NIGHTLY_FLOOR_SCALES,
    TARGET_NIGHTLY_PANDAS,
    TARGET_NIGHTLY_RETRAIN,
    TARGET_NIGHTLY_RETRAIN_SCALES,
    TARGET_RETRAIN_100X_RSS,
    TARGET_RETRAIN_100X_S,
    psutil,
)

Records = list[dict[str, Any]]


def _demo_scales(metrics: list[Metrics]) -> list[Metrics]:
    """The demo scales (not ``real``), smallest first: consecutive pairs show the scaling."""
    return sorted((m for m in metrics if m.factor), key=lambda m: m.factor or 0)


def _header(records: Records, metrics: list[Metrics], argv: list[str], scales: str) -> list[str]:
    machine = machine_info()
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    rss_method = (
        "psutil: RSS summed over the process tree, sampled every 0.2 s"
        if psutil
        else "/usr/bin/time -v: largest single process"
    )
    lines = [
        "# Benchmark: the nightly atomic build against a DuckDB floor and a pandas notebook",
        "",
        f"Generated {now} by `{shlex.join(['python', 'bench/run_bench.py', *argv])}`. "
        f"Reproduce with `make bench BENCH_SCALES={scales}` (`BENCH_ARGS=` the options of "
        "each scale, in the table below).",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        f"| peak RSS | {rss_method} |",
        "",
        "| scale | measured at | options | dbt threads | code (sha256, newest change) "
        "| load average before (1/5/15 min) | other processes' CPU during our runs |",
        "|---|---|---|--:|---|---|---|",
    ]
    for r, m in zip(records, metrics, strict=True):
        load = r.get("load_before") or []
        others = ", ".join(f"{v:.2f}" for v in m.other_cores) or "–"
        code = r.get("code") or {}
        lines.append(
            f"| {r['scale']} | {r.get('measured_at', '?')} | {options_text(r.get('argv'))} "
            f"| {r.get('threads', '?')} | {code.get('sha256', '?')}, "
            f"{code.get('newest_change', '?')} | {' / '.join(f'{v:.2f}' for v in load) or '–'} "
            f"| {others} cores |"
        )
    if len({(r.get("code") or {}).get("sha256") for r in records}) > 1:
        lines += [
            "",
            "**Warning: the scales were measured on different versions of the project's code**; "
            "compare them with care (rerun with the same code for a clean comparison).",
        ]
    return lines


def _results(records: Records, metrics: list[Metrics]) -> list[str]:
    lines = [
        "",
        "## Results",
        "",
        "Wall seconds of each whole process, page cache warm. *Floor* = DuckDB alone: typed read "
        "of the 8 raw files into tables + the RFM features per person (*scan floor* = counting "
        "their rows as text). *First build* = `python -m olist_segmentation.build` on a fresh "
        "warehouse (search + retrain), *nightly* = the same command again (no retrain due), "
        "*retrain* = again with `--vars '{segment_retrain: true}'` (the champion's configuration "
        "refitted, no search). *pandas* = `baseline_notebook.py` (read + RFM + KMeans), the "
        "whole process.",
        "",
        "| scale | orders | customers (dbt / floor / pandas) | scan floor "
        "| floor (typed read + RFM) | first build | nightly | retrain | pandas "
        "| nightly / floor | retrain / floor | nightly / retrain | nightly / pandas |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r, m in zip(records, metrics, strict=True):
        customers = " / ".join(
            int_text(n) for n in (m.n_customers, m.n_customers_floor, m.n_customers_baseline)
        )
        walls = " | ".join(cell(r, step, seconds_text(m.wall[step])) for step in STEPS)
        nightly = m.wall["build_nightly"]
        ratios = " | ".join(
            ratio_text(ratio_of(a, b))
            for a, b in (
                (nightly, m.wall["floor"]),
                (m.wall["build_retrain"], m.wall["floor"]),
                (nightly, m.wall["build_retrain"]),
                (nightly, m.wall["baseline"]),
            )
        )
        lines.append(
            f"| {m.scale} | {int_text(m.n_orders)} | {customers} | "
            f"{cell(r, 'scan', seconds_text(m.scan_s))} | {walls} | {ratios} |"
        )
    lines += [
        "",
        "| scale | raw → RFM + decision (nightly's decide run: wall / dbt exec) "
        "| floor inside DuckDB (typed read / RFM) "
        "| nightly check (monitoring: retrain_due, is_promoted) "
        "| search cost (first build / retrain build) | stability study cost (retrain build) |",
        "|---|--:|--:|---|--:|--:|",
    ]
    for r, m in zip(records, metrics, strict=True):
        monitoring = (r.get("build_nightly") or {}).get("monitoring")
        check = "–"
        if monitoring:
            ok = (r.get("build_nightly") or {}).get("path_ok")
            check = (
                f"{'ok' if ok else '**not a nightly**'}: {monitoring['retrain_due']}, "
                f"{monitoring['is_promoted']}"
            )
        floor = get_in(r, "floor", "result") or {}
        lines.append(
            f"| {m.scale} | {seconds_text(m.decide_s)} / {seconds_text(m.decide_exec_s)} "
            f"| {seconds_text(floor.get('read'))} / {seconds_text(floor.get('rfm'))} "
            f"| {check} | {seconds_text(m.search_s)} / {seconds_text(m.search_retrain_s)} "
            f"| {seconds_text(m.stability_s)} |"
        )
    lines += [
        "",
        "*Search cost* = node time of `segment_model_selection_computed` (the forced retrain "
        "runs no grid: its figure is the node's fixed cost); *stability study cost* = node "
        "times of int_stability_reference_model, int_segment_stability_measured, "
        "segment_stability*, segment_transitions, customer_rfm_history and "
        "maintenance_contract* (sums of node times: with 2 dbt threads they may overlap).",
    ]
    return lines


def _resources(records: Records, metrics: list[Metrics]) -> list[str]:
    """Peak RSS and CPU seconds of every step."""
    header = " | ".join(STEPS.values())
    lines = [
        "",
        "### Peak RSS and CPU",
        "",
        "Peak RSS of the whole process tree; CPU = user + system seconds of the tree (start-up "
        "included), less disturbed than wall time when others share the machine.",
        "",
        f"| scale | RSS: {header.replace(' | ', ' | RSS: ')} | CPU: "
        f"{header.replace(' | ', ' | CPU: ')} |",
        "|---|" + "--:|" * (2 * len(STEPS)),
    ]
    for r, m in zip(records, metrics, strict=True):
        rss = " | ".join(gib_text(m.rss[step]) for step in STEPS)
        cpu = " | ".join(cell(r, step, seconds_text(m.cpu[step])) for step in STEPS)
        lines.append(f"| {m.scale} | {rss} | {cpu} |")
    return lines


def _scaling(metrics: list[Metrics]) -> list[str]:
    """Growth between consecutive demo scales."""
    demo = _demo_scales(metrics)
    if len(demo) < 2:
        return []
    lines = [
        "",
        "### Scaling",
        "",
        "| step | data | " + " | ".join(STEPS.values()) + " |",
        "|---|--:|" + "--:|" * len(STEPS),
    ]
    for low, high in zip(demo, demo[1:], strict=False):
        growth = " | ".join(ratio_text(ratio_of(high.wall[step], low.wall[step])) for step in STEPS)
        data = ratio_text(ratio_of(high.n_orders, low.n_orders))
        lines.append(f"| {high.scale} / {low.scale} | {data} | {growth} |")
    return lines


def _verdict(value: float | None, limit: float) -> str:
    return verdict_text(None if value is None else value <= limit)


def _targets(metrics: list[Metrics]) -> list[str]:
    by_scale = {m.scale: m for m in metrics}
    lines = ["", "## Targets", "", "| target | scale | measured | verdict |", "|---|---|--:|---|"]

    def wall(scale: str, step: str) -> float | None:
        m = by_scale.get(scale)
        return m.wall[step] if m else None

    for scale in TARGET_NIGHTLY_FLOOR_SCALES:
        ratio = ratio_of(wall(scale, "build_nightly"), wall(scale, "floor"))
        lines.append(
            f"| nightly build ≤ {TARGET_NIGHTLY_FLOOR:g}× the floor | {scale} "
            f"| {ratio_text(ratio)} | {_verdict(ratio, TARGET_NIGHTLY_FLOOR)} |"
        )
    ratio = ratio_of(wall("real", "build_nightly"), wall("real", "baseline"))
    lines.append(
        f"| nightly build ≤ {TARGET_NIGHTLY_PANDAS:g}× the pandas notebook (whole process) "
        f"| real | {ratio_text(ratio)} | {_verdict(ratio, TARGET_NIGHTLY_PANDAS)} |"
    )
    for scale in TARGET_NIGHTLY_RETRAIN_SCALES:
        ratio = ratio_of(wall(scale, "build_nightly"), wall(scale, "build_retrain"))
        lines.append(
            f"| nightly build ≤ {TARGET_NIGHTLY_RETRAIN:g}× the retrain build | {scale} "
            f"| {ratio_text(ratio)} | {_verdict(ratio, TARGET_NIGHTLY_RETRAIN)} |"
        )
    hundred = by_scale.get("100x")
    retrain_s = wall("100x", "build_retrain")
    retrain_rss = hundred.rss["build_retrain"] if hundred else None
    ok = None
    if retrain_s is not None and retrain_rss:
        ok = retrain_s <= TARGET_RETRAIN_100X_S and retrain_rss <= TARGET_RETRAIN_100X_RSS
    elif retrain_rss and retrain_rss > TARGET_RETRAIN_100X_RSS:
        ok = False  # stopped or failed, but already above the memory limit
    lines.append(
        f"| retrain build ≤ {TARGET_RETRAIN_100X_S / 60:g} min with peak RSS ≤ "
        f"{TARGET_RETRAIN_100X_RSS / GIB:g} GiB | 100x | {seconds_text(retrain_s)} s, "
        f"{gib_text(retrain_rss)} | {verdict_text(ok)} |"
    )
    for step in ("floor", "build_nightly", "build_retrain"):
        growth = ratio_of(wall("100x", step), wall("10x", step))
        lines.append(
            f"| {STEPS[step]} grows ≤ {TARGET_GROWTH:g}× | 100x / 10x | {ratio_text(growth)} "
            f"| {_verdict(growth, TARGET_GROWTH)} |"
        )
    first_s = wall("100x", "build_first")
    first_rss = hundred.rss["build_first"] if hundred else None
    if first_rss and first_rss > TARGET_FIRST_100X_RSS:
        verdict = verdict_text(False)
    elif first_s is not None and first_rss:
        verdict = verdict_text(True)
    elif first_rss:
        verdict = "**FAIL** (did not complete)"
    else:
        verdict = verdict_text(None)
    lines.append(
        f"| first build completes with peak RSS ≤ {TARGET_FIRST_100X_RSS / GIB:g} GiB | 100x "
        f"| {seconds_text(first_s)} s, {gib_text(first_rss)} | {verdict} |"
    )
    return lines


def _notes_and_failures(records: Records) -> list[str]:
    lines: list[str] = []
    notes = [(r["scale"], note) for r in records for note in r.get("notes", [])]
    failures = [(r["scale"], f) for r in records for f in r.get("failures", [])]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {scale}: {note}" for scale, note in notes]
    if failures:
        lines += ["", "## Failures", ""]
        by_label = {r["scale"]: r for r in records}
        for scale, failure in failures:
            why = cell(by_label[scale], failure.get("run") or failure["step"], "").strip("–")
            lines += [f"### {scale}: {failure['step']}" + (f" — {why}" if why else ""), ""]
            lines += ["```", failure["tail"] or "(no output)", "```", ""]
    return lines


_METHOD = [
    "",
    "## Method",
    "",
    "- Demo data: `python -m olist_segmentation.demo --customers 96096×N --seed 42`; "
    "`real` = the Kaggle files (`OLIST_REAL_DATA_DIR`, default `../shared/data/olist`).",
    "- Per scale, in this order, each step its own process: the scan floor twice (the first "
    "run warms the page cache and is not reported), the floor, the first build, the nightly "
    "build, the retrain build, the pandas baseline.",
    "- The floor (`olist_bench/floor.py typed`, imports only DuckDB) reads each raw file with "
    "`read_csv(..., columns = {...})`, the types of the sources yml (text → VARCHAR, integer, "
    "double, money → DECIMAL(18,2), timestamp, date), into a table, then computes a "
    "simplified `customer_rfm`: delivered orders known as delivered (delivery date, else the "
    "promised date) before the reference date = the day after the last delivered purchase; per "
    "`customer_unique_id`: recency_days, frequency, monetary (sum of payments), latest state, "
    "r/f/m quintile scores. It leaves out rejects, de-duplication, tests, reviews, delivery and "
    "category features and the segment rules.",
    "- The three builds run `python -m olist_segmentation.build` with OLIST_DATA_DIR, "
    "OLIST_DUCKDB_PATH, OLIST_EXPORT_DIR, DBT_TARGET_PATH and DBT_LOG_PATH in one folder of the "
    "work directory, kept from build to build (same warehouse, dbt's partial parse, as a "
    "nightly job). After each, the latest `marts.segment_model_monitoring` row (by built_at) is "
    "read: a nightly must say retrain_due false (else its figures are left out), the others "
    "true. Per dbt run, nodes come from `run_results.<label>.json`; the build's phases from its "
    "`[build]` lines on stderr, stamped by the driver as they arrive.",
    "- The baseline (`bench/baseline_notebook.py`) uses the k and feature set the first build "
    "chose, fits KMeans(n_init=10, seed 42) on every customer, and skips what the dbt project "
    "adds: typing with rejects, de-duplication, tests, the k search, registry, history, "
    "stability and explanation marts.",
    "- *Other processes' CPU* = busy cores of the machine minus the cores our process used, "
    "per run (builds, baseline): above ~0.3 the timings are disturbed.",
]


def render_report(records: Records, argv: list[str], scales: str) -> str:
    """The whole report; ``argv`` and ``scales`` go into its reproduce line."""
    metrics = [Metrics.of(r) for r in records]
    lines = _header(records, metrics, argv, scales)
    lines += _results(records, metrics)
    lines += _resources(records, metrics)
    lines += _scaling(metrics)
    lines += _targets(metrics)
    lines += time_sections(records, [m.scale for m in _demo_scales(metrics)])
    lines += _notes_and_failures(records)
    lines += _METHOD
    return "\n".join(lines) + "\n"
