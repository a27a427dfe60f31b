"""Order payments: card, boleto, debit card and vouchers that add up to what each order cost."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.calibration import (
    INSTALLMENTS,
    PLANS,
    STATUSES,
    VOUCHERS_ONLY,
    VOUCHERS_WITH_CARD,
)
from olist_segmentation.demo.orders import Orders
from olist_segmentation.demo.sampling import (
    IntArray,
    lognormal,
    probabilities,
    rank_within,
    take_all,
)

PAYMENT_TYPES = ("credit_card", "boleto", "voucher", "debit_card", "not_defined")


@dataclass(frozen=True)
class Payments:
    """Payment rows, shuffled like the Kaggle file; value in cents, ptype indexes PAYMENT_TYPES."""

    order: IntArray
    sequential: IntArray
    ptype: NDArray[np.int8]
    installments: IntArray
    value_cents: IntArray


def split_cents(
    rng: np.random.Generator, totals: IntArray, counts: IntArray
) -> tuple[IntArray, IntArray]:
    """Split each total into ``counts`` random integer parts that add up exactly.

    Returns (parent index per part, part value). Integer cents keep sums exact after rounding.
    """
    parent = np.repeat(np.arange(len(totals), dtype=np.int32), counts)
    w = rng.exponential(size=len(parent))
    w /= np.bincount(parent, weights=w, minlength=len(totals))[parent]
    w *= totals[parent]
    part = np.floor(w, out=w).astype(np.int64)
    del w
    remainder = totals - np.bincount(parent, weights=part, minlength=len(totals)).astype(np.int64)
    last = np.cumsum(counts) - 1
    part[last[counts > 0]] += remainder[counts > 0]
    return parent, part


def _installments(rng: np.random.Generator, value_cents: IntArray, ptype: IntArray) -> IntArray:
    """Installments: credit cards only, more for larger amounts (rank-based Gaussian copula)."""
    installments = np.ones(len(ptype), dtype=np.int8)
    is_cc = np.flatnonzero(ptype == PAYMENT_TYPES.index("credit_card"))
    if len(is_cc):
        z_value = np.log1p(value_cents[is_cc] / 100)
        z_value = (z_value - z_value.mean()) / (z_value.std() or 1.0)
        z = 0.55 * z_value + np.sqrt(1 - 0.55**2) * rng.standard_normal(len(is_cc))
        del z_value
        u = (np.argsort(np.argsort(z, kind="stable"), kind="stable") + 0.5) / len(is_cc)
        cdf = np.cumsum(probabilities(INSTALLMENTS))
        installments[is_cc] = np.minimum(np.searchsorted(cdf, u), len(INSTALLMENTS) - 1)
    return installments


def generate_payments(rng: np.random.Generator, orders: Orders, totals: IntArray) -> Payments:
    """Payment rows whose values add up to the order's items + freight (``totals``, cents).

    Most orders pay once by card or boleto; some add one or more vouchers or split the card
    payment; installments grow with the amount; one order has no payment at all (as in the
    real data). Orders without items (total -1) still show what the customer paid.
    """
    n_orders = len(orders)
    no_items = totals < 0
    total = totals.copy()
    total[no_items] = np.rint(lognormal(rng, 105.0, 0.9, int(no_items.sum())) * 100)

    plan = orders.plan
    bol, deb, vonly, ccv, split = (PLANS.index(p) for p in PLANS[1:])
    is_ccv, is_vonly = plan == ccv, plan == vonly
    n_vouchers = np.zeros(n_orders, dtype=np.int64)
    n_vouchers[is_ccv] = rng.choice(len(VOUCHERS_WITH_CARD), size=int(is_ccv.sum()),
                                    p=probabilities(VOUCHERS_WITH_CARD)) + 1  # fmt: skip
    n_vouchers[is_vonly] = rng.choice(len(VOUCHERS_ONLY), size=int(is_vonly.sum()),
                                      p=probabilities(VOUCHERS_ONLY)) + 1  # fmt: skip
    # Voucher share of the amount when paid together with a card (median ~70%).
    voucher_total = np.where(is_vonly, total, 0)
    voucher_total[is_ccv] = np.floor(total[is_ccv] * rng.beta(2.0, 1.0, int(is_ccv.sum())))
    total -= voucher_total  # what the card, boleto or debit card pays
    v_parent, v_value = split_cents(rng, voucher_total, n_vouchers)
    del voucher_total, n_vouchers
    n_primary = np.select([is_vonly, plan == split], [0, 2], 1)
    p_parent, p_value = split_cents(rng, total, n_primary)
    del total, n_primary, is_ccv, is_vonly

    primary_type = np.select(
        [plan == bol, plan == deb],
        [PAYMENT_TYPES.index("boleto"), PAYMENT_TYPES.index("debit_card")],
        PAYMENT_TYPES.index("credit_card"),
    ).astype(np.int8)
    voucher = PAYMENT_TYPES.index("voucher")
    ptype = np.concatenate([primary_type[p_parent], np.full(len(v_parent), voucher, np.int8)])
    order = np.concatenate([p_parent, v_parent])
    value = np.concatenate([p_value, v_value])
    del p_parent, v_parent, p_value, v_value, primary_type
    # A few canceled orders without items show the "not_defined" type (3 rows in the real data).
    canceled_empty = np.flatnonzero(no_items & (orders.status == STATUSES.index("canceled")))
    n_undefined = min(len(canceled_empty), round(3 * n_orders / 99441))
    if n_undefined:
        nd_orders = rng.choice(canceled_empty, size=n_undefined, replace=False)
        nd_rows = np.isin(order, nd_orders) & (ptype != voucher)
        ptype[nd_rows] = PAYMENT_TYPES.index("not_defined")
        value[nd_rows] = 0
    # One order without payment, like the real data.
    if n_orders >= 1000:
        keep = order != rng.integers(0, n_orders)
        order, value, ptype = order[keep], value[keep], ptype[keep]

    # Sequence: card/boleto first, then vouchers (a stable sort keeps that order per order).
    columns = take_all({"order": order, "value": value, "ptype": ptype},
                       np.argsort(order, kind="stable"))  # fmt: skip
    del order, value, ptype
    sequential = rank_within(np.bincount(columns["order"], minlength=n_orders)).astype(np.int16)
    installments = _installments(rng, columns["value"], columns["ptype"])

    columns["sequential"], columns["installments"] = sequential, installments
    del sequential, installments
    columns = take_all(columns, rng.permutation(len(columns["order"])))
    return Payments(
        order=columns["order"],
        sequential=columns["sequential"],
        ptype=columns["ptype"],
        installments=columns["installments"],
        value_cents=columns["value"],
    )
