"""The segment model: a fitted segmentation that can be stored in one table and scored again.

A model is fully described by a handful of numbers per feature (impute value, optional log1p,
centre, scale) and its centroids, so the warehouse keeps it in one long table
(``segment_centroids``: one row per segment and feature) and every reader rebuilds the same object
from it. Scoring never refits anything: not the medians, not the scaling, not the centroids, so
segment boundaries move only when a new model is deliberately fitted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from olist_segmentation.segmentation.kmeans import FittedSegmentation, assign_to_centroids
from olist_segmentation.segmentation.transform import (
    PARAMS_COLUMNS,
    TransformParams,
    apply_transform,
    inverse_transform,
    params_from_frame,
    params_to_frame,
)

CENTROID_COLUMNS = [
    "model_version",
    "segment_id",
    "feature",
    "feature_order",
    "centroid_scaled",
    "centroid_original",
    "customer_count",
    "segment_share",
]

# Columns of the model table (marts.segment_centroids): the centroids and the transform of their
# feature, so that one table is enough to score customers later.
MODEL_TABLE_COLUMNS = [
    *CENTROID_COLUMNS,
    "segment_name",
    "k",
    "seed",
    "feature_set",
    "log1p",
    "impute_value",
    "center",
    "scale",
    "fitted_customer_count",
    "algorithm",
    "reference_date",
]


def content_version(
    *,
    features: Sequence[str],
    transform: pd.DataFrame,
    segment_ids: np.ndarray,
    centroids: np.ndarray,
) -> str:
    """Short id such as ``km-k4-1a2b3c4d`` that hashes the model itself, not the data it saw.

    Features, transform (log1p, impute value, centre, scale), segment ids and centroids, written
    with ``repr`` so that a model read back from the warehouse or a Parquet export keeps its id.
    """
    payload = {
        "features": list(features),
        "transform": [
            [
                str(row.feature),
                bool(row.log1p),
                repr(float(row.impute_value)),
                repr(float(row.center)),
                repr(float(row.scale)),
            ]
            for row in transform.itertuples(index=False)
        ],
        "segments": [int(i) for i in segment_ids],
        "centroids": [[repr(float(v)) for v in row] for row in np.asarray(centroids)],
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
    return f"km-k{len(segment_ids)}-{digest[:8]}"


@dataclass(frozen=True, eq=False)
class SegmentModel:
    """A fitted segmentation: transform, centroids, names and how it was fitted.

    Build it with :meth:`from_fitted` after a fit or :meth:`from_table` from the warehouse, write
    it with :meth:`to_table`, and score customers with :meth:`predict` or :meth:`score`.
    ``centroids[i]`` is the centroid of ``segment_ids[i]`` in scaled units.
    """

    version: str
    feature_set: str
    transform_params: TransformParams
    segment_ids: np.ndarray
    centroids: np.ndarray
    segment_names: dict[int, str]
    segment_sizes: np.ndarray
    segment_shares: np.ndarray
    seed: int
    algorithm: str
    fitted_customer_count: int
    reference_date: pd.Timestamp | None
    centroids_original: np.ndarray | None = None

    # ---- what the model is -----------------------------------------------------------------

    @property
    def features(self) -> list[str]:
        """customer_rfm columns the model reads, in centroid column order."""
        return self.transform_params.names

    @property
    def log1p_features(self) -> list[str]:
        """Features that are log1p-transformed before scaling."""
        return self.transform_params.log1p_names

    @property
    def k(self) -> int:
        """Number of segments."""
        return len(self.segment_ids)

    # ---- scoring ---------------------------------------------------------------------------

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        """The customers' features in the model's scaled space (impute, log1p, centre, scale)."""
        return apply_transform(df, self.transform_params)

    def score(self, df: pd.DataFrame, *, chunk_size: int = 262_144) -> pd.DataFrame:
        """``segment_id`` and ``distance_to_centroid`` (scaled units) with the index of ``df``."""
        positions, distances = assign_to_centroids(self.transform(df), self.centroids, chunk_size)
        return pd.DataFrame(
            {"segment_id": self.segment_ids[positions], "distance_to_centroid": distances},
            index=df.index,
        )

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """The nearest centroid's segment id for each customer."""
        return self.score(df)["segment_id"].to_numpy()

    # ---- building and storing ---------------------------------------------------------------

    @classmethod
    def from_fitted(
        cls,
        fitted: FittedSegmentation,
        *,
        version: str,
        feature_set: str,
        segment_names: dict[int, str],
        reference_date: pd.Timestamp | None,
    ) -> SegmentModel:
        """The model of a fresh fit (segment ids 1..k, sizes from the fit's assignment)."""
        sizes = fitted.segment_sizes.astype("int64")
        return cls(
            version=version,
            feature_set=feature_set,
            transform_params=fitted.params,
            segment_ids=np.arange(1, fitted.k + 1, dtype="int64"),
            centroids=fitted.centroids,
            segment_names=dict(segment_names),
            segment_sizes=sizes,
            segment_shares=sizes / max(len(fitted.labels), 1),
            seed=fitted.seed,
            algorithm=fitted.algorithm,
            fitted_customer_count=fitted.fitted_customer_count,
            reference_date=reference_date,
        )

    @classmethod
    def from_table(cls, table: pd.DataFrame, *, source: str = "segment_centroids") -> SegmentModel:
        """Rebuild the model from its table; errors name ``source`` and what is wrong."""
        missing = [c for c in MODEL_TABLE_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"{source} is missing column(s): {', '.join(missing)}")
        versions = sorted(map(str, table["model_version"].unique()))
        if len(versions) != 1:
            raise ValueError(
                f"{source} must hold exactly one model_version, found {len(versions)}: "
                f"{', '.join(versions) or 'none'}"
            )
        transform = table[list(PARAMS_COLUMNS)].drop_duplicates(["model_version", "feature"])
        params = params_from_frame(transform)
        wide = table.pivot(index="segment_id", columns="feature", values="centroid_scaled")
        if set(wide.columns) != set(params.names):
            raise ValueError(
                f"{source}: centroid features {sorted(wide.columns)} do not match transform "
                f"features {sorted(params.names)}"
            )
        wide = wide.sort_index()[params.names]
        if wide.isna().any().any():
            raise ValueError(f"{source} has missing (segment_id, feature) values")
        original = table.pivot(index="segment_id", columns="feature", values="centroid_original")
        per_segment = table.drop_duplicates("segment_id").set_index("segment_id").sort_index()
        first = table.iloc[0]
        reference = first["reference_date"]
        return cls(
            version=versions[0],
            feature_set=str(first["feature_set"]),
            transform_params=params,
            segment_ids=wide.index.to_numpy(dtype="int64"),
            centroids=wide.to_numpy(dtype="float64"),
            segment_names={int(i): str(n) for i, n in per_segment["segment_name"].items()},
            segment_sizes=per_segment["customer_count"].to_numpy(dtype="int64"),
            segment_shares=per_segment["segment_share"].to_numpy(dtype="float64"),
            seed=int(first["seed"]),
            algorithm=str(first["algorithm"]),
            fitted_customer_count=int(first["fitted_customer_count"]),
            reference_date=None if pd.isna(reference) else pd.Timestamp(reference),
            centroids_original=original.sort_index()[params.names].to_numpy(dtype="float64"),
        )

    @classmethod
    def from_relation(cls, relation: Any, *, source: str = "segment_centroids") -> SegmentModel:
        """Rebuild the model from a DuckDB relation of its table (a dbt ref)."""
        return cls.from_table(relation.df(), source=source)

    def content_version(self) -> str:
        """The id this model's parameters hash to (see :func:`content_version`)."""
        transform = params_to_frame(self.transform_params, "")
        return content_version(
            features=self.features,
            transform=transform,
            segment_ids=self.segment_ids,
            centroids=self.centroids,
        )

    def with_identity(
        self, *, segment_ids: np.ndarray, segment_names: dict[int, str]
    ) -> SegmentModel:
        """The same model with its segments renumbered and renamed, and its version recomputed.

        ``segment_ids[i]`` becomes the id of the segment in row ``i`` of ``centroids``.
        """
        ids = np.asarray(segment_ids, dtype="int64")
        if len(set(ids.tolist())) != len(ids) or len(ids) != self.k:
            raise ValueError(f"segment ids must be {self.k} distinct integers, got {ids.tolist()}")
        renamed = replace(
            self,
            segment_ids=ids,
            segment_names={int(i): str(segment_names[int(i)]) for i in ids},
        )
        return replace(renamed, version=renamed.content_version())

    def original_centroids(self) -> np.ndarray:
        """Centroids in the features' original units (k x d)."""
        if self.centroids_original is not None:
            return self.centroids_original
        return inverse_transform(self.centroids, self.transform_params)

    def to_table(self) -> pd.DataFrame:
        """The model as its warehouse table, one row per (segment_id, feature)."""
        k, d = self.centroids.shape
        centroids = pd.DataFrame(
            {
                "model_version": [self.version] * (k * d),
                "segment_id": np.repeat(self.segment_ids, d),
                "feature": self.features * k,
                "feature_order": np.tile(np.arange(1, d + 1, dtype="int64"), k),
                "centroid_scaled": self.centroids.reshape(-1),
                "centroid_original": self.original_centroids().reshape(-1),
                "customer_count": np.repeat(self.segment_sizes, d),
                "segment_share": np.repeat(self.segment_shares, d),
            },
            columns=CENTROID_COLUMNS,
        )
        transform = params_to_frame(self.transform_params, self.version).drop(
            columns=["model_version"]
        )
        table = centroids.merge(transform, on=["feature", "feature_order"], how="left")
        table["segment_name"] = table["segment_id"].map(self.segment_names)
        table["k"] = self.k
        table["seed"] = self.seed
        table["feature_set"] = self.feature_set
        table["fitted_customer_count"] = self.fitted_customer_count
        table["algorithm"] = self.algorithm
        table["reference_date"] = self.reference_date
        ordered = table[MODEL_TABLE_COLUMNS]
        return ordered.sort_values(["segment_id", "feature_order"], ignore_index=True)
