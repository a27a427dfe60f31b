"""The semantic layer (models/semantic, MetricFlow): `mf validate-configs` passes on the demo
warehouse, and `mf query` answers the same figures as plain SQL on the marts.

mf reads target/semantic_manifest.json of the project it runs in, so the test runs it in a copy of
the project (the repository's target/ is never touched) against a copy of the session's demo
warehouse, opened read-only (OLIST_DUCKDB_ACCESS_MODE, as `make metrics` does). The copy gets a few
synthetic rows in marts.segment_snapshot_transitions, which one build leaves empty.
"""

from __future__ import annotations

import csv
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_harness import DbtResult, copy_project

BIN_DIR = Path(sys.executable).parent
# (changed_on, from_segment_id, to_segment_id, move_cause, model_version, customer_count)
SYNTHETIC_MOVES = [
    ("2026-01-02", 1, 2, "behaviour", "v-test", 5),
    ("2026-01-02", 2, 1, "behaviour", "v-test", 3),
    ("2026-01-09", 2, 1, "retrain", "v-test-2", 7),
    ("2026-02-01", 1, 2, "retrain", "v-test-2", 11),
]


@dataclass(frozen=True)
class SemanticProject:
    root: Path
    warehouse: Path
    env: dict[str, str]

    def sql(self, query: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.sql(query).fetchall()


def _mf(project: SemanticProject, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN_DIR / "mf"), *args],
        cwd=project.root,
        env=project.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _number(value: str) -> float | str | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        return value


def mf_query(
    project: SemanticProject,
    metrics: Iterable[str],
    group_by: Iterable[str] = (),
    where: str | None = None,
) -> list[dict[str, float | str | None]]:
    """Rows of `mf query`, read from its --csv file (numbers as float, NULL as None).

    mf writes no file for an empty result, only a message: that case returns [] after checking
    the message, so a query that silently failed can never pass for an empty one."""
    out = project.root / "query.csv"
    out.unlink(missing_ok=True)
    args = ["query", "--metrics", ",".join(metrics), "--csv", str(out)]
    if group_by:
        args += ["--group-by", ",".join(group_by)]
    if where:
        args += ["--where", where]
    completed = _mf(project, *args)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "ERROR" not in output, output
    if not out.exists():
        assert "empty result set" in output, output
        return []
    with out.open(newline="") as handle:
        rows = [
            {key: _number(value) for key, value in row.items()} for row in csv.DictReader(handle)
        ]
    expected_columns = [*group_by, *metrics]
    assert rows, f"mf wrote {out} with a header only"
    assert sorted(rows[0]) == sorted(expected_columns), rows[0]
    return rows


def _by(rows: list[dict], key: str) -> dict:
    by_key = {row[key]: row for row in rows}
    assert len(by_key) == len(rows), f"{key} is not unique in {rows}"
    return by_key


def _close(actual: float | None, expected: float | None, tolerance: float = 1e-9) -> bool:
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), rel_tol=tolerance, abs_tol=tolerance)


@pytest.fixture(scope="module")
def semantic_project(
    demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory
) -> SemanticProject:
    assert demo_build.returncode == 0, demo_build.output[-3000:]
    mf = BIN_DIR / "mf"
    assert mf.exists(), f"{mf} missing: install the dev extra (pip install -e '.[dev]')"
    root = tmp_path_factory.mktemp("semantic") / "project"
    root.mkdir()
    copy_project(root)
    # Same file name as the session's warehouse: dbt-duckdb names the catalog after it, and the
    # semantic manifest that `dbt parse` writes addresses the marts as "<catalog>".marts.<table>.
    warehouse = root / "warehouse" / demo_build.warehouse.name
    warehouse.parent.mkdir()
    shutil.copyfile(demo_build.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.executemany(
            "insert into marts.segment_snapshot_transitions (changed_on, from_segment_id, "
            "to_segment_id, move_cause, model_version, customer_count) values (?, ?, ?, ?, ?, ?)",
            SYNTHETIC_MOVES,
        )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROJECT_DIR"}
    }
    env.update(
        {
            "DBT_PROFILES_DIR": str(root),
            "OLIST_DUCKDB_PATH": str(warehouse),
            "OLIST_DUCKDB_ACCESS_MODE": "read_only",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    parsed = subprocess.run(
        [str(BIN_DIR / "dbt"), "parse", "--quiet"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    assert (root / "target" / "semantic_manifest.json").exists()
    return SemanticProject(root=root, warehouse=warehouse, env=env)


@pytest.mark.dbt
def test_mf_validate_configs_passes_against_the_warehouse(
    semantic_project: SemanticProject,
) -> None:
    completed = _mf(semantic_project, "validate-configs")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Successfully validated the semantics of built manifest" in output, output
    for kind in ("semantic models", "dimensions", "entities", "measures", "metrics"):
        assert f"Successfully validated {kind} against data warehouse" in output, output
    assert not re.search(r"ERRORS: [1-9]", output), output


@pytest.mark.dbt
def test_segment_metrics_equal_plain_sql_on_the_marts(semantic_project: SemanticProject) -> None:
    metrics = [
        "customers",
        "revenue",
        "orders",
        "average_order_value",
        "repeat_customer_share",
        "segment_customer_share",
        "segment_revenue_share",
        "average_review_score",
    ]
    rows = _by(
        mf_query(semantic_project, metrics, ["customer__segment_id", "customer__segment_name"]),
        "customer__segment_name",
    )
    # revenue and orders from customer_rfm (monetary, frequency), not from customer_orders that
    # the metrics read: the order grain must add up to the customer grain
    expected = semantic_project.sql(
        """
        select
            segments.segment_name,
            segments.segment_id,
            count(*) as customers,
            sum(rfm.monetary) as revenue,
            sum(rfm.frequency) as orders,
            sum(rfm.monetary) / sum(rfm.frequency) as average_order_value,
            avg(case when rfm.frequency > 1 then 1.0 else 0.0 end) as repeat_customer_share,
            count(*) / (select count(*) from marts.customer_rfm) as segment_customer_share,
            sum(rfm.monetary) / (select sum(monetary) from marts.customer_rfm)
                as segment_revenue_share,
            avg(rfm.avg_review_score) as average_review_score
        from marts.customer_rfm as rfm
        inner join marts.customer_segments as segments
            on rfm.customer_unique_id = segments.customer_unique_id
        group by all
        """
    )
    assert len(expected) >= 2
    assert sorted(rows) == sorted(row[0] for row in expected)
    for name, segment_id, *values in expected:
        row = rows[name]
        assert row["customer__segment_id"] == segment_id
        for metric, value in zip(metrics, values, strict=True):
            assert _close(row[metric], value, 1e-6), (name, metric, row[metric], value)
    assert _close(sum(row["segment_customer_share"] for row in rows.values()), 1.0)
    assert _close(sum(row["segment_revenue_share"] for row in rows.values()), 1.0)

    # the same shares as the report's segment table (segment_profiles)
    for name, customer_share, revenue_share in semantic_project.sql(
        "select segment_name, customer_share, revenue_share from marts.segment_profiles"
    ):
        assert _close(rows[name]["segment_customer_share"], customer_share, 1e-6)
        assert _close(rows[name]["segment_revenue_share"], revenue_share, 1e-6)
    by_id = _by(list(rows.values()), "customer__segment_id")
    for segment_id, mean in semantic_project.sql(
        "select segment_id, mean from marts.segment_profile_features "
        "where feature = 'avg_review_score'"
    ):
        assert _close(by_id[segment_id]["average_review_score"], mean, 1e-6)


@pytest.mark.dbt
def test_metrics_by_region_and_month_equal_plain_sql(semantic_project: SemanticProject) -> None:
    by_region = _by(
        mf_query(semantic_project, ["customers", "average_review_score"], ["customer__region"]),
        "customer__region",
    )
    expected = semantic_project.sql(
        "select customer_region, count(*), avg(avg_review_score) "
        "from marts.customer_rfm group by all"
    )
    assert sorted(by_region) == sorted(row[0] for row in expected)
    for region, customers, review in expected:
        assert by_region[region]["customers"] == customers
        assert _close(by_region[region]["average_review_score"], review, 1e-6)

    by_month = _by(
        mf_query(semantic_project, ["revenue", "orders"], ["metric_time__month"]),
        "metric_time__month",
    )
    expected = semantic_project.sql(
        """
        select strftime(date_trunc('month', purchased_at), '%Y-%m-%d %H:%M:%S'),
            sum(amount_paid), count(*)
        from marts.customer_orders group by all
        """
    )
    assert sorted(by_month) == sorted(row[0] for row in expected)
    for month, revenue, orders in expected:
        assert _close(by_month[month]["revenue"], revenue, 1e-9), month
        assert by_month[month]["orders"] == orders


@pytest.mark.dbt
def test_a_filter_keeps_all_customers_as_the_share_denominator(
    semantic_project: SemanticProject,
) -> None:
    rows = _by(
        mf_query(
            semantic_project,
            ["segment_customer_share", "customers"],
            ["customer__segment_name"],
            where="{{ Dimension('customer__region') }} = 'Southeast'",
        ),
        "customer__segment_name",
    )
    expected = semantic_project.sql(
        """
        select segments.segment_name, count(*),
            count(*) / (select count(*) from marts.customer_rfm)
        from marts.customer_rfm as rfm
        inner join marts.customer_segments as segments
            on rfm.customer_unique_id = segments.customer_unique_id
        where rfm.customer_region = 'Southeast'
        group by all
        """
    )
    assert sorted(rows) == sorted(row[0] for row in expected)
    for name, customers, share in expected:
        assert rows[name]["customers"] == customers
        assert _close(rows[name]["segment_customer_share"], share, 1e-6)


@pytest.mark.dbt
def test_customers_moved_equals_the_transitions_mart(semantic_project: SemanticProject) -> None:
    (total,) = mf_query(semantic_project, ["customers_moved"])
    assert total["customers_moved"] == sum(move[-1] for move in SYNTHETIC_MOVES)

    rows = mf_query(
        semantic_project,
        ["customers_moved"],
        ["segment_move__to_segment_id", "segment_move__move_cause"],
    )
    actual = {
        (row["segment_move__to_segment_id"], row["segment_move__move_cause"]): (
            row["customers_moved"]
        )
        for row in rows
    }
    expected = semantic_project.sql(
        """
        select to_segment_id, move_cause, sum(customer_count)
        from marts.segment_snapshot_transitions group by all
        """
    )
    assert actual == {(float(to), cause): float(count) for to, cause, count in expected}

    by_day = mf_query(semantic_project, ["customers_moved"], ["metric_time__day"])
    assert {row["metric_time__day"]: row["customers_moved"] for row in by_day} == {
        "2026-01-02 00:00:00": 8.0,
        "2026-01-09 00:00:00": 7.0,
        "2026-02-01 00:00:00": 11.0,
    }

    # no move matches: mf writes no CSV, only a message, and the helper reads it as no rows
    assert (
        mf_query(
            semantic_project,
            ["customers_moved"],
            ["segment_move__move_cause"],
            where="{{ Dimension('segment_move__move_cause') }} = 'no such cause'",
        )
        == []
    )
