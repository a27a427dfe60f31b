"""Models that read their own previous table declare it, so that the atomic build keeps it.

The atomic build builds into a new, empty file and brings over from the published warehouse only
what each run needs (macros/atomic_build/keep_previous_build.sql). A Python model that returns
its previous rows when nothing changed (olist_segmentation.warehouse.previous_rows) would silently
find no table and recompute — the whole search on every retrain — unless its yml says
``meta: {reads_its_previous_rows: true}``.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MODELS = Path(__file__).resolve().parents[2] / "models"
READS_ITS_TABLE = re.compile(
    r"\b(previous_rows|rows_kept_without_retrain)\(\s*session,\s*dbt\.this"
)


def _declared() -> dict[str, bool]:
    """Model name -> whether its yml sets config.meta.reads_its_previous_rows."""
    declared = {}
    for path in MODELS.rglob("_*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            meta = (model.get("config") or {}).get("meta") or {}
            declared[model["name"]] = bool(meta.get("reads_its_previous_rows"))
    return declared


def _reading_their_table() -> set[str]:
    return {path.stem for path in MODELS.rglob("*.py") if READS_ITS_TABLE.search(path.read_text())}


def test_every_model_reading_its_previous_rows_declares_it() -> None:
    readers = _reading_their_table()
    assert {"segment_model_selection_computed", "int_clustering_compared"} <= readers
    declared = _declared()
    assert {name for name in readers if not declared.get(name)} == set()


def test_no_model_declares_it_without_reading_its_table() -> None:
    declared = {name for name, flag in _declared().items() if flag}
    assert declared - _reading_their_table() == set()
