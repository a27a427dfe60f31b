"""The docs site is complete and every ready-made query in analyses/ runs on a built warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dbt_harness import REPO_ROOT, DbtResult, real_data_dir, run_dbt


@pytest.fixture(scope="module")
def docs_artifacts(demo_build: DbtResult, demo_data_dir: Path) -> tuple[dict, dict]:
    """manifest.json and catalog.json of `dbt docs generate` against the demo warehouse."""
    work_dir = demo_build.warehouse.parent
    result = run_dbt(["docs", "generate"], demo_data_dir, work_dir)
    assert result.returncode == 0, result.output[-3000:]
    target = work_dir / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    return manifest, catalog


def project_nodes(manifest: dict, resource_type: str) -> dict[str, dict]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == resource_type and node["package_name"] == "olist_segmentation"
    }


def test_every_model_and_column_in_the_warehouse_is_documented(
    docs_artifacts: tuple[dict, dict],
) -> None:
    manifest, catalog = docs_artifacts
    undocumented = []
    for unique_id, node in project_nodes(manifest, "model").items():
        if not node["description"].strip():
            undocumented.append(f"model {node['name']}")
        documented = {
            name.lower() for name, column in node["columns"].items() if column["description"]
        }
        # the catalog lists the columns really built, so a column missing from yml is caught
        for column in catalog["nodes"].get(unique_id, {}).get("columns", {}):
            if column.lower() not in documented:
                undocumented.append(f"column {node['name']}.{column}")
    assert undocumented == []


def test_every_source_seed_and_analysis_is_documented(docs_artifacts: tuple[dict, dict]) -> None:
    manifest, _ = docs_artifacts
    missing = [
        f"source {source['name']}.{column}"
        for source in manifest["sources"].values()
        for column, spec in source["columns"].items()
        if not spec["description"]
    ]
    missing += [s["name"] for s in manifest["sources"].values() if not s["description"]]
    for resource_type in ("seed", "analysis"):
        missing += [
            f"{resource_type} {node['name']}"
            for node in project_nodes(manifest, resource_type).values()
            if not node["description"]
        ]
    assert missing == []


def test_models_carry_owner_and_maturity(docs_artifacts: tuple[dict, dict]) -> None:
    manifest, _ = docs_artifacts
    lacking = [
        node["name"]
        for node in project_nodes(manifest, "model").values()
        if not {"owner", "maturity"} <= set(node["config"].get("meta", {}))
    ]
    assert lacking == []


def test_exposures_depend_on_the_marts(docs_artifacts: tuple[dict, dict]) -> None:
    manifest, _ = docs_artifacts
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {"segmentation_report", "marketing_campaign_dashboard"} <= set(exposures)
    for exposure in exposures.values():
        assert "model.olist_segmentation.customer_segments" in exposure["depends_on"]["nodes"]


def run_every_analysis(build: DbtResult, data_dir: Path) -> None:
    """Compile analyses/ with dbt against `build`'s project state and run each query on it."""
    work_dir = build.warehouse.parent
    analyses = sorted(p.stem for p in (REPO_ROOT / "analyses").glob("*.sql"))
    assert analyses, "analyses/ holds the ready-made campaign queries"
    result = run_dbt(["compile", "--select", *analyses], data_dir, work_dir)
    assert result.returncode == 0, result.output[-3000:]
    compiled_dir = work_dir / "target/compiled/olist_segmentation/analyses"
    with duckdb.connect(str(build.warehouse), read_only=True) as connection:
        for name in analyses:
            relation = connection.sql((compiled_dir / f"{name}.sql").read_text())
            assert relation.columns, name
            assert relation.fetchall(), f"analysis {name} returned no row"


def test_every_analysis_compiles_and_runs_on_the_demo_warehouse(
    demo_build: DbtResult, demo_data_dir: Path
) -> None:
    run_every_analysis(demo_build, demo_data_dir)


@pytest.mark.real_data
def test_every_analysis_runs_on_the_real_data_warehouse(real_build: DbtResult) -> None:
    assert real_build.returncode == 0, real_build.output[-3000:]
    run_every_analysis(real_build, real_data_dir())
