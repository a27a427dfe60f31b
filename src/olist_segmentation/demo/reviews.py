"""Order reviews: scores that follow the delivery outcome, optional texts, shared review ids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.calibration import (
    MESSAGE_SHARE,
    NO_REVIEW_SHARE,
    SCORES_LATE,
    SCORES_NOT_DELIVERED,
    SCORES_ON_TIME,
    SHARED_REVIEW_GROUP_SHARE,
    SHARED_REVIEW_GROUP_SIZES,
    TITLE_SHARE,
    TWO_REVIEWS_SHARE,
)
from olist_segmentation.demo.orders import Orders
from olist_segmentation.demo.review_texts import (
    MESSAGE_JOIN_WEIGHTS,
    MESSAGE_JOINS,
    MESSAGES,
    TITLES,
)
from olist_segmentation.demo.sampling import (
    DAY_SECONDS,
    IntArray,
    day_floor,
    hex_ids,
    lognormal,
    probabilities,
    rank_within,
    take_all,
)


@dataclass(frozen=True)
class Reviews:
    """Review rows; texts as indices into the phrase pools (strings are built per chunk)."""

    ids: NDArray[np.bytes_]
    order: IntArray
    score: IntArray
    title: IntArray  # index into the flattened TITLES or -1
    msg1: IntArray  # index into the flattened MESSAGES or -1
    join: IntArray  # index into MESSAGE_JOINS
    msg2: IntArray  # index into the flattened MESSAGES or -1
    created: IntArray
    answered: IntArray


def phrase_pools(
    texts: dict[str, tuple[str, ...]],
) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Flatten a sentiment->phrases mapping into one list plus (offset, size) per sentiment."""
    flat: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    for key, phrases in texts.items():
        spans[key] = (len(flat), len(phrases))
        flat.extend(phrases)
    return flat, spans


def _pick_phrase(
    rng: np.random.Generator,
    score: IntArray,
    spans: dict[str, tuple[int, int]],
    avoid: IntArray | None = None,
) -> IntArray:
    """Pick a phrase index whose sentiment matches the score (4-5 good, 3 neutral, 1-2 bad).

    With ``avoid``, never return that index, so a two-phrase message never repeats itself.
    """
    key = np.where(score >= 4, 0, np.where(score == 3, 1, 2))
    offset = np.array([spans[k][0] for k in ("pos", "neu", "neg")])[key]
    size = np.array([spans[k][1] for k in ("pos", "neu", "neg")])[key]
    if avoid is None:
        return offset + np.floor(rng.random(len(score)) * size).astype(np.int64)
    pick = offset + np.floor(rng.random(len(score)) * (size - 1)).astype(np.int64)
    return pick + (pick >= avoid)


def _share_review_ids(
    rng: np.random.Generator,
    columns: dict[str, np.ndarray],
    first_reviews: IntArray,
    n_reviews: int,
) -> None:
    """Give a few groups of consecutive orders one review (ids, score, texts, dates), in place.

    ``first_reviews`` are the first review of each order, sorted by purchase time: a group
    copies its first review onto the reviews of the orders placed just after it (like the real
    multi-order checkouts), so no review predates its order.
    """
    n_groups = min(len(first_reviews) // 8, round(SHARED_REVIEW_GROUP_SHARE * n_reviews))
    if not n_groups:
        return
    slots = rng.choice(len(first_reviews) // 8, size=n_groups, replace=False) * 8
    sizes = rng.choice(5, size=n_groups, p=probabilities(SHARED_REVIEW_GROUP_SIZES)) + 2
    leaders = first_reviews[slots]
    for j in range(1, int(sizes.max())):
        sel = sizes > j
        src, dst = leaders[sel], first_reviews[slots[sel] + j]
        for col in columns.values():
            col[dst] = col[src]


def generate_reviews(rng: np.random.Generator, orders: Orders) -> Reviews:
    """About one review per order, scores depending on late or missing delivery.

    Some orders get none or two reviews, and a few review ids are shared by several orders
    (the real data's trap for anyone who assumes review_id is a key).
    """
    n_orders = len(orders)
    reviews_per_order = np.where(rng.random(n_orders) < NO_REVIEW_SHARE, 0, 1)
    reviews_per_order[rng.random(n_orders) < TWO_REVIEWS_SHARE / (1 - NO_REVIEW_SHARE)] = 2
    order = np.repeat(np.arange(n_orders, dtype=np.int32), reviews_per_order)
    second = rank_within(reviews_per_order) == 2
    del reviews_per_order
    n_reviews = len(order)

    outcome = np.where(orders.delivered < 0, 2, np.where(orders.late, 1, 0)).astype(np.int8)
    outcome = outcome[order]
    score = np.empty(n_reviews, dtype=np.int8)
    for k, weights in enumerate((SCORES_ON_TIME, SCORES_LATE, SCORES_NOT_DELIVERED)):
        sel = outcome == k
        score[sel] = rng.choice(5, size=int(sel.sum()), p=probabilities(weights)) + 1
    del outcome

    _, title_spans = phrase_pools(TITLES)
    _, msg_spans = phrase_pools(MESSAGES)
    title = _pick_phrase(rng, score, title_spans).astype(np.int16)
    title[rng.random(n_reviews) >= TITLE_SHARE] = -1
    msg1 = _pick_phrase(rng, score, msg_spans).astype(np.int16)
    no_msg = rng.random(n_reviews) >= MESSAGE_SHARE
    msg1[no_msg] = -1
    join = rng.choice(len(MESSAGE_JOINS), size=n_reviews, p=probabilities(MESSAGE_JOIN_WEIGHTS))
    join = join.astype(np.int8)
    join[no_msg] = 0
    del no_msg
    msg2 = _pick_phrase(rng, score, msg_spans, avoid=msg1).astype(np.int16)
    msg2[join == 0] = -1

    created = np.where(orders.delivered >= 0, orders.delivered, orders.estimated)[order]
    created = day_floor(created)
    created += (rng.choice(5, size=n_reviews, p=[0.55, 0.2, 0.1, 0.08, 0.07]) + 1) * DAY_SECONDS
    created[second] += rng.integers(1, 30, size=int(second.sum())) * DAY_SECONDS
    answer_days = np.clip(lognormal(rng, 1.8, 0.8, n_reviews), 0.05, 60)
    answered = created + (answer_days * DAY_SECONDS).astype(np.int64)
    del answer_days

    columns = {
        "ids": hex_ids(rng, n_reviews),
        "order": order,
        "score": score,
        "title": title,
        "msg1": msg1,
        "join": join,
        "msg2": msg2,
        "created": created,
        "answered": answered,
    }
    del order, score, title, msg1, join, msg2, created, answered
    first_reviews = np.flatnonzero(~second)
    del second
    purchase = orders.purchase[columns["order"][first_reviews]]
    first_reviews = first_reviews[np.argsort(purchase, kind="stable")]
    del purchase
    shared = {k: v for k, v in columns.items() if k != "order"}
    _share_review_ids(rng, shared, first_reviews, n_reviews)
    del shared, first_reviews
    return Reviews(**take_all(columns, rng.permutation(n_reviews)))
