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
TARGET_NIGHTLY_FLOOR = 5.0  # at 10x and 100x: nightly build <= 5 x the floor (typed read + RFM)
TARGET_NIGHTLY_FLOOR_SCALES = ("10x", "100x")
TARGET_NIGHTLY_PANDAS = 2.0  # at real size: nightly build <= 2 x the pandas notebook's process
TARGET_NIGHTLY_RETRAIN = 0.5  # at real and 10x: nightly build <= half the retrain build
TARGET_NIGHTLY_RETRAIN_SCALES = ("real", "10x")
TARGET_RETRAIN_100X_S = 8 * 60.0  # retrain build at 100x: <= 8 minutes ...
TARGET_RETRAIN_100X_RSS = 8 * GIB  # ... with a peak RSS <= 8 GiB
TARGET_GROWTH = 10.0  # 10x -> 100x: floor, nightly and retrain each grow <= 10x
TARGET_FIRST_100X_RSS = 12 * GIB  # the 100x first build completes with a peak RSS <= 12 GiB

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
_START = time.perf_counter()


def log(message: str) -> None:
    """Print a progress line stamped with the time since the driver started."""
    elapsed = int(time.perf_counter() - _START)
    stamp = f"{elapsed // 3600:02d}:{elapsed % 3600 // 60:02d}:{elapsed % 60:02d}"
    print(f"[bench +{stamp}] {message}", flush=True)
