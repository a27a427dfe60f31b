"""Shared histories and studies of the maintenance tests (see maintenance_histories)."""

from __future__ import annotations

from collections.abc import Iterator

import maintenance_histories as mh
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from olist_segmentation.maintenance.reference import StudyOptions
from olist_segmentation.maintenance.study import stability_study


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Tiny k-means fits are slower with OpenMP threads on a busy machine (spin-waiting)."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def static_history() -> pd.DataFrame:
    return mh.static_history()


@pytest.fixture(scope="module")
def drifting_history() -> pd.DataFrame:
    return mh.drifting_history()


@pytest.fixture(scope="module")
def static_study(static_history: pd.DataFrame) -> pd.DataFrame:
    with threadpool_limits(limits=1):
        return stability_study(
            static_history,
            features=mh.FEATURES,
            log1p_features=[],
            k=3,
            seed=mh.SEED,
            t0=mh.T0,
            options=StudyOptions(max_months=12),
        )


@pytest.fixture(scope="module")
def drifting_study(drifting_history: pd.DataFrame) -> pd.DataFrame:
    with threadpool_limits(limits=1):
        # a project-wide log1p list: entries outside FEATURES (frequency) are ignored
        return stability_study(
            drifting_history,
            features=mh.FEATURES,
            log1p_features=["monetary", "frequency"],
            k=3,
            seed=mh.SEED,
            t0=mh.T0,
            options=StudyOptions(max_months=7),
        )
