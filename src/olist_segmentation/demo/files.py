"""The 8 Kaggle files: their names, and their columns in the Kaggle order (from the sources yml).

The generator writes exactly these files and headers, so dbt sources and tests cannot tell demo
data from the real download.
"""

from __future__ import annotations

from olist_segmentation.raw_schema import load_raw_schema

CUSTOMERS_FILE = "olist_customers_dataset.csv"
ORDERS_FILE = "olist_orders_dataset.csv"
ITEMS_FILE = "olist_order_items_dataset.csv"
PAYMENTS_FILE = "olist_order_payments_dataset.csv"
REVIEWS_FILE = "olist_order_reviews_dataset.csv"
PRODUCTS_FILE = "olist_products_dataset.csv"
SELLERS_FILE = "olist_sellers_dataset.csv"
TRANSLATION_FILE = "product_category_name_translation.csv"

# The headers come from the project's one declaration of the raw files (the dbt sources yml).
_RAW_TABLES = load_raw_schema()

KAGGLE_COLUMNS: dict[str, tuple[str, ...]] = {
    f"{table.file_stem}.csv": table.column_names for table in _RAW_TABLES.values()
}
_missing = {
    CUSTOMERS_FILE,
    ORDERS_FILE,
    ITEMS_FILE,
    PAYMENTS_FILE,
    REVIEWS_FILE,
    PRODUCTS_FILE,
    SELLERS_FILE,
    TRANSLATION_FILE,
} - set(KAGGLE_COLUMNS)
if _missing:
    raise RuntimeError(f"the sources yml declares no table for {', '.join(sorted(_missing))}")
