"""Charts of how the model was chosen and how it looks in its own feature space.

The PCA projection and the dendrogram work in the model's scaled space (the
:class:`SegmentModel` transform rebuilt from ``marts.segment_centroids``) on seeded samples drawn
from the customer ids, so their cost stays linear in customers and two runs on the same warehouse
draw the same picture, whatever order the rows are read in.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import dendrogram
from sklearn.decomposition import PCA

from olist_segmentation.report.content import Chart
from olist_segmentation.report.figures import segment_colors, to_png
from olist_segmentation.sampling import sample_customers
from olist_segmentation.segmentation.compare import hierarchical_linkage_sample
from olist_segmentation.segmentation.model import SegmentModel


def chart_pca(
    customers: pd.DataFrame,
    model: SegmentModel,
    *,
    segment_names: Mapping[int, str],
    sample_size: int,
    seed: int,
    view_quantile: float = 0.002,
) -> Chart:
    """2-D PCA of the model's scaled features on a seeded sample, coloured by segment.

    ``customers`` needs ``customer_unique_id``, ``segment_id`` and the model's features. The view
    is cut at the ``view_quantile`` and ``1 - view_quantile`` quantiles of each axis (the title
    says how many outliers fall outside): a few extreme spenders would otherwise squeeze every
    segment into a corner.
    """
    idx = sample_customers(customers["customer_unique_id"].to_numpy(), size=sample_size, seed=seed)
    sample = customers.iloc[idx].reset_index(drop=True)
    X = model.transform(sample)
    pca = PCA(n_components=min(2, X.shape[1]), random_state=seed)
    points = pca.fit_transform(X)
    if points.shape[1] == 1:
        points = np.column_stack([points[:, 0], np.zeros(len(points))])
    ratios = list(pca.explained_variance_ratio_) + [0.0]
    fig = Figure(figsize=(10, 6.5))
    ax = fig.add_subplot()
    for segment_id in sorted(sample["segment_id"].unique()):
        mask = sample["segment_id"].to_numpy() == segment_id
        ax.scatter(
            points[mask, 0],
            points[mask, 1],
            s=6,
            alpha=0.5,
            color=segment_colors([segment_id])[0],
            label=f"{segment_id} · {segment_names.get(segment_id, segment_id)}",
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
        to_png(fig),
        "scatter plot of customers on the first two principal components, coloured by segment",
        "Each dot is a customer placed by the two directions that vary most in the model's scaled "
        "features; well separated colours mean distinct segments, overlaps mean customers near a "
        "boundary.",
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
        to_png(fig),
        "three line charts of inertia, silhouette and Davies-Bouldin against k per feature set",
        "One line per candidate feature set; the gold star is the chosen configuration. Look for "
        "the bend of the inertia curve, a high silhouette and a low Davies–Bouldin; inertia is "
        "only comparable within one feature set.",
    )


def algorithm_labels(comparison: pd.DataFrame) -> list[str]:
    """``"agglomerative (ward)"``: the linkage tells the hierarchical variants apart."""
    return [
        f"{a} ({lk})" if isinstance(lk, str) and lk else str(a)
        for a, lk in zip(comparison["algorithm"], comparison["linkage"], strict=True)
    ]


def chart_comparison(comparison: pd.DataFrame) -> Chart:
    """Silhouette and agreement with k-means (ARI) per algorithm."""
    labels = algorithm_labels(comparison)
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
        to_png(fig),
        "bars of silhouette and ARI against k-means per clustering algorithm",
        "Blue bars compare how well separated each algorithm's clusters are (higher is better); "
        "red bars say how much each agrees with the k-means segments (1 = the same partition).",
    )


def chart_dendrogram(
    customers: pd.DataFrame, model: SegmentModel, *, sample_size: int, seed: int, leaves: int
) -> Chart:
    """Ward dendrogram of a seeded sample, truncated to its last ``leaves`` merges.

    The dashed cut sits between the merges that leave ``model.k`` groups, so the tree can be
    compared with the k-means segments at a glance.
    """
    X = model.transform(customers)
    rows = sample_customers(customers["customer_unique_id"].to_numpy(), size=sample_size, seed=seed)
    Z = hierarchical_linkage_sample(X, rows)
    k = model.k
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
        to_png(fig),
        "truncated dendrogram of Ward hierarchical clustering",
        "Read from the top: each fork splits customers into two groups, and the height of a fork "
        "is how different the two groups are; the dashed line cuts the tree into as many groups "
        "as k-means has segments.",
    )
