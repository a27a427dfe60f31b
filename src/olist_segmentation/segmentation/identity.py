"""Segment identity across retrains: a segment that persists keeps its id and its name.

K-means numbers its clusters anew at every fit, so a retrain would rename every segment marketing
uses. The new model's centroids are therefore matched to the previous champion's in one common
space — the previous champion's scaled space, where its own distances are measured — by an optimal
one-to-one assignment (the Hungarian algorithm) on Euclidean distance. A pair closer than
``max_distance`` is the same segment: it keeps the previous id and name. A new segment with no
partner that close gets a new id, above every id ever used, so an id never comes back meaning
something else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from olist_segmentation.segmentation.model import SegmentModel

LINEAGE_COLUMNS = [
    "previous_model_version",
    "previous_segment_id",
    "model_version",
    "segment_id",
    "match_distance",
]


@dataclass(frozen=True)
class IdentityResult:
    """The new model with inherited ids and names, and one lineage row per new segment."""

    model: SegmentModel
    lineage: pd.DataFrame


def distances_in_previous_space(previous: SegmentModel, new: SegmentModel) -> np.ndarray:
    """Distances (previous k x new k) between centroids, in the previous model's scaled units.

    The new centroids are taken back to original units and through the previous transform, so
    both sets are measured on the scale the previous segments were defined on.
    """
    original = pd.DataFrame(new.original_centroids(), columns=new.features)
    new_in_previous = previous.transform(original)
    differences = previous.centroids[:, None, :] - new_in_previous[None, :, :]
    return np.sqrt(np.square(differences).sum(axis=2))


def carry_identity(
    previous: SegmentModel | None,
    new: SegmentModel,
    *,
    max_distance: float,
    first_free_id: int,
) -> IdentityResult:
    """Give ``new`` the ids and names of the previous champion's segments it matches.

    Models on other features cannot be compared: every segment is then new. ``first_free_id`` is
    one above the largest segment id any promoted model has used.
    """
    matches: dict[int, tuple[int, float]] = {}
    if previous is not None and previous.features == new.features:
        distances = distances_in_previous_space(previous, new)
        rows, columns = linear_sum_assignment(distances)
        for row, column in zip(rows, columns, strict=True):
            if distances[row, column] <= max_distance:
                matches[int(column)] = (
                    int(previous.segment_ids[row]),
                    float(distances[row, column]),
                )
    next_id = max(first_free_id, 1)
    ids: list[int] = []
    names: dict[int, str] = {}
    used_names = {previous.segment_names[i] for i, _ in matches.values()} if previous else set()
    for position, own_id in enumerate(new.segment_ids.tolist()):
        if position in matches:
            inherited = matches[position][0]
            ids.append(inherited)
            names[inherited] = previous.segment_names[inherited]  # type: ignore[union-attr]
        else:
            ids.append(next_id)
            name = new.segment_names[own_id]
            names[next_id] = name if name not in used_names else f"{name} ({next_id})"
            next_id += 1
    renamed = new.with_identity(segment_ids=np.array(ids), segment_names=names)
    lineage = pd.DataFrame(
        [
            {
                "previous_model_version": previous.version if position in matches else None,
                "previous_segment_id": matches[position][0] if position in matches else None,
                "model_version": renamed.version,
                "segment_id": ids[position],
                "match_distance": matches[position][1] if position in matches else None,
            }
            for position in range(new.k)
        ],
        columns=LINEAGE_COLUMNS,
    )
    return IdentityResult(model=renamed, lineage=lineage)
