"""customer_segments is scored in SQL (macro score_with_segment_model) exactly as the model object.

On the real Olist data, every customer of customer_rfm gets from the SQL the segment that
`SegmentModel.from_table(segment_centroids).predict(customer_rfm)` gives, at the same distance
(within 1e-9), and a model reading a column that customer_rfm does not have fails the build with
one line naming the column and the model version.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from dbt_harness import DbtResult, run_dbt

from olist_segmentation.segmentation.model import SegmentModel

pytestmark = pytest.mark.dbt

DISTANCE_TOLERANCE = 1e-9


def assert_sql_scores_like_the_model_object(build: DbtResult) -> int:
    """marts.customer_segments against SegmentModel on marts.customer_rfm; returns the customers."""
    assert build.returncode == 0, build.output[-5000:]
    with duckdb.connect(str(build.warehouse), read_only=True) as connection:
        table = connection.sql("select * from marts.segment_centroids").df()
        rfm = connection.sql("select * from marts.customer_rfm order by customer_unique_id").df()
        sql = connection.sql(
            "select customer_unique_id, segment_id, segment_name, distance_to_centroid,"
            " model_version from marts.customer_segments order by customer_unique_id"
        ).df()
    model = SegmentModel.from_table(table)
    expected = model.score(rfm)
    assert sql["customer_unique_id"].tolist() == rfm["customer_unique_id"].tolist()
    differs = sql["segment_id"].to_numpy() != expected["segment_id"].to_numpy()
    assert not differs.any(), (
        f"{int(differs.sum())} of {len(rfm)} customers get another segment in SQL, e.g. "
        f"{sql.loc[differs, 'customer_unique_id'].head(3).tolist()}"
    )
    np.testing.assert_allclose(
        sql["distance_to_centroid"].to_numpy(),
        expected["distance_to_centroid"].to_numpy(),
        rtol=0,
        atol=DISTANCE_TOLERANCE,
    )
    assert (sql["segment_name"] == sql["segment_id"].map(model.segment_names)).all()
    assert set(sql["model_version"]) == {model.version}
    return len(rfm)


@pytest.mark.real_data
def test_sql_scoring_equals_the_model_object_on_real_data(real_build: DbtResult) -> None:
    compared = assert_sql_scores_like_the_model_object(real_build)
    assert compared > 90_000


def test_sql_scoring_equals_the_model_object_on_demo_data(demo_build: DbtResult) -> None:
    assert_sql_scores_like_the_model_object(demo_build)


def test_model_reading_a_missing_column_fails_in_one_line(
    demo_build: DbtResult, demo_data_dir: Path, tmp_path: Path
) -> None:
    assert demo_build.returncode == 0, demo_build.output[-5000:]
    work_dir = tmp_path / "missing_feature"
    work_dir.mkdir()
    shutil.copy(demo_build.warehouse, work_dir / "olist.duckdb")
    with duckdb.connect(str(work_dir / "olist.duckdb")) as connection:
        (version,) = connection.execute(
            "select any_value(model_version) from marts.segment_centroids"
        ).fetchone()
        connection.execute(
            "update marts.segment_centroids set feature = 'lifetime_value' where feature_order = 1"
        )
    result = run_dbt(["run", "--select", "customer_segments"], demo_data_dir, work_dir)
    assert result.returncode != 0
    message = (
        f"segment model {version} reads feature(s) that are not columns of "
        '"olist"."marts"."customer_rfm": lifetime_value'
    )
    assert message in result.output, result.output[-3000:]
