"""The README's registry recipes run through `make`, as an operator types them (README "Running it
every night"): `make dbt-build`, `make export-model`, `make retrain`, `make import-model FILE=...`.

Everything goes to a temporary folder (OLIST_DUCKDB_PATH, OLIST_DATA_DIR, OLIST_EXPORT_DIR,
DBT_TARGET_PATH, DBT_LOG_PATH), never to warehouse/ or exports/. The first build runs on the demo
data; the retrain and the import on demo data with another seed (a retrain on unchanged data
refits the very same model, which is then kept, not promoted).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from dbt_harness import REPO_ROOT, generate_demo_data

pytestmark = pytest.mark.dbt

FAST_SEGMENTATION = "--vars '{segment_k_min: 3, segment_k_max: 4, segment_bootstrap_runs: 1}'"
# The recipes are what is tested here, not the model: small data keeps four builds cheap.
RECIPE_CUSTOMERS = 2500


def make(target: str, *arguments: str, data_dir: Path, work_dir: Path) -> str:
    """`make <target> <arguments>` in the repository with everything pointed at `work_dir`."""
    env = {
        **os.environ,
        "OLIST_DATA_DIR": str(data_dir),
        "OLIST_DUCKDB_PATH": str(work_dir / "warehouse" / "olist.duckdb"),
        "OLIST_EXPORT_DIR": str(work_dir / "exports"),
        "DBT_TARGET_PATH": str(work_dir / "target"),
        "DBT_LOG_PATH": str(work_dir / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        ["make", "--no-print-directory", target, *arguments],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"make {target} failed:\n{output[-4000:]}"
    return output


def registry(warehouse: Path) -> dict[str, tuple[str, str, bool]]:
    """model_version -> (status, promoted_because, has retired_at)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.sql(
            "select model_version, status, promoted_because, retired_at is not null"
            " from marts.segment_models"
        ).fetchall()
    return {version: (status, because, retired) for version, status, because, retired in rows}


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_export_retrain_and_import_through_make(tmp_path: Path) -> None:
    work_dir = tmp_path / "work"
    warehouse = work_dir / "warehouse" / "olist.duckdb"
    demo_data_dir = generate_demo_data(tmp_path / "data", RECIPE_CUSTOMERS)
    other_data = generate_demo_data(tmp_path / "other_data", RECIPE_CUSTOMERS, seed=7)

    make("dbt-build", f"DBT_ARGS={FAST_SEGMENTATION}", data_dir=demo_data_dir, work_dir=work_dir)
    ((first,),) = query(
        warehouse, "select model_version from marts.segment_models where status = 'champion'"
    )
    assert registry(warehouse) == {first: ("champion", "first build", False)}

    exported = tmp_path / "first_champion.parquet"
    output = make(
        "export-model", f"MODEL_FILE={exported}", data_dir=demo_data_dir, work_dir=work_dir
    )
    assert f"model {first} written to {exported}" in output
    assert query(warehouse, f"select count(*) from '{exported}'") == query(
        warehouse,
        f"select count(*) from marts.segment_model_parameters where model_version = '{first}'",
    )

    # make retrain on the next data: the champion's configuration refitted and promoted
    make("retrain", data_dir=other_data, work_dir=work_dir)
    ((second,),) = query(
        warehouse, "select model_version from marts.segment_models where status = 'champion'"
    )
    assert second != first
    assert registry(warehouse) == {
        second: ("champion", "forced", False),
        first: ("retired", "first build", True),
    }
    ((reason, due, promoted),) = query(
        warehouse,
        "select reason, retrain_due, is_promoted from marts.segment_model_monitoring"
        " order by built_at desc limit 1",
    )
    assert (reason, due, promoted) == ("forced", True, True)
    # segment ids: a segment matched to one of the champion's keeps its id, a new one gets an id
    # above every id used before; customer_segments uses exactly the new model's ids
    lineage = query(
        warehouse,
        "select previous_segment_id, segment_id, match_distance from marts.segment_model_lineage"
        f" where model_version = '{second}' order by segment_id",
    )
    ((first_max_id,),) = query(
        warehouse,
        "select max(segment_id) from marts.segment_model_parameters"
        f" where model_version = '{first}'",
    )
    assert lineage, "the retrain records its lineage"
    for previous_id, segment_id, distance in lineage:
        if previous_id is None:
            assert segment_id > first_max_id and distance is None
        else:
            assert segment_id == previous_id, "a matched segment keeps its id"
    assert any(previous_id is not None for previous_id, _, _ in lineage), "demo segments persist"
    scored_ids = query(
        warehouse,
        f"select distinct segment_id from marts.customer_segments where model_version = '{second}'",
    )
    assert {row[0] for row in scored_ids} <= {segment_id for _, segment_id, _ in lineage}

    # make import-model FILE=...: the exported first champion comes back, scored without a refit
    make("import-model", f"FILE={exported}", data_dir=other_data, work_dir=work_dir)
    assert registry(warehouse) == {
        first: ("champion", f"imported from {exported}", False),
        second: ("retired", "forced", True),
    }
    assert query(warehouse, "select distinct model_version from marts.customer_segments") == [
        (first,)
    ]
    ((reason, promoted),) = query(
        warehouse,
        "select reason, is_promoted from marts.segment_model_monitoring"
        " order by built_at desc limit 1",
    )
    assert (reason, promoted) == (f"imported from {exported}", True)
