"""The pandas-notebook baseline of `make bench`: raw Olist CSVs -> RFM mart -> KMeans, no dbt.

Written the way an analyst's notebook does it (one cell per stage, whole tables in memory,
pandas merges and groupbys), on purpose without the project's code: it is what our dbt build is
compared against. It computes the same mart as ``marts.customer_rfm`` *roughly*: delivered orders,
one row per ``customer_unique_id``, recency from the day after the last purchase, frequency,
monetary = sum of the payments, r/f/m scores and the behavioural features. It does not type-check,
de-duplicate, quarantine rejects, test anything or search k: ``--k`` is the k our build chose.

    python bench/baseline_notebook.py DATA_DIR --k K [--features a,b,c]

Prints one JSON object on stdout: seconds per stage (read, rfm, fit) and row counts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

FILES = {
    "customers": "olist_customers_dataset",
    "orders": "olist_orders_dataset",
    "items": "olist_order_items_dataset",
    "payments": "olist_order_payments_dataset",
    "reviews": "olist_order_reviews_dataset",
    "products": "olist_products_dataset",
    "sellers": "olist_sellers_dataset",
    "translation": "product_category_name_translation",
}
# ids and zip prefixes stay text (leading zeros); everything else is left to pandas' inference.
ID_COLUMNS = [
    "customer_id",
    "customer_unique_id",
    "customer_zip_code_prefix",
    "order_id",
    "product_id",
    "seller_id",
    "seller_zip_code_prefix",
    "review_id",
]
TIMESTAMPS = {
    "orders": [
        "order_purchase_timestamp",
        "order_approved_at",
        "order_delivered_carrier_date",
        "order_delivered_customer_date",
        "order_estimated_delivery_date",
    ],
    "reviews": ["review_creation_date", "review_answer_timestamp"],
}
DEFAULT_FEATURES = ["recency_days", "frequency", "monetary"]
# the project's var segment_log1p_features: long-tailed features get log1p before scaling
LOG1P = {
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "category_count",
    "max_installments",
}
F_SCORE_MIN_ORDERS = [2, 3, 4, 6]


def find_file(data_dir: Path, stem: str) -> Path:
    for suffix in (".csv", ".csv.gz"):
        if (data_dir / (stem + suffix)).exists():
            return data_dir / (stem + suffix)
    raise FileNotFoundError(f"{stem}.csv[.gz] not found in {data_dir}")


def read_raw(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Cell 1: read the 8 files (pandas infers numbers; ids and zips as str), parse timestamps."""
    dtype = dict.fromkeys(ID_COLUMNS, str)
    frames = {}
    for key, stem in FILES.items():
        frames[key] = pd.read_csv(find_file(data_dir, stem), dtype=dtype)
    for key, columns in TIMESTAMPS.items():
        for column in columns:
            frames[key][column] = pd.to_datetime(frames[key][column], errors="coerce")
    return frames


def quintile(values: pd.Series) -> pd.Series:
    """Score 1..5 from the cumulative share at or below the value (ties share a score)."""
    share = values.rank(method="max", pct=True)
    return np.clip(np.ceil(5 * share - 1e-9), 1, 5).astype(int)


def build_rfm(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Cell 2: merges and groupbys down to one row per customer_unique_id (delivered orders)."""
    orders = raw["orders"].merge(
        raw["customers"][["customer_id", "customer_unique_id", "customer_state"]],
        on="customer_id",
        how="inner",
    )
    orders["order_status"] = orders["order_status"].str.lower()

    payments = raw["payments"]
    pay = payments.groupby("order_id").agg(
        amount_paid=("payment_value", "sum"), max_installments=("payment_installments", "max")
    )
    by_type = payments.groupby(["order_id", "payment_type"], as_index=False)["payment_value"].sum()
    by_type = by_type.sort_values(
        ["order_id", "payment_value", "payment_type"], ascending=[True, False, True]
    )
    main_type = by_type.drop_duplicates("order_id").set_index("order_id")["payment_type"]
    pay["main_payment_type"] = main_type

    reviews = raw["reviews"].groupby("order_id").agg(review_score=("review_score", "mean"))

    products = raw["products"].merge(raw["translation"], on="product_category_name", how="left")
    products["category"] = products["product_category_name_english"].fillna(
        products["product_category_name"]
    )
    items = raw["items"].merge(products[["product_id", "category"]], on="product_id", how="left")

    orders = orders.merge(pay, left_on="order_id", right_index=True, how="left")
    orders = orders.merge(reviews, left_on="order_id", right_index=True, how="left")
    orders["amount_paid"] = orders["amount_paid"].fillna(0.0)
    delivered_at = orders["order_delivered_customer_date"]
    orders["delivery_days"] = (delivered_at - orders["order_purchase_timestamp"]).dt.total_seconds()
    orders["delivery_days"] /= 86400.0
    late = delivered_at.dt.normalize() > orders["order_estimated_delivery_date"].dt.normalize()
    orders["is_late"] = late.astype(float).where(delivered_at.notna())

    delivered = orders[orders["order_status"] == "delivered"]
    reference_date = orders["order_purchase_timestamp"].max().normalize() + pd.Timedelta(days=1)

    delivered = delivered.sort_values(["order_purchase_timestamp", "order_id"])
    rfm = delivered.groupby("customer_unique_id").agg(
        customer_state=("customer_state", "last"),
        first_purchase_at=("order_purchase_timestamp", "min"),
        last_purchase_at=("order_purchase_timestamp", "max"),
        frequency=("order_id", "count"),
        monetary=("amount_paid", "sum"),
        avg_review_score=("review_score", "mean"),
        avg_delivery_days=("delivery_days", "mean"),
        late_delivery_share=("is_late", "mean"),
        max_installments=("max_installments", "max"),
    )
    rfm["recency_days"] = (reference_date - rfm["last_purchase_at"].dt.normalize()).dt.days
    rfm["avg_order_value"] = rfm["monetary"] / rfm["frequency"]

    cust_items = items.merge(delivered[["order_id", "customer_unique_id"]], on="order_id")
    cust_items = cust_items[cust_items["category"].notna()]
    rfm["category_count"] = cust_items.groupby("customer_unique_id")["category"].nunique()
    rfm["category_count"] = rfm["category_count"].fillna(0).astype(int)

    type_value = delivered.groupby(["customer_unique_id", "main_payment_type"], as_index=False)[
        "amount_paid"
    ].sum()
    type_value = type_value.sort_values(["customer_unique_id", "amount_paid"], ascending=False)
    rfm["main_payment_type"] = type_value.drop_duplicates("customer_unique_id").set_index(
        "customer_unique_id"
    )["main_payment_type"]

    rfm["r_score"] = quintile(-rfm["recency_days"])
    rfm["m_score"] = quintile(rfm["monetary"])
    rfm["f_score"] = 1 + sum((rfm["frequency"] >= n).astype(int) for n in F_SCORE_MIN_ORDERS)
    rfm["reference_date"] = reference_date
    return rfm.reset_index()


def fit_segments(rfm: pd.DataFrame, features: list[str], k: int, seed: int) -> KMeans:
    """Cell 3: median impute, log1p the long tails, StandardScaler, KMeans on every customer."""
    X = rfm[features].astype(float)
    X = X.fillna(X.median())
    for column in features:
        if column in LOG1P:
            X[column] = np.log1p(X[column])
    X = StandardScaler().fit_transform(X)
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path, help="folder of the 8 Olist CSVs (.csv or .csv.gz)")
    parser.add_argument("--k", type=int, required=True, help="number of segments (our build's k)")
    parser.add_argument(
        "--features",
        default=",".join(DEFAULT_FEATURES),
        help="comma-separated customer_rfm columns to cluster on (our build's feature set)",
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    features = [f.strip() for f in args.features.split(",") if f.strip()]

    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    raw = read_raw(args.data_dir)
    stages["read"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rfm = build_rfm(raw)
    stages["rfm"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = fit_segments(rfm, features, args.k, args.seed)
    stages["fit"] = time.perf_counter() - t0

    sizes = np.bincount(model.labels_, minlength=args.k)
    result = {
        **{key: round(value, 3) for key, value in stages.items()},
        "raw_to_rfm": round(stages["read"] + stages["rfm"], 3),
        "total": round(sum(stages.values()), 3),
        "orders": int(len(raw["orders"])),
        "customers": int(len(rfm)),
        "k": args.k,
        "features": features,
        "inertia": float(model.inertia_),
        "min_segment_share": float(sizes.min() / sizes.sum()) if len(rfm) else math.nan,
        "monetary_total": float(rfm["monetary"].sum()),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
