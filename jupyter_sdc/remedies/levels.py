"""The levels of a grouping variable: their order, their neighbours and the label of a merge.

Ordered variables merge a level with an adjacent one: ordered categoricals, ``pd.cut``
intervals, numeric codes and band labels such as ``"16-24"``, ``"65+"`` or ``"under 16"``.
Nominal variables merge a level with its smallest sibling (under a researcher-given hierarchy
when there is one) or into ``"Other"``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_BAND = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*$")
_PLUS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:\+|and over|or over|or more)\s*$")
_BELOW = re.compile(r"^\s*(?:<|under|below|less than)\s*(\d+(?:\.\d+)?)\s*$")


@dataclass
class Levels:
    """A variable's observed levels in order, how many records each holds, and its kind."""

    values: list[Any]
    counts: np.ndarray
    kind: str  # "ordered", "interval", "numeric", "bands" or "nominal"

    @property
    def ordered(self) -> bool:
        return self.kind != "nominal"


def levels_of(series: pd.Series) -> Levels:
    counts = series.value_counts(dropna=True, sort=False)
    counts = counts[counts > 0]
    if isinstance(series.dtype, pd.CategoricalDtype):
        order = [c for c in series.cat.categories if c in counts.index]
        if order and all(isinstance(c, pd.Interval) for c in order):
            kind = "interval"
        elif series.cat.ordered:
            kind = "ordered"
        else:
            kind = _kind_of_labels(order)
    elif pd.api.types.is_bool_dtype(series):
        order, kind = sorted(counts.index), "nominal"
    elif pd.api.types.is_numeric_dtype(series):
        order, kind = sorted(counts.index), "numeric"
    else:
        order = list(counts.index)
        kind = _kind_of_labels(order)
        if kind == "bands":
            order = sorted(order, key=lambda v: _band(str(v))[0])
        elif all(isinstance(v, pd.Interval) for v in order):
            order, kind = sorted(order), "interval"
        else:
            order = sorted(order, key=lambda v: (-int(counts[v]), str(v)))
    return Levels(order, np.array([int(counts[v]) for v in order], dtype=np.int64), kind)


def _kind_of_labels(labels: Sequence[Any]) -> str:
    if len(labels) >= 2 and all(isinstance(v, str) and _band(v) is not None for v in labels):
        return "bands"
    return "nominal"


def _band(text: str) -> tuple[float, float] | None:
    """(low, high) of a band label; -inf/inf for open ends."""
    for pattern, make in ((_BAND, lambda m: (float(m[1]), float(m[2]))),
                          (_PLUS, lambda m: (float(m[1]), np.inf)),
                          (_BELOW, lambda m: (-np.inf, float(m[1])))):
        found = pattern.match(text)
        if found:
            return make(found)
    return None


def merged_label(group: Sequence[Any], kind: str) -> Any:
    """The label of levels merged into one (in order), e.g. ``"16-34"`` from 16-24 and 25-34."""
    if len(group) == 1:
        return group[0]
    if kind == "interval":
        first, last = group[0], group[-1]
        return str(pd.Interval(first.left, last.right, closed=first.closed))
    if kind == "bands":
        first, last = _band(str(group[0])), _band(str(group[-1]))
        text_low = str(group[0]).split("-")[0].split("–")[0].split(" to ")[0].strip()
        if last is not None and np.isinf(last[1]):
            return f"{_number(first[0])}+" if first and np.isfinite(first[0]) else "all"
        if first is not None and np.isinf(first[0]):
            return f"under {_number(last[1] + 1)}" if last else str(group[-1])
        return f"{text_low}-{_number(last[1])}" if last else " / ".join(map(str, group))
    return " / ".join(str(v) for v in group)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def numeric_edges(groups: Sequence[Sequence[float]], whole: bool) -> list[float]:
    """Band edges for numeric levels merged into ``groups`` (ordered, covering every level)."""
    edges = [float(g[0]) for g in groups]
    last = float(groups[-1][-1])
    edges.append(last + 1 if whole else last + max(abs(last) * 1e-9, 1e-9))
    return edges


def is_whole(levels: Levels) -> bool:
    values = np.asarray(levels.values, dtype=float)
    return bool(values.size) and bool(np.all(values == np.round(values)))


def numeric_labels(groups: Sequence[Sequence[float]]) -> list[str]:
    """``"16-24"`` for a band of levels 16 to 24, ``"25"`` for one level."""
    return [_number(g[0]) if g[0] == g[-1] else f"{_number(g[0])}-{_number(g[-1])}"
            for g in groups]


def hierarchy_parent(hierarchy: Mapping[Any, Any] | None, level: Any) -> Any:
    if not hierarchy:
        return None
    return hierarchy.get(level, hierarchy.get(str(level)))
