"""Tests of the frozen feature transform: math, imputation, round trip, no refit, validation."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from olist_segmentation.segmentation.transform import (
    FeatureParams,
    TransformParams,
    apply_transform,
    fit_transform,
    inverse_transform,
    params_from_frame,
    params_to_frame,
)


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "monetary": [1.0, 3.0, np.nan, 7.0],
            "recency_days": [10, 20, 30, 40],
            "customer_state": ["SP", "RJ", "MG", "SP"],
        }
    )


def test_log1p_and_scaling_match_hand_computation(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["monetary", "recency_days"], ["monetary"])
    ln2 = math.log(2)
    # monetary: median of the observed values 1, 3, 7 is 3, so the NULL becomes 3;
    # log1p -> ln2 * [1, 2, 2, 3]; mean ln2 * 2; population std ln2 * sqrt(0.5)
    m = params.features[0]
    assert m == FeatureParams("monetary", True, 3.0, pytest.approx(2 * ln2), m.scale)
    assert m.scale == pytest.approx(ln2 * math.sqrt(0.5))
    # recency: no log; mean 25, population std sqrt(125)
    r = params.features[1]
    assert (r.log1p, r.impute_value, r.center) == (False, 25.0, 25.0)
    assert r.scale == pytest.approx(math.sqrt(125))

    X = apply_transform(small, params)
    assert X.dtype == np.float64 and X.shape == (4, 2)
    expected_m = np.array([-1.0, 0.0, 0.0, 1.0]) / math.sqrt(0.5)
    expected_r = (np.array([10, 20, 30, 40]) - 25) / math.sqrt(125)
    np.testing.assert_allclose(X[:, 0], expected_m, atol=1e-12)
    np.testing.assert_allclose(X[:, 1], expected_r)


def test_constant_feature_gets_scale_one() -> None:
    df = pd.DataFrame({"frequency": [1, 1, 1]})
    params = fit_transform(df, ["frequency"], [])
    assert params.features[0].scale == 1.0
    np.testing.assert_array_equal(apply_transform(df, params), np.zeros((3, 1)))


def test_null_imputation_uses_the_fit_median_not_the_new_data(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["monetary"], ["monetary"])
    new = pd.DataFrame({"monetary": [np.nan, 1000.0, 2000.0]})  # new median would be 1500
    X = apply_transform(new, params)
    p = params.features[0]
    assert X[0, 0] == pytest.approx((math.log1p(3.0) - p.center) / p.scale)


def test_nullable_pandas_dtypes_are_accepted() -> None:
    df = pd.DataFrame(
        {
            "frequency": pd.array([1, 2, None, 1], dtype="Int64"),
            "avg_review_score": pd.array([5.0, None, 1.0, 4.0], dtype="Float64"),
        }
    )
    params = fit_transform(df, ["frequency", "avg_review_score"], ["frequency"])
    X = apply_transform(df, params)
    assert np.isfinite(X).all()
    assert params.features[0].impute_value == 1.0
    assert params.features[1].impute_value == 4.0


def test_round_trip_through_frame_is_exact(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["recency_days", "monetary"], ["monetary"])
    frame = params_to_frame(params, "km-k4-deadbeef")
    assert list(frame.columns) == [
        "model_version",
        "feature",
        "feature_order",
        "log1p",
        "impute_value",
        "center",
        "scale",
    ]
    assert frame["feature_order"].tolist() == [1, 2]
    rebuilt = params_from_frame(frame.iloc[::-1])  # row order of a table is not guaranteed
    assert rebuilt == params
    np.testing.assert_array_equal(apply_transform(small, rebuilt), apply_transform(small, params))


def test_round_trip_through_duckdb_is_exact(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["recency_days", "monetary"], ["monetary"])
    frame = params_to_frame(params, "v1")
    con = duckdb.connect()
    con.register("frame_view", frame)
    stored = con.execute("select * from frame_view order by feature desc").df()
    assert params_from_frame(stored) == params


def test_params_from_frame_needs_a_version_when_several_are_stored(small: pd.DataFrame) -> None:
    a = params_to_frame(fit_transform(small, ["recency_days"], []), "v1")
    b = params_to_frame(fit_transform(small, ["monetary"], ["monetary"]), "v2")
    history = pd.concat([a, b], ignore_index=True)
    with pytest.raises(ValueError, match="exactly one model_version"):
        params_from_frame(history)
    assert params_from_frame(history, model_version="v2").names == ["monetary"]


def test_apply_transform_on_shifted_data_keeps_old_params(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["recency_days"], [])
    shifted = small.assign(recency_days=small["recency_days"] + 1000)
    X = apply_transform(shifted, params)
    np.testing.assert_allclose(X[:, 0], (shifted["recency_days"] - 25) / math.sqrt(125))
    assert X.mean() > 80  # a refit would have re-centred to 0


def test_inverse_transform_inverts(small: pd.DataFrame) -> None:
    observed = small.dropna()
    params = fit_transform(small, ["monetary", "recency_days"], ["monetary"])
    back = inverse_transform(apply_transform(observed, params), params)
    np.testing.assert_allclose(back, observed[["monetary", "recency_days"]].to_numpy())
    with pytest.raises(ValueError, match="shape"):
        inverse_transform(np.zeros((2, 3)), params)


def test_transform_params_is_frozen(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["recency_days"], [])
    assert isinstance(params, TransformParams)
    with pytest.raises(AttributeError):
        params.features = ()  # type: ignore[misc]


def test_clear_errors(small: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing column.*frequency"):
        fit_transform(small, ["monetary", "frequency"], [])
    with pytest.raises(ValueError, match="must be numeric.*customer_state"):
        fit_transform(small, ["customer_state"], [])
    with pytest.raises(ValueError, match="log1p feature.*monetory"):
        fit_transform(small, ["monetary"], ["monetory"])
    with pytest.raises(ValueError, match="log1p is undefined"):
        fit_transform(pd.DataFrame({"x": [-2.0, 1.0]}), ["x"], ["x"])
    with pytest.raises(ValueError, match="no non-NULL"):
        fit_transform(pd.DataFrame({"x": [np.nan, np.nan]}), ["x"], [])
    params = fit_transform(small, ["monetary", "recency_days"], [])
    with pytest.raises(ValueError, match="missing column.*recency_days"):
        apply_transform(small.drop(columns="recency_days"), params)


def test_log1p_list_may_name_features_of_other_sets(small: pd.DataFrame) -> None:
    params = fit_transform(small, ["recency_days"], ["monetary"])
    assert params.log1p_names == []
