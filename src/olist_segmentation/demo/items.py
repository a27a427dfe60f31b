"""Order items: which products each order holds, from which seller, at which price and freight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from olist_segmentation.demo.calibration import (
    ITEMS_PER_ORDER,
    SINGLE_PRODUCT_SHARE,
    STATUS_NO_ITEMS,
    STATUSES,
)
from olist_segmentation.demo.geography import CITIES, STATES
from olist_segmentation.demo.orders import Orders
from olist_segmentation.demo.products import Products
from olist_segmentation.demo.sampling import (
    DAY_SECONDS,
    IntArray,
    cover_then_draw,
    lognormal,
    probabilities,
    rank_within,
    take_all,
)


@dataclass(frozen=True)
class Items:
    """Order items, sorted by order id like the Kaggle file; money in cents."""

    order: IntArray
    item_no: IntArray
    product: IntArray
    seller: IntArray
    shipping_limit: IntArray
    price_cents: IntArray
    freight_cents: IntArray


def generate_items(rng: np.random.Generator, orders: Orders, products: Products) -> Items:
    """Items per order (90% one), popular products reused, freight tied to price and distance."""
    n_orders = len(orders)
    items_per_order = rng.choice(
        len(ITEMS_PER_ORDER), size=n_orders, p=probabilities(ITEMS_PER_ORDER)
    )
    items_per_order += 1
    no_items_p = np.array([STATUS_NO_ITEMS[s] for s in STATUSES])[orders.status]
    items_per_order[rng.random(n_orders) < no_items_p] = 0
    del no_items_p
    order = np.repeat(np.arange(n_orders, dtype=np.int32), items_per_order)
    n_items = len(order)
    item_no = rank_within(items_per_order).astype(np.int16)
    repeats = np.repeat(rng.random(n_orders) < SINGLE_PRODUCT_SHARE, items_per_order)
    new_draw = (item_no == 1) | ~repeats
    del items_per_order, repeats
    first = np.flatnonzero(new_draw)
    del new_draw
    product = np.zeros(n_items, dtype=np.int32)
    product[first] = cover_then_draw(rng, len(first), products.popularity)
    # Repeated products copy the previous item's product (forward fill within the order).
    source = np.zeros(n_items, dtype=np.int64)
    source[first] = first
    np.maximum.accumulate(source, out=source)
    product = product[source]
    del source, first

    seller = products.seller[product]
    alt = products.second_seller[product]
    use_alt = (alt >= 0) & (rng.random(n_items) < 0.4)
    seller[use_alt] = alt[use_alt]
    del alt, use_alt

    lag = (lognormal(rng, 6.0, 0.45, n_orders) * DAY_SECONDS).astype(np.int64)
    shipping_limit = (orders.purchase + lag)[order]
    del lag
    if n_items >= 1000:
        shipping_limit[rng.integers(0, n_items)] += 580 * DAY_SECONDS  # like the real 2020 outlier

    price_cents = products.price_cents[product]
    state_of_city = np.array([list(STATES).index(c[1]) for c in CITIES])
    distance = np.array([v[2] for v in STATES.values()])[state_of_city] / 7.0
    log_f = np.log(price_cents / 100)
    log_f *= 0.24
    log_f += 0.25 * np.log(distance)[orders.city[order]]
    log_f += 0.12 * np.log(np.maximum(products.weight[product], 1) / 700)
    log_f += 0.50 * rng.standard_normal(n_items) + 1.74
    freight_cents = np.rint(np.exp(log_f, out=log_f) * 100).astype(np.int64)
    del log_f
    freight_cents[rng.random(n_items) < 0.0034] = 0

    # Kaggle's items file is sorted by order_id, then order_item_id.
    rank = np.empty(n_orders, dtype=np.int64)
    rank[np.argsort(orders.order_ids, kind="stable")] = np.arange(n_orders)
    sort = np.lexsort((item_no, rank[order]))
    del rank
    columns = {
        "order": order,
        "item_no": item_no,
        "product": product,
        "seller": seller,
        "shipping_limit": shipping_limit,
        "price_cents": price_cents,
        "freight_cents": freight_cents,
    }
    del order, item_no, product, seller, shipping_limit, price_cents, freight_cents
    return Items(**take_all(columns, sort))


def order_totals(items: Items, n_orders: int) -> IntArray:
    """Items price + freight per order in cents; -1 for orders without items.

    Computed before the items are released, so payments never need the item table.
    """
    total = np.bincount(items.order, weights=items.price_cents, minlength=n_orders)
    total += np.bincount(items.order, weights=items.freight_cents, minlength=n_orders)
    total = np.rint(total).astype(np.int64)
    total[np.bincount(items.order, minlength=n_orders) == 0] = -1
    return total
