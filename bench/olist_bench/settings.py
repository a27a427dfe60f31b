"""Paths, limits and targets of the benchmark, and its log line."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

try:
    import psutil
except ImportError:  # fall back to /usr/bin/time -v (largest process, not the tree)
    psutil = None

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
BASELINE = REPO_ROOT / "bench" / "baseline_notebook.py"
#: Run as a script in its own process, so its CPU time is DuckDB's and not our imports'.
FLOOR_SCRIPT = Path(__file__).resolve().parent / "floor.py"
GENERATOR_DIR = REPO_ROOT / "src" / "olist_segmentation" / "demo"
SEED = 42
# Rough disk needs per 1x Olist: demo CSVs and one DuckDB warehouse (checked before generating).
CSV_BYTES_PER_X = 70e6
WAREHOUSE_BYTES_PER_X = 150e6
FALLBACK_K = 4
FALLBACK_FEATURES = "recency_days,frequency,monetary"
GIB = 1024**3
POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 30.0
TAIL_LINES = 40

# The performance targets the report checks.
TARGET_RFM_RATIO = 1.0  # real data: our raw -> RFM <= 1.0 x the baseline's
TARGET_BUILD_RATIO = 3.0  # full dbt build <= 3 x the whole baseline
TARGET_SCALING = 10.0  # 1x -> 10x: the total grows <= ~10x (borderline up to 11x)
TARGET_SCALING_BORDERLINE = 11.0
TARGET_RSS_100X = 12 * GIB  # peak RSS of the 100x build

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_START = time.perf_counter()


def log(message: str) -> None:
    """Print a progress line stamped with the time since the driver started."""
    elapsed = int(time.perf_counter() - _START)
    stamp = f"{elapsed // 3600:02d}:{elapsed % 3600 // 60:02d}:{elapsed % 60:02d}"
    print(f"[bench +{stamp}] {message}", flush=True)
