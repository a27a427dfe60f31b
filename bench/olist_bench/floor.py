"""The floors: DuckDB alone, the least a raw -> RFM path costs.

Run as a script in its own process that imports nothing but DuckDB (and the standard library),
so the CPU time measured for it is DuckDB's:

* ``python floor.py scan DATA_DIR STEM [STEM ...]`` — the *scan floor*: count the rows of each
  raw file (every column as text, the dbt source's reader options);
* ``python floor.py typed DATA_DIR SCHEMA_JSON`` — the *floor*: read the 8 raw files with their
  declared types into tables, then the RFM features per ``customer_unique_id``.
  ``SCHEMA_JSON`` is ``{stem: [[column, type], ...]}`` with the types of the sources yml
  (``models/staging/olist/_olist__sources.yml``, column meta ``type``: text, integer, double,
  money, timestamp, date); the driver reads the yml and passes it, so the two cannot drift.

The RFM of the typed floor is a simplified ``marts.customer_rfm`` (macro ``customer_rfm_as_of``):
orders whose status is ``delivered``, known as delivered at ``greatest(purchase, coalesce(delivered
to customer, estimated delivery))``; the reference date is the day after the last delivered
purchase and an order counts when it was known as delivered before it; per person:
``recency_days`` (days from the last purchase to the reference date), ``frequency`` (orders
counted), ``monetary`` (sum of their payments), the state of the latest order, and the r/f/m
scores (cumulative-share quintiles; f from the thresholds 2, 3, 4, 6). It leaves out what the
project adds: rejects and de-duplication, reviews, delivery and category features, segment rules.

Each mode prints one JSON line on stdout (seconds per file and stage, rows, customers).
"""

from __future__ import annotations

import glob
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

# The same reader options as the dbt sources (macro olist_raw_csv in check_raw_files.sql).
CSV_OPTIONS = "header = true, delim = ',', quote = '\"', escape = '\"'"
# The sources yml's column types as DuckDB types (money is decimal(18, 2) in staging).
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "money": "DECIMAL(18, 2)",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
}
F_SCORE_MIN_ORDERS = (2, 3, 4, 6)  # var rfm_f_score_min_orders

RFM_SQL = f"""
create table customer_rfm as
with
payments as (
    select order_id, sum(payment_value) as amount_paid
    from olist_order_payments_dataset
    group by order_id
),
orders as (
    select
        customers.customer_unique_id,
        customers.customer_state,
        orders.order_id,
        orders.order_purchase_timestamp as purchased_at,
        greatest(
            orders.order_purchase_timestamp,
            coalesce(orders.order_delivered_customer_date, orders.order_estimated_delivery_date)
        ) as known_delivered_at,
        coalesce(payments.amount_paid, 0) as amount_paid
    from olist_orders_dataset as orders
    inner join olist_customers_dataset as customers on orders.customer_id = customers.customer_id
    left join payments on orders.order_id = payments.order_id
    where lower(orders.order_status) = 'delivered'
),
reference as (
    select cast(max(purchased_at) as date) + 1 as reference_date from orders
),
per_customer as (
    select
        orders.customer_unique_id,
        arg_max(orders.customer_state, orders.known_delivered_at) as customer_state,
        max(orders.purchased_at) as last_purchase_at,
        count(*) as frequency,
        cast(sum(orders.amount_paid) as double) as monetary,
        any_value(reference.reference_date) as reference_date
    from orders
    cross join reference
    where orders.known_delivered_at < reference.reference_date
    group by orders.customer_unique_id
),
with_recency as (
    select *, date_diff('day', cast(last_purchase_at as date), reference_date) as recency_days
    from per_customer
)
select
    *,
    cast(least(5, greatest(1, ceil(5 * cume_dist() over (order by recency_days desc) - 1e-9)))
        as integer) as r_score,
    1 + {" + ".join(f"(frequency >= {n})::integer" for n in F_SCORE_MIN_ORDERS)} as f_score,
    cast(least(5, greatest(1, ceil(5 * cume_dist() over (order by monetary) - 1e-9)))
        as integer) as m_score
from with_recency
"""


def raw_path(data_dir: Path, stem: str) -> Path:
    """The one ``STEM.csv`` or ``STEM.csv.gz`` of ``data_dir``; an error when 0 or 2 exist."""
    matches = sorted(glob.glob(str(data_dir / f"{stem}.csv*")))
    if len(matches) != 1:
        raise FileNotFoundError(f"expected one {stem}.csv[.gz] in {data_dir}, found {matches}")
    return Path(matches[0])


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def count_rows(data_dir: Path, stems: Sequence[str]) -> dict[str, object]:
    """Scan floor: rows and seconds per raw file (read as text), and the total seconds."""
    files = {}
    started = time.perf_counter()
    with duckdb.connect() as con:
        for stem in stems:
            t0 = time.perf_counter()
            (n_rows,) = con.sql(
                f"select count(*) from read_csv({_quoted(raw_path(data_dir, stem))}, "
                f"all_varchar = true, {CSV_OPTIONS})"
            ).fetchall()[0]
            files[stem] = {"rows": int(n_rows), "seconds": round(time.perf_counter() - t0, 3)}
    return {"files": files, "total": round(time.perf_counter() - started, 3)}


def typed_rfm(data_dir: Path, schema: dict[str, list[list[str]]]) -> dict[str, object]:
    """Floor: typed read of every raw file into a table, then the RFM table; seconds of each."""
    files = {}
    started = time.perf_counter()
    with duckdb.connect() as con:
        for stem, columns in schema.items():
            types = ", ".join(f"'{name}': '{DUCKDB_TYPES[kind]}'" for name, kind in columns)
            t0 = time.perf_counter()
            con.sql(
                f'create table "{stem}" as select * from read_csv('
                f"{_quoted(raw_path(data_dir, stem))}, columns = {{{types}}}, {CSV_OPTIONS})"
            )
            (n_rows,) = con.sql(f'select count(*) from "{stem}"').fetchall()[0]
            files[stem] = {"rows": int(n_rows), "seconds": round(time.perf_counter() - t0, 3)}
        loaded = time.perf_counter()
        con.sql(RFM_SQL)
        customers, monetary = con.sql(
            "select count(*), sum(monetary) from customer_rfm"
        ).fetchall()[0]
        done = time.perf_counter()
    return {
        "files": files,
        "read": round(loaded - started, 3),
        "rfm": round(done - loaded, 3),
        "total": round(done - started, 3),
        "customers": int(customers),
        "monetary_total": float(monetary or 0.0),
    }


def main(argv: Sequence[str]) -> int:
    """``scan DATA_DIR STEM...`` or ``typed DATA_DIR SCHEMA_JSON``: print the JSON result."""
    mode, data_dir, *rest = argv
    if mode == "scan":
        result = count_rows(Path(data_dir), rest)
    elif mode == "typed":
        result = typed_rfm(Path(data_dir), json.loads(rest[0]))
    else:
        raise SystemExit(f"unknown mode {mode!r}: expected scan or typed")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
