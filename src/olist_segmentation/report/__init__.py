"""A self-contained HTML report of the segmentation, rendered from the DuckDB warehouse.

``python -m olist_segmentation.report --warehouse warehouse/olist.duckdb --out reports/x.html``

The report is one HTML file that can be mailed or opened offline: charts are PNGs inlined as
base64, the CSS is inline, and nothing is fetched from the network (no CDN, fonts or scripts).
The warehouse is opened read-only and closed as soon as the tables are in memory, so a report
never blocks a running ``dbt build`` for longer than the reads. Everything expensive is sampled
with a seed (PCA projection, dendrogram), so the cost stays linear in customers and two runs on
the same warehouse give the same report.

Exit code 2 (with a message saying to run ``make build``) when the warehouse or a table that
``dbt build`` creates is missing. The stability study (marts.segment_stability and
marts.maintenance_contract) is optional: without it the report says it is not built yet.

Modules: :mod:`.load` reads the warehouse, :mod:`.charts` and :mod:`.model_charts` draw the
figures (:mod:`.figures` turns them into inline PNGs), :mod:`.sections` decides what each part
says, :mod:`.render` fills the template and :mod:`.cli` is the command line.
"""

from olist_segmentation.report.cli import main
from olist_segmentation.report.load import (
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    ReportError,
    WarehouseData,
    load_warehouse,
)
from olist_segmentation.report.render import render_report, write_report
from olist_segmentation.report.sections import ChartOptions, build_sections

__all__ = [
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "ChartOptions",
    "ReportError",
    "WarehouseData",
    "build_sections",
    "load_warehouse",
    "main",
    "render_report",
    "write_report",
]
