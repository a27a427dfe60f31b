"""Command line of the generator: ``olist-demo-data`` and ``python -m olist_segmentation.demo``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from olist_segmentation.demo.calibration import REAL_CUSTOMERS
from olist_segmentation.demo.generate import generate


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="olist-demo-data",
        description="Write deterministic, Olist-shaped demo CSVs (the 8 Kaggle files).",
    )
    parser.add_argument("--out", required=True, type=Path, help="output directory (created)")
    parser.add_argument(
        "--customers",
        type=int,
        default=REAL_CUSTOMERS,
        help=f"persons (customer_unique_id); default {REAL_CUSTOMERS:,} = real size",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz files")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error(f"--customers must be >= 1, got {args.customers}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"cannot create output directory {args.out}: {exc.strerror or exc}")
    if not args.out.is_dir() or not os.access(args.out, os.W_OK | os.X_OK):
        parser.error(f"output directory {args.out} is not writable")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point (console script ``olist-demo-data``); returns the exit code."""
    args = _parse_args(argv)

    def to_stderr(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        written = generate(
            args.out, args.customers, args.seed, compress=args.gzip, progress=to_stderr
        )
    except OSError as exc:
        print(f"olist-demo-data: error: cannot write to {args.out}: {exc}", file=sys.stderr)
        return 1
    suffix = ".gz" if args.gzip else ""
    width = max(len(name) for name in written) + len(suffix)
    print(f"wrote {len(written)} files to {args.out}")
    for name, n_rows in written.items():
        print(f"  {name + suffix:<{width}}  {n_rows:>12,} rows")
    return 0
