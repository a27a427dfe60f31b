"""The data each scale runs on (the real files or demo data at N x Olist) and the code measured."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from olist_bench.measure import Limits, run_measured
from olist_bench.settings import (
    CSV_BYTES_PER_X,
    GENERATOR_DIR,
    GIB,
    REPO_ROOT,
    SEED,
    WAREHOUSE_BYTES_PER_X,
    log,
)
from olist_segmentation.demo import KAGGLE_COLUMNS, REAL_CUSTOMERS

# What a build runs (models, macros, data tests, Python, configs): hashed into each scale's
# record, since other people edit the tree while the benchmark runs.
PROJECT_SOURCES = ["models", "macros", "data-tests", "seeds", "snapshots", "src"]
PROJECT_FILES = ["dbt_project.yml", "profiles.yml", "selectors.yml"]


def raw_stems() -> list[str]:
    """The names of the 8 raw files without ``.csv``, in the Kaggle order."""
    return [name.removesuffix(".csv") for name in KAGGLE_COLUMNS]


def parse_scale(text: str) -> tuple[str, float | None]:
    """``real`` or a multiple of Olist's size (``10``, ``0.5x``) -> (label, factor or None)."""
    text = text.strip().lower().removesuffix("x")
    if text == "real":
        return "real", None
    factor = float(text)
    if factor <= 0:
        raise argparse.ArgumentTypeError(f"scale must be > 0, got {text}")
    label = f"{factor:g}x"
    return label, factor


def real_data_dir() -> Path:
    return Path(os.environ.get("OLIST_REAL_DATA_DIR", REPO_ROOT.parent / "shared/data/olist"))


def project_fingerprint() -> dict[str, str]:
    """Hash and newest change of what a build runs, so scales are compared on one code."""
    paths = [REPO_ROOT / name for name in PROJECT_FILES]
    for folder in PROJECT_SOURCES:
        paths += (REPO_ROOT / folder).rglob("*")
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(p for p in paths if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = dt.datetime.fromtimestamp(newest).astimezone().isoformat(timespec="seconds")
    return {"sha256": digest.hexdigest()[:12], "newest_change": changed}


def generator_digest() -> str:
    """Hash of the generator's code: demo data made by another version is generated again."""
    digest = hashlib.sha256()
    for path in sorted(GENERATOR_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def prepare_demo_data(
    factor: float, opts: argparse.Namespace, scale_dir: Path, record: dict[str, Any]
) -> Path | None:
    """Demo data at ``factor`` x Olist, generated once (a marker file says it is complete).

    None when it cannot be had (not enough disk, generator failed); ``record`` says why.
    """
    n_customers = max(1, round(REAL_CUSTOMERS * factor))
    out = opts.data_root / f"demo_{factor:g}x"
    marker = out / ".bench-complete"
    wanted = {"customers": n_customers, "seed": SEED, "generator": generator_digest()}
    record["customers_generated"] = n_customers
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        log(f"{record['scale']}: reusing demo data in {out}")
        record["generation"] = {"reused": True}
        return out
    shutil.rmtree(out, ignore_errors=True)
    opts.data_root.mkdir(parents=True, exist_ok=True)
    need = CSV_BYTES_PER_X * factor + 2 * WAREHOUSE_BYTES_PER_X * factor
    free = shutil.disk_usage(opts.data_root).free
    if free < need:
        record["notes"].append(
            f"skipped: ~{need / GIB:.1f} GiB of disk needed for the data and the warehouses, "
            f"{free / GIB:.1f} GiB free in {opts.data_root}"
        )
        log(f"{record['scale']}: not enough disk ({free / GIB:.1f} GiB free), skipped")
        return None
    gen = run_measured(
        "generate",
        [
            sys.executable,
            "-m",
            "olist_segmentation.demo",
            "--out",
            str(out),
            "--customers",
            str(n_customers),
            "--seed",
            str(SEED),
        ],
        scale_dir / "output",
        step=f"{record['scale']} | generate {n_customers:,} customers",
        limits=Limits(timeout_s=opts.timeout_min * 60, rss_limit_bytes=opts.rss_limit_bytes),
    )
    record["generation"] = {"reused": False, "wall_s": gen.wall_s, "ok": gen.ok}
    if not gen.ok:
        record["failures"].append({"step": "generate demo data", "tail": gen.tail})
        return None
    marker.write_text(json.dumps(wanted))
    return out
