"""The HTML report, rendered from a warehouse built by `dbt build` on the demo data."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dbt_harness import REPO_ROOT, DbtResult
from PIL import Image

from olist_segmentation.report import REQUIRED_TABLES, load_warehouse, main, write_report

SECTION_TITLES = [
    "Summary",
    "Segments",
    "Segment sizes and revenue shares",
    "Segment profile heat-map",
    "Segment profiles",
    "RFM distributions",
    "RFM-score heat-map",
    "PCA projection by segment",
    "Dendrogram of the hierarchical sample",
    "Model selection: elbow, silhouette and Davies–Bouldin against k",
    "Chosen configuration",
    "Algorithm comparison",
    "Algorithm comparison table",
    "Surrogate rules",
    "Feature importance",
    "Data-quality table",
    "Stability and maintenance",
]
IMG_SRC = re.compile(r'<img src="([^"]*)"')


def _warehouse_copy(build: DbtResult, target: Path) -> Path:
    """A private copy of the demo warehouse that a test may change."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build.warehouse, target)
    return target


def _without_stability(warehouse: Path) -> Path:
    with duckdb.connect(str(warehouse)) as con:
        for table in ("marts.segment_stability", "marts.maintenance_contract"):
            kind = con.sql(
                "select table_type from information_schema.tables "
                f"where table_schema || '.' || table_name = '{table}'"
            ).fetchall()
            if kind:
                keyword = "view" if kind[0][0] == "VIEW" else "table"
                con.sql(f"drop {keyword} {table} cascade")
    return warehouse


def _with_fake_stability(warehouse: Path) -> Path:
    """Stability tables shaped like the ones the stability study builds (replaced if present)."""
    _without_stability(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.sql(
            """
            create table marts.segment_stability as
            select
                t0,
                month_offset,
                t0 + to_months(month_offset) as snapshot_date,
                1 - 0.04 * month_offset - 0.02 * origin as ari_frozen_vs_refit,
                0.95 as noise_floor_ari,
                0.9 as noise_floor_ari_low,
                0.02 * month_offset as changed_share
            from
                (values (0, date '2017-06-01'), (1, date '2017-07-01')) as o(origin, t0),
                range(1, 9) as m(month_offset)
            """
        )
        con.sql(
            """
            create table marts.maintenance_contract as
            select
                5 as recommended_retrain_months,
                0.8 as ari_threshold,
                0.95 as noise_floor_ari,
                'retrain every 5 months (range 4–5 over 2 starting months)' as contract_summary
            """
        )
    return warehouse


@pytest.fixture(scope="module")
def report_html(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the demo warehouse without the (optional) stability study."""
    assert demo_build.returncode == 0, demo_build.output[-3000:]
    work = tmp_path_factory.mktemp("report")
    warehouse = _without_stability(_warehouse_copy(demo_build, work / "olist.duckdb"))
    out = write_report(warehouse, work / "out" / "segmentation.html")
    return out.read_text(encoding="utf-8")


def test_every_section_and_chart_title_is_present(report_html):
    for title in SECTION_TITLES:
        assert f">{title}</h" in report_html, f"missing section or chart title {title!r}"
    assert report_html.count("How to read it:") == 9
    assert "customers the rules explain" in report_html


def test_summary_lists_every_segment_with_description_and_action(report_html, demo_build):
    segments = demo_build.query(
        "select segment_name, description, suggested_action from marts.segment_profiles"
    )
    assert segments
    summary = report_html.split('<section id="summary">', 1)[1].split("</section>", 1)[0]
    for name, description, action in segments:
        for text in (name, description, action):
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert escaped in summary
    (version,) = demo_build.query("select distinct model_version from marts.segment_centroids")[0]
    (reference,) = demo_build.query("select distinct reference_date from marts.customer_rfm")[0]
    (customers,) = demo_build.query("select count(*) from marts.customer_segments")[0]
    assert version in summary
    assert str(reference) in summary
    assert f"{customers:,}" in summary


def test_images_are_inline_pngs_that_decode(report_html):
    sources = IMG_SRC.findall(report_html)
    assert len(sources) == 9
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1], validate=True)))
        image.load()
        assert image.width > 200 and image.height > 100


def test_report_has_no_external_resource(report_html):
    references = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', report_html)
    assert references
    for reference in references:
        assert not re.match(r"(https?:)?//", reference), reference
        assert reference.startswith(("data:", "#")), reference
    assert "<script" not in report_html
    assert "<link" not in report_html
    assert "@import" not in report_html
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", report_html)


def test_stability_not_built_yet(report_html):
    assert "Not built yet: marts.segment_stability" in report_html
    assert "Stability curve" not in report_html


def test_stability_curve_when_the_study_exists(demo_build, tmp_path):
    warehouse = _with_fake_stability(_warehouse_copy(demo_build, tmp_path / "olist.duckdb"))
    html = write_report(warehouse, tmp_path / "segmentation.html").read_text(encoding="utf-8")
    assert ">Stability curve</h3>" in html
    assert ">Maintenance contract</h3>" in html
    assert ">Stability by month</h3>" in html
    assert "retrain every 5 months (range 4–5 over 2 starting months)" in html
    assert "Not built yet" not in html
    assert len(IMG_SRC.findall(html)) == 10


def test_cli_writes_the_report_with_progress_on_stderr(demo_build, tmp_path):
    out = tmp_path / "nested" / "segmentation.html"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "olist_segmentation.report",
            "--warehouse",
            str(demo_build.warehouse),
            "--out",
            str(out),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert out.is_file()
    progress = [line for line in completed.stderr.splitlines() if line.startswith("[report]")]
    assert any("PCA projection:" in line and "elapsed" in line for line in progress)
    assert len(progress) >= 11  # read + 9 charts (+ stability) + wrote


def test_warehouse_is_read_only_and_closed_after_reading(demo_build, tmp_path):
    warehouse = _warehouse_copy(demo_build, tmp_path / "olist.duckdb")
    data = load_warehouse(warehouse)
    assert len(data.customers) > 0
    # DuckDB refuses a read-write connection to a file this process still holds read-only
    with duckdb.connect(str(warehouse)) as con:
        assert con.sql("select count(*) from marts.segment_profiles").fetchall()[0][0] > 0


def test_missing_warehouse_exits_2_and_says_to_build(tmp_path, capsys):
    missing = tmp_path / "nowhere" / "olist.duckdb"
    code = main(["--warehouse", str(missing), "--out", str(tmp_path / "r.html")])
    assert code == 2
    error = capsys.readouterr().err
    assert str(missing) in error
    assert "run `make build` first" in error
    assert not (tmp_path / "r.html").exists()


def test_missing_table_exits_2_and_names_it(tmp_path, capsys):
    warehouse = tmp_path / "empty.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.sql("create schema marts")
        con.sql("create table marts.customer_rfm (customer_unique_id varchar)")
    code = main(["--warehouse", str(warehouse), "--out", str(tmp_path / "r.html")])
    assert code == 2
    error = capsys.readouterr().err
    assert "marts.segment_profiles" in error
    assert "marts.customer_rfm," not in error  # present, so not listed
    assert "run `make build` first" in error
    assert set(REQUIRED_TABLES) >= {"marts.segment_rules", "marts.data_quality"}


def test_nightly_operation_shows_the_champion_and_the_last_verdict(report_html, demo_build):
    champion, reason = demo_build.query(
        "select model_version, promoted_because from marts.segment_models where status = 'champion'"
    )[0]
    section = report_html[report_html.index('id="operations"') :]
    assert ">Nightly operation</h" in section
    assert f"Champion {champion}" in section
    assert f"because: {reason}" in section
    assert ">Last monitoring row</" in section
