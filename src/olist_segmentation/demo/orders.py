"""Persons, their orders and the order life-cycle dates: the table everything else refers to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.calibration import (
    CUTOFF,
    ESTIMATE_PADDING,
    FIRST_DAY,
    HOUR_WEIGHTS,
    LAST_DAY,
    MONTHLY_ORDERS,
    ORDERS_PER_PERSON,
    PLAN_WEIGHTS,
    PLANS,
    RELOCATION_SHARE,
    STATUS_DATES,
    STATUS_WEIGHTS,
    STATUSES,
    WEEKDAY_WEIGHTS,
)
from olist_segmentation.demo.geography import CITIES, STATES, city_table, draw_places
from olist_segmentation.demo.sampling import (
    DAY_SECONDS,
    IntArray,
    day_floor,
    epoch_seconds,
    group_starts,
    hex_ids,
    lognormal,
    probabilities,
)


@dataclass(frozen=True)
class Orders:
    """Orders with their customers (one customer row per order), as index arrays.

    ``person`` indexes ``unique_ids``; ``city`` indexes :data:`CITIES`; timestamps are int64
    seconds with -1 for null. ``plan`` indexes :data:`PLANS` and is decided here because it
    drives the approval delay (boleto is approved a day later) as well as the payments.
    """

    order_ids: NDArray[np.bytes_]
    customer_ids: NDArray[np.bytes_]
    unique_ids: NDArray[np.bytes_]
    person: IntArray
    city: IntArray
    zip_prefix: IntArray
    status: NDArray[np.int8]
    purchase: IntArray
    approved: IntArray
    carrier: IntArray
    delivered: IntArray
    estimated: IntArray
    plan: NDArray[np.int8]

    @property
    def late(self) -> NDArray[np.bool_]:
        """Delivered after the estimated date (drives review scores)."""
        return (self.delivered >= 0) & (self.delivered > self.estimated)

    def __len__(self) -> int:
        return len(self.order_ids)


def daily_probabilities() -> tuple[int, NDArray[np.float64]]:
    """Start (epoch s) and per-day purchase probabilities: real monthly volume x weekday."""
    first = np.datetime64(FIRST_DAY, "D")
    days = np.arange(first, np.datetime64(LAST_DAY, "D") + 1)
    months = days.astype("datetime64[M]")
    monthly = {np.datetime64(f"{y}-{m:02d}", "M"): c for y, m, c in MONTHLY_ORDERS}
    uniq, inverse, days_in = np.unique(months, return_inverse=True, return_counts=True)
    month_w = np.array([monthly[m] for m in uniq], dtype=np.float64) / days_in
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    w = month_w[inverse] * np.asarray(WEEKDAY_WEIGHTS, dtype=np.float64)[weekday]
    return int(first.astype("datetime64[s]").astype(np.int64)), w / w.sum()


def generate_orders(rng: np.random.Generator, n_customers: int) -> Orders:
    """Persons, their orders (each with a new customer_id) and the order life-cycle dates.

    A person's orders are in time order, mostly from the same address; dates are missing in
    the way each status implies, and events after the real data's cut-off are not yet known.
    """
    counts = rng.choice(
        len(ORDERS_PER_PERSON), size=n_customers, p=probabilities(ORDERS_PER_PERSON)
    )
    counts += 1
    person = np.repeat(np.arange(n_customers, dtype=np.int32), counts)
    n_orders = len(person)

    # Where: one home per person, a few later orders from elsewhere.
    _, _, city_p, _ = city_table()
    home_city, home_zip = draw_places(rng, n_customers, city_p)
    city, zips = home_city[person], home_zip[person]
    del home_city, home_zip
    moved = rng.random(n_orders) < RELOCATION_SHARE
    moved[group_starts(counts)] = False  # a person's first order is from home
    new_city, new_zip = draw_places(rng, int(moved.sum()), city_p)
    city[moved], zips[moved] = new_city, new_zip
    del moved, new_city, new_zip

    # When: day by real monthly/weekday volume, hour by the real profile; sorted per person.
    # (In-place arithmetic keeps the number of live order-sized arrays low at 100x scale.)
    first_day, day_p = daily_probabilities()
    purchase = rng.choice(len(day_p), size=n_orders, p=day_p).astype(np.int64)
    purchase *= DAY_SECONDS
    purchase += first_day
    purchase += rng.choice(24, size=n_orders, p=probabilities(HOUR_WEIGHTS)) * 3600
    purchase += rng.integers(0, 3600, size=n_orders)
    purchase = purchase[np.lexsort((purchase, person))]

    status = rng.choice(len(STATUSES), size=n_orders, p=probabilities(STATUS_WEIGHTS))
    status = status.astype(np.int8)
    plan = rng.choice(len(PLANS), size=n_orders, p=probabilities(PLAN_WEIGHTS)).astype(np.int8)

    # How long: approval in minutes (cards) or about a day (boleto), carrier, customer.
    state_of_city = np.array([list(STATES).index(c[1]) for c in CITIES])
    carrier_days = np.array([v[2] for v in STATES.values()])[state_of_city]
    estimate_days = ESTIMATE_PADDING * np.array([v[3] for v in STATES.values()])[state_of_city]
    fast = rng.random(n_orders) < np.where(plan == PLANS.index("boleto"), 0.03, 0.70)
    lag = lognormal(rng, 20.0, 0.8, n_orders)
    lag[fast] = lognormal(rng, 0.2, 0.35, n_orders)[fast]
    del fast
    lag *= 3600
    approved = purchase + lag.astype(np.int64)
    lag = lognormal(rng, 1.8, 1.0, n_orders) * DAY_SECONDS
    carrier = approved + lag.astype(np.int64)
    lag = lognormal(rng, carrier_days[city], 0.62, n_orders) * DAY_SECONDS
    delivered = carrier + lag.astype(np.int64)
    lag = np.maximum(2, np.rint(lognormal(rng, estimate_days[city], 0.25, n_orders)))
    estimated = day_floor(purchase) + lag.astype(np.int64) * DAY_SECONDS
    del lag

    # Which dates exist: by status, nested (no customer date without a carrier date).
    share = np.array([STATUS_DATES[s] for s in STATUSES])
    has_appr = rng.random(n_orders) < share[:, 0][status]
    has_carr = rng.random(n_orders) < share[:, 1][status]
    cust_given_carr = (share[:, 2] / np.maximum(share[:, 1], 1e-9))[status]
    has_cust = has_carr & (rng.random(n_orders) < cust_given_carr)
    del cust_given_carr
    # Events after the real data's last purchase are not known yet.
    cutoff = epoch_seconds(CUTOFF)
    delivered_idx, shipped_idx = STATUSES.index("delivered"), STATUSES.index("shipped")
    status[(status == delivered_idx) & (delivered > cutoff)] = shipped_idx
    has_cust &= delivered <= cutoff
    not_shipped = np.isin(status, (delivered_idx, shipped_idx)) & (carrier > cutoff)
    status[not_shipped] = STATUSES.index("processing")
    del not_shipped
    has_carr &= carrier <= cutoff
    has_cust &= has_carr
    has_appr &= approved <= cutoff
    approved[~has_appr] = -1
    carrier[~has_carr] = -1
    delivered[~has_cust] = -1
    del has_appr, has_carr, has_cust

    return Orders(
        order_ids=hex_ids(rng, n_orders),
        customer_ids=hex_ids(rng, n_orders),
        unique_ids=hex_ids(rng, n_customers),
        person=person,
        city=city,
        zip_prefix=zips,
        status=status,
        purchase=purchase,
        approved=approved,
        carrier=carrier,
        delivered=delivered,
        estimated=estimated,
        plan=plan,
    )
