"""The selections a user would try pass with plain `dbt build --select ...` on a fresh warehouse.

No extra flag: dbt_project.yml's `indirect_selection: cautious` keeps out the tests that also read
a model the selection does not build, and every model that reads the previous build's registry
(int_segment_champion_previous) is built by any selection that builds a reader of it. A downstream
selection (`customer_rfm+`) needs its parents' tables: it runs after `+customer_rfm` built them.
Small demo data keeps the few builds short.
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
def test_rfm_then_everything_downstream_of_it(small_demo_data: Path, tmp_path: Path) -> None:
    upstream = build("+customer_rfm", small_demo_data, tmp_path / "warehouse")
    assert tables(upstream, "marts") == {"customer_rfm"}
    assert upstream.query("select count(*) > 0 from marts.customer_rfm") == [(True,)]

    # the registry's reader is downstream of customer_rfm: a first build of the segmentation
    downstream = build("customer_rfm+", small_demo_data, tmp_path / "warehouse")
    built = tables(downstream, "marts")
    assert {"customer_segments", "segment_models", "segment_profiles"} <= built
    assert downstream.query(
        "select count(*) from marts.segment_models where status = 'champion'"
    ) == [(1,)]
