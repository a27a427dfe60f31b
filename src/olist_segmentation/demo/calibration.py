"""Aggregate figures of the real data that shape orders, items, payments and reviews.

Counts are written as the real raw counts (normalised where they are drawn), so each figure can
be checked against the dataset. Places live in :mod:`.geography`, the product catalogue in
:mod:`.catalogue`; no row, id or text of the dataset is reproduced anywhere.
"""

from __future__ import annotations

#: Number of distinct ``customer_unique_id`` in the real data: the default scale (1x).
REAL_CUSTOMERS = 96_096
REAL_PRODUCTS = 32_951
REAL_SELLERS = 3_095

# Real orders per purchase month, 2016-09 .. 2018-10 (note the empty 2016-11 and the tail).
MONTHLY_ORDERS: tuple[tuple[int, int, int], ...] = (
    (2016, 9, 4), (2016, 10, 324), (2016, 11, 0), (2016, 12, 1),
    (2017, 1, 800), (2017, 2, 1780), (2017, 3, 2682), (2017, 4, 2404),
    (2017, 5, 3700), (2017, 6, 3245), (2017, 7, 4026), (2017, 8, 4331),
    (2017, 9, 4285), (2017, 10, 4631), (2017, 11, 7544), (2017, 12, 5673),
    (2018, 1, 7269), (2018, 2, 6728), (2018, 3, 7211), (2018, 4, 6939),
    (2018, 5, 6873), (2018, 6, 6167), (2018, 7, 6292), (2018, 8, 6512),
    (2018, 9, 16), (2018, 10, 4),
)  # fmt: skip
FIRST_DAY = "2016-09-04"
LAST_DAY = "2018-10-17"
#: Nothing happens after the real data's last purchase: later events are not yet known.
CUTOFF = "2018-10-17T17:30:00"

# Orders by weekday (Monday first) and by hour of purchase.
WEEKDAY_WEIGHTS = (16196, 15963, 15552, 14761, 14122, 10887, 11960)
HOUR_WEIGHTS = (
    2394, 1170, 510, 272, 206, 188, 502, 1231, 2967, 4785, 6177, 6578,
    5995, 6518, 6569, 6454, 6675, 6150, 5769, 5982, 6193, 6217, 5816, 4123,
)  # fmt: skip

# Persons by number of orders (1..15); real: 96.9% once, a single person above 15.
ORDERS_PER_PERSON = (93099, 2745, 203, 30, 8, 6, 3, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.3)
#: Estimated delivery dates are this much above the state's real median, for ~8% late orders.
ESTIMATE_PADDING = 1.09
#: Share of a person's later orders placed from another address.
RELOCATION_SHARE = 0.075

STATUSES = (
    "delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created",
    "approved",
)  # fmt: skip
STATUS_WEIGHTS = (96478, 1107, 625, 609, 314, 301, 5, 2)
# Share of orders with each date present, by status: approved, carrier, customer.
STATUS_DATES = {
    "delivered": (0.99985, 0.99998, 0.99992),
    "shipped": (1.0, 1.0, 0.0),
    "canceled": (0.774, 0.12, 0.0096),
    "unavailable": (1.0, 0.0, 0.0),
    "invoiced": (1.0, 0.0, 0.0),
    "processing": (1.0, 0.0, 0.0),
    "created": (0.0, 0.0, 0.0),
    "approved": (1.0, 0.0, 0.0),
}
# Share of orders without any item, by status (real: 775 orders, mostly unavailable/canceled).
STATUS_NO_ITEMS = {
    "delivered": 0.0,
    "shipped": 0.001,
    "canceled": 0.26,
    "unavailable": 0.99,
    "invoiced": 0.006,
    "processing": 0.0,
    "created": 1.0,
    "approved": 0.0,
}

# Orders by number of items (1..21).
ITEMS_PER_ORDER = (
    88863, 7516, 1322, 505, 204, 198, 22, 8, 3, 8, 4, 5, 1, 2, 2, 0.5, 0.5, 0.5, 0.5, 2, 1,
)  # fmt: skip
#: Share of multi-item orders that repeat one product (real: about two thirds).
SINGLE_PRODUCT_SHARE = 0.66

# Payment plans per order: the first payment type, then vouchers; real shares by order.
PLANS = ("credit_card", "boleto", "debit_card", "voucher_only", "credit_card_voucher", "split_cc")
PLAN_WEIGHTS = (73978, 19784, 1528, 1626, 2240, 287)
VOUCHERS_WITH_CARD = (1872, 212, 62, 33, 21, 15, 4, 7, 2, 5, 5, 1, 1, 1)
VOUCHERS_ONLY = (1194, 224, 86, 46, 19, 15, 13, 7, 2, 3, 3, 3, 2)
# Credit card installments 0..24 (0 occurs twice in the real data).
INSTALLMENTS = (
    2, 25455, 12413, 10461, 7098, 5239, 3920, 1626, 4268, 644, 5328, 23, 133, 16, 15, 74, 5, 8,
    27, 0, 17, 3, 1, 1, 18,
)  # fmt: skip

# Review scores 1..5 by delivery outcome: on time, late, not delivered. On-time orders follow
# Kaggle's published shares (58% fives, 11% ones); late and undelivered ones skew low, which
# gives ~53% fives overall, as in the reference folder's reviews (a synthetic stand-in there).
SCORES_ON_TIME = (10187, 2743, 7165, 17133, 51228)
SCORES_LATE = (3455, 784, 1119, 1014, 1416)
SCORES_NOT_DELIVERED = (1744, 248, 315, 241, 400)
NO_REVIEW_SHARE = 0.0078
TWO_REVIEWS_SHARE = 0.0053
SHARED_REVIEW_GROUP_SHARE = 0.0059
SHARED_REVIEW_GROUP_SIZES = (418, 128, 28, 9, 6)  # review ids used by 2..6 orders
TITLE_SHARE = 0.119
MESSAGE_SHARE = 0.412
