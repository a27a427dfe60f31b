"""Reading the monthly history: snapshot dates, t0, and the sample of whole customers."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from maintenance_histories import month
from settings_fixtures import project_vars

from olist_segmentation.maintenance.history import (
    default_t0,
    history_sample_share,
    index_history,
    origin_dates,
    panel_sample,
    study_t0,
)
from olist_segmentation.sampling import sql_share_filter
from olist_segmentation.settings import StabilitySettings, load_settings


def stability(**overrides: object) -> StabilitySettings:
    return load_settings(project_vars(**overrides)).stability


def test_default_t0() -> None:
    dates = [month(m) for m in range(10)]
    assert default_t0(dates, min_steps=8) == month(1)
    assert default_t0([str(d) for d in reversed(dates)], min_steps=9) == month(0)
    assert default_t0(pd.Series(pd.to_datetime(dates)), min_steps=1) == month(8)
    with pytest.raises(ValueError, match="needs at least 9"):
        default_t0(dates[:8], min_steps=8)
    with pytest.raises(ValueError, match="has 0 monthly snapshot"):
        default_t0([], min_steps=8)
    with pytest.raises(ValueError, match="same calendar month"):
        default_t0([date(2017, 1, 1), date(2017, 1, 31)], min_steps=1)


def test_study_t0_is_the_var_or_the_default() -> None:
    history = pd.DataFrame({"snapshot_date": pd.to_datetime([month(m) for m in range(6)])})
    assert study_t0(history, stability(stability_min_months=3)) == month(2)
    assert study_t0(history, stability(stability_t0=str(month(1)))) == month(1)
    with pytest.raises(ValueError, match="Invalid var stability_t0=2017-01-15"):
        study_t0(history, stability(stability_t0="2017-01-15"))


def test_origins_are_the_months_with_enough_customers_and_the_latest() -> None:
    dates = [month(m) for m in range(8)]
    counts = [10, 40, 20, 60, 80, 90, 95, 99]
    # months 0..4 leave 3 months after them; of those, months with >= 30 customers, and month 4
    assert origin_dates(dates, counts, min_months=3, min_customers=30) == [
        month(1),
        month(3),
        month(4),
    ]
    # the latest eligible month is an origin even when it is small
    assert origin_dates(dates, counts, min_months=3, min_customers=1000) == [month(4)]
    with pytest.raises(ValueError, match="needs at least 9"):
        origin_dates(dates, counts, min_months=8, min_customers=1)


def sampled_ids(history: pd.DataFrame, day: date, *, size: int) -> set[str]:
    hist = index_history(history, [])
    codes = hist.id_codes[hist.positions(day)]
    return set(hist.id_values[codes[panel_sample(codes, hist.priority(seed=3), size=size)]])


def test_the_panel_sample_follows_the_customer_not_the_row() -> None:
    ids = [f"c{i}" for i in range(50)]
    history = pd.DataFrame(
        {"snapshot_date": [month(0)] * 50 + [month(1)] * 50, "customer_unique_id": ids + ids}
    )
    first = sampled_ids(history, month(0), size=10)
    assert len(first) == 10
    shuffled = history.iloc[::-1].reset_index(drop=True)
    assert sampled_ids(shuffled, month(1), size=10) == first, "same customers every month"
    assert len(sampled_ids(history, month(1), size=500)) == 50


def test_history_is_sampled_by_whole_customers_only_above_the_limit() -> None:
    assert history_sample_share(800, max_customers=1000) == 1.0
    assert sql_share_filter(1.0) == "true"
    share = history_sample_share(4000, max_customers=1000)
    assert share == pytest.approx(0.25)
    predicate = sql_share_filter(share)

    with duckdb.connect() as connection:
        connection.execute(
            "create table history as select 'c' || (i % 4000) as customer_unique_id, i // 4000 as m"
            " from range(16000) as t(i)"
        )
        kept, months = connection.sql(
            f"select count(distinct customer_unique_id), count(distinct m) from history"
            f" where {predicate}"
        ).fetchall()[0]
        per_customer = connection.sql(
            f"select distinct count(*) from history where {predicate} group by customer_unique_id"
        ).fetchall()
    assert 800 <= kept <= 1200, "about a quarter of the customers"
    assert months == 4 and per_customer == [(4,)], "a kept customer keeps all its months"
