"""Matplotlib figures as inline PNGs, and the colours and labels every chart shares.

Figures are drawn on the Agg canvas and embedded as ``data:`` URIs, so the report is one file
that opens offline and rendering never needs a display or GUI backend.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# One colour per segment id (tab10), so a segment looks the same in every chart.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def to_png(fig: Figure) -> str:
    """The figure as a ``data:`` URI (PNG, Agg canvas: no display or GUI backend involved)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def segment_colors(segment_ids: Sequence[int]) -> list[str]:
    """The palette colour of each segment id (ids start at 1; the palette wraps after 10)."""
    return [PALETTE[(int(i) - 1) % len(PALETTE)] for i in segment_ids]


def segment_label(segment_id: int, name: str, *, width: int) -> str:
    """``"3 · Loyal big spenders"``, the name cut to ``width`` characters so axes stay readable."""
    short = name if len(name) <= width else name[: width - 1] + "…"
    return f"{segment_id} · {short}"
