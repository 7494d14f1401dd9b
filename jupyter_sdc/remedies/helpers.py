"""The recodes a remedy's code uses, public as ``sdc.merge_levels``, ``sdc.rebin``, ``sdc.topcode``.

Each takes a column and returns a new one (the researcher's data is never changed), so a remedy
is one expression wrapped around the researcher's own: ``sdc.merge_levels(df["region"], {...})``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


def merge_levels(series: pd.Series, mapping: Mapping[Any, Any]) -> pd.Series:
    """``series`` with the levels named in ``mapping`` relabelled (``{old: new}``).

    Levels that map to the same new label are merged. A key may be a level or its text
    (``"(0, 10]"`` for an interval from ``pd.cut``). A categorical keeps its order (and
    ``ordered``): a merged level stands where its first member stood. Missing values stay
    missing; levels not named keep their label.
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"merge_levels needs a pandas Series (a column), got "
                        f"{type(series).__name__}")
    if not isinstance(mapping, Mapping):
        raise TypeError("mapping must be a dict of {old level: new label}")
    levels = _levels(series)
    by_text = {str(level): level for level in levels}
    resolved: dict[Any, Any] = {}
    for old, new in mapping.items():
        if old in levels:
            resolved[old] = new
        elif str(old) in by_text:
            resolved[by_text[str(old)]] = new
        else:
            shown = ", ".join(repr(str(v)) for v in levels[:12])
            raise KeyError(f"merge_levels: {old!r} is not a level of {series.name!r}; its "
                           f"levels are {shown}")
    if isinstance(series.dtype, pd.CategoricalDtype):
        order = list(dict.fromkeys(resolved.get(level, level) for level in levels))
        codes = series.cat.codes.to_numpy()
        new_of = np.array([order.index(resolved.get(level, level)) for level in levels],
                          dtype=np.int64)
        merged = np.where(codes < 0, -1, new_of[np.maximum(codes, 0)])
        result = pd.Categorical.from_codes(merged, categories=pd.Index(order, dtype=object),
                                           ordered=series.cat.ordered)
        return pd.Series(result, index=series.index, name=series.name)
    values = series.map(lambda v: resolved.get(v, v) if not _missing(v) else v)
    if pd.api.types.is_numeric_dtype(series) and pd.api.types.is_numeric_dtype(values):
        return values.astype(series.dtype, errors="ignore")
    return values.rename(series.name)


def rebin(series: pd.Series, edges: Sequence[float], labels: Sequence[str] | None = None
          ) -> pd.Series:
    """``series`` (numbers) cut into bands ``[edges[i], edges[i+1])``, the last one closed.

    Whole numbers get labels such as ``"16-24"``; others ``"[1.5, 2.5)"``. Values outside the
    edges become missing (left out of tables, as pandas does).
    """
    if not isinstance(series, pd.Series) or not pd.api.types.is_numeric_dtype(series):
        raise TypeError("rebin needs a numeric pandas Series; for categories use merge_levels")
    edges = [float(e) for e in edges]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError(f"rebin: edges must increase, with at least two, got {edges}")
    if labels is None:
        labels = band_labels(edges, whole=_whole(series))
    if len(labels) != len(edges) - 1:
        raise ValueError(f"rebin: {len(edges) - 1} bands need {len(edges) - 1} labels")
    values = series.to_numpy(dtype=float, na_value=np.nan)
    found = np.searchsorted(edges, values, side="right") - 1
    found = np.where(values == edges[-1], len(edges) - 2, found)  # the last band is closed
    inside = (values >= edges[0]) & (values <= edges[-1])
    codes = np.where(inside, found, -1)
    result = pd.Categorical.from_codes(codes.astype(np.int64), categories=list(labels),
                                       ordered=True)
    return pd.Series(result, index=series.index, name=series.name)


def band_labels(edges: Sequence[float], whole: bool) -> list[str]:
    """``"16-24"`` for whole numbers (the last band ends at its edge), else ``"[a, b)"``."""
    last = len(edges) - 2
    if whole:
        out = []
        for i in range(last + 1):
            low, high = int(edges[i]), int(edges[i + 1]) - (0 if i == last else 1)
            out.append(str(low) if low == high else f"{low}-{high}")
        return out
    text = [f"{e:g}" for e in edges]
    return [f"[{text[i]}, {text[i + 1]}{']' if i == last else ')'}" for i in range(last + 1)]


def topcode(series: pd.Series, upper: float | None = None, lower: float | None = None
            ) -> pd.Series:
    """``series`` with values above ``upper`` set to ``upper`` (and below ``lower`` to
    ``lower``): the extremes then stand for every record beyond the code."""
    if not isinstance(series, pd.Series) or not pd.api.types.is_numeric_dtype(series):
        raise TypeError("topcode needs a numeric pandas Series")
    if upper is None and lower is None:
        raise ValueError("topcode: give upper=, lower= or both")
    if upper is not None and lower is not None and lower > upper:
        raise ValueError(f"topcode: lower ({lower}) is above upper ({upper})")
    coded = series.astype(float).clip(lower=lower, upper=upper)
    if pd.api.types.is_integer_dtype(series) and all(
            v is None or float(v).is_integer() for v in (upper, lower)):
        return coded.astype(series.dtype)
    return coded


def _levels(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    return list(pd.unique(series.dropna()))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _whole(series: pd.Series) -> bool:
    values = series.dropna().to_numpy(dtype=float)
    return bool(values.size) and bool(np.all(values == np.round(values)))
