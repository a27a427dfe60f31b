"""Command line: ``python -m olist_segmentation.report --warehouse W --out F``.

Progress goes to stderr and only the written path to stdout, so ``make report`` output stays
scriptable. Exit code 2 means the warehouse must be (re)built first (or an option is invalid).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from olist_segmentation.progress import stderr_progress
from olist_segmentation.report.load import ReportError
from olist_segmentation.report.render import write_report
from olist_segmentation.report.sections import ChartOptions

# Options that are sample sizes or merge counts: fewer than two makes no chart.
_AT_LEAST_TWO = ("pca_sample_size", "dendrogram_sample_size", "dendrogram_leaves")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    defaults = ChartOptions()
    parser = argparse.ArgumentParser(
        prog="python -m olist_segmentation.report",
        description="Render the self-contained HTML segmentation report from the warehouse.",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("OLIST_DUCKDB_PATH", "warehouse/olist.duckdb")),
        help="DuckDB file built by `make build` (default: $OLIST_DUCKDB_PATH or "
        "warehouse/olist.duckdb)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports/segmentation.html"))
    parser.add_argument(
        "--seed", type=int, default=defaults.seed, help="seed of the samples (default 42)"
    )
    parser.add_argument(
        "--pca-sample-size",
        type=int,
        default=defaults.pca_sample_size,
        help="customers drawn for the PCA plot",
    )
    parser.add_argument(
        "--dendrogram-sample-size",
        type=int,
        default=defaults.dendrogram_sample_size,
        help="customers drawn for the dendrogram (Ward linkage is quadratic)",
    )
    parser.add_argument(
        "--dendrogram-leaves",
        type=int,
        default=defaults.dendrogram_leaves,
        help="merges shown in the dendrogram",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: 0 on success, 2 when the warehouse must be (re)built first."""
    args = parse_args(argv)
    for name in _AT_LEAST_TWO:
        if getattr(args, name) < 2:
            print(f"error: --{name.replace('_', '-')} must be >= 2", file=sys.stderr)
            return 2
    options = ChartOptions(
        seed=args.seed,
        pca_sample_size=args.pca_sample_size,
        dendrogram_sample_size=args.dendrogram_sample_size,
        dendrogram_leaves=args.dendrogram_leaves,
    )
    try:
        write_report(args.warehouse, args.out, options=options, progress=stderr_progress("report"))
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(args.out)
    return 0
