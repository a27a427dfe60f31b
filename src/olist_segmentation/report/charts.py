"""Charts of who the customers are: segment sizes and profiles, RFM, importance, stability.

Each function takes the mart it draws and returns a :class:`Chart` with its own "how to read it"
sentence, so a reader of the mailed report never needs this code to interpret a figure. Sizes
are in inches at 100 dpi; heights grow with the number of rows so labels never overlap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from olist_segmentation.report.content import Chart, first_value
from olist_segmentation.report.figures import segment_label, to_png


def chart_segment_sizes(profiles: pd.DataFrame) -> Chart:
    """Share of customers next to share of revenue, per segment."""
    fig = Figure(figsize=(10, 0.7 * len(profiles) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(profiles))
    labels = [
        segment_label(i, n, width=40)
        for i, n in zip(profiles.segment_id, profiles.segment_name, strict=True)
    ]
    ax.barh(
        y - 0.2, profiles["customer_share"] * 100, height=0.4, label="customers", color="#4c72b0"
    )
    ax.barh(y + 0.2, profiles["revenue_share"] * 100, height=0.4, label="revenue", color="#dd8452")
    for offset, column in ((-0.2, "customer_share"), (0.2, "revenue_share")):
        for yi, value in zip(y, profiles[column], strict=True):
            ax.text(value * 100 + 0.5, yi + offset, f"{value:.0%}", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("share of all customers / of all revenue (%)")
    ax.set_title("Segment sizes and revenue shares")
    ax.legend(loc="lower right")
    ax.set_xlim(0, max(profiles["customer_share"].max(), profiles["revenue_share"].max()) * 115)
    return Chart(
        "Segment sizes and revenue shares",
        to_png(fig),
        "horizontal bars of customer share and revenue share per segment",
        "Each segment has two bars: its share of the customers (blue) and of the revenue "
        "(orange); an orange bar longer than the blue one marks a segment worth more than its "
        "size.",
    )


def chart_rfm_distributions(customers: pd.DataFrame) -> Chart:
    """Histograms of recency, frequency and monetary (log scales where the tail is long)."""
    fig = Figure(figsize=(12, 3.8))
    ax_r, ax_f, ax_m = fig.subplots(1, 3)
    recency = customers["recency_days"].to_numpy(dtype="float64")
    ax_r.hist(recency, bins=40, color="#4c72b0")
    ax_r.set_xlabel("recency (days since last purchase)")
    ax_r.set_ylabel("customers")
    ax_r.set_title("Recency")
    frequency = customers["frequency"].to_numpy(dtype="int64")
    values, counts = np.unique(frequency, return_counts=True)
    ax_f.bar(values, counts, color="#55a868")
    ax_f.set_yscale("log")
    ax_f.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_f.set_xlabel("frequency (delivered orders)")
    ax_f.set_ylabel("customers (log scale)")
    ax_f.set_title("Frequency")
    monetary = customers["monetary"].to_numpy(dtype="float64")
    positive = monetary[monetary > 0]
    if positive.size:
        bins = np.logspace(np.log10(positive.min()), np.log10(positive.max()), 40)
        ax_m.hist(positive, bins=bins, color="#dd8452")
        ax_m.set_xscale("log")
    ax_m.set_xlabel("monetary (BRL, log scale)")
    ax_m.set_ylabel("customers")
    ax_m.set_title("Monetary")
    fig.tight_layout()
    return Chart(
        "RFM distributions",
        to_png(fig),
        "histograms of recency, frequency and monetary",
        "Bar height is the number of customers with that value; frequency has a log count axis "
        "because almost everyone buys once, and monetary a log value axis because a few big "
        "spenders stretch the tail.",
    )


def chart_rfm_heatmap(customers: pd.DataFrame) -> Chart:
    """Customer counts per (r_score, f_score) and per (r_score, m_score)."""
    fig = Figure(figsize=(12, 4.6))
    axes = fig.subplots(1, 2)
    for ax, other, label in zip(
        axes, ("f_score", "m_score"), ("frequency score", "monetary score"), strict=True
    ):
        counts = pd.crosstab(customers["r_score"], customers[other]).reindex(
            index=range(1, 6), columns=range(1, 6), fill_value=0
        )
        top = counts.to_numpy().max() or 1
        image = ax.imshow(
            counts.to_numpy(), cmap="Blues", origin="lower", aspect="auto", vmin=0, vmax=top
        )
        for (r, c), value in np.ndenumerate(counts.to_numpy()):
            color = "white" if value > top * 0.6 else "black"
            ax.text(c, r, f"{value:,}", ha="center", va="center", fontsize=8, color=color)
        ax.set_xticks(range(5), [str(i) for i in range(1, 6)])
        ax.set_yticks(range(5), [str(i) for i in range(1, 6)])
        ax.set_xlabel(f"{label} (1 = lowest, 5 = highest)")
        ax.set_ylabel("recency score (5 = most recent)")
        ax.set_title(f"Customers by recency × {label}")
        fig.colorbar(image, ax=ax, label="customers")
    fig.tight_layout()
    return Chart(
        "RFM-score heat-map",
        to_png(fig),
        "heat-maps of customer counts by recency score and frequency or monetary score",
        "Each cell counts the customers with that pair of scores (darker = more); the top-right "
        "corner holds recent, frequent or big-spending customers, the bottom-left the lost ones.",
    )


def chart_profile_heatmap(profiles: pd.DataFrame, profile_features: pd.DataFrame) -> Chart:
    """Segment × feature z-scores (how far each segment's mean is from the population).

    ``profile_features`` is the long table (one row per segment and feature), pivoted here in
    the order of the features and of ``profiles``' segments.
    """
    ordered = profile_features.sort_values(["feature_position", "segment_id"], kind="stable")
    features = list(dict.fromkeys(ordered["feature"]))
    wide = ordered.pivot(index="segment_id", columns="feature", values="z_score")
    matrix = wide.reindex(index=profiles["segment_id"], columns=features).to_numpy("float64")
    fig = Figure(figsize=(12, 0.6 * len(profiles) + 2.6))
    ax = fig.add_subplot()
    limit = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 1.0
    limit = max(limit, 0.5)
    image = ax.imshow(
        matrix, cmap="RdBu_r", norm=TwoSlopeNorm(vcenter=0, vmin=-limit, vmax=limit), aspect="auto"
    )
    for (r, c), value in np.ndenumerate(matrix):
        if np.isfinite(value):
            color = "white" if abs(value) > limit * 0.6 else "black"
            ax.text(c, r, f"{value:+.1f}", ha="center", va="center", fontsize=9, color=color)
    ax.set_xticks(
        range(len(features)),
        [f.replace("_", " ") for f in features],
        rotation=30,
        ha="right",
        rotation_mode="anchor",
    )
    ax.set_yticks(
        range(len(profiles)),
        [
            segment_label(i, n, width=34)
            for i, n in zip(profiles.segment_id, profiles.segment_name, strict=True)
        ],
    )
    ax.set_xlabel("feature")
    ax.set_title("Segment profiles: z-score of the segment mean")
    fig.colorbar(image, ax=ax, label="z-score (population standard deviations)")
    fig.tight_layout()
    return Chart(
        "Segment profile heat-map",
        to_png(fig),
        "heat-map of z-scores, segments in rows and features in columns",
        "Each cell is (segment mean − population mean) / population standard deviation: red "
        "means above the average customer, blue below, and the number says by how many standard "
        "deviations.",
    )


def chart_importance(importance: pd.DataFrame) -> Chart:
    """Permutation importance of the surrogate tree, with its spread over the shuffles."""
    fig = Figure(figsize=(10, 0.5 * len(importance) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(importance))
    ax.barh(
        y,
        importance["importance_mean"] * 100,
        xerr=importance["importance_std"] * 100,
        color="#8172b2",
        capsize=3,
    )
    ax.set_yticks(y, importance["feature"])
    ax.invert_yaxis()
    ax.set_xlabel("drop in rule accuracy when the feature is shuffled (percentage points)")
    ax.set_title("Feature importance (permutation, surrogate tree)")
    return Chart(
        "Feature importance",
        to_png(fig),
        "bar chart of permutation importance per feature",
        "A long bar means the segments cannot be told apart without that feature; a bar near "
        "zero means the segments do not depend on it. Whiskers show the spread over shuffles.",
    )


def stability_band(stability: pd.DataFrame) -> pd.DataFrame:
    """Per month offset, over the origins: median, lowest and highest ARI frozen vs refit, and
    the noise floor (median) with its lowest value. One origin when there is no t0 column."""
    columns = {
        "ari_median": ("ari_frozen_vs_refit", "median"),
        "ari_min": ("ari_frozen_vs_refit", "min"),
        "ari_max": ("ari_frozen_vs_refit", "max"),
        "origin_count": ("ari_frozen_vs_refit", "size"),
    }
    if "noise_floor_ari" in stability.columns:
        columns["floor_median"] = ("noise_floor_ari", "median")
        low = (
            "noise_floor_ari_low"
            if "noise_floor_ari_low" in stability.columns
            else "noise_floor_ari"
        )
        columns["floor_low"] = (low, "min")
    return stability.groupby("month_offset").agg(**columns).reset_index()


def chart_stability(stability: pd.DataFrame, contract: pd.DataFrame | None) -> Chart:
    """ARI of the frozen model against a refit by months since the fit: the band over origins
    (median, min–max), the noise-floor band, the threshold and the recommended interval."""
    band = stability_band(stability)
    months = band["month_offset"]
    fig = Figure(figsize=(10, 4.8))
    ax = fig.add_subplot()
    origins = int(band["origin_count"].max())
    ax.fill_between(
        months,
        band["ari_min"],
        band["ari_max"],
        color="#4c72b0",
        alpha=0.2,
        label=f"ARI frozen vs refit, min–max over {origins} starting month(s)",
    )
    ax.plot(months, band["ari_median"], marker="o", color="#4c72b0", label="median ARI")
    if "floor_median" in band.columns and band["floor_median"].notna().any():
        ax.fill_between(
            months,
            band["floor_low"],
            band["floor_median"],
            color="#888888",
            alpha=0.25,
            label="noise floor, lowest to median (other samples and seeds)",
        )
        ax.plot(months, band["floor_median"], linestyle="--", color="#888888")
    threshold = first_value(contract, "ari_threshold")
    if threshold is not None:
        ax.axhline(threshold, color="#c44e52", linestyle=":", label=f"threshold {threshold:.2f}")
    retrain = first_value(contract, "recommended_retrain_months")
    if retrain is not None:
        ax.axvline(retrain, color="black", alpha=0.5, label=f"retrain after {retrain:g} months")
    ax.set_xlabel("months after the model was fitted")
    ax.set_ylabel("adjusted Rand index (1 = same segments)")
    ax.set_ylim(min(0.0, float(np.nanmin(band["ari_min"]))), 1.05)
    ax.set_title("Segment stability over time, over starting months")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    return Chart(
        "Stability curve",
        to_png(fig),
        "band chart of ARI between the frozen model and a refit by month, over starting months",
        "The blue line is the median over starting months of how much the frozen segments still "
        "agree with a model refitted on later data, the blue band its range; the grey band is "
        "what refits on other samples with other seeds already disagree by. When the blue band "
        "falls below the red threshold, clearly under the grey floor, it is time to retrain.",
    )
