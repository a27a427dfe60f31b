"""Run dbt against throw-away warehouses on demo, real or damaged data.

dbt runs in a subprocess with its own DuckDB file, target and log folders, so tests never touch
the developer's warehouse/ and never block each other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
DEMO_TEST_CUSTOMERS = 8000


@dataclass(frozen=True)
class DbtResult:
    """Outcome of one dbt invocation, with its output kept for assertions on error messages."""

    returncode: int
    output: str
    warehouse: Path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.sql(sql).fetchall()


def real_data_dir() -> Path:
    """The real Olist files: env OLIST_REAL_DATA_DIR, else ../shared/data/olist beside the repo."""
    return Path(os.environ.get("OLIST_REAL_DATA_DIR", REPO_ROOT.parent / "shared/data/olist"))


def run_dbt(
    args: list[str],
    data_dir: Path,
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
) -> DbtResult:
    """Run `dbt <args>` on `data_dir` with a warehouse, target and logs inside `work_dir`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse = work_dir / "olist.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "OLIST_DATA_DIR": str(data_dir),
        "OLIST_DUCKDB_PATH": str(warehouse),
        "OLIST_EXPORT_DIR": str(work_dir / "exports"),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(extra_env or {}),
    }
    completed = subprocess.run(
        [str(BIN_DIR / "dbt"), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return DbtResult(completed.returncode, completed.stdout + completed.stderr, warehouse)


def generate_demo_data(out_dir: Path, n_customers: int, seed: int = 42) -> Path:
    """Write the demo CSVs with the project's generator (the same CLI `make build` uses)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "olist_segmentation.demo",
            "--out",
            str(out_dir),
            "--customers",
            str(n_customers),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return out_dir


# What a dbt project is made of (pyproject.toml too: dbt-score reads its rules from it).
PROJECT_PARTS = (
    "models",
    "macros",
    "seeds",
    "snapshots",
    "analyses",
    "data-tests",
    "docs",
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "pyproject.toml",
)


def copy_project(target: Path) -> Path:
    """A copy of the dbt project in ``target``, for tests that parse or edit it in isolation."""
    for part in PROJECT_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target
