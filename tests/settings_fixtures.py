"""The project's var defaults, as dbt renders them into the Python models' `settings` config."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(PROJECT_FILE.read_text())["vars"]


def project_vars(**overrides: Any) -> dict[str, Any]:
    """dbt_project.yml's vars with overrides: the mapping load_settings parses."""
    return {**_defaults(), **overrides}


def rendered_settings(**overrides: Any) -> str:
    """The same as the JSON text dbt hands a Python model."""
    return json.dumps(project_vars(**overrides))
