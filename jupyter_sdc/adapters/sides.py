"""Evidence for the ``quantile_sides`` rule: records (or units) on each side of a quantile.

A median or other quantile is a value among the records' own: it is safe only when at least N
records (units) lie strictly below it and N strictly above it. Computed per group in one
vectorised pass, against the value the result publishes for that group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: statistics judged by the rule
QUANTILES = frozenset({"median", "quantile"})


def _per_group(groups: np.ndarray, where: np.ndarray, n: int,
               units: np.ndarray | None) -> np.ndarray:
    if units is None:
        return np.bincount(groups[where], minlength=n)
    stride = int(units.max(initial=0)) + 1
    pairs = pd.unique(groups[where].astype(np.int64) * stride + units[where])
    return np.bincount(pairs // stride, minlength=n)


def group_sides(groups: np.ndarray, n: int, values: np.ndarray, cut: np.ndarray,
                units: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per group (ids ``groups``, -1 left out): records strictly below and above ``cut[g]``
    (NaN: no value published, nothing counted)."""
    values = np.asarray(values, dtype=float)
    keep = (groups >= 0) & ~np.isnan(values)
    g, v = groups[keep], values[keep]
    u = units[keep] if units is not None else None
    c = cut[g]
    with np.errstate(invalid="ignore"):
        below, above = v < c, v > c
    return _per_group(g, below, n, u), _per_group(g, above, n, u)


def sides(values: np.ndarray, cut: float, units: np.ndarray | None = None) -> tuple[int, int]:
    """Records (units) strictly below and above one published value."""
    groups = np.zeros(len(values), dtype=np.int64)
    below, above = group_sides(groups, 1, values, np.array([cut], dtype=float), units)
    return int(below[0]), int(above[0])
