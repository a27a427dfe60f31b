"""The explain models' settings: what their yml renders parses into ExplainSettings."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pytest
import yaml
from settings_fixtures import project_vars

from olist_segmentation.settings import load_settings

MODELS = Path(__file__).resolve().parents[2] / "models"
EXPLAIN_YMLS = [
    MODELS / "intermediate/explain/_explain__models.yml",
    MODELS / "marts/explain/_explain__models.yml",
]
PYTHON_MODELS = [
    "int_segment_surrogate_tree",
    "segment_profile_features_computed",
    "segment_feature_importance",
]


def _rendered_settings() -> dict[str, str]:
    """``config.settings`` of every model of the explain ymls, rendered as dbt would."""
    render = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string
    defaults = project_vars()
    context = {"var": defaults.__getitem__, "tojson": json.dumps}
    settings = {}
    for path in EXPLAIN_YMLS:
        for model in yaml.safe_load(path.read_text())["models"]:
            text = model.get("config", {}).get("settings")
            if text is not None:
                settings[model["name"]] = render(text).render(context)
    return settings


def test_every_explain_python_model_gets_the_explain_vars():
    rendered = _rendered_settings()
    assert sorted(rendered) == sorted(PYTHON_MODELS)
    for name in PYTHON_MODELS:
        explain = load_settings(rendered[name]).explain
        assert explain.surrogate_max_depth == 4, name
        assert explain.seed == 42, name


def test_explain_vars_are_validated_naming_the_var():
    settings = load_settings(
        project_vars(
            profile_features="['recency_days', 'monetary']",
            surrogate_max_depth="3",
            surrogate_sample_size="5000",
            importance_sample_size="2000",
            segment_seed="42",
        )
    ).explain
    assert settings.profile_features == ["recency_days", "monetary"]
    assert (settings.surrogate_max_depth, settings.surrogate_sample_size) == (3, 5000)
    assert (settings.importance_sample_size, settings.seed) == (2000, 42)
    for bad, var in [
        ({"surrogate_max_depth": "9"}, "surrogate_max_depth"),
        ({"importance_sample_size": "many"}, "importance_sample_size"),
        ({"profile_features": "[monetary, monetary]"}, "profile_features"),
    ]:
        with pytest.raises(ValueError, match=f"Invalid var {var}"):
            _ = load_settings(project_vars(**bad)).explain
