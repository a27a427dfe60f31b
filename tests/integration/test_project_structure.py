"""dbt-score with the project's structure rules: clean on the project, failing on a bad model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dbt_harness import copy_project

BIN_DIR = Path(sys.executable).parent


def _score(project: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project),
        "OLIST_DUCKDB_PATH": str(project / "parse.duckdb"),
    }
    parsed = subprocess.run(
        [str(BIN_DIR / "dbt"), "parse", "--quiet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    return subprocess.run(
        [str(BIN_DIR / "dbt-score"), "lint", "--manifest", "target/manifest.json"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.dbt
def test_the_project_passes_and_a_mart_reading_a_source_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    clean = _score(project)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    bad = project / "models" / "marts" / "customers" / "orders_straight_from_the_file.sql"
    bad.write_text("select order_id from {{ source('olist', 'olist_orders_dataset') }}\n")
    failing = _score(project)
    assert failing.returncode != 0
    assert "only_staging_reads_sources" in failing.stdout
    assert "orders_straight_from_the_file" in failing.stdout


@pytest.mark.dbt
def test_a_public_model_without_a_contract_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    folder = project / "models" / "marts" / "customers"
    (folder / "customer_states.sql").write_text(
        "select distinct customer_state from {{ ref('customer_rfm') }}\n"
    )
    (folder / "_customer_states__models.yml").write_text(
        "version: 2\n"
        "models:\n"
        "  - name: customer_states\n"
        "    description: States with customers.\n"
        "    config: {access: public}\n"
        "    columns:\n"
        "      - name: customer_state\n"
        "        description: A state.\n"
        "        data_tests: [unique, not_null]\n"
    )
    failing = _score(project)
    assert failing.returncode != 0
    assert "public_model_has_contract" in failing.stdout
    assert "customer_states" in failing.stdout
