"""Kaggle-style formatting of whole columns at once.

Header quoted; ids and zips quoted when they start with a digit; text quoted when it holds a
comma, quote or line break; numbers and dates never quoted. Negative integers and timestamps
are nulls and become empty fields.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from olist_segmentation.demo.sampling import IntArray


def fmt_ids(ids: NDArray[np.bytes_]) -> list[str]:
    """Hex ids, quoted when they start with a digit, as in the Kaggle files."""
    out = ids.astype("U34")
    digit = ids.view(np.uint8).reshape(-1, 32)[:, 0] < ord("a") if len(ids) else np.zeros(0, bool)
    out[digit] = np.char.add(np.char.add('"', out[digit]), '"')
    return out.tolist()


def fmt_zips(zips: IntArray) -> list[str]:
    """Zip prefixes as quoted 5-character strings with leading zeros ("01151")."""
    return [f'"{z:05d}"' for z in zips.tolist()]


def fmt_ints(values: IntArray) -> list[str]:
    """Integers; negative values are nulls and become empty fields."""
    out = values.astype("U12")
    out[values < 0] = ""
    return out.tolist()


def fmt_cents(cents: IntArray) -> list[str]:
    """Money with exactly two decimals from integer cents (no float formatting surprises)."""
    frac = np.array([f".{i:02d}" for i in range(100)])
    return np.char.add((cents // 100).astype("U12"), frac[cents % 100]).tolist()


def fmt_timestamps(ts: IntArray) -> list[str]:
    """``YYYY-MM-DD HH:MM:SS``; negative values are nulls and become empty fields."""
    out = ts.astype("datetime64[s]").astype("U19")
    if len(out):
        out.view(np.uint32).reshape(-1, 19)[:, 10] = ord(" ")
    out[ts < 0] = ""
    return out.tolist()


def quote_text(values: Sequence[str]) -> list[str]:
    """Minimal CSV quoting for free text, so commas, quotes and line breaks survive."""
    return [
        '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v for v in values
    ]


def header(columns: Sequence[str]) -> str:
    """The header line: every column name quoted, as in the Kaggle files."""
    return ",".join(f'"{c}"' for c in columns) + "\n"
