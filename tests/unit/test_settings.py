"""The one place vars are parsed: types, defaults, and errors that name the var."""

from __future__ import annotations

from datetime import date

import pytest
from settings_fixtures import project_vars, rendered_settings

from olist_segmentation.settings import is_unset, load_settings


def test_the_project_defaults_parse_into_every_group() -> None:
    settings = load_settings(rendered_settings())
    assert settings.segmentation.feature_sets["rfm"] == ["recency_days", "frequency", "monetary"]
    assert settings.segmentation.k_values == list(range(2, 11))
    assert settings.segmentation.k_override is None
    assert settings.segmentation.import_model_file is None
    assert settings.explain.seed == settings.segmentation.seed == 42
    assert settings.stability.t0 is None
    assert settings.stability.max_months >= settings.stability.min_months


@pytest.mark.parametrize("unset", [None, "", "None", "null", " NULL "])
def test_every_spelling_of_unset_is_unset(unset: object) -> None:
    assert is_unset(unset)
    settings = load_settings(project_vars(segment_k=unset, segment_import_model_file=unset))
    assert settings.segmentation.k_override is None
    assert settings.segmentation.import_model_file is None


def test_text_from_the_command_line_is_accepted() -> None:
    settings = load_settings(
        project_vars(
            segment_k="4",
            segment_feature_sets="{rfm: [recency_days, monetary], r: [recency_days]}",
            profile_features="recency_days, monetary",
            stability_t0="2018-02-01",
            stability_ari_threshold="0.75",
        )
    )
    assert settings.segmentation.k_override == 4
    assert settings.segmentation.feature_sets == {
        "rfm": ["recency_days", "monetary"],
        "r": ["recency_days"],
    }
    assert settings.explain.profile_features == ["recency_days", "monetary"]
    assert settings.stability.t0 == date(2018, 2, 1)
    assert settings.stability.ari_threshold == 0.75


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"segment_k": 1}, "Invalid var segment_k=1: expected an integer >= 2"),
        ({"segment_k": 11}, "Invalid var segment_k=11: expected an integer within"),
        ({"segment_k_min": 1}, "Invalid var segment_k_min=1: expected an integer >= 2"),
        ({"segment_k_max": 1}, "Invalid var segment_k_max=1"),
        ({"segment_feature_set": "nope"}, "Invalid var segment_feature_set='nope': expected one"),
        ({"segment_min_share": 0}, "Invalid var segment_min_share=0: expected a number in (0, 1]"),
        ({"segment_min_bootstrap_ari": 1.5}, "Invalid var segment_min_bootstrap_ari=1.5"),
        ({"segment_seed": "abc"}, "Invalid var segment_seed='abc': expected an integer >= 0"),
        ({"segment_seed": True}, "Invalid var segment_seed=True"),
        ({"segment_feature_sets": ["monetary"]}, "Invalid var segment_feature_sets"),
        ({"segment_feature_sets": {"rfm": []}}, "Invalid var segment_feature_sets"),
        ({"segment_feature_sets": {"rfm": ["monetary", "monetary"]}}, "segment_feature_sets"),
        ({"profile_features": []}, "Invalid var profile_features=[]: expected a list"),
        (
            {"surrogate_max_depth": 9},
            "Invalid var surrogate_max_depth=9: expected an integer in 1..6",
        ),
        ({"stability_t0": "2018-13-01"}, "Invalid var stability_t0='2018-13-01': expected a date"),
        ({"stability_ari_threshold": 0}, "Invalid var stability_ari_threshold=0"),
        ({"stability_history_max_customers": 10}, "stability_history_max_customers=10"),
    ],
)
def test_a_bad_var_fails_naming_the_var_and_what_is_expected(
    overrides: dict[str, object], message: str
) -> None:
    settings = load_settings(project_vars(**overrides))
    with pytest.raises(ValueError) as raised:
        _ = (settings.segmentation, settings.explain, settings.stability)
    assert message in str(raised.value)


def test_a_model_without_settings_or_a_var_is_told_where_they_come_from() -> None:
    with pytest.raises(ValueError, match="no `settings` config"):
        load_settings(None)
    stability_only = {k: v for k, v in project_vars().items() if k.startswith("stability_")}
    settings = load_settings(stability_only)
    assert settings.stability.min_months == 8
    with pytest.raises(ValueError, match="Missing var segment_feature_sets in this model"):
        _ = settings.segmentation
