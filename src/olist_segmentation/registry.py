"""Export a model of the registry to a Parquet file, to keep it, move it or roll back to it.

    python -m olist_segmentation.registry export --warehouse W --out F [--model-version V]

The file holds the model table (one row per segment and feature: centroids and transform), the
shape `make import-model FILE=F` promotes as champion. DuckDB reads the warehouse read-only and
writes the Parquet file, so no other library is needed and a running build is never blocked.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from olist_segmentation.segmentation.model import MODEL_TABLE_COLUMNS


def export_model(*, warehouse: Path, out: Path, model_version: str | None = None) -> str:
    """Write the champion (or ``model_version``) to ``out``; returns the version written."""
    if not warehouse.exists():
        raise ValueError(f"{warehouse} does not exist: run `make build` first")
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        if model_version is None:
            rows = connection.sql(
                "select model_version from marts.segment_models where status = 'champion'"
            ).fetchall()
            if len(rows) != 1:
                raise ValueError(f"marts.segment_models in {warehouse} holds {len(rows)} champions")
            model_version = str(rows[0][0])
        count = connection.execute(
            "select count(*) from marts.segment_model_parameters where model_version = ?",
            [model_version],
        ).fetchone()[0]
        if count == 0:
            known = connection.sql("select model_version from marts.segment_models").fetchall()
            raise ValueError(
                f"no model {model_version} in marts.segment_model_parameters of {warehouse}; "
                f"known: {', '.join(str(r[0]) for r in known)}"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        columns = ", ".join(MODEL_TABLE_COLUMNS)
        escaped_version = model_version.replace("'", "''")
        escaped_out = str(out).replace("'", "''")
        connection.execute(
            f"copy (select {columns} from marts.segment_model_parameters "
            f"where model_version = '{escaped_version}' order by segment_id, feature_order) "
            f"to '{escaped_out}' (format parquet)"
        )
    finally:
        connection.close()
    return model_version


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m olist_segmentation.registry")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write a registry model to a Parquet file")
    export.add_argument("--warehouse", type=Path, required=True)
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--model-version", default=None)
    args = parser.parse_args(argv)
    try:
        version = export_model(
            warehouse=args.warehouse, out=args.out, model_version=args.model_version
        )
    except (ValueError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model {version} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
