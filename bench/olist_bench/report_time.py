"""The report's "where the time goes" sections: the phases and node groups of each build.

Per scale, one table splits each build (first, nightly, retrain) into the build's own phases
(start-up, export and swap, from its stamped ``[build]`` lines; the tables kept from the previous
warehouse, from dbt's output; the project's parse both runs share), dbt's start-up per run (the
run's wall time minus its ``elapsed_time``) and the node time per group
(:data:`olist_bench.builds.NODE_GROUPS`); then the slowest nodes, and how they grow across scales.
"""

from __future__ import annotations

from typing import Any

from olist_bench.builds import NODE_GROUPS, group_seconds
from olist_bench.metrics import (
    cell,
    get_in,
    gib_text,
    nodes_at_peak,
    ratio_of,
    ratio_text,
    seconds_text,
    top_nodes,
)

BUILDS = {"build_first": "first build", "build_nightly": "nightly", "build_retrain": "retrain"}
SECOND_RUNS = ("nightly", "retrain", "selection", "failed")


def _second_run(entry: dict[str, Any] | None) -> str | None:
    runs = (entry or {}).get("runs") or {}
    return next((label for label in SECOND_RUNS if label in runs), None)


def _phase_rows(entries: list[dict[str, Any] | None]) -> list[tuple[str, list[float | None]]]:
    """(label, seconds per build) for the build's phases and each dbt run."""

    def phase(entry: dict[str, Any] | None, *keys: str) -> float | None:
        return get_in(entry or {}, "phases", *keys)

    def second(entry: dict[str, Any] | None, what: str) -> float | None:
        label = _second_run(entry)
        if label is None:
            return None
        if what == "elapsed":
            return get_in(entry or {}, "runs", label, "elapsed_s")
        return phase(entry, what, label)

    return [
        ("whole build (wall)", [get_in(e or {}, "wall_s") for e in entries]),
        ("build start-up (Python, imports)", [phase(e, "startup_s") for e in entries]),
        (
            "warehouse copy (a night) + start of the dbt child process (imports)",
            [phase(e, "copy_s") for e in entries],
        ),
        ("project parse (`dbt parse`, once for both runs)", [phase(e, "parse_s") for e in entries]),
        (
            "· tables kept from the previous warehouse (in the runs' hooks)",
            [phase(e, "keep_s") for e in entries],
        ),
        (
            "decide run: dbt start-up",
            [phase(e, "dbt_startup_s", "decide") for e in entries],
        ),
        (
            "decide run: dbt execution",
            [get_in(e or {}, "runs", "decide", "elapsed_s") for e in entries],
        ),
        ("reading the decision", [phase(e, "between_s") for e in entries]),
        ("2nd run: dbt start-up", [second(e, "dbt_startup_s") for e in entries]),
        ("2nd run: dbt execution", [second(e, "elapsed") for e in entries]),
        ("export + swap (Parquet, checkpoint, rename)", [phase(e, "export_s") for e in entries]),
        ("exit", [phase(e, "exit_s") for e in entries]),
    ]


def _python_seconds(entry: dict[str, Any] | None) -> float | None:
    runs = (entry or {}).get("runs") or {}
    if not runs:
        return None
    return sum(
        n["seconds"] for run in runs.values() for n in run["nodes"] if n["kind"] == "python model"
    )


def _scale_table(record: dict[str, Any]) -> list[str]:
    """Phases and node groups of the three builds of one scale."""
    entries = [record.get(key) for key in BUILDS]
    if not any(entries):
        return []
    second = [_second_run(e) or "–" for e in entries]
    lines = [
        "",
        f"### {record['scale']}",
        "",
        "| phase (s) | "
        + " | ".join(f"{BUILDS[k]} ({s})" for k, s in zip(BUILDS, second, strict=True))
        + " |",
        "|---|" + "--:|" * len(BUILDS),
    ]
    for label, values in _phase_rows(entries):
        lines.append(f"| {label} | " + " | ".join(seconds_text(v) for v in values) + " |")
    for group in NODE_GROUPS:
        values = [group_seconds(e, group) for e in entries]
        if any(v and v >= 0.05 for v in values):
            lines.append(f"| · {group} | " + " | ".join(seconds_text(v) for v in values) + " |")
    python = [_python_seconds(e) for e in entries]
    lines.append(
        "| · of which Python models | " + " | ".join(seconds_text(v) for v in python) + " |"
    )
    lines += [
        "",
        "Rows with · are node times summed over both dbt runs of the build (inside the dbt "
        "execution rows; with 2 threads they may add up to more than the execution).",
    ]
    lines += _slowest(record)
    return lines


def _slowest(record: dict[str, Any], n_nodes: int = 8) -> list[str]:
    """The slowest nodes of the nightly and the retrain build, and what ran at the peak RSS."""
    lines = [
        "",
        "| build | run | slowest nodes | kind | status | s | peak RSS while it ran |",
        "|---|---|---|---|---|--:|--:|",
    ]
    found = False
    for key in ("build_nightly", "build_retrain"):
        for node in top_nodes(record.get(key), n_nodes):
            found = True
            lines.append(
                f"| {BUILDS[key]} | {node['run']} | {node['name']} | {node['kind']} "
                f"| {node['status']} | {node['seconds']:.2f} "
                f"| {gib_text(node.get('peak_rss_bytes'))} |"
            )
    if not found:
        return []
    for key, name in BUILDS.items():
        entry = record.get(key)
        at_peak = nodes_at_peak(entry)
        if at_peak:
            more = f" and {len(at_peak) - 6} more" if len(at_peak) > 6 else ""
            lines += [
                "",
                f"At the {name}'s peak RSS ({gib_text(get_in(entry, 'peak_rss_bytes'))}) these "
                f"nodes were running: {', '.join(at_peak[:6])}{more}.",
            ]
        unfinished = [
            n["name"]
            for run in ((entry or {}).get("runs") or {}).values()
            for n in run["nodes"]
            if n["status"] == "unfinished"
        ]
        if unfinished:
            lines += ["", f"Still running when the {name} stopped: {', '.join(unfinished)}."]
        free = get_in(entry or {}, "min_free_disk_bytes")
        if free is not None and not get_in(entry or {}, "ok"):
            lines += ["", f"Free disk beside the warehouse fell to {gib_text(free)}."]
    return lines


def _across_scales(records: list[dict[str, Any]], demo: list[str], key: str) -> list[str]:
    """How the slowest nodes of one build grow across the scales measured."""
    if len(records) <= 1:
        return []
    union: list[tuple[str, str]] = []
    for r in records:
        for node in top_nodes(r.get(key), 8):
            if (node["run"], node["name"]) not in union:
                union.append((node["run"], node["name"]))
    if not union:
        return []
    times = {
        r["scale"]: {
            (label, n["name"]): n["seconds"]
            for label, run in ((r.get(key) or {}).get("runs") or {}).items()
            for n in run["nodes"]
        }
        for r in records
    }
    header = [r["scale"] for r in records]
    pairs = list(zip(demo, demo[1:], strict=False))
    lines = [
        "",
        f"### Slow nodes of the {BUILDS[key]} across scales (s)",
        "",
        "| run | node | "
        + " | ".join(header)
        + "".join(f" | {hi}/{lo}" for lo, hi in pairs)
        + " |",
        "|---|---|" + "--:|" * (len(header) + len(pairs)),
    ]
    for uid in union:
        row = [seconds_text(times[s].get(uid)) for s in header]
        row += [ratio_text(ratio_of(times[hi].get(uid), times[lo].get(uid))) for lo, hi in pairs]
        lines.append(f"| {uid[0]} | {uid[1]} | " + " | ".join(row) + " |")
    return lines


def time_sections(records: list[dict[str, Any]], demo: list[str]) -> list[str]:
    """ "Where the time goes" per scale, then the slow nodes across scales; ``demo`` = the demo
    scales' labels, smallest first (their consecutive pairs get growth columns)."""
    lines = [
        "",
        "## Where the time goes",
        "",
        "Per build: its own phases (from its `[build]` lines on stderr), among them the "
        "project's parse that both dbt runs share, dbt's start-up per run (the run's wall time "
        "minus its run_results `elapsed_time`), then the node times per group from "
        "`run_results.<run>.json`.",
    ]
    for record in records:
        failed = [k for k in BUILDS if record.get(k) and not get_in(record, k, "ok")]
        lines += _scale_table(record)
        for key in failed:
            lines += ["", f"The {BUILDS[key]} did not finish: {cell(record, key, '')}."]
    for key in ("build_nightly", "build_retrain"):
        lines += _across_scales(records, demo, key)
    return lines
