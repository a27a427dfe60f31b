"""Row formatters of the 8 files: from the generated index arrays to Kaggle-formatted columns.

Each returns a function of row indices, so :func:`~.write.write_table` can build the strings of
one chunk at a time.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.calibration import STATUSES
from olist_segmentation.demo.catalogue import CATEGORIES
from olist_segmentation.demo.formatting import (
    fmt_cents,
    fmt_ids,
    fmt_ints,
    fmt_timestamps,
    fmt_zips,
    quote_text,
)
from olist_segmentation.demo.geography import CITIES, COMMA_SELLER_CITIES
from olist_segmentation.demo.items import Items
from olist_segmentation.demo.orders import Orders
from olist_segmentation.demo.payments import PAYMENT_TYPES, Payments
from olist_segmentation.demo.products import Products, Sellers
from olist_segmentation.demo.review_texts import MESSAGE_JOINS, MESSAGES, TITLES
from olist_segmentation.demo.reviews import Reviews, phrase_pools
from olist_segmentation.demo.sampling import IntArray
from olist_segmentation.demo.write import RowFormatter

_CITY_NAMES = tuple(c[0] for c in CITIES)
_CITY_STATES = tuple(c[1] for c in CITIES)


def customer_rows(orders: Orders, row_order: IntArray) -> RowFormatter:
    """Formatter of the customers file: one row per order's customer_id, in ``row_order``."""
    names, states = np.array(_CITY_NAMES, dtype=object), np.array(_CITY_STATES, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        o = row_order[idx]
        city = orders.city[o]
        return [
            fmt_ids(orders.customer_ids[o]),
            fmt_ids(orders.unique_ids[orders.person[o]]),
            fmt_zips(orders.zip_prefix[o]),
            quote_text(names[city].tolist()),
            states[city].tolist(),
        ]

    return rows


def order_rows(orders: Orders, row_order: IntArray) -> RowFormatter:
    """Formatter of the orders file, in ``row_order``."""
    statuses = np.array(STATUSES, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        o = row_order[idx]
        return [
            fmt_ids(orders.order_ids[o]),
            fmt_ids(orders.customer_ids[o]),
            statuses[orders.status[o]].tolist(),
            fmt_timestamps(orders.purchase[o]),
            fmt_timestamps(orders.approved[o]),
            fmt_timestamps(orders.carrier[o]),
            fmt_timestamps(orders.delivered[o]),
            fmt_timestamps(orders.estimated[o]),
        ]

    return rows


def item_rows(orders: Orders, products: Products, sellers: Sellers, items: Items) -> RowFormatter:
    """Formatter of the order items file (already sorted by order id)."""

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        return [
            fmt_ids(orders.order_ids[items.order[idx]]),
            fmt_ints(items.item_no[idx]),
            fmt_ids(products.ids[items.product[idx]]),
            fmt_ids(sellers.ids[items.seller[idx]]),
            fmt_timestamps(items.shipping_limit[idx]),
            fmt_cents(items.price_cents[idx]),
            fmt_cents(items.freight_cents[idx]),
        ]

    return rows


def payment_rows(orders: Orders, payments: Payments) -> RowFormatter:
    """Formatter of the payments file."""
    types = np.array(PAYMENT_TYPES, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        return [
            fmt_ids(orders.order_ids[payments.order[idx]]),
            fmt_ints(payments.sequential[idx]),
            types[payments.ptype[idx]].tolist(),
            fmt_ints(payments.installments[idx]),
            fmt_cents(payments.value_cents[idx]),
        ]

    return rows


def review_rows(orders: Orders, reviews: Reviews) -> RowFormatter:
    """Formatter of the reviews file: texts are assembled here, one chunk at a time."""
    titles, _ = phrase_pools(TITLES)
    messages, _ = phrase_pools(MESSAGES)
    title_pool = np.array(quote_text(titles) + [""], dtype=object)  # index -1 -> ""
    msg_pool = np.array(messages + [""], dtype=object)
    joins = np.array(MESSAGE_JOINS, dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        text = msg_pool[reviews.msg1[idx]] + joins[reviews.join[idx]] + msg_pool[reviews.msg2[idx]]
        return [
            fmt_ids(reviews.ids[idx]),
            fmt_ids(orders.order_ids[reviews.order[idx]]),
            fmt_ints(reviews.score[idx]),
            title_pool[reviews.title[idx]].tolist(),
            quote_text(text.tolist()),
            fmt_timestamps(reviews.created[idx]),
            fmt_timestamps(reviews.answered[idx]),
        ]

    return rows


def product_rows(products: Products, row_order: IntArray) -> RowFormatter:
    """Formatter of the products file, in ``row_order``; no category -> empty field."""
    categories = np.array([c[0] for c in CATEGORIES] + [""], dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        p = row_order[idx]
        return [
            fmt_ids(products.ids[p]),
            categories[products.category[p]].tolist(),
            fmt_ints(products.name_len[p]),
            fmt_ints(products.desc_len[p]),
            fmt_ints(products.photos[p]),
            fmt_ints(products.weight[p]),
            fmt_ints(products.length[p]),
            fmt_ints(products.height[p]),
            fmt_ints(products.width[p]),
        ]

    return rows


def seller_rows(sellers: Sellers) -> RowFormatter:
    """Formatter of the sellers file, with the comma-city overrides."""
    names = np.array(_CITY_NAMES, dtype=object)
    states = np.array(_CITY_STATES, dtype=object)
    comma_names = np.array([c[0] for c in COMMA_SELLER_CITIES] + [""], dtype=object)

    def rows(idx: NDArray[np.int64]) -> list[list[str]]:
        comma = sellers.comma_city[idx]
        city = sellers.city[idx]
        text = np.where(comma >= 0, comma_names[comma], names[city])
        return [
            fmt_ids(sellers.ids[idx]),
            fmt_zips(sellers.zip_prefix[idx]),
            quote_text(text.tolist()),
            states[city].tolist(),
        ]

    return rows
