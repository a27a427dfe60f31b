"""Deterministic, seeded generator of Olist-shaped demo data.

Why this exists: the real Kaggle dataset ("olistbr/brazilian-ecommerce") is licensed CC BY-NC-SA
and cannot be committed, yet CI, tests, demos and load tests need data with the same files,
columns, formats and traps (uneven quoting, zip prefixes with leading zeros, multi-line review
comments, repeated review ids, orders without items or delivery dates, split payments, one person
with several ``customer_id`` values). This package writes the 8 Kaggle CSV files from a seed, at
any scale, with distributions tuned to aggregate figures of the real data. No real row, id or
text is reproduced: only aggregate parameters (state shares, monthly order counts, category
vocabulary and popularity, status shares, ...) are hard-coded, in :mod:`.calibration`,
:mod:`.geography` and :mod:`.catalogue`.

Same seed and customer count give byte-identical files (also gzipped: the gzip header has no
time stamp and no file name). Everything is vectorised with numpy; the big tables are formatted
and written in chunks, so 10x the real size takes well under a minute and 100x fits in a few GiB.

Layout: one module per table generator (:mod:`.orders`, :mod:`.products`, :mod:`.items`,
:mod:`.payments`, :mod:`.reviews`), the Kaggle formatting (:mod:`.formatting`, :mod:`.rows`),
the writer (:mod:`.write`), the orchestration (:mod:`.generate`) and the command line
(:mod:`.cli`)::

    python -m olist_segmentation.demo --out DIR [--customers N] [--seed 42] [--gzip]
"""

from olist_segmentation.demo.calibration import REAL_CUSTOMERS, REAL_PRODUCTS, REAL_SELLERS
from olist_segmentation.demo.cli import main
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
from olist_segmentation.demo.generate import Scale, generate

__all__ = [
    "CUSTOMERS_FILE",
    "ITEMS_FILE",
    "KAGGLE_COLUMNS",
    "ORDERS_FILE",
    "PAYMENTS_FILE",
    "PRODUCTS_FILE",
    "REAL_CUSTOMERS",
    "REAL_PRODUCTS",
    "REAL_SELLERS",
    "REVIEWS_FILE",
    "SELLERS_FILE",
    "TRANSLATION_FILE",
    "Scale",
    "generate",
    "main",
]
