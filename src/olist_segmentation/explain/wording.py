"""The words of the profiles: feature values with units, phrases, descriptions and actions.

Every text is generated from a segment's numbers by fixed rules, so the same segments always read
the same way and a text changes only when the numbers behind it do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

DAYS_PER_MONTH = 30.44

# Pairs that say the same thing when their values coincide (wording, not a tunable):
# avg_order_value = monetary for one-time buyers. See describe_segment.
REDUNDANT_FEATURES = MappingProxyType({"avg_order_value": "monetary"})


def duration(days: float) -> str:
    """``"45 days"``, or ``"about 8 months"`` from 60 days on (months read better at that scale)."""
    if days >= 60:
        return f"about {round(days / DAYS_PER_MONTH)} months"
    return f"{round(days)} days"


def money(value: float) -> str:
    """An amount in Brazilian reais without cents (``R$1,234``): cents are noise in a profile."""
    return f"R${value:,.0f}"


FORMATTERS: Mapping[str, Callable[[float], str]] = MappingProxyType(
    {
        "recency_days": duration,
        "frequency": lambda v: f"{v:.2f} orders",
        "monetary": money,
        "avg_order_value": money,
        "avg_review_score": lambda v: f"{v:.1f}/5",
        "avg_delivery_days": lambda v: f"{v:.0f} days",
        "late_delivery_share": lambda v: f"{v:.0%}",
        "category_count": lambda v: f"{v:.1f}",
        "max_installments": lambda v: f"{v:.1f}",
    }
)


def format_feature_value(feature: str, value: float) -> str:
    """A feature value with its unit, as a marketer would say it (``R$160``, ``8 months``)."""
    return FORMATTERS.get(feature, lambda v: f"{v:.3g}")(value)


def feature_phrase(feature: str, value: float, *, one_time_below: float = 1.05) -> str:
    """What a segment's mean of ``feature`` says about its customers, in plain words.

    ``one_time_below``: a mean frequency below this reads "bought once" (almost everyone in the
    segment has one order) instead of "placed 1.0 orders".
    """
    if feature == "recency_days":
        return f"last bought {duration(value)} ago"
    if feature == "frequency":
        return "bought once" if value < one_time_below else f"placed {value:.1f} orders"
    if feature == "monetary":
        return f"spent {money(value)} on average"
    if feature == "avg_order_value":
        return f"paid {money(value)} per order"
    if feature == "avg_review_score":
        return f"rated their orders {value:.1f}/5"
    if feature == "avg_delivery_days":
        return f"waited {value:.0f} days for delivery"
    if feature == "late_delivery_share":
        return f"got {value:.0%} of their orders late"
    if feature == "category_count":
        return f"bought in {value:.1f} categories"
    if feature == "max_installments":
        return f"paid in up to {value:.1f} instalments"
    return f"had {feature.replace('_', ' ')} {value:.3g}"


@dataclass(frozen=True)
class DescriptionOptions:
    """How many features a description names, and which ones it leaves out.

    ``n_features``: at most this many; the first ``min_features`` are always named, the others
    only when their ``|z|`` is at least ``min_abs_z`` (a segment that is average on a feature is
    not described by it). ``one_time_below``: see :func:`feature_phrase`. A feature listed in
    ``redundant_with`` is skipped when its mean is within ``redundant_rel_tol`` of its partner's.
    """

    n_features: int = 3
    min_features: int = 2
    min_abs_z: float = 0.1
    one_time_below: float = 1.05
    redundant_with: Mapping[str, str] = field(default_factory=lambda: REDUNDANT_FEATURES)
    redundant_rel_tol: float = 0.05


def distinctive_features(
    means: Mapping[str, float],
    z_scores: Mapping[str, float],
    *,
    options: DescriptionOptions,
) -> list[str]:
    """The features a description names, most distinctive first.

    Ranked by ``|z|`` (ties: order of ``z_scores``). A redundant feature is dropped before the
    cut: for one-time buyers the average order value *is* the amount spent, and saying it twice
    would push a more informative feature out.
    """
    ranked = sorted(
        (f for f, z in z_scores.items() if np.isfinite(z) and np.isfinite(means.get(f, np.nan))),
        key=lambda f: -abs(z_scores[f]),
    )
    partner = options.redundant_with
    ranked = [
        f
        for f in ranked
        if not (
            partner.get(f) in ranked
            and math.isclose(means[f], means[partner[f]], rel_tol=options.redundant_rel_tol)
        )
    ]
    return [
        f
        for i, f in enumerate(ranked[: options.n_features])
        if i < options.min_features or abs(z_scores[f]) >= options.min_abs_z
    ]


def describe_segment(
    customer_count: int,
    customer_share: float,
    means: Mapping[str, float],
    population_means: Mapping[str, float],
    z_scores: Mapping[str, float],
    *,
    options: DescriptionOptions | None = None,
) -> str:
    """One sentence: the segment size, then the features that set it apart most.

    Each feature is compared with the population, because "R$319" means little without
    "population R$160". Which features are named: :func:`distinctive_features`.
    """
    options = options or DescriptionOptions()
    parts = [
        f"{feature_phrase(f, means[f], one_time_below=options.one_time_below)} "
        f"(population {format_feature_value(f, population_means[f])})"
        for f in distinctive_features(means, z_scores, options=options)
    ]
    head = f"{customer_count:,} customers ({customer_share:.0%})"
    if not parts:
        return head + "."
    body = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{head} who {body}."


@dataclass(frozen=True)
class ActionRules:
    """Thresholds of :func:`suggest_action`.

    Recency and value thresholds are z-scores (relative to the population) because "recent"
    depends on the business' rhythm; experience thresholds are absolute because 3.5 stars is bad
    whatever the others say.
    """

    unhappy_review_below: float = 3.5
    late_share_above: float = 0.25
    repeat_min_frequency: float = 1.5
    recency_z: float = 0.5
    value_z: float = 0.5


def _z(z_scores: Mapping[str, float], feature: str) -> float:
    """A z-score, with a missing or undefined one counting as average (0)."""
    value = z_scores.get(feature, 0.0)
    return float(value) if value is not None and np.isfinite(value) else 0.0


def _mean(means: Mapping[str, float], feature: str) -> float:
    value = means.get(feature, np.nan)
    return float(value) if value is not None else np.nan


def suggest_action(
    means: Mapping[str, float],
    z_scores: Mapping[str, float],
    top_categories: Sequence[str] = (),
    *,
    rules: ActionRules | None = None,
) -> str:
    """A marketing action chosen by fixed rules on the profile (first rule that fires wins).

    1. bad experience (mean review below ``unhappy_review_below`` stars, or more than
       ``late_share_above`` of orders late): service recovery comes before any sales message;
    2. recent (recency z <= -``recency_z``) and high value (monetary z >= ``value_z``): reward;
    3. repeat buyers (mean frequency >= ``repeat_min_frequency``): cross-sell in their categories;
    4. dormant (recency z >= ``recency_z``) and high value: a win-back worth a personal offer;
    5. dormant otherwise: a cheap win-back email;
    6. recent otherwise: nurture towards the second order;
    7. in between and high value: a personalised reminder before they lapse;
    8. in between otherwise: a plain reminder before they lapse.

    A missing feature counts as average (z = 0).
    """
    rules = rules or ActionRules()
    unhappy = _mean(means, "avg_review_score") < rules.unhappy_review_below
    if unhappy or _mean(means, "late_delivery_share") > rules.late_share_above:
        return (
            "Service recovery first: apologise, fix the delivery or product issue, then re-engage"
        )
    recency = _z(z_scores, "recency_days")
    recent, dormant = recency <= -rules.recency_z, recency >= rules.recency_z
    high_value = _z(z_scores, "monetary") >= rules.value_z
    if recent and high_value:
        return "Reward and upsell: loyalty programme, early access to new products"
    if _mean(means, "frequency") >= rules.repeat_min_frequency:
        where = ", ".join(top_categories[:2]) if top_categories else "their favourite categories"
        return f"Cross-sell in categories {where}: bundles and recommendations"
    if dormant and high_value:
        return "High-value win-back: personal offer in the categories they bought"
    if dormant:
        return "Low-cost win-back email with a discount"
    if recent:
        return "Nurture towards a second order: welcome series and recommendations"
    if high_value:
        return "Personal reminder before they lapse: curated picks in the categories they bought"
    return "Reminder before they lapse: recommendations based on their last purchase"
