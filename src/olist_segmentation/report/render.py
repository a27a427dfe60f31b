"""The report as one self-contained HTML file, rendered with the package's Jinja template.

The template (``templates/segmentation.html.j2``) carries the CSS inline and the charts arrive as
``data:`` URIs, so the file can be mailed or opened offline and nothing is fetched from the
network. Autoescaping is on: segment names and rules come from the warehouse, not from us.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import matplotlib
from jinja2 import Environment, PackageLoader, Template, select_autoescape

from olist_segmentation.report.load import WarehouseData, load_warehouse
from olist_segmentation.report.sections import ChartOptions, build_sections, summary

TEMPLATE = "segmentation.html.j2"
DEFAULT_TITLE = "Olist customer segmentation"


def _template() -> Template:
    env = Environment(
        loader=PackageLoader("olist_segmentation.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE)


def render_report(
    data: WarehouseData,
    *,
    options: ChartOptions | None = None,
    progress: Callable[[str], None] | None = None,
    title: str = DEFAULT_TITLE,
) -> str:
    """The whole report as one HTML string (charts inlined)."""
    matplotlib.use("Agg")  # no display: never pick an interactive backend
    sections = build_sections(data, options=options, progress=progress)
    return _template().render(title=title, summary=summary(data), sections=sections)


def write_report(
    warehouse: Path,
    out: Path,
    *,
    options: ChartOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Read the warehouse, render the report and write it to ``out`` (folders created).

    The warehouse is closed before the first chart is drawn, so a long render never holds it.
    """
    started = time.perf_counter()
    data = load_warehouse(warehouse)
    if progress is not None:
        progress(f"read {warehouse} ({time.perf_counter() - started:.1f}s)")
    html = render_report(data, options=options, progress=progress)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    if progress is not None:
        progress(f"wrote {out} ({len(html) / 1e6:.1f} MB, {time.perf_counter() - started:.1f}s)")
    return out
