"""The Olist export as it stood on the morning of a given day, from a later export.

    python -m olist_segmentation.demo.cut --source DIR --day YYYY-MM-DD --out DIR

Replays a nightly job on history: orders purchased before the day, an order delivered only later
shown as shipped (without its delivery date), reviews answered before the day, and the customers,
items and payments of the orders kept. Products, sellers and translations are kept whole. Reads
.csv or .csv.gz, writes .csv.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

WHOLE_TABLES = (
    "olist_products_dataset",
    "olist_sellers_dataset",
    "product_category_name_translation",
)


def read_raw(folder: Path, name: str) -> pd.DataFrame:
    """One raw file as text, empty fields kept empty."""
    matches = sorted(folder.glob(f"{name}.csv*"))
    if len(matches) != 1:
        raise ValueError(
            f"expected one file {name}.csv or .csv.gz in {folder}, found {len(matches)}"
        )
    return pd.read_csv(matches[0], dtype=str, keep_default_na=False)


def _timestamps(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column.replace("", None), errors="coerce")


def cut_at(source: Path, day: date, target: Path) -> Path:
    """Write the export of the morning of ``day`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    cutoff = pd.Timestamp(day)
    orders = read_raw(source, "olist_orders_dataset")
    orders = orders[_timestamps(orders["order_purchase_timestamp"]) < cutoff].copy()
    later = _timestamps(orders["order_delivered_customer_date"]) >= cutoff
    orders.loc[later, "order_delivered_customer_date"] = ""
    orders.loc[later & (orders["order_status"] == "delivered"), "order_status"] = "shipped"
    kept = set(orders["order_id"])
    tables = {"olist_orders_dataset": orders}
    for name in ("olist_order_items_dataset", "olist_order_payments_dataset"):
        frame = read_raw(source, name)
        tables[name] = frame[frame["order_id"].isin(kept)]
    reviews = read_raw(source, "olist_order_reviews_dataset")
    answered = _timestamps(reviews["review_answer_timestamp"]) < cutoff
    tables["olist_order_reviews_dataset"] = reviews[reviews["order_id"].isin(kept) & answered]
    customers = read_raw(source, "olist_customers_dataset")
    tables["olist_customers_dataset"] = customers[
        customers["customer_id"].isin(set(orders["customer_id"]))
    ]
    for name in WHOLE_TABLES:
        tables[name] = read_raw(source, name)
    for name, frame in tables.items():
        frame.to_csv(target / f"{name}.csv", index=False)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m olist_segmentation.demo.cut")
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        cut_at(args.source, args.day, args.out)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"export of {args.day} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
