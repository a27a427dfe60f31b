"""Generating and writing the 8 files, one table after the other to bound memory."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from olist_segmentation.demo.calibration import REAL_CUSTOMERS, REAL_PRODUCTS, REAL_SELLERS
from olist_segmentation.demo.files import (
    CUSTOMERS_FILE,
    ITEMS_FILE,
    KAGGLE_COLUMNS,
    ORDERS_FILE,
    PAYMENTS_FILE,
    PRODUCTS_FILE,
    REVIEWS_FILE,
    SELLERS_FILE,
    TRANSLATION_FILE,
)
from olist_segmentation.demo.items import generate_items, order_totals
from olist_segmentation.demo.orders import generate_orders
from olist_segmentation.demo.payments import generate_payments
from olist_segmentation.demo.products import generate_products, generate_sellers
from olist_segmentation.demo.reviews import generate_reviews
from olist_segmentation.demo.rows import (
    customer_rows,
    item_rows,
    order_rows,
    payment_rows,
    product_rows,
    review_rows,
    seller_rows,
)
from olist_segmentation.demo.write import ProgressFn, RowFormatter, write_table, write_translation


@dataclass(frozen=True)
class Scale:
    """Row counts that follow from the requested number of persons."""

    n_customers: int
    n_products: int
    n_sellers: int

    @classmethod
    def from_customers(cls, n_customers: int) -> Scale:
        """Scale products and sellers with persons, keeping the real ratios (32,951 and 3,095)."""
        if n_customers < 1:
            raise ValueError("customers must be >= 1")
        ratio = n_customers / REAL_CUSTOMERS
        return cls(
            n_customers=n_customers,
            n_products=max(1, round(REAL_PRODUCTS * ratio)),
            n_sellers=max(1, round(REAL_SELLERS * ratio)),
        )


def generate(
    out_dir: Path | str,
    n_customers: int = REAL_CUSTOMERS,
    seed: int = 42,
    *,
    compress: bool = False,
    progress: ProgressFn | None = None,
) -> dict[str, int]:
    """Write the 8 Olist files to ``out_dir`` and return the data rows written per file.

    Each table has its own random stream (spawned from ``seed``), so the files depend only on
    ``seed`` and ``n_customers``. Tables are generated, written and released one after the
    other (orders stay, everything refers to them) to bound memory at large scale.
    """
    if n_customers < 1:
        raise ValueError(f"customers must be >= 1, got {n_customers}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scale = Scale.from_customers(n_customers)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    suffix = ".gz" if compress else ""
    written: dict[str, int] = {}
    clock = time.perf_counter()

    def emit(name: str, n_rows: int, fmt: RowFormatter) -> None:
        t0 = time.perf_counter()
        path = out / (name + suffix)
        written[name] = write_table(
            path, KAGGLE_COLUMNS[name], n_rows, fmt, compress=compress, progress=progress
        )
        if progress:
            progress(f"{path.name}: {n_rows:,} rows in {time.perf_counter() - t0:.1f}s")

    if progress:
        progress(
            f"generating {scale.n_customers:,} customers, {scale.n_products:,} products, "
            f"{scale.n_sellers:,} sellers (seed {seed})"
        )
    orders = generate_orders(streams[0], scale.n_customers)
    sellers = generate_sellers(streams[1], scale.n_sellers)
    products = generate_products(streams[2], scale.n_products, scale.n_sellers)
    if progress:
        progress(f"{len(orders):,} orders generated in {time.perf_counter() - clock:.1f}s")
    n_orders = len(orders)
    emit(CUSTOMERS_FILE, n_orders, customer_rows(orders, streams[3].permutation(n_orders)))
    emit(ORDERS_FILE, n_orders, order_rows(orders, streams[3].permutation(n_orders)))

    items = generate_items(streams[4], orders, products)
    totals = order_totals(items, n_orders)
    emit(ITEMS_FILE, len(items.order), item_rows(orders, products, sellers, items))
    del items

    payments = generate_payments(streams[5], orders, totals)
    del totals
    emit(PAYMENTS_FILE, len(payments.order), payment_rows(orders, payments))
    del payments

    reviews = generate_reviews(streams[6], orders)
    emit(REVIEWS_FILE, len(reviews.order), review_rows(orders, reviews))
    del reviews, orders

    emit(
        PRODUCTS_FILE,
        scale.n_products,
        product_rows(products, streams[7].permutation(scale.n_products)),
    )
    emit(SELLERS_FILE, scale.n_sellers, seller_rows(sellers))

    t0 = time.perf_counter()
    written[TRANSLATION_FILE] = write_translation(
        out / (TRANSLATION_FILE + suffix), compress=compress
    )
    if progress:
        progress(
            f"{TRANSLATION_FILE}{suffix}: {written[TRANSLATION_FILE]:,} rows "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        progress(f"done in {time.perf_counter() - clock:.1f}s")
    return written
