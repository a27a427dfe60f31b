"""A self-contained HTML report of the segmentation, rendered from the DuckDB warehouse.

``python -m olist_segmentation.report --warehouse warehouse/olist.duckdb --out reports/x.html``

The report is one HTML file that can be mailed or opened offline: charts are PNGs inlined as
base64, the CSS is inline, and nothing is fetched from the network (no CDN, fonts or scripts).
The warehouse is opened read-only and closed as soon as the tables are in memory, so a report
never blocks a running ``dbt build`` for longer than the reads. Everything expensive is sampled
with a seed (PCA projection, dendrogram), so the cost stays linear in customers and two runs on
the same warehouse give the same report.

Exit code 2 (with a message saying to run ``make build``) when the warehouse or a table that
``dbt build`` creates is missing. The stability study (marts.segment_stability and
marts.maintenance_contract) is optional: without it the report says it is not built yet.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import matplotlib
import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy.cluster.hierarchy import dendrogram
from sklearn.decomposition import PCA

from olist_segmentation.clustering import hierarchical_linkage_sample, sample_indices
from olist_segmentation.explain import frozen_model_features
from olist_segmentation.pipeline import scaled_features

REQUIRED_TABLES = (
    "marts.customer_rfm",
    "marts.customer_segments",
    "marts.segment_centroids",
    "marts.segment_model_selection",
    "marts.clustering_comparison",
    "marts.data_quality",
    "marts.segment_profiles",
    "marts.segment_rules",
    "marts.segment_feature_importance",
)
OPTIONAL_TABLES = ("marts.segment_stability", "marts.maintenance_contract")
STABILITY_COLUMNS = ("month_offset", "ari_frozen_vs_refit")
# Shown in the stability table when present (the mart has more, e.g. per-feature PSI as text).
STABILITY_TABLE_COLUMNS = (
    "month_offset",
    "snapshot_date",
    "n_customers",
    "new_customer_share",
    "ari_frozen_vs_refit",
    "noise_floor_ari",
    "changed_share",
    "max_share_drift",
    "max_psi",
    "max_psi_feature",
)

# One colour per segment id (tab10), the same in every chart.
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


class ReportError(Exception):
    """A problem the user fixes by (re)building the warehouse; the CLI exits with code 2."""


@dataclass
class WarehouseData:
    """Every table the report shows, read in one short read-only session."""

    customers: pd.DataFrame
    centroids: pd.DataFrame
    selection: pd.DataFrame
    comparison: pd.DataFrame
    quality: pd.DataFrame
    profiles: pd.DataFrame
    rules: pd.DataFrame
    importance: pd.DataFrame
    stability: pd.DataFrame | None = None
    contract: pd.DataFrame | None = None


@dataclass
class Chart:
    """One chart: title, inline PNG, alt text and the "how to read it" sentence."""

    title: str
    image: str
    alt: str
    how_to_read: str


@dataclass
class Table:
    """A table already formatted as text (the template only escapes and lays it out)."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: list[bool] = field(default_factory=list)


@dataclass
class Section:
    """A titled part of the report with its charts, tables and notes, in that order."""

    anchor: str
    title: str
    intro: str = ""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# reading the warehouse
# --------------------------------------------------------------------------------------------


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.sql("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{schema}.{name}" for schema, name in rows}


def load_warehouse(path: Path) -> WarehouseData:
    """Read the report's tables from the DuckDB file (read-only, closed before returning)."""
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"warehouse {path} not found: run `make build` first")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise ReportError(
            f"cannot open warehouse {path} read-only ({error}); if a dbt build is running, wait "
            "for it to finish, else run `make build` first"
        ) from error
    try:
        existing = _existing_tables(con)
        missing = [t for t in REQUIRED_TABLES if t not in existing]
        if missing:
            raise ReportError(
                f"warehouse {path} lacks table(s) {', '.join(missing)}: run `make build` first"
            )
        centroids = con.sql("select * from marts.segment_centroids").df()
        features = frozen_model_features(centroids)
        extra = ", ".join(f"rfm.{f}" for f in features if f not in _CUSTOMER_COLUMNS)
        customers = con.sql(
            f"""
            select
                seg.segment_id,
                rfm.recency_days, rfm.frequency, rfm.monetary,
                rfm.r_score, rfm.f_score, rfm.m_score,
                rfm.reference_date{", " + extra if extra else ""}
            from marts.customer_segments as seg
            inner join marts.customer_rfm as rfm
                on seg.customer_unique_id = rfm.customer_unique_id
            order by seg.customer_unique_id
            """
        ).df()
        data = WarehouseData(
            customers=customers,
            centroids=centroids,
            selection=con.sql("select * from marts.segment_model_selection").df(),
            comparison=con.sql("select * from marts.clustering_comparison").df(),
            quality=con.sql("select * from marts.data_quality order by source_table").df(),
            profiles=con.sql("select * from marts.segment_profiles order by segment_id").df(),
            rules=con.sql("select * from marts.segment_rules order by rule_id").df(),
            importance=con.sql("select * from marts.segment_feature_importance order by rank").df(),
        )
        if "marts.segment_stability" in existing:
            data.stability = con.sql("select * from marts.segment_stability").df()
        if "marts.maintenance_contract" in existing:
            data.contract = con.sql("select * from marts.maintenance_contract").df()
    finally:
        con.close()
    return data


_CUSTOMER_COLUMNS = {"recency_days", "frequency", "monetary", "r_score", "f_score", "m_score"}


# --------------------------------------------------------------------------------------------
# formatting helpers
# --------------------------------------------------------------------------------------------


def _png(fig: Figure) -> str:
    """The figure as a ``data:`` URI (PNG, Agg canvas: no display or GUI backend involved)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _fmt(value: Any, kind: str = "auto") -> str:
    """Numbers as people read them: ``1,234``, ``12.5%``, ``0.384``; NULL as an en dash."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "–"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "money":
        return f"R${float(value):,.0f}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        magnitude = abs(float(value))
        if magnitude >= 1000:
            return f"{float(value):,.0f}"
        return f"{float(value):.3g}" if magnitude >= 0.001 or magnitude == 0 else f"{value:.2e}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _table(
    title: str, frame: pd.DataFrame, kinds: dict[str, str] | None = None, caption: str = ""
) -> Table:
    kinds = kinds or {}
    rows = [
        [_fmt(value, kinds.get(column, "auto")) for column, value in row.items()]
        for row in frame.to_dict("records")
    ]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    # spaces instead of underscores let long headers wrap
    columns = [str(c).replace("_", " ") for c in frame.columns]
    return Table(title, columns, rows, caption, numeric)


def _sizes_text(encoded: Any) -> str:
    """``"1:27982|2:2801"`` (clustering_comparison.segment_sizes) as ``"27,982 · 2,801"``."""
    parts = [p.split(":", 1) for p in str(encoded).split("|") if ":" in p]
    try:
        return " · ".join(f"{int(count):,}" for _, count in parts)
    except ValueError:
        return str(encoded)


def _segment_colors(segment_ids: Sequence[int]) -> list[str]:
    return [_PALETTE[(int(i) - 1) % len(_PALETTE)] for i in segment_ids]


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# --------------------------------------------------------------------------------------------
# charts: each returns a Chart; all sizes are in inches at 100 dpi
# --------------------------------------------------------------------------------------------


def chart_segment_sizes(profiles: pd.DataFrame) -> Chart:
    """Share of customers next to share of revenue, per segment."""
    fig = Figure(figsize=(10, 0.7 * len(profiles) + 1.6))
    ax = fig.add_subplot()
    y = np.arange(len(profiles))
    labels = [
        f"{i} · {_short(n, 40)}"
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
        _png(fig),
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
        _png(fig),
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
        _png(fig),
        "heat-maps of customer counts by recency score and frequency or monetary score",
        "Each cell counts the customers with that pair of scores (darker = more); the top-right "
        "corner holds recent, frequent or big-spending customers, the bottom-left the lost ones.",
    )


def chart_pca(
    data: WarehouseData, sample_size: int, seed: int, view_quantile: float = 0.002
) -> Chart:
    """2-D PCA of the model's scaled features on a seeded sample, coloured by segment.

    The view is cut at the ``view_quantile`` and ``1 - view_quantile`` quantiles of each axis
    (the title says how many outliers fall outside): a few extreme spenders would otherwise
    squeeze every segment into a corner.
    """
    idx = sample_indices(len(data.customers), sample_size, seed)
    sample = data.customers.iloc[idx].reset_index(drop=True)
    X = scaled_features(sample, data.centroids)
    pca = PCA(n_components=min(2, X.shape[1]), random_state=seed)
    points = pca.fit_transform(X)
    if points.shape[1] == 1:
        points = np.column_stack([points[:, 0], np.zeros(len(points))])
    ratios = list(pca.explained_variance_ratio_) + [0.0]
    names = data.profiles.set_index("segment_id")["segment_name"]
    fig = Figure(figsize=(10, 6.5))
    ax = fig.add_subplot()
    for segment_id in sorted(sample["segment_id"].unique()):
        mask = sample["segment_id"].to_numpy() == segment_id
        ax.scatter(
            points[mask, 0],
            points[mask, 1],
            s=6,
            alpha=0.5,
            color=_segment_colors([segment_id])[0],
            label=f"{segment_id} · {names.get(segment_id, segment_id)}",
            rasterized=True,
        )
    low, high = np.quantile(points, [view_quantile, 1 - view_quantile], axis=0)
    pad = (high - low) * 0.05 + 1e-9
    low, high = low - pad, high + pad
    outside = int((((points < low) | (points > high)).any(axis=1)).sum())
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel(f"first principal component ({ratios[0]:.0%} of variance, standardised units)")
    ax.set_ylabel(f"second principal component ({ratios[1]:.0%} of variance, standardised units)")
    hidden = f"; {outside:,} outliers outside the view" if outside else ""
    ax.set_title(f"PCA projection of {len(idx):,} sampled customers{hidden}")
    ax.legend(markerscale=3, fontsize=9, loc="best")
    return Chart(
        "PCA projection by segment",
        _png(fig),
        "scatter plot of customers on the first two principal components, coloured by segment",
        "Each dot is a customer placed by the two directions that vary most in the model's scaled "
        "features; well separated colours mean distinct segments, overlaps mean customers near a "
        "boundary.",
    )


def chart_profile_heatmap(profiles: pd.DataFrame) -> Chart:
    """Segment × feature z-scores (how far each segment's mean is from the population)."""
    z_columns = [c for c in profiles.columns if c.startswith("z_")]
    matrix = profiles[z_columns].to_numpy(dtype="float64")
    features = [c[2:] for c in z_columns]
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
            f"{i} · {_short(n, 34)}"
            for i, n in zip(profiles.segment_id, profiles.segment_name, strict=True)
        ],
    )
    ax.set_xlabel("feature")
    ax.set_title("Segment profiles: z-score of the segment mean")
    fig.colorbar(image, ax=ax, label="z-score (population standard deviations)")
    fig.tight_layout()
    return Chart(
        "Segment profile heat-map",
        _png(fig),
        "heat-map of z-scores, segments in rows and features in columns",
        "Each cell is (segment mean − population mean) / population standard deviation: red "
        "means above the average customer, blue below, and the number says by how many standard "
        "deviations.",
    )


def chart_model_selection(selection: pd.DataFrame) -> Chart:
    """Inertia, silhouette and Davies-Bouldin against k, one line per feature set."""
    fig = Figure(figsize=(13, 4.2))
    axes = fig.subplots(1, 3)
    metrics = (
        ("inertia", "inertia (sum of squared distances, scaled units)", "Elbow: inertia"),
        ("silhouette", "silhouette (−1..1, higher is better)", "Silhouette"),
        ("davies_bouldin", "Davies–Bouldin index (lower is better)", "Davies–Bouldin"),
    )
    chosen = selection[selection["is_chosen"].astype(bool)]
    for ax, (column, label, title) in zip(axes, metrics, strict=True):
        for feature_set, group in selection.groupby("feature_set", sort=True):
            group = group.sort_values("k")
            ax.plot(group["k"], group[column], marker="o", ms=4, label=str(feature_set))
        if not chosen.empty:
            ax.scatter(
                chosen["k"],
                chosen[column],
                marker="*",
                s=260,
                color="gold",
                edgecolor="black",
                zorder=5,
                label="chosen",
            )
        ax.set_xlabel("k (number of segments)")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return Chart(
        "Model selection: elbow, silhouette and Davies–Bouldin against k",
        _png(fig),
        "three line charts of inertia, silhouette and Davies-Bouldin against k per feature set",
        "One line per candidate feature set; the gold star is the chosen configuration. Look for "
        "the bend of the inertia curve, a high silhouette and a low Davies–Bouldin; inertia is "
        "only comparable within one feature set.",
    )


def _algorithm_labels(comparison: pd.DataFrame) -> list[str]:
    return [
        f"{a} ({lk})" if isinstance(lk, str) and lk else str(a)
        for a, lk in zip(comparison["algorithm"], comparison["linkage"], strict=True)
    ]


def chart_comparison(comparison: pd.DataFrame) -> Chart:
    """Silhouette and agreement with k-means (ARI) per algorithm."""
    labels = _algorithm_labels(comparison)
    fig = Figure(figsize=(11, 0.55 * len(comparison) + 1.8))
    ax = fig.add_subplot()
    y = np.arange(len(comparison))
    ax.barh(y - 0.2, comparison["silhouette"], height=0.4, label="silhouette", color="#4c72b0")
    ax.barh(
        y + 0.2, comparison["ari_vs_kmeans"], height=0.4, label="ARI vs k-means", color="#c44e52"
    )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("score (silhouette −1..1; adjusted Rand index vs k-means −0.5..1)")
    ax.set_title("Algorithm comparison at the chosen k")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.legend(loc="lower right")
    return Chart(
        "Algorithm comparison",
        _png(fig),
        "bars of silhouette and ARI against k-means per clustering algorithm",
        "Blue bars compare how well separated each algorithm's clusters are (higher is better); "
        "red bars say how much each agrees with the k-means segments (1 = the same partition).",
    )


def chart_dendrogram(data: WarehouseData, sample_size: int, seed: int, leaves: int) -> Chart:
    """Ward dendrogram of a seeded sample, truncated to its last ``leaves`` merges."""
    X = scaled_features(data.customers, data.centroids)
    Z = hierarchical_linkage_sample(X, sample_size, seed)
    k = int(data.centroids["k"].iloc[0])
    cut = float((Z[-k, 2] + Z[-k + 1, 2]) / 2) if 1 < k <= len(Z) else None
    fig = Figure(figsize=(12, 5))
    ax = fig.add_subplot()
    dendrogram(
        Z,
        ax=ax,
        truncate_mode="lastp",
        p=leaves,
        show_leaf_counts=True,
        color_threshold=cut,
        above_threshold_color="#888888",
        leaf_rotation=90,
        leaf_font_size=8,
    )
    if cut is not None:
        ax.axhline(cut, color="black", linestyle="--", linewidth=1, label=f"cut into k = {k}")
        ax.legend(loc="upper right")
    n = min(len(X), sample_size)
    ax.set_xlabel(f"clusters of the {n:,}-customer sample (size in brackets)")
    ax.set_ylabel("Ward merge distance (standardised units)")
    ax.set_title(f"Hierarchical clustering (Ward) of a seeded sample, last {leaves} merges")
    return Chart(
        "Dendrogram of the hierarchical sample",
        _png(fig),
        "truncated dendrogram of Ward hierarchical clustering",
        "Read from the top: each fork splits customers into two groups, and the height of a fork "
        "is how different the two groups are; the dashed line cuts the tree into as many groups "
        "as k-means has segments.",
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
        _png(fig),
        "bar chart of permutation importance per feature",
        "A long bar means the segments cannot be told apart without that feature; a bar near "
        "zero means the segments do not depend on it. Whiskers show the spread over shuffles.",
    )


def _first(frame: pd.DataFrame | None, column: str) -> float | None:
    if frame is None or column not in frame.columns or frame.empty:
        return None
    value = frame[column].dropna()
    return float(value.iloc[0]) if not value.empty else None


def chart_stability(stability: pd.DataFrame, contract: pd.DataFrame | None) -> Chart:
    """ARI of the frozen model against a refit, by months since the fit; threshold and floor."""
    data = stability.sort_values("month_offset")
    fig = Figure(figsize=(10, 4.8))
    ax = fig.add_subplot()
    ax.plot(
        data["month_offset"],
        data["ari_frozen_vs_refit"],
        marker="o",
        color="#4c72b0",
        label="ARI frozen vs refit",
    )
    if "noise_floor_ari" in data.columns and data["noise_floor_ari"].notna().any():
        ax.plot(
            data["month_offset"],
            data["noise_floor_ari"],
            linestyle="--",
            color="#888888",
            label="noise floor (refit vs refit)",
        )
    threshold = _first(contract, "ari_threshold")
    if threshold is not None:
        ax.axhline(threshold, color="#c44e52", linestyle=":", label=f"threshold {threshold:.2f}")
    retrain = _first(contract, "recommended_retrain_months")
    if retrain is not None:
        ax.axvline(retrain, color="black", alpha=0.5, label=f"retrain after {retrain:g} months")
    ax.set_xlabel("months after the model was fitted")
    ax.set_ylabel("adjusted Rand index (1 = same segments)")
    ax.set_ylim(min(0.0, float(np.nanmin(data["ari_frozen_vs_refit"]))), 1.05)
    ax.set_title("Segment stability over time")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    return Chart(
        "Stability curve",
        _png(fig),
        "line chart of ARI between the frozen model and a refit by month",
        "The blue line says how much the frozen segments still agree with a model refitted on "
        "later data; when it falls below the red threshold (and clearly below the grey noise "
        "floor of refitting alone) it is time to retrain.",
    )


# --------------------------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------------------------


def _summary(data: WarehouseData) -> dict[str, Any]:
    profiles = data.profiles
    reference = data.customers["reference_date"].iloc[0] if len(data.customers) else None
    first = data.centroids.iloc[0]
    fidelity = _first(data.rules, "fidelity")
    features = frozen_model_features(data.centroids)
    return {
        "customers": f"{len(data.customers):,}",
        "segments": len(profiles),
        "model_version": str(first["model_version"]),
        "reference_date": _fmt(pd.Timestamp(reference)) if reference is not None else "–",
        "feature_set": f"{first['feature_set']} ({', '.join(features)})",
        "algorithm": str(first["algorithm"]),
        "fidelity": _fmt(fidelity, "pct") if fidelity is not None else "–",
        "rows": [
            {
                "segment_id": int(row.segment_id),
                "color": _segment_colors([row.segment_id])[0],
                "name": row.segment_name,
                "customers": _fmt(row.customer_count, "int"),
                "share": _fmt(row.customer_share, "pct"),
                "revenue_share": _fmt(row.revenue_share, "pct"),
                "description": row.description,
                "action": row.suggested_action,
            }
            for row in profiles.itertuples(index=False)
        ],
    }


def _stability_section(data: WarehouseData, charts: Callable[..., Chart]) -> Section:
    section = Section(
        "stability",
        "Stability and maintenance",
        "How long the frozen segments stay valid: the frozen model is compared with a refit on "
        "later snapshots of the data.",
    )
    if data.stability is None:
        section.notes.append(
            "Not built yet: marts.segment_stability is not in this warehouse. Run `make build` "
            "once the stability study is part of the project to see the stability curve here."
        )
        return section
    missing = [c for c in STABILITY_COLUMNS if c not in data.stability.columns]
    if missing or data.stability.empty:
        section.notes.append(
            "marts.segment_stability is present but cannot be plotted (empty or missing "
            f"column(s) {', '.join(missing) or '–'}); its columns: "
            f"{', '.join(map(str, data.stability.columns))}."
        )
    else:
        section.charts.append(
            charts("stability curve", chart_stability, data.stability, data.contract)
        )
        shown = [c for c in STABILITY_TABLE_COLUMNS if c in data.stability.columns]
        section.tables.append(
            _table(
                "Stability by month",
                data.stability.sort_values("month_offset")[shown],
                {"changed_share": "pct", "new_customer_share": "pct", "n_customers": "int"},
                "All columns are in marts.segment_stability.",
            )
        )
    if data.contract is None:
        section.notes.append("marts.maintenance_contract is not built yet.")
    elif not data.contract.empty:
        contract = data.contract.iloc[0]
        section.tables.append(
            Table(
                "Maintenance contract",
                ["item", "value"],
                [[str(k), _fmt(v)] for k, v in contract.items()],
            )
        )
    return section


def build_sections(
    data: WarehouseData,
    progress: Callable[[str], None] | None = None,
    pca_sample_size: int = 5_000,
    dendrogram_sample_size: int = 2_000,
    dendrogram_leaves: int = 30,
    seed: int = 42,
) -> list[Section]:
    """All sections of the report, charts rendered; ``progress`` gets one line per chart."""
    started = time.perf_counter()

    def chart(name: str, function: Callable[..., Chart], *args: Any) -> Chart:
        began = time.perf_counter()
        result = function(*args)
        if progress is not None:
            now = time.perf_counter()
            progress(f"{name}: {now - began:.1f}s (elapsed {now - started:.1f}s)")
        return result

    profiles = data.profiles
    segments = Section(
        "segments",
        "Segments",
        "Who is in each segment, what they are worth, and where they live and shop.",
        charts=[
            chart("segment sizes", chart_segment_sizes, profiles),
            chart("profile heat-map", chart_profile_heatmap, profiles),
        ],
        tables=[
            _table(
                "Segment profiles",
                profiles[
                    [
                        "segment_id",
                        "segment_name",
                        "customer_count",
                        "customer_share",
                        "revenue",
                        "revenue_share",
                        "top_states",
                        "top_categories",
                    ]
                ],
                {
                    "customer_count": "int",
                    "customer_share": "pct",
                    "revenue": "money",
                    "revenue_share": "pct",
                },
                "Top states: share of the segment's customers; top categories: share of the "
                "segment's customers who bought in the category.",
            )
        ],
    )
    rfm = Section(
        "rfm",
        "RFM: recency, frequency, monetary",
        "The raw material of the segments: when customers last bought, how often, and how much.",
        charts=[
            chart("RFM distributions", chart_rfm_distributions, data.customers),
            chart("RFM-score heat-map", chart_rfm_heatmap, data.customers),
        ],
    )
    geometry = Section(
        "geometry",
        "Segments in feature space",
        "How the segments look in the model's own (log-transformed, standardised) feature space.",
        charts=[
            chart("PCA projection", chart_pca, data, pca_sample_size, seed),
            chart(
                "dendrogram",
                chart_dendrogram,
                data,
                dendrogram_sample_size,
                seed,
                dendrogram_leaves,
            ),
        ],
    )
    chosen = data.selection[data.selection["is_chosen"].astype(bool)]
    selection = Section(
        "selection",
        "Model selection",
        "Every (feature set, k) candidate was fitted and scored; the selection rule is in "
        "selection_reason.",
        charts=[chart("model selection", chart_model_selection, data.selection)],
        tables=[
            _table(
                "Chosen configuration",
                chosen[
                    [
                        c
                        for c in (
                            "feature_set",
                            "features",
                            "k",
                            "silhouette",
                            "davies_bouldin",
                            "bootstrap_ari",
                            "min_segment_share",
                            "selection_reason",
                        )
                        if c in chosen.columns
                    ]
                ],
                {"min_segment_share": "pct"},
            )
        ],
    )
    comparison_table = data.comparison.assign(
        algorithm=_algorithm_labels(data.comparison),
        segment_sizes=[_sizes_text(v) for v in data.comparison["segment_sizes"]],
    )
    comparison = Section(
        "comparison",
        "Algorithm comparison",
        "k-means against hierarchical clustering and Gaussian mixtures on the same features.",
        charts=[chart("algorithm comparison", chart_comparison, data.comparison)],
        tables=[
            _table(
                "Algorithm comparison table",
                comparison_table[
                    [
                        "algorithm",
                        "k",
                        "n_fitted",
                        "silhouette",
                        "davies_bouldin",
                        "calinski_harabasz",
                        "min_segment_share",
                        "ari_vs_kmeans",
                        "fit_seconds",
                        "peak_memory_mb",
                        "segment_sizes",
                    ]
                ],
                {"min_segment_share": "pct", "n_fitted": "int"},
            )
        ],
    )
    fidelity = _first(data.rules, "fidelity")
    rules = Section(
        "rules",
        "Segment rules",
        "A shallow decision tree trained to reproduce the segments from the features in their "
        "original units (missing values count as the median). "
        + (
            f"The rules agree with the k-means segment for {fidelity:.1%} of all customers "
            "(fidelity)."
            if fidelity is not None
            else ""
        ),
        tables=[
            _table(
                "Surrogate rules",
                data.rules[
                    [
                        "rule_id",
                        "segment_id",
                        "segment_name",
                        "rule",
                        "customers_covered",
                        "rule_precision",
                        "segment_coverage",
                    ]
                ],
                {"customers_covered": "int", "rule_precision": "pct", "segment_coverage": "pct"},
                "rule_precision: share of the covered customers really in the segment; "
                "segment_coverage: share of the segment caught by the rule.",
            )
        ],
    )
    importance = Section(
        "importance",
        "Feature importance",
        "Which features the segment boundaries depend on. Method: "
        + (str(data.importance["method"].iloc[0]) if len(data.importance) else "–")
        + ".",
        charts=[chart("feature importance", chart_importance, data.importance)],
    )
    quality = Section(
        "quality",
        "Data quality",
        "Every raw row is either staged or rejected with a reason; rows_unexplained must be 0.",
        tables=[
            _table(
                "Data-quality table",
                data.quality,
                {"rejected_share": "pct"},
            )
        ],
    )
    stability = _stability_section(data, chart)
    return [segments, rfm, geometry, selection, comparison, rules, importance, quality, stability]


def render_report(
    data: WarehouseData,
    progress: Callable[[str], None] | None = None,
    title: str = "Olist customer segmentation",
    **options: Any,
) -> str:
    """The whole report as one HTML string (charts inlined)."""
    matplotlib.use("Agg")  # no display: never pick an interactive backend
    sections = build_sections(data, progress, **options)
    env = Environment(
        loader=PackageLoader("olist_segmentation", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("segmentation.html.j2")
    return template.render(title=title, summary=_summary(data), sections=sections)


def write_report(
    warehouse: Path,
    out: Path,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> Path:
    """Read the warehouse, render the report and write it to ``out`` (folders created)."""
    started = time.perf_counter()
    data = load_warehouse(warehouse)
    if progress is not None:
        progress(f"read {warehouse} ({time.perf_counter() - started:.1f}s)")
    html = render_report(data, progress, **options)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    if progress is not None:
        progress(f"wrote {out} ({len(html) / 1e6:.1f} MB, {time.perf_counter() - started:.1f}s)")
    return out


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m olist_segmentation.report",
        description="Render the self-contained HTML segmentation report from the warehouse.",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("OLIST_DUCKDB_PATH", "warehouse/olist.duckdb")),
        help="DuckDB file built by `make build` (default: $OLIST_DUCKDB_PATH or "
        "warehouse/olist.duckdb)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports/segmentation.html"))
    parser.add_argument("--seed", type=int, default=42, help="seed of the samples (default 42)")
    parser.add_argument(
        "--pca-sample-size", type=int, default=5_000, help="customers drawn for the PCA plot"
    )
    parser.add_argument(
        "--dendrogram-sample-size",
        type=int,
        default=2_000,
        help="customers drawn for the dendrogram (Ward linkage is quadratic)",
    )
    parser.add_argument(
        "--dendrogram-leaves", type=int, default=30, help="merges shown in the dendrogram"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point: 0 on success, 2 when the warehouse must be (re)built first."""
    args = _parse_args(argv)
    for name in ("pca_sample_size", "dendrogram_sample_size", "dendrogram_leaves"):
        if getattr(args, name) < 2:
            print(f"error: --{name.replace('_', '-')} must be >= 2", file=sys.stderr)
            return 2

    def progress(message: str) -> None:
        print(f"[report] {message}", file=sys.stderr, flush=True)

    try:
        write_report(
            args.warehouse,
            args.out,
            progress,
            pca_sample_size=args.pca_sample_size,
            dendrogram_sample_size=args.dendrogram_sample_size,
            dendrogram_leaves=args.dendrogram_leaves,
            seed=args.seed,
        )
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
