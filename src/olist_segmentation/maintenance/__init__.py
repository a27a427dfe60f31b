"""Maintenance contract of the segmentation: how fast does a frozen model go stale?

A segmentation is frozen so that "segment 3" means the same thing next month. The price is that
the customer base moves on: recency grows, new customers arrive, behaviour drifts, and at some
point the frozen boundaries no longer describe the data. This package measures *when*, on a
monthly history of the RFM mart (one row per ``(snapshot_date, customer_unique_id)``, features as
of that date, computed from orders before it, so there is no leakage), and turns the answer into
a contract: retrain every N months, monitor these numbers in between.

* :mod:`.history`: reading and indexing the monthly history, the whole-customer sample, t0.
* :mod:`.drift`: population stability index and segment-share drift.
* :mod:`.reference`: the model fitted at t0 and frozen, and the study's options.
* :mod:`.noise`: the refit of a date and its noise floor (other samples, other seeds).
* :mod:`.study`: frozen-vs-refit ARI per (origin t0, month after it), against that floor.
* :mod:`.transitions`: customers moving between frozen segments from one month to the next.
* :mod:`.steps`: the functions the dbt Python models call.
"""
