"""What the template lays out: sections of charts, text tables and notes, and how values read.

Everything is turned into text here, so the template only escapes and places it and the numbers
read the same way in every table (``1,234``, ``12.5%``, ``R$1,234``, ``0.384``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Chart:
    """One chart: title, inline PNG, alt text and the "how to read it" sentence."""

    title: str
    image: str
    alt: str
    how_to_read: str


@dataclass
class Table:
    """A table already formatted as text (the template only escapes and lays it out)."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: list[bool] = field(default_factory=list)


@dataclass
class Section:
    """A titled part of the report with its charts, tables and notes, in that order."""

    anchor: str
    title: str
    intro: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _fmt_number(value: float) -> str:
    """Thousands without decimals, three significant digits below, scientific when tiny."""
    magnitude = abs(float(value))
    if magnitude >= 1000:
        return f"{float(value):,.0f}"
    return f"{float(value):.3g}" if magnitude >= 0.001 or magnitude == 0 else f"{value:.2e}"


def fmt(value: Any, kind: str = "auto") -> str:
    """Numbers as people read them: ``1,234``, ``12.5%``, ``0.384``; NULL as an en dash.

    ``kind`` is ``pct``, ``int``, ``money`` or ``auto`` (chosen from the value's type).
    """
    if _is_missing(value):
        return "–"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "money":
        return f"R${float(value):,.0f}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return _fmt_number(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _is_numeric_column(column: pd.Series) -> bool:
    """Right-aligned in the table: numbers, but not yes/no flags."""
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def text_table(
    title: str,
    frame: pd.DataFrame,
    *,
    kinds: dict[str, str] | None = None,
    caption: str = "",
) -> Table:
    """``frame`` as a :class:`Table`; ``kinds`` maps a column to a :func:`fmt` kind."""
    kinds = kinds or {}
    rows = [
        [fmt(value, kinds.get(column, "auto")) for column, value in row.items()]
        for row in frame.to_dict("records")
    ]
    numeric = [_is_numeric_column(frame[c]) for c in frame.columns]
    # spaces instead of underscores let long headers wrap
    columns = [str(c).replace("_", " ") for c in frame.columns]
    return Table(title, columns, rows, caption, numeric)


def sizes_text(counts: Any) -> str:
    """Customers per cluster (clustering_comparison_segments.customer_count, in segment order)
    as ``"27,982 · 2,801"``."""
    return " · ".join(f"{int(count):,}" for count in counts)


def comparison_sizes(comparison: pd.DataFrame, segments: pd.DataFrame) -> list[str]:
    """:func:`sizes_text` of each row of clustering_comparison, read off
    clustering_comparison_segments (one row per algorithm, linkage and segment)."""
    keyed = segments.assign(linkage=segments["linkage"].fillna(""))
    counts = {
        key: group.sort_values("segment_id")["customer_count"].tolist()
        for key, group in keyed.groupby(["algorithm", "linkage"], sort=False)
    }
    return [
        sizes_text(counts.get((algorithm, linkage if isinstance(linkage, str) else ""), []))
        for algorithm, linkage in zip(comparison["algorithm"], comparison["linkage"], strict=True)
    ]


def first_value(frame: pd.DataFrame | None, column: str) -> float | None:
    """The first non-null value of a one-row mart (rules fidelity, contract), if there is one."""
    if frame is None or column not in frame.columns or frame.empty:
        return None
    value = frame[column].dropna()
    return float(value.iloc[0]) if not value.empty else None
