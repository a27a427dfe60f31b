"""Nightly builds into one warehouse on data cut at consecutive days, then a retrain months later.

Each day the export is what the business had that morning: orders purchased before the day, an
order delivered only later still shown as shipped, reviews answered before the day. The nightly
job (the atomic build, as `make build` runs it) must keep the champion, move exactly the customers
whose own features crossed a frozen boundary, and record only those moves; a retrain must keep the
ids of the segments that persist.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from dbt_harness import generate_demo_data

from olist_segmentation.build import run_build_process
from olist_segmentation.demo.cut import cut_at, read_raw
from olist_segmentation.segmentation.model import SegmentModel

NIGHTLY_CUSTOMERS = 3000
FEATURE_COLUMNS = ["recency_days", "frequency", "monetary"]


KEPT_LINE = re.compile(
    r"Kept from the previous build \((needed|rest), [\d.]+ s\): \d+ relation\(s\)(?:: (.*))?$"
)
# how Python prints a warning: "<file>:<line>: <Category>Warning: <message>"
PYTHON_WARNING = re.compile(r"^.*:\d+: \w*Warning: .*$", re.MULTILINE)


# Models returning their previous rows when nothing changed (meta.reads_its_previous_rows): a
# build that runs them keeps their table first.
READ_THEIR_PREVIOUS_ROWS = {
    "marts.segment_model_selection_computed",
    "intermediate.int_clustering_compared",
    "intermediate.int_segment_stability_measured",
    "intermediate.int_stability_reference_model",
    "marts.segment_transitions_computed",
}
# What every build keeps and appends to: the registry's incremental tables and the snapshot.
PERSISTENT = {
    "segment_models",
    "segment_model_parameters",
    "segment_model_reference_bins",
    "segment_model_lineage",
    "segment_model_monitoring",
    "segment_model_monitoring_features",
    "customer_segments_snapshot",
}


@dataclass(frozen=True)
class NightlyBuild:
    """What one build ran: nodes per dbt run, and the relations it brought over."""

    runs: dict[str, set[str]]
    kept: set[str]
    kept_rest: set[str]
    resource_types: dict[str, set[str]]
    python_warnings: list[str]
    parses: int
    full_parses: int


def nightly_build(data_dir: Path, warehouse: Path, *extra: str) -> NightlyBuild:
    """What the scheduled job runs: the atomic build into the one warehouse.

    Returns the nodes each of its dbt runs executed (run_results.<run>.json: decide, then
    nightly or retrain), by name, and the relations (schema.name) its runs brought over from
    the published warehouse (their "Kept from the previous build" lines).
    """
    target = warehouse.parent / "target"
    for previous in target.glob("run_results.*.json"):
        previous.unlink()
    completed = run_build_process(data_dir=data_dir, warehouse=warehouse, dbt_args=extra)
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    results = {
        path.name.split(".")[1]: json.loads(path.read_text())["results"]
        for path in target.glob("run_results.*.json")
    }
    runs = {run: {r["unique_id"].split(".")[2] for r in rows} for run, rows in results.items()}
    kept = [m for line in completed.stdout.splitlines() if (m := KEPT_LINE.search(line))]
    return NightlyBuild(
        runs=runs,
        kept={name for m in kept if m[2] for name in m[2].split(", ")},
        kept_rest={name for m in kept if m[2] and m[1] == "rest" for name in m[2].split(", ")},
        resource_types={
            run: {r["unique_id"].split(".")[0] for r in rows} for run, rows in results.items()
        },
        python_warnings=PYTHON_WARNING.findall(completed.stdout + completed.stderr),
        parses=completed.stderr.count("[build] parse: dbt parse"),
        full_parses=completed.stdout.count("Unable to do partial parsing"),
    )


def read(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).df()


def state(warehouse: Path) -> dict[str, pd.DataFrame]:
    return {
        "segments": read(warehouse, "select * from marts.customer_segments"),
        "rfm": read(warehouse, "select * from marts.customer_rfm"),
        "champion": read(warehouse, "select * from marts.segment_centroids"),
        "registry": read(warehouse, "select * from marts.segment_models"),
        "snapshot": read(warehouse, "select * from marts.customer_segments_snapshot"),
        "selection": read(warehouse, "select * from marts.segment_model_selection order by all"),
        "relations": read(
            warehouse,
            "select table_schema || '.' || table_name as relation from information_schema.tables",
        ),
    }


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("nightly")
    full = generate_demo_data(root / "full", NIGHTLY_CUSTOMERS, seed=5)
    last = pd.to_datetime(read_raw(full, "olist_orders_dataset")["order_purchase_timestamp"]).max()
    first_day = (last - pd.Timedelta(days=150)).date()
    warehouse = root / "warehouse" / "olist.duckdb"
    warehouse.parent.mkdir()
    days = [first_day, first_day + timedelta(days=1), first_day + timedelta(days=2)]
    states, runs = [], []
    for day in days:
        runs.append(nightly_build(cut_at(full, day, root / f"cut_{day}"), warehouse))
        states.append(state(warehouse))
    retrain_day = first_day + timedelta(days=120)
    runs.append(
        nightly_build(
            cut_at(full, retrain_day, root / f"cut_{retrain_day}"),
            warehouse,
            "--vars",
            "{segment_retrain: true}",
        )
    )
    states.append(state(warehouse))
    monitoring = read(warehouse, "select * from marts.segment_model_monitoring order by built_at")
    lineage = read(warehouse, "select * from marts.segment_model_lineage")
    transitions = read(warehouse, "select * from marts.segment_snapshot_transitions")
    return {
        "states": states,
        "runs": runs,
        "monitoring": monitoring,
        "lineage": lineage,
        "transitions": transitions,
    }


def _stayers(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> pd.Index:
    """Customers whose counted orders did not change between two nights."""
    keys = ["customer_unique_id", "frequency", "monetary", "first_purchase_at", "last_purchase_at"]
    joined = before["rfm"][keys].merge(after["rfm"][keys], on=keys)
    return pd.Index(joined["customer_unique_id"])


@pytest.mark.dbt
def test_nights_without_a_retrain_keep_the_model_version(nights: dict[str, object]) -> None:
    states = nights["states"]
    versions = [set(s["segments"]["model_version"]) for s in states[:3]]
    assert versions[0] == versions[1] == versions[2] and len(versions[0]) == 1
    registry = states[2]["registry"]
    assert len(registry) == 1 and registry["status"].tolist() == ["champion"]
    monitoring = nights["monitoring"]
    assert monitoring["retrain_due"].tolist()[:3] == [True, False, False]
    assert monitoring["reason"].tolist()[0] == "first build"


@pytest.mark.dbt
def test_a_night_without_a_retrain_runs_no_fit(nights: dict[str, object]) -> None:
    """The build decides first, then runs the nightly path: scoring, no search, fit or study."""
    retrain_only = {
        "segment_model_selection_computed",
        "int_segment_model_fitted",
        "int_clustering_compared",
        "customer_rfm_history",
        "int_segment_stability_measured",
        "int_segment_surrogate_tree",
    }
    first, second, third, forced = (build.runs for build in nights["runs"])
    for night in (second, third):
        assert set(night) == {"decide", "nightly"}
        assert "int_segment_retrain_decision" in night["decide"]
        assert {"customer_segments", "segment_model_monitoring"} <= night["nightly"]
        assert not retrain_only & (night["decide"] | night["nightly"])
    for night in (first, forced):
        assert set(night) == {"decide", "retrain"}
        assert {"int_segment_model_fitted", "int_segment_stability_measured"} <= night["retrain"]
    assert "segment_model_selection_computed" in first["retrain"]


@pytest.mark.dbt
def test_the_scheduled_runs_run_the_data_tests_and_leave_the_unit_tests_to_ci(
    nights: dict[str, object],
) -> None:
    for build in nights["runs"]:
        for run, types in build.resource_types.items():
            assert "test" in types, f"{run}: the data tests run every night"
            assert "unit_test" not in types, f"{run}: unit tests belong to make test, not the job"


@pytest.mark.dbt
def test_a_night_parses_the_project_once_and_only_partially(nights: dict[str, object]) -> None:
    ordinary_nights = nights["runs"][1:3]
    assert [(build.parses, build.full_parses) for build in ordinary_nights] == [(1, 0), (1, 0)]


@pytest.mark.dbt
def test_the_scheduled_job_prints_no_python_warnings(nights: dict[str, object]) -> None:
    # e.g. the resource tracker's "leaked semaphore objects" when the dbt child skipped the
    # exit handlers that release dbt's multiprocessing locks
    assert [build.python_warnings for build in nights["runs"]] == [[]] * len(nights["runs"])


@pytest.mark.dbt
def test_a_retrain_brings_over_only_what_it_does_not_rebuild(nights: dict[str, object]) -> None:
    """A forced retrain starts from an empty file: what persists is brought over, nothing else.

    Nothing of the published warehouse is lost by any build; a night copies the file; the
    retrain copies no relation it rebuilds, only the registry, the monitoring rows, the
    snapshot, the contract the decision reads and the tables of the models that return their
    previous rows (the search's, kept since no reselect was asked).
    """
    states, runs = nights["states"], nights["runs"]
    for before, after, build in zip(states[:-1], states[1:], runs[1:], strict=True):
        assert set(before["relations"]["relation"]) <= set(after["relations"]["relation"])
        rebuilt = set().union(*build.runs.values())
        # appended to (the registry, the snapshot), or read by the decision before a retrain
        # rebuilds it (the previous contract)
        kept_and_rebuilt = {name.split(".")[1] for name in build.kept} & rebuilt
        allowed = PERSISTENT | {"maintenance_contract"}
        assert kept_and_rebuilt <= allowed | {
            name.split(".")[1] for name in READ_THEIR_PREVIOUS_ROWS
        }
    night, forced = runs[1], runs[3]
    assert not night.kept, "a night copies the warehouse file: no table is kept one by one"
    assert not forced.kept_rest
    assert (
        forced.kept
        == {f"marts.{name}" for name in PERSISTENT | {"maintenance_contract"}}
        | READ_THEIR_PREVIOUS_ROWS
    )
    # so the retrain refits the champion's configuration and keeps the last search (no reselect)
    assert states[3]["selection"].equals(states[2]["selection"])


@pytest.mark.dbt
@pytest.mark.parametrize("night", [1, 2])
def test_only_customers_whose_features_crossed_a_frozen_boundary_move(
    nights: dict[str, object], night: int
) -> None:
    before, after = nights["states"][night - 1], nights["states"][night]
    champion = SegmentModel.from_table(after["champion"])
    stayers = _stayers(before, after)
    assert len(stayers) > NIGHTLY_CUSTOMERS // 4
    rfm_before = before["rfm"].set_index("customer_unique_id").loc[stayers].reset_index()
    rfm_after = after["rfm"].set_index("customer_unique_id").loc[stayers].reset_index()
    expected_moves = set(stayers[champion.predict(rfm_before) != champion.predict(rfm_after)])
    segment_before = before["segments"].set_index("customer_unique_id")["segment_id"]
    segment_after = after["segments"].set_index("customer_unique_id")["segment_id"]
    actual_moves = set(
        stayers[segment_before.loc[stayers].to_numpy() != segment_after.loc[stayers].to_numpy()]
    )
    assert actual_moves == expected_moves
    # and the snapshot grew by the moves and the new customers only
    new_customers = set(after["segments"]["customer_unique_id"]) - set(
        before["segments"]["customer_unique_id"]
    )
    common = segment_before.index.intersection(segment_after.index)
    all_moves = int((segment_before.loc[common] != segment_after.loc[common]).sum())
    added = len(after["snapshot"]) - len(before["snapshot"])
    assert added == len(new_customers) + all_moves


@pytest.mark.dbt
def test_moves_are_real_moves_with_their_cause(nights: dict[str, object]) -> None:
    transitions = nights["transitions"]
    assert (transitions["from_segment_id"] != transitions["to_segment_id"]).all()
    assert set(transitions["move_cause"]) <= {"behaviour", "retrain"}


@pytest.mark.dbt
def test_a_retrain_keeps_the_ids_of_persisting_segments(nights: dict[str, object]) -> None:
    before, after = nights["states"][2], nights["states"][3]
    registry = after["registry"].set_index("model_version")
    assert len(registry) == 2
    assert sorted(registry["status"]) == ["champion", "retired"]
    new_version = registry.index[registry["status"] == "champion"][0]
    old_version = registry.index[registry["status"] == "retired"][0]
    assert registry.loc[new_version, "promoted_because"] == "forced"
    assert set(after["segments"]["model_version"]) == {new_version}
    lineage = nights["lineage"]
    lineage = lineage[lineage["model_version"] == new_version]
    kept = lineage.dropna(subset=["previous_segment_id"])
    assert len(kept) >= 1
    assert (kept["previous_model_version"] == old_version).all()
    assert (kept["previous_segment_id"].astype(int) == kept["segment_id"]).all()
    old_names = (
        before["champion"].drop_duplicates("segment_id").set_index("segment_id")["segment_name"]
    )
    new_names = (
        after["champion"].drop_duplicates("segment_id").set_index("segment_id")["segment_name"]
    )
    for segment_id in kept["segment_id"].astype(int):
        assert new_names[segment_id] == old_names[segment_id]
    fresh = lineage[lineage["previous_segment_id"].isna()]
    assert (fresh["segment_id"] > old_names.index.max()).all()
    assert np.isfinite(kept["match_distance"]).all()
