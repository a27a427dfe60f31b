"""Reads of warehouse tables by the dbt Python models: only the rows and columns they need.

A dbt-duckdb Python model gets DuckDB relations from ``dbt.ref``. Calling ``.df()`` on a whole
mart copies every column into pandas: at 100x Olist (9.3M customers, 21 columns in customer_rfm)
that alone is several GiB per model, twice when two models run at once. These helpers let
DuckDB do the projections and joins, so pandas receives a few numeric columns in the same order
as the table, and the models' results stay exactly what they were when they read whole tables.
Per-segment counts are dbt models of their own (models/intermediate/explain), not queries here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

# customer_rfm columns `naming.name_segments` reads when the frozen model holds the feature.
NAMING_COLUMNS = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_review_score",
    "late_delivery_share",
)


def quote(column: str) -> str:
    """A column name as a DuckDB identifier (names come from vars, so never splice them raw)."""
    return '"' + column.replace('"', '""') + '"'


def require_columns(relation: Any, columns: Iterable[str], table: str) -> None:
    """Fail naming the missing columns; works on a DuckDB relation or a pandas frame alike."""
    available = set(relation.columns)
    missing = [c for c in dict.fromkeys(columns) if c not in available]
    if missing:
        raise ValueError(f"{table} lacks column(s) {', '.join(missing)}")


def float_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A column of a frame as float64 with NULLs as NaN, whatever its dtype (nullable ints too)."""
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def read_columns(relation: Any, columns: Sequence[str], table: str = "the table") -> pd.DataFrame:
    """``columns`` of ``relation`` (deduplicated, in the given order) as a pandas frame.

    A projection keeps the table's row order, which the seeded samples depend on.
    """
    wanted = list(dict.fromkeys(columns))
    require_columns(relation, wanted, table)
    return relation.project(", ".join(quote(c) for c in wanted)).df()


def segmentation_columns(
    feature_sets: Iterable[Sequence[str]], available: Iterable[str]
) -> list[str]:
    """customer_rfm columns the segmentation models use: the key, every searched feature, the
    columns the segment names are derived from, and the reference date (when present)."""
    present = set(available)
    features = [f for features in feature_sets for f in features]
    optional = [c for c in (*NAMING_COLUMNS, "reference_date") if c in present]
    return list(dict.fromkeys(["customer_unique_id", *features, *optional]))


def read_segments_with_features(
    connection: Any,
    segments: Any,
    rfm: Any,
    features: Sequence[str],
    *,
    extra_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """customer_segments joined in DuckDB with ``features`` (and ``extra_columns``) of
    customer_rfm: one row per customer with a segment, ordered by customer_unique_id.

    Customers without a segment (none expected: customer_segments is tested for that) are
    dropped: a profile or a rule cannot say anything about them. The order is the one of both
    tables, which dbt stores in customer_unique_id order, so seeded samples are unchanged.
    ``segment_id`` is int64. ``extra_columns`` may name customer_segments columns
    (segment_name, model_version) or customer_rfm ones (customer_state, monetary...).
    """
    rfm_columns = list(dict.fromkeys([*features, *extra_columns]))
    segment_only = [c for c in rfm_columns if c in ("segment_name", "model_version")]
    rfm_columns = [c for c in rfm_columns if c not in segment_only]
    require_columns(rfm, ["customer_unique_id", *rfm_columns], "customer_rfm")
    require_columns(
        segments, ["customer_unique_id", "segment_id", *segment_only], "customer_segments"
    )
    selected = ["cast(segments.segment_id as bigint) as segment_id"]
    selected += [f"segments.{quote(c)}" for c in segment_only]
    selected += [f"rfm.{quote(c)}" for c in rfm_columns]
    query = (
        f"select {', '.join(selected)}"
        """
        from {segments} as segments
        inner join {rfm} as rfm using (customer_unique_id)
        where segments.segment_id is not null
        order by segments.customer_unique_id
        """
    )
    return _query(connection, query, segments=segments, rfm=rfm)


def _query(connection: Any, query: str, **relations: Any) -> pd.DataFrame:
    """Run ``query`` where ``{name}`` stands for each relation, inlined as a subquery.

    The relations dbt.ref returns are queries on the model's own connection, so inlining their
    SQL lets DuckDB plan one query: nothing is copied and no view is left in the catalog
    (temporary views are shared by every cursor, i.e. by models running at the same time).
    """
    subqueries = {name: f"({relation.sql_query()})" for name, relation in relations.items()}
    return connection.sql(query.format_map(subqueries)).df()


def previous_rows(connection: Any, this: Any) -> Any | None:
    """The rows a model's table held before this build (a DuckDB relation), or None if it does
    not exist yet.

    Expensive models that depend only on the champion return these when the champion did not
    change, so a nightly build refits nothing. A relation, not a DataFrame: the table is copied
    in DuckDB with its exact types (a pandas round trip would turn dates into timestamps). A
    model that calls this declares ``meta: {reads_its_previous_rows: true}`` in its yml, so that
    the atomic build, which builds into a new file, keeps its table for it.
    """
    try:
        return connection.sql(f"select * from {this}")
    except duckdb.CatalogException:
        return None


def rows_kept_without_retrain(connection: Any, this: Any, decision: pd.DataFrame) -> Any | None:
    """The model's previous rows when this build keeps the champion (no retrain due), else None.

    ``decision`` is int_segment_retrain_decision; the model must ``dbt.ref`` it itself, since dbt
    finds a Python model's dependencies in the model's own code.
    """
    if bool(decision["retrain_due"].iloc[0]):
        return None
    return previous_rows(connection, this)
