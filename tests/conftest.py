"""Shared fixtures: demo data, and dbt builds on demo and real data (see dbt_harness)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from dbt_harness import DEMO_TEST_CUSTOMERS, DbtResult, generate_demo_data, real_data_dir, run_dbt


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_data(tmp_path_factory.mktemp("demo_data"), DEMO_TEST_CUSTOMERS)


@pytest.fixture(scope="session")
def other_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo data with another seed: a build on it changes every mart visibly."""
    return generate_demo_data(tmp_path_factory.mktemp("other_data"), DEMO_TEST_CUSTOMERS, seed=7)


@pytest.fixture(scope="session")
def demo_build(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """One full `dbt build` on the demo data, shared by the tests that read its tables."""
    return run_dbt(["build"], demo_data_dir, tmp_path_factory.mktemp("demo_build"))


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """One full `dbt build` on the real Olist files, or a skip saying where they were looked for."""
    data_dir = real_data_dir()
    if (
        not (data_dir / "olist_orders_dataset.csv.gz").exists()
        and not (data_dir / "olist_orders_dataset.csv").exists()
    ):
        pytest.skip(f"real Olist data not found at {data_dir} (set OLIST_REAL_DATA_DIR): skipped")
    return run_dbt(["build"], data_dir, tmp_path_factory.mktemp("real_build"))


@pytest.fixture
def damaged_copy(demo_data_dir: Path, tmp_path: Path) -> Callable[[], Path]:
    """A fresh copy of the demo files that a test may damage."""

    def make() -> Path:
        target = tmp_path / "damaged"
        shutil.copytree(demo_data_dir, target)
        return target

    return make
