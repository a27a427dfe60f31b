"""The report's "Nightly operation" section: the champion, the last verdict, the latest moves.

Marketing reads segments every day; this section says which model they come from, how old it is
and why it was promoted, what the last build found when it compared the champion with the data,
and how many customers changed segment at the last build — and whether their own behaviour or a
retrain moved them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from olist_segmentation.report.content import Section, Table, fmt

OPERATION_TABLES = (
    "marts.segment_models",
    "marts.segment_model_monitoring",
    "marts.segment_snapshot_transitions",
)


def read_operations(
    con: duckdb.DuckDBPyConnection, existing: set[str]
) -> dict[str, pd.DataFrame] | None:
    """The registry, the monitoring rows and the moves, or None in a warehouse without them."""
    if not all(table in existing for table in OPERATION_TABLES):
        return None
    return {
        "registry": con.sql("select * from marts.segment_models order by fitted_at").df(),
        "monitoring": con.sql(
            "select * from marts.segment_model_monitoring order by built_at desc limit 1"
        ).df(),
        "moves": con.sql(
            "select * from marts.segment_snapshot_transitions "
            "where changed_on = (select max(changed_on) from marts.segment_snapshot_transitions) "
            "order by customer_count desc"
        ).df(),
    }


def verdict(monitoring: pd.Series) -> str:
    """One sentence on what the last build decided."""
    if bool(monitoring["is_promoted"]):
        return f"The last build promoted a new champion: {monitoring['reason']}."
    if bool(monitoring["retrain_due"]):
        return (
            f"A retrain was due ({monitoring['reason']}) but its model equalled the champion, "
            "which was kept."
        )
    if bool(monitoring["retrain_blocked"]):
        reason = monitoring["reason"]
        if isinstance(reason, str) and reason.startswith("blocked: "):
            return (
                "Retraining is blocked (var segment_retrain_blocked): the champion was kept "
                f"although a retrain was due ({reason.removeprefix('blocked: ')})."
            )
        return "Retraining is blocked (var segment_retrain_blocked): the champion was kept."
    return "No retrain was due: the champion was kept and nothing was refitted."


def operations_section(operations: dict[str, pd.DataFrame] | None) -> Section:
    """The champion (age, why promoted), the latest monitoring row and the latest moves."""
    section = Section(
        "operations",
        "Nightly operation",
        "Every build scores the customers with the champion model in SQL and compares it with "
        "the day's data; it retrains only when the maintenance contract's interval is reached, "
        "on a drift alert, or when forced.",
    )
    if operations is None:
        section.notes.append("No model registry in this warehouse yet: run `make build`.")
        return section
    registry = operations["registry"]
    champion = registry[registry["status"] == "champion"].iloc[0]
    monitoring = operations["monitoring"].iloc[0]
    section.notes.append(
        f"Champion {champion['model_version']} ({champion['feature_set']}, k = {champion['k']}), "
        f"promoted on {fmt(champion['fitted_at'])} because: {champion['promoted_because']}; "
        f"fitted on data up to {fmt(champion['reference_date'])}, "
        f"{fmt(monitoring['champion_age_months'])} month(s) before the last build's data."
    )
    section.notes.append(verdict(monitoring))
    section.tables.append(
        Table(
            "Last monitoring row",
            ["measure", "value"],
            [
                ["reference date", fmt(monitoring["reference_date"])],
                ["contract interval (months)", fmt(monitoring["retrain_months"])],
                [
                    "largest feature PSI",
                    f"{fmt(monitoring['max_psi'])} ({monitoring['max_psi_feature']})",
                ],
                ["largest share drift", fmt(monitoring["max_share_drift"])],
                ["empty segments", fmt(monitoring["empty_segment_count"])],
            ],
        )
    )
    moves = operations["moves"]
    if moves.empty:
        section.notes.append("No customer changed segment at the builds recorded so far.")
    else:
        section.tables.append(
            Table(
                f"Moves recorded on {fmt(moves['changed_on'].iloc[0])}",
                ["from segment", "to segment", "cause", "customers"],
                [
                    [
                        fmt(r.from_segment_id),
                        fmt(r.to_segment_id),
                        r.move_cause,
                        fmt(r.customer_count),
                    ]
                    for r in moves.itertuples(index=False)
                ],
                numeric=[True, True, False, True],
            )
        )
    section.tables.append(
        Table(
            "Model registry",
            ["model", "status", "promoted because", "fitted on data up to"],
            [
                [r.model_version, r.status, r.promoted_because, fmt(r.reference_date)]
                for r in registry.itertuples(index=False)
            ],
        )
    )
    return section
