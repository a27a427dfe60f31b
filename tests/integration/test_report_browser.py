"""The report opened in a real browser (headless Chromium): it renders and no image is broken.

Skipped with a reason when Chromium is not installed (`apt-get install -y chromium`; `make test`
installs it). Set CHROMIUM_BIN to use another binary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from dbt_harness import DbtResult
from PIL import Image

from olist_segmentation.report import write_report

pytestmark = pytest.mark.browser

# Reports the load state of every <img> as attributes of <body>, read back with --dump-dom.
IMAGE_PROBE = """
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (img) { return !(img.complete && img.naturalWidth > 0); });
  document.body.setAttribute("data-images", String(images.length));
  document.body.setAttribute("data-broken-images", String(broken.length));
});
</script>
"""


def chromium_binary() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_BIN"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with no network side channel (no sync, updates or background calls)."""
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("Chromium not found (apt-get install -y chromium, or set CHROMIUM_BIN)")
    return binary


@pytest.fixture(scope="module")
def report_file(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert demo_build.returncode == 0, demo_build.output[-3000:]
    return write_report(demo_build.warehouse, tmp_path_factory.mktemp("browser") / "report.html")


def test_screenshot_is_not_blank(chromium, report_file, tmp_path):
    screenshot = tmp_path / "report.png"
    completed = run_chromium(
        chromium,
        tmp_path / "profile",
        f"--screenshot={screenshot}",
        "--window-size=1280,4000",
        "--hide-scrollbars",
        report_file.as_uri(),
    )
    assert screenshot.is_file(), completed.stderr[-2000:]
    pixels = np.asarray(Image.open(screenshot).convert("L"), dtype="float64")
    assert pixels.shape == (4000, 1280)
    non_white = float((pixels < 245).mean())
    assert pixels.std() > 20, f"screenshot looks uniform (std {pixels.std():.1f})"
    assert non_white > 0.05, f"screenshot is almost all white ({non_white:.1%} non-white)"
    # charts, not only text: some rows are mostly coloured (a bar chart or heat-map)
    coloured_rows = (pixels < 200).mean(axis=1) > 0.2
    assert coloured_rows.sum() > 50


def test_every_image_loads_in_the_browser(chromium, report_file, tmp_path):
    html = report_file.read_text(encoding="utf-8")
    expected = html.count("<img ")
    assert expected >= 9
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", IMAGE_PROBE + "</body>"), encoding="utf-8")
    completed = run_chromium(
        chromium,
        tmp_path / "profile",
        "--dump-dom",
        "--virtual-time-budget=15000",
        probed.as_uri(),
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    body = re.search(r"<body[^>]*>", completed.stdout)
    assert body is not None, completed.stdout[:500]
    images = re.search(r'data-images="(\d+)"', body.group(0))
    broken = re.search(r'data-broken-images="(\d+)"', body.group(0))
    assert images and broken, f"the load probe did not run: {body.group(0)}"
    assert int(images.group(1)) == expected
    assert int(broken.group(1)) == 0, "some <img> did not decode (naturalWidth == 0)"
