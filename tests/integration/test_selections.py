"""The selections a user would try pass with plain `dbt build --select ...` on a fresh warehouse.

No extra flag: dbt_project.yml's `indirect_selection: cautious` keeps out the tests that also read
a model the selection does not build, and every model that reads the previous build's registry
(int_segment_champion_previous) is selected by any selection that selects a reader of it. A
downstream selection (`customer_rfm+`) needs the tables of its readers' other parents (after a full
build, or `@model` on a fresh warehouse). Small demo data keeps the few builds short.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dbt_harness import DbtResult, generate_demo_data, run_dbt

SELECTION_CUSTOMERS = 1000


@pytest.fixture(scope="module")
def small_demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_demo_data(tmp_path_factory.mktemp("selection_data"), SELECTION_CUSTOMERS)


def build(selection: str, data_dir: Path, work_dir: Path) -> DbtResult:
    result = run_dbt(["build", "--select", selection], data_dir, work_dir)
    assert result.returncode == 0, f"dbt build --select {selection}:\n{result.output[-4000:]}"
    return result


def tables(result: DbtResult, schema: str) -> set[str]:
    rows = result.query(
        f"select table_name from information_schema.tables where table_schema = '{schema}'"
    )
    return {name for (name,) in rows}


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("+customer_segments", {"customer_segments", "segment_centroids", "customer_rfm"}),
        ("+segment_models", {"segment_models", "customer_rfm"}),
    ],
)
def test_an_upstream_selection_builds_on_a_fresh_warehouse(
    selection: str, expected: set[str], small_demo_data: Path, tmp_path: Path
) -> None:
    result = build(selection, small_demo_data, tmp_path / "warehouse")
    assert expected <= tables(result, "marts")


@pytest.mark.dbt
def test_the_rfm_selection_builds_on_a_fresh_warehouse(
    small_demo_data: Path, tmp_path: Path
) -> None:
    result = build("+customer_rfm", small_demo_data, tmp_path / "warehouse")
    assert tables(result, "marts") == {"customer_rfm"}
    assert result.query("select count(*) > 0 from marts.customer_rfm") == [(True,)]


@pytest.mark.dbt
# stg_olist__orders+ holds customer_rfm+: checking the latter checks both
@pytest.mark.parametrize("selection", ["customer_rfm+"])
def test_a_downstream_selection_builds_the_registry_reader_too(
    selection: str, small_demo_data: Path, tmp_path: Path
) -> None:
    """The fit reads the previous build's registry through int_segment_champion_previous.

    A selection that rebuilds the fit rebuilds that table too, so the fit never reads a missing or
    a stale one (building `customer_rfm+` takes a whole build: `dbt ls` shows the selection).
    """
    listed = run_dbt(
        ["ls", "--select", selection, "--resource-type", "model", "--output", "name"],
        small_demo_data,
        tmp_path / "ls",
    )
    assert listed.returncode == 0, listed.output[-3000:]
    names = set(listed.output.split())
    assert {"int_segment_model_fitted", "int_segment_champion_previous"} <= names
