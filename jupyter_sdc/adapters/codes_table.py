"""A crosstab or pivot table computed from the ``Grid``'s codes: the keys factorised once.

``pd.crosstab`` and ``pd.pivot_table`` factorise every key and then the checks factorise
them again. For the tables researchers make most (counts, or a sum or mean of one value
column, row keys by column keys, no margins) the table is a few ``bincount`` passes over the
cell codes the evidence needs anyway, laid out here as pandas lays it out: rows and columns
that hold a record, sorted as pandas sorts them, labels and dtypes as pandas gives them.
Anything else (margins, normalize, weights, other statistics, keys whose labels pandas
might treat otherwise) returns ``None`` and the caller asks pandas.

Means are sums over counts (one pass, naive summation): pandas' compensated sum can differ
in the last bits, never in a count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.grid import Grid
from jupyter_sdc.core.evidence import GroupStats

#: the dense cell space, relative to the records, up to which the table is laid out here
_CELLS_PER_RECORD = 1.0
_STATS = ("count", "sum", "mean")


def _plain_key(key: pd.Series) -> bool:
    """Keys whose sorted labels pandas and we agree on: categoricals, strings, numbers."""
    dtype = key.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if isinstance(dtype, pd.StringDtype):
        return True
    return isinstance(dtype, np.dtype) and dtype.kind in "iub"


def _same_index(series: list[pd.Series]) -> bool:
    """pandas aligns Series on their index: the codes line up only when it is one index."""
    first = series[0].index
    return all(s.index is first or s.index.equals(first) for s in series[1:])


def statistic(aggfunc: Any, values: pd.Series | None) -> str | None:
    """The statistic this path computes for ``aggfunc`` (``None``: ask pandas)."""
    if isinstance(aggfunc, list | tuple | dict):
        return None  # several statistics: pandas lays them out
    if values is None:
        return "count" if aggfunc in (None, "count", "size", len) else None
    name = {np.mean: "mean", np.sum: "sum"}.get(aggfunc, aggfunc)
    if name not in ("sum", "mean") or not isinstance(values.dtype, np.dtype):
        return None
    kind = values.dtype.kind
    if name == "mean" and kind in "iuf":
        return "mean"
    return "sum" if name == "sum" and kind == "f" else None


def usable(row_keys: list[pd.Series], col_keys: list[pd.Series], values: pd.Series | None,
           stat: str = "count", *, observed: bool = True) -> bool:
    """Whether ``table`` lays these keys out as pandas would."""
    keys = row_keys + col_keys
    if not row_keys or not col_keys or not all(_plain_key(k) for k in keys):
        return False
    if not observed and stat != "mean" and \
            any(isinstance(k.dtype, pd.CategoricalDtype) for k in keys):
        # pandas lays out every combination of categories, a count or sum of nothing as 0:
        # pandas makes it (a mean of nothing is NaN, and its all-NaN rows and columns are
        # dropped, as here)
        return False
    names = [k.name for k in keys]
    if any(n is None for n in names) or len(set(names)) != len(names) or (
            values is not None and values.name in names):
        return False
    return _same_index(keys + ([values] if values is not None else []))


def fits(grid: Grid) -> bool:
    """Whether the grid's cells are few enough to lay out densely (not more than records)."""
    rows, cols = grid.rows, grid.cols
    return rows.lookup is None and cols.lookup is None and \
        rows.size * cols.size <= max(_CELLS_PER_RECORD * len(rows.ids), 1_000)


def table(grid: Grid, row_keys: list[pd.Series], col_keys: list[pd.Series], stats: GroupStats,
          stat: str) -> pd.DataFrame | None:
    """The table pandas would give (no margins, dropna), or ``None`` where it cannot tell.

    ``stats``: the evidence of the grid's cells (records, missing values, totals)."""
    rows, cols = grid.rows, grid.cols
    if not fits(grid):
        return None
    records = stats.rows
    if stat == "count":
        shown, kept = records.astype(np.int64), records > 0
    else:
        counted = records - stats.missing  # records with a value
        if stat == "sum":
            shown, kept = stats.total, records > 0  # a sum of no values is 0, as pandas gives it
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                shown = stats.total / counted
            kept = counted > 0  # pandas drops the cells whose mean is NaN
    grid_kept = kept.reshape(rows.size, cols.size)
    row_at = _sorted_present(rows, row_keys, grid_kept.any(axis=1))
    col_at = _sorted_present(cols, col_keys, grid_kept.any(axis=0))
    block = shown.reshape(rows.size, cols.size)[np.ix_(row_at, col_at)]
    if stat == "count":
        data = block  # a count of nothing is 0 (crosstab's fill_value)
    else:
        data = np.where(grid_kept[np.ix_(row_at, col_at)], block, np.nan)
    return pd.DataFrame(data, index=_labels(rows, row_keys, row_at),
                        columns=_labels(cols, col_keys, col_at), copy=False)


def _level_codes(axis: Any, ids: np.ndarray) -> list[np.ndarray]:
    return [(ids // stride) % max(len(uniques), 1)
            for uniques, stride in zip(axis.uniques, axis.strides, strict=True)]


def _sorted_present(axis: Any, keys: list[pd.Series], present: np.ndarray) -> np.ndarray:
    """Dense ids of the combinations that hold a cell, in pandas' sorted order."""
    ids = np.flatnonzero(present)
    ranks = []
    for key, uniques, codes in zip(keys, axis.uniques, _level_codes(axis, ids), strict=True):
        if isinstance(key.dtype, pd.CategoricalDtype):
            ranks.append(codes)  # categories sort in their own order: by code
        else:
            rank = np.empty(len(uniques), dtype=np.int64)
            rank[uniques.argsort(kind="stable")] = np.arange(len(uniques))
            ranks.append(rank[codes])
    order = np.lexsort(ranks[::-1]) if ranks else np.arange(len(ids))
    return ids[order]


def _labels(axis: Any, keys: list[pd.Series], ids: np.ndarray) -> pd.Index:
    arrays = []
    for key, uniques, codes in zip(keys, axis.uniques, _level_codes(axis, ids), strict=True):
        if isinstance(key.dtype, pd.CategoricalDtype):
            arrays.append(pd.Categorical.from_codes(codes, dtype=key.dtype))
        else:
            arrays.append(uniques.take(codes))
    names = [k.name for k in keys]
    if len(arrays) == 1:
        return pd.Index(arrays[0], name=names[0])
    return pd.MultiIndex.from_arrays(arrays, names=names)
