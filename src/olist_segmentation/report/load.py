"""Reading the warehouse: every table the report shows, in one short read-only session.

The connection is read-only and closed before anything is drawn, so a report never blocks a
running ``dbt build`` for longer than the reads. The stability study is optional: its tables are
read when present and left as ``None`` otherwise, and the report says it is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from olist_segmentation.report.operations import read_operations
from olist_segmentation.segmentation.model import SegmentModel

REQUIRED_TABLES = (
    "marts.customer_rfm",
    "marts.customer_segments",
    "marts.segment_centroids",
    "marts.segment_model_selection",
    "marts.clustering_comparison",
    "marts.clustering_comparison_segments",
    "marts.data_quality",
    "marts.segment_profiles",
    "marts.segment_profile_features",
    "marts.segment_rules",
    "marts.segment_feature_importance",
)
OPTIONAL_TABLES = ("marts.segment_stability", "marts.maintenance_contract")

# customer_rfm columns the RFM charts need whatever features the model uses.
_RFM_COLUMNS = ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score")


class ReportError(Exception):
    """A problem the user fixes by (re)building the warehouse; the CLI exits with code 2."""


@dataclass
class WarehouseData:
    """Every table the report shows, and the segment model rebuilt from its centroids table."""

    customers: pd.DataFrame
    centroids: pd.DataFrame
    model: SegmentModel
    selection: pd.DataFrame
    comparison: pd.DataFrame
    comparison_segments: pd.DataFrame
    quality: pd.DataFrame
    profiles: pd.DataFrame
    profile_features: pd.DataFrame
    rules: pd.DataFrame
    importance: pd.DataFrame
    stability: pd.DataFrame | None = None
    contract: pd.DataFrame | None = None
    operations: dict[str, pd.DataFrame] | None = None


def _connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or a :class:`ReportError` that says what to do instead."""
    if not path.is_file():
        raise ReportError(f"warehouse {path} not found: run `make build` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise ReportError(
            f"cannot open warehouse {path} read-only ({error}); if a dbt build is running, wait "
            "for it to finish, else run `make build` first"
        ) from error


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.sql("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{schema}.{name}" for schema, name in rows}


def _require_tables(path: Path, existing: set[str]) -> None:
    """Name every missing table at once, so one rebuild fixes them all."""
    missing = [t for t in REQUIRED_TABLES if t not in existing]
    if missing:
        raise ReportError(
            f"warehouse {path} lacks table(s) {', '.join(missing)}: run `make build` first"
        )


def customers_query(features: list[str]) -> str:
    """Segment and RFM columns of every customer, plus the model's other features.

    With the customer id, which the seeded samples of the charts are drawn from, so they pick
    the same customers on every run whatever order DuckDB's join returns; ordered by it too, so
    the frame itself is the same on every run.
    """
    extra = ", ".join(f"rfm.{f}" for f in features if f not in _RFM_COLUMNS)
    return f"""
            select
                seg.customer_unique_id,
                seg.segment_id,
                rfm.recency_days, rfm.frequency, rfm.monetary,
                rfm.r_score, rfm.f_score, rfm.m_score,
                rfm.reference_date{", " + extra if extra else ""}
            from marts.customer_segments as seg
            inner join marts.customer_rfm as rfm
                on seg.customer_unique_id = rfm.customer_unique_id
            order by seg.customer_unique_id
            """


def _read(con: duckdb.DuckDBPyConnection, existing: set[str]) -> WarehouseData:
    centroids = con.sql("select * from marts.segment_centroids").df()
    model = SegmentModel.from_table(centroids, source="marts.segment_centroids")
    data = WarehouseData(
        customers=con.sql(customers_query(model.features)).df(),
        centroids=centroids,
        model=model,
        selection=con.sql("select * from marts.segment_model_selection").df(),
        comparison=con.sql("select * from marts.clustering_comparison").df(),
        comparison_segments=con.sql(
            "select * from marts.clustering_comparison_segments "
            "order by algorithm, linkage, segment_id"
        ).df(),
        quality=con.sql("select * from marts.data_quality order by source_table").df(),
        profiles=con.sql("select * from marts.segment_profiles order by segment_id").df(),
        profile_features=con.sql(
            "select * from marts.segment_profile_features order by segment_id, feature_position"
        ).df(),
        rules=con.sql("select * from marts.segment_rules order by rule_id").df(),
        importance=con.sql("select * from marts.segment_feature_importance order by rank").df(),
    )
    if "marts.segment_stability" in existing:
        data.stability = con.sql("select * from marts.segment_stability").df()
    if "marts.maintenance_contract" in existing:
        data.contract = con.sql("select * from marts.maintenance_contract").df()
    data.operations = read_operations(con, existing)
    return data


def load_warehouse(path: Path) -> WarehouseData:
    """Read the report's tables from the DuckDB file (read-only, closed before returning)."""
    path = Path(path)
    con = _connect_read_only(path)
    try:
        existing = _existing_tables(con)
        _require_tables(path, existing)
        return _read(con, existing)
    finally:
        con.close()
