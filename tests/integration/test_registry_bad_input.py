"""A model registry edited by hand into a state no build leaves: the next build says what is wrong.

A warehouse is built on the demo data, then retrained on other data, so its registry holds a
champion, a retired model and their lineage, as after a few nights. Each case edits a private copy
of that warehouse the way a user could (a retired model set back to champion without retiring the
other, the champion's parameters deleted...), then runs the atomic build (`python -m
olist_segmentation.build`, what `make build` runs). It must fail with ONE line naming the registry
table and what is wrong, and publish nothing: the warehouse and the Parquet exports stay as they
were. README "Bad input" lists the cases.

Every case fails in the registry reader, int_segment_champion_previous. The first case runs the
whole nightly build; the others, the same atomic build selecting that model alone, which performs
the same check without staging the raw files again.

The import file's own problems (a missing or mistyped column, a feature customer_rfm lacks) are
tested in test_dbt_build.py and tests/unit/test_segmentation_champion.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_harness import DEMO_TEST_CUSTOMERS, generate_demo_data
from test_reliability import FAST_SEGMENTATION, BuildRun, copy_published, file_digests, run_build

from olist_segmentation.build import table_checksums
from olist_segmentation.registry import export_model

pytestmark = pytest.mark.dbt


@dataclass(frozen=True)
class Registry:
    published: BuildRun
    data_dir: Path
    champion: str
    retired: str


@pytest.fixture(scope="module")
def registry(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """A first build, then a forced retrain on other data: one champion, one retired model."""
    work_dir = tmp_path_factory.mktemp("registry")
    first = run_build(FAST_SEGMENTATION, demo_data_dir, work_dir)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
    other_data = generate_demo_data(
        tmp_path_factory.mktemp("registry_data"), DEMO_TEST_CUSTOMERS, seed=7
    )
    retrain = run_build(f"{FAST_SEGMENTATION}, segment_retrain: true", other_data, work_dir)
    assert retrain.returncode == 0, retrain.stdout[-3000:] + retrain.stderr[-2000:]
    with duckdb.connect(str(retrain.warehouse), read_only=True) as connection:
        statuses = dict(
            connection.sql("select status, model_version from marts.segment_models").fetchall()
        )
    assert sorted(statuses) == ["champion", "retired"], statuses
    return Registry(retrain, other_data, statuses["champion"], statuses["retired"])


CHAMPION = "(select model_version from marts.segment_models where status = 'champion')"

# (case, the hand edit, what the one-line message must say)
CASES = [
    (
        "a retired model set back to champion, the champion left as it was",
        "update marts.segment_models set status = 'champion', retired_at = null",
        "marts.segment_models holds 2 champions ({both}): set the status of all but one to "
        "'retired'",
    ),
    (
        "the champion's parameters deleted",
        f"delete from marts.segment_model_parameters where model_version = {CHAMPION}",
        "marts.segment_model_parameters has no rows for the champion {champion} of "
        "marts.segment_models: restore them or import the model again",
    ),
    (
        "one segment of the champion deleted from its parameters",
        "delete from marts.segment_model_parameters"
        f" where model_version = {CHAMPION} and segment_id = 2",
        "marts.segment_model_parameters holds {segment_count} segment(s) ({segment_ids}) of the"
        " champion {champion}, whose k in marts.segment_models is {k}: restore the missing"
        " segments",
    ),
    (
        "every model retired, none promoted in its place",
        "update marts.segment_models set status = 'retired', retired_at = now()",
        "marts.segment_models holds 2 model(s) and no champion: set the status of one of them "
        "to 'champion', or import a model (make import-model FILE=...)",
    ),
    (
        "a status typed by hand",
        f"update marts.segment_models set status = 'Champion' where model_version = {CHAMPION}",
        "marts.segment_models: model {champion} has status 'Champion', expected 'champion' or "
        "'retired'",
    ),
    (
        "a feature of the champion renamed to a column customer_rfm lacks",
        "update marts.segment_model_parameters set feature = 'recency'"
        f" where feature = 'recency_days' and model_version = {CHAMPION}",
        "marts.segment_model_parameters: the champion {champion} reads feature(s) that are not "
        "columns of marts.customer_rfm: recency",
    ),
]


@pytest.mark.parametrize(("case", "edit", "expected"), CASES, ids=[case[0] for case in CASES])
def test_a_registry_edited_by_hand_fails_the_build_in_one_line_and_publishes_nothing(
    registry: Registry, tmp_path: Path, case: str, edit: str, expected: str
) -> None:
    copy = copy_published(registry.published, tmp_path)
    with duckdb.connect(str(copy.warehouse)) as connection:
        connection.execute(edit)
        ((k,),) = connection.sql(
            f"select k from marts.segment_models where model_version = '{registry.champion}'"
        ).fetchall()
        segment_ids = [
            row[0]
            for row in connection.sql(
                "select distinct segment_id from marts.segment_model_parameters"
                f" where model_version = '{registry.champion}' order by segment_id"
            ).fetchall()
        ]
    marts_before = table_checksums(copy.warehouse)
    exports_before = file_digests(copy.exports)

    whole_build = case == CASES[0][0]
    selection = () if whole_build else ("--select", "int_segment_champion_previous")
    failed = run_build(FAST_SEGMENTATION, registry.data_dir, tmp_path, *selection)

    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-2000:]
    message = expected.format(
        champion=registry.champion,
        both=", ".join(sorted([registry.champion, registry.retired])),
        k=k,
        segment_count=len(segment_ids),
        segment_ids=", ".join(str(segment_id) for segment_id in segment_ids),
    )
    summary = failed.stderr.strip().splitlines()[-1]
    assert summary.startswith(
        "BUILD FAILED: dbt build failed (exit code 1): model int_segment_champion_previous: "
        + message
    ), summary
    assert "were left unchanged" in summary
    assert "Traceback" not in failed.stderr, "one line, no stack"
    assert table_checksums(copy.warehouse) == marts_before, "the warehouse is unchanged"
    assert file_digests(copy.exports) == exports_before, "no export changed, no leftover"


def test_importing_a_model_repairs_a_registry_whose_champion_lost_its_parameters(
    registry: Registry, tmp_path: Path
) -> None:
    """What the message advises: `make import-model FILE=...` promotes the file's model, and the
    champion without parameters is retired, instead of the build failing again on it."""
    copy = copy_published(registry.published, tmp_path)
    exported = tmp_path / "retired_model.parquet"
    export_model(warehouse=copy.warehouse, out=exported, model_version=registry.retired)
    with duckdb.connect(str(copy.warehouse)) as connection:
        connection.execute(
            f"delete from marts.segment_model_parameters where model_version = {CHAMPION}"
        )

    repaired = run_build(
        f"{FAST_SEGMENTATION}, segment_import_model_file: '{exported}'", registry.data_dir, tmp_path
    )

    assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr[-2000:]
    with duckdb.connect(str(repaired.warehouse), read_only=True) as connection:
        models = dict(
            connection.sql(
                "select model_version, status || ': ' || promoted_because from marts.segment_models"
            ).fetchall()
        )
        scored_with = connection.sql(
            "select distinct model_version from marts.customer_segments"
        ).fetchall()
    assert models == {
        registry.retired: f"champion: imported from {exported}",
        registry.champion: "retired: forced",
    }
    assert scored_with == [(registry.retired,)]
