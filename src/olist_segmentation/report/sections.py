"""What each part of the report says: the summary facts and one section per topic.

Sections are built in reading order (segments, RFM, feature space, model selection, algorithm
comparison, rules, importance, data quality, stability) and every chart is timed, so the
command line can show which chart is slow on a big warehouse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from olist_segmentation.report.charts import (
    chart_importance,
    chart_profile_heatmap,
    chart_rfm_distributions,
    chart_rfm_heatmap,
    chart_segment_sizes,
    chart_stability,
    stability_band,
)
from olist_segmentation.report.content import (
    Chart,
    Section,
    Table,
    comparison_sizes,
    first_value,
    fmt,
    text_table,
)
from olist_segmentation.report.figures import segment_colors
from olist_segmentation.report.load import WarehouseData
from olist_segmentation.report.model_charts import (
    algorithm_labels,
    chart_comparison,
    chart_dendrogram,
    chart_model_selection,
    chart_pca,
)
from olist_segmentation.report.operations import operations_section

STABILITY_COLUMNS = ("month_offset", "ari_frozen_vs_refit")
# The stability table: per month offset, over the starting months (charts.stability_band).
STABILITY_TABLE_COLUMNS = {
    "month_offset": "month_offset",
    "origin_count": "starting months",
    "ari_median": "median ARI",
    "ari_min": "lowest ARI",
    "ari_max": "highest ARI",
    "floor_median": "noise floor",
    "floor_low": "noise floor, lowest",
}
PROFILE_COLUMNS = [
    "segment_id",
    "segment_name",
    "customer_count",
    "customer_share",
    "revenue",
    "revenue_share",
    "top_states",
    "top_categories",
]
CHOSEN_COLUMNS = (
    "feature_set",
    "features",
    "k",
    "silhouette",
    "davies_bouldin",
    "bootstrap_ari",
    "min_segment_share",
    "selection_reason",
)
COMPARISON_COLUMNS = [
    "algorithm",
    "k",
    "fitted_customer_count",
    "silhouette",
    "davies_bouldin",
    "calinski_harabasz",
    "min_segment_share",
    "ari_vs_kmeans",
    "fit_seconds",
    "peak_memory_mb",
    "segment_sizes",
]
RULE_COLUMNS = [
    "rule_id",
    "segment_id",
    "segment_name",
    "rule",
    "covered_customer_count",
    "rule_precision",
    "segment_coverage",
]


@dataclass(frozen=True)
class ChartOptions:
    """How much the sampled charts draw, and with which seed (the same seed, the same report).

    The dendrogram's Ward linkage is quadratic in its sample, hence a smaller default than PCA.
    """

    seed: int = 42
    pca_sample_size: int = 5_000
    dendrogram_sample_size: int = 2_000
    dendrogram_leaves: int = 30


class ChartTimer:
    """Draws charts and reports each one's duration and the time elapsed since the first."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self._progress = progress
        self._started = time.perf_counter()

    def __call__(self, name: str, draw: Callable[[], Chart]) -> Chart:
        began = time.perf_counter()
        chart = draw()
        if self._progress is not None:
            now = time.perf_counter()
            self._progress(f"{name}: {now - began:.1f}s (elapsed {now - self._started:.1f}s)")
        return chart


def summary(data: WarehouseData) -> dict[str, Any]:
    """The facts above the sections and one row per segment, as the template's ``summary``."""
    reference = data.customers["reference_date"].iloc[0] if len(data.customers) else None
    fidelity = first_value(data.rules, "fidelity")
    holdout = first_value(data.rules, "holdout_fidelity")
    model = data.model
    return {
        "customers": f"{len(data.customers):,}",
        "segments": len(data.profiles),
        "model_version": model.version,
        "reference_date": fmt(pd.Timestamp(reference)) if reference is not None else "–",
        "feature_set": f"{model.feature_set} ({', '.join(model.features)})",
        "algorithm": model.algorithm,
        "fidelity": (
            "–"
            if fidelity is None
            else fmt(fidelity, "pct")
            + (f" ({fmt(holdout, 'pct')} held out)" if holdout is not None else "")
        ),
        "rows": [
            {
                "segment_id": int(row.segment_id),
                "color": segment_colors([row.segment_id])[0],
                "name": row.segment_name,
                "customers": fmt(row.customer_count, "int"),
                "share": fmt(row.customer_share, "pct"),
                "revenue_share": fmt(row.revenue_share, "pct"),
                "description": row.description,
                "action": row.suggested_action,
            }
            for row in data.profiles.itertuples(index=False)
        ],
    }


def segments_section(data: WarehouseData, timed: ChartTimer) -> Section:
    """Who is in each segment and what they are worth: the part most readers stop at."""
    profiles = data.profiles
    return Section(
        "segments",
        "Segments",
        "Who is in each segment, what they are worth, and where they live and shop.",
        charts=[
            timed("segment sizes", lambda: chart_segment_sizes(profiles)),
            timed(
                "profile heat-map",
                lambda: chart_profile_heatmap(profiles, data.profile_features),
            ),
        ],
        tables=[
            text_table(
                "Segment profiles",
                profiles[PROFILE_COLUMNS],
                kinds={
                    "customer_count": "int",
                    "customer_share": "pct",
                    "revenue": "money",
                    "revenue_share": "pct",
                },
                caption="Top states: share of the segment's customers; top categories: share of "
                "the segment's customers who bought in the category.",
            )
        ],
    )


def rfm_section(data: WarehouseData, timed: ChartTimer) -> Section:
    """The RFM inputs, so a reader can judge the segments against the raw distributions."""
    return Section(
        "rfm",
        "RFM: recency, frequency, monetary",
        "The raw material of the segments: when customers last bought, how often, and how much.",
        charts=[
            timed("RFM distributions", lambda: chart_rfm_distributions(data.customers)),
            timed("RFM-score heat-map", lambda: chart_rfm_heatmap(data.customers)),
        ],
    )


def geometry_section(data: WarehouseData, timed: ChartTimer, options: ChartOptions) -> Section:
    """The segments in the model's scaled space: how separated they really are."""
    names = dict(zip(data.profiles["segment_id"], data.profiles["segment_name"], strict=True))
    pca = timed(
        "PCA projection",
        lambda: chart_pca(
            data.customers,
            data.model,
            segment_names=names,
            sample_size=options.pca_sample_size,
            seed=options.seed,
        ),
    )
    tree = timed(
        "dendrogram",
        lambda: chart_dendrogram(
            data.customers,
            data.model,
            sample_size=options.dendrogram_sample_size,
            seed=options.seed,
            leaves=options.dendrogram_leaves,
        ),
    )
    return Section(
        "geometry",
        "Segments in feature space",
        "How the segments look in the model's own (log-transformed, standardised) feature space.",
        charts=[pca, tree],
    )


def selection_section(data: WarehouseData, timed: ChartTimer) -> Section:
    """Why this feature set and k: every candidate's scores and the chosen one."""
    chosen = data.selection[data.selection["is_chosen"].astype(bool)]
    return Section(
        "selection",
        "Model selection",
        "Every (feature set, k) candidate was fitted and scored; the selection rule is in "
        "selection_reason.",
        charts=[timed("model selection", lambda: chart_model_selection(data.selection))],
        tables=[
            text_table(
                "Chosen configuration",
                chosen[[c for c in CHOSEN_COLUMNS if c in chosen.columns]],
                kinds={"min_segment_share": "pct"},
            )
        ],
    )


def comparison_section(data: WarehouseData, timed: ChartTimer) -> Section:
    """Whether other algorithms would find the same segments (agreement with k-means)."""
    readable = data.comparison.assign(
        algorithm=algorithm_labels(data.comparison),
        segment_sizes=comparison_sizes(data.comparison, data.comparison_segments),
    )
    return Section(
        "comparison",
        "Algorithm comparison",
        "k-means against hierarchical clustering and Gaussian mixtures on the same features.",
        charts=[timed("algorithm comparison", lambda: chart_comparison(data.comparison))],
        tables=[
            text_table(
                "Algorithm comparison table",
                readable[COMPARISON_COLUMNS],
                kinds={"min_segment_share": "pct", "fitted_customer_count": "int"},
            )
        ],
    )


def rules_agreement(rules: pd.DataFrame | None) -> str:
    """How often the rules give the k-means segment: on all customers and on the held-out
    customers the tree was not fitted on (the figure to trust)."""
    fidelity = first_value(rules, "fidelity")
    if fidelity is None:
        return ""
    text = (
        f"The rules agree with the k-means segment for {fidelity:.1%} of all customers (fidelity)"
    )
    holdout = first_value(rules, "holdout_fidelity")
    held_out = first_value(rules, "held_out_customer_count")
    if holdout is not None:
        on = f"the {held_out:,.0f} customers" if held_out is not None else "the customers"
        text += f" and for {holdout:.1%} of {on} held out from the tree's fit (held-out fidelity)"
    return text + "."


def rules_section(data: WarehouseData) -> Section:
    """The segments as readable if-then rules, with how often the rules are right."""
    agreement = rules_agreement(data.rules)
    return Section(
        "rules",
        "Segment rules",
        "A shallow decision tree trained to reproduce the segments from the features in their "
        "original units (missing values count as the median). " + agreement,
        tables=[
            text_table(
                "Surrogate rules",
                data.rules[RULE_COLUMNS],
                kinds={
                    "covered_customer_count": "int",
                    "rule_precision": "pct",
                    "segment_coverage": "pct",
                },
                caption="rule_precision: share of the covered customers really in the segment; "
                "segment_coverage: share of the segment caught by the rule.",
            )
        ],
    )


def importance_section(data: WarehouseData, timed: ChartTimer) -> Section:
    """Which features the segment boundaries depend on, and which could be dropped."""
    method = str(data.importance["method"].iloc[0]) if len(data.importance) else "–"
    return Section(
        "importance",
        "Feature importance",
        f"Which features the segment boundaries depend on. Method: {method}.",
        charts=[timed("feature importance", lambda: chart_importance(data.importance))],
    )


def quality_section(data: WarehouseData) -> Section:
    """Where every raw row went, so lost rows cannot hide behind the segments."""
    return Section(
        "quality",
        "Data quality",
        "Every raw row is either staged or rejected with a reason; unexplained_row_count must be "
        "0.",
        tables=[text_table("Data-quality table", data.quality, kinds={"rejected_share": "pct"})],
    )


def stability_section(data: WarehouseData, timed: ChartTimer) -> Section:
    """The stability curve and contract, or a note saying why they are not shown.

    The stability study is optional and built separately, so a missing or unexpected mart is
    reported in the section instead of failing the whole report.
    """
    section = Section(
        "stability",
        "Stability and maintenance",
        "How long the frozen segments stay valid: the frozen model is compared with a refit on "
        "later snapshots of the data, from every starting month with enough customers.",
    )
    stability = data.stability
    if stability is None:
        section.notes.append(
            "Not built yet: marts.segment_stability is not in this warehouse. Run `make build` "
            "once the stability study is part of the project to see the stability curve here."
        )
        return section
    missing = [c for c in STABILITY_COLUMNS if c not in stability.columns]
    if missing or stability.empty:
        section.notes.append(
            "marts.segment_stability is present but cannot be plotted (empty or missing "
            f"column(s) {', '.join(missing) or '–'}); its columns: "
            f"{', '.join(map(str, stability.columns))}."
        )
    else:
        section.charts.append(
            timed("stability curve", lambda: chart_stability(stability, data.contract))
        )
        band = stability_band(stability)
        shown = [c for c in STABILITY_TABLE_COLUMNS if c in band.columns]
        section.tables.append(
            text_table(
                "Stability by month",
                band[shown].rename(columns=STABILITY_TABLE_COLUMNS),
                kinds={"starting months": "int"},
                caption="Over the starting months (origins); one row per origin and month in "
                "marts.segment_stability, the contract's reading in "
                "marts.maintenance_contract_by_month.",
            )
        )
    if data.contract is None:
        section.notes.append("marts.maintenance_contract is not built yet.")
    elif not data.contract.empty:
        contract = data.contract.iloc[0]
        if "contract_summary" in contract.index and isinstance(contract["contract_summary"], str):
            section.intro = f"{section.intro} The contract: {contract['contract_summary']}."
        section.tables.append(
            Table(
                "Maintenance contract",
                ["item", "value"],
                [[str(k), fmt(v)] for k, v in contract.items()],
            )
        )
    return section


def build_sections(
    data: WarehouseData,
    *,
    options: ChartOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Section]:
    """All sections of the report, charts rendered; ``progress`` gets one line per chart."""
    options = options or ChartOptions()
    timed = ChartTimer(progress)
    return [
        segments_section(data, timed),
        rfm_section(data, timed),
        geometry_section(data, timed, options),
        selection_section(data, timed),
        comparison_section(data, timed),
        rules_section(data),
        importance_section(data, timed),
        quality_section(data),
        stability_section(data, timed),
        operations_section(data.operations),
    ]
