"""The Markdown report (bench/RESULTS.md) rendered from the records of the scales measured.

One function per section; each returns its lines, and :func:`render_report` joins them. The
report must stay readable when a step failed or a scale was skipped, so every number may be
missing and every table says why.
"""

from __future__ import annotations

import datetime as dt
import shlex
from typing import Any

from olist_bench.metrics import (
    Metrics,
    cell,
    get_in,
    gib_text,
    int_text,
    machine_info,
    nodes_at_peak,
    options_text,
    ratio_of,
    ratio_text,
    seconds_text,
    time_by_kind,
    top_nodes,
    verdict_text,
)
from olist_bench.settings import (
    GIB,
    TARGET_BUILD_RATIO,
    TARGET_RFM_RATIO,
    TARGET_RSS_100X,
    TARGET_SCALING,
    TARGET_SCALING_BORDERLINE,
    psutil,
)

Records = list[dict[str, Any]]


def _demo_scales(metrics: list[Metrics]) -> list[Metrics]:
    """The demo scales (not ``real``), smallest first: consecutive pairs show the scaling."""
    return sorted((m for m in metrics if m.factor), key=lambda m: m.factor or 0)


def _header(records: Records, metrics: list[Metrics], argv: list[str], scales: str) -> list[str]:
    machine = machine_info()
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
        options = options_text(r.get("argv"))
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
    return lines


def _results(records: Records, metrics: list[Metrics]) -> list[str]:
    lines = [
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
        rfm = cell(r, "dbt_rfm", f"{seconds_text(m.rfm_s)} ({seconds_text(m.rfm_exec_s)})")
        full = cell(r, "dbt_full", f"{seconds_text(m.full_s)} ({seconds_text(m.full_exec_s)})")
        customers = f"{int_text(m.n_customers)} / {int_text(m.n_customers_baseline)}"
        lines.append(
            f"| {m.scale} | {int_text(m.n_orders)} | {customers} "
            f"| {seconds_text(m.floor_s)} | {rfm} "
            f"| {cell(r, 'baseline', seconds_text(m.base_rfm_s))} "
            f"| {ratio_text(ratio_of(m.rfm_s, m.base_rfm_s))} | {full} "
            f"| {cell(r, 'baseline', seconds_text(m.base_total_s))} "
            f"| {ratio_text(ratio_of(m.full_s, m.base_total_s))} "
            f"| {ratio_text(ratio_of(m.rfm_s, m.floor_s))} "
            f"| {gib_text(m.full_rss)} | {gib_text(m.base_rss)} |"
        )
    return lines


def _cpu(records: Records, metrics: list[Metrics]) -> list[str]:
    if not any(m.cpu.get("dbt_full") for m in metrics):
        return []
    lines = [
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
            step: m.cpu.get(step) if get_in(r, step, "ok") else None
            for step in ("floor", "dbt_rfm", "dbt_full", "baseline")
        }
        lines.append(
            f"| {m.scale} | {cell(r, 'floor', seconds_text(cpu['floor']))} "
            f"| {cell(r, 'dbt_rfm', seconds_text(cpu['dbt_rfm']))} "
            f"| {cell(r, 'dbt_full', seconds_text(cpu['dbt_full']))} "
            f"| {cell(r, 'baseline', seconds_text(cpu['baseline']))} "
            f"| {ratio_text(ratio_of(cpu['dbt_full'], cpu['baseline']))} |"
        )
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
        "| step | data | floor | our raw→RFM | our full build | full build, dbt exec "
        "| baseline raw→RFM | whole baseline |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for low, high in zip(demo, demo[1:], strict=False):
        lines.append(
            f"| {high.scale} / {low.scale} | {ratio_text(ratio_of(high.n_orders, low.n_orders))} "
            f"| {ratio_text(ratio_of(high.floor_s, low.floor_s))} "
            f"| {ratio_text(ratio_of(high.rfm_s, low.rfm_s))} "
            f"| {ratio_text(ratio_of(high.full_s, low.full_s))} "
            f"| {ratio_text(ratio_of(high.full_exec_s, low.full_exec_s))} "
            f"| {ratio_text(ratio_of(high.base_rfm_s, low.base_rfm_s))} "
            f"| {ratio_text(ratio_of(high.base_total_s, low.base_total_s))} |"
        )
    return lines


def _targets(metrics: list[Metrics]) -> list[str]:
    by_scale = {m.scale: m for m in metrics}
    lines = ["", "## Targets", "", "| target | scale | measured | verdict |", "|---|---|--:|---|"]
    real = by_scale.get("real")
    rfm_ratio = ratio_of(real.rfm_s, real.base_rfm_s) if real else None
    lines.append(
        f"| real data raw→RFM ≤ {TARGET_RFM_RATIO:g}× baseline | real | {ratio_text(rfm_ratio)} | "
        f"{verdict_text(None if rfm_ratio is None else rfm_ratio <= TARGET_RFM_RATIO)} |"
    )
    for m in metrics:
        ratio = ratio_of(m.full_s, m.base_total_s)
        lines.append(
            f"| full dbt build ≤ {TARGET_BUILD_RATIO:g}× whole baseline | {m.scale} "
            f"| {ratio_text(ratio)} "
            f"| {verdict_text(None if ratio is None else ratio <= TARGET_BUILD_RATIO)} |"
        )
    one, ten = by_scale.get("1x"), by_scale.get("10x")
    growth = ratio_of(ten.full_s, one.full_s) if one and ten else None
    if growth is None:
        verdict = verdict_text(None)
    elif growth <= TARGET_SCALING:
        verdict = verdict_text(True)
    elif growth <= TARGET_SCALING_BORDERLINE:
        verdict = "borderline (≤ 11×)"
    else:
        verdict = verdict_text(False)
    lines.append(
        f"| 1×→10× full build grows ≤ ~10× | 10x / 1x | {ratio_text(growth)} | {verdict} |"
    )
    hundred = by_scale.get("100x")
    rss = hundred.full_rss if hundred else None
    if rss and rss >= TARGET_RSS_100X:
        verdict = verdict_text(False)
    elif rss and hundred and hundred.full_ok:
        verdict = verdict_text(True)
    elif rss:
        verdict = "incomplete: the build stopped before its end"
    else:
        verdict = verdict_text(None)
    lines.append(
        f"| 100× peak RSS < {TARGET_RSS_100X / GIB:g} GiB | 100x | {gib_text(rss)} | {verdict} |"
    )
    return lines


def _time_by_kind(records: Records, metrics: list[Metrics]) -> list[str]:
    """Time of the full build per node kind, against its wall time."""
    lines = ["", "## Where the time goes (full `dbt build`, run_results.json)", ""]
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
        wall, exec_s = get_in(r, "dbt_full", "wall_s"), get_in(r, "dbt_full", "elapsed_s")
        overhead = wall - exec_s if wall is not None and exec_s is not None else None
        lines.append(
            f"| {m.scale} | {seconds_text(wall)} | {seconds_text(overhead)} | "
            + " | ".join(seconds_text(totals.get(k)) for k in kinds)
            + " |"
        )
    lines += [
        "",
        "Sums of node times exceed the wall time when dbt runs nodes in parallel (threads).",
    ]
    return lines


def _slowest_nodes(record: dict[str, Any]) -> list[str]:
    """The slowest nodes of one scale's full build, and what ran at its peak RSS."""
    nodes = top_nodes(record)
    if not nodes:
        return []
    lines = [
        "",
        f"### Slowest 10 nodes at {record['scale']}",
        "",
        "| node | kind | status | s | peak RSS of the build while it ran |",
        "|---|---|---|--:|--:|",
    ]
    lines += [
        f"| {n['name']} | {n['kind']} | {n['status']} | {n['seconds']:.2f} "
        f"| {gib_text(n.get('peak_rss_bytes'))} |"
        for n in nodes
    ]
    if get_in(record, "dbt_full", "nodes_source"):
        lines += ["", f"(nodes read from the {record['dbt_full']['nodes_source']})"]
    all_nodes = get_in(record, "dbt_full", "nodes") or []
    unfinished = [n["name"] for n in all_nodes if n["status"] == "unfinished"]
    if unfinished:
        lines += ["", f"Still running when the build stopped: {', '.join(unfinished)}."]
    free = get_in(record, "dbt_full", "min_free_disk_bytes")
    if free is not None:
        lines += ["", f"Free disk beside the warehouse fell to {gib_text(free)} during the build."]
    at_peak = nodes_at_peak(record)
    if at_peak:
        more = f" and {len(at_peak) - 6} more" if len(at_peak) > 6 else ""
        peak = gib_text(get_in(record, "dbt_full", "peak_rss_bytes"))
        lines += [
            "",
            f"At the build's peak RSS ({peak}) these "
            f"nodes were running (longest first): {', '.join(at_peak[:6])}{more}.",
        ]
    return lines


def _node_key(node: dict[str, Any]) -> str:
    """Kind and name: nodes read from dbt's output have no manifest unique_id."""
    return f"{node['kind']}:{node['name']}"


def _nodes_across_scales(records: Records, metrics: list[Metrics]) -> list[str]:
    """The slow nodes across scales: which ones do not scale linearly."""
    union: list[str] = []
    for r in records:
        for n in top_nodes(r):
            if _node_key(n) not in union:
                union.append(_node_key(n))
    if not union or len(records) <= 1:
        return []

    def seconds_by_node(r: dict[str, Any], *, finished: bool) -> dict[str, float]:
        nodes = get_in(r, "dbt_full", "nodes") or []
        return {
            _node_key(n): n["seconds"] for n in nodes if (n["status"] != "unfinished") == finished
        }

    times = {r["scale"]: seconds_by_node(r, finished=True) for r in records}
    unfinished = {r["scale"]: seconds_by_node(r, finished=False) for r in records}
    names = {_node_key(n): n["name"] for r in records for n in get_in(r, "dbt_full", "nodes") or []}
    header = [r["scale"] for r in records]
    demo = _demo_scales(metrics)
    growth_cols = [(lo.scale, hi.scale) for lo, hi in zip(demo, demo[1:], strict=False)]
    lines = [
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
            else seconds_text(times[s].get(uid))
            for s in header
        ]
        grow = [
            ratio_text(ratio_of(times[hi].get(uid), times[lo].get(uid))) for lo, hi in growth_cols
        ]
        lines.append(f"| {names[uid]} | " + " | ".join(row + grow) + " |")
    return lines


def _notes_and_failures(records: Records) -> list[str]:
    lines: list[str] = []
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
            why = cell(by_label[scale], run, "")
            lines += [f"### {scale}: {failure['step']}" + (f" — {why}" if why else ""), ""]
            lines += ["```", failure["tail"] or "(no output)", "```", ""]
    return lines


_METHOD = [
    "",
    "## Method",
    "",
    "- Demo data: `python -m olist_segmentation.demo --customers 96096×N --seed 42`; "
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


def render_report(records: Records, argv: list[str], scales: str) -> str:
    """The whole report; ``argv`` and ``scales`` go into its reproduce line."""
    metrics = [Metrics.of(r) for r in records]
    lines = _header(records, metrics, argv, scales)
    lines += _results(records, metrics)
    lines += _cpu(records, metrics)
    lines += _scaling(metrics)
    lines += _targets(metrics)
    lines += _time_by_kind(records, metrics)
    for r in records:
        lines += _slowest_nodes(r)
    lines += _nodes_across_scales(records, metrics)
    lines += _notes_and_failures(records)
    lines += _METHOD
    return "\n".join(lines) + "\n"
