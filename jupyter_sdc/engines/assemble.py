"""From an engine's small Arrow tables to ``Groups``: labels, margins merged from cells.

Without ``unit=`` every piece of evidence of a coarser group follows from its cells: counts,
totals and negatives add up, the largest contributions of a margin are the largest among
its cells' largest, and the records at a margin's maximum are those at the maximum of the
cells that hold it. So engines aggregate the rows once, at the finest grouping, and the
margins are merged here from a few hundred rows instead of re-reading the data. What does
not merge (medians, mode counts, unit sums, pandas' complete-row margins) comes from the
engine's direct tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.evidence import GroupStats
from jupyter_sdc.engines.contract import ROWS, Groups, Raw, Request, field_name

if TYPE_CHECKING:
    import pyarrow as pa


def numbers(table: pa.Table, name: str, fill: float = np.nan) -> np.ndarray:
    """A numeric column as float64, nulls (and NaN) as ``fill``."""
    array = table.column(name).to_numpy().astype(np.float64)
    return np.where(np.isnan(array), fill, array)


def counts(table: pa.Table, name: str) -> np.ndarray:
    return numbers(table, name, 0.0).astype(np.int64)


def top_matrix(table: pa.Table, name: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A list column (largest first, up to ``k`` long) as an (n, k) matrix and valid lengths."""
    import pyarrow.compute as pc

    column = table.column(name).combine_chunks()
    n = len(column)
    lengths = pc.fill_null(pc.list_value_length(column), 0).to_numpy().astype(np.int64)
    lengths = np.minimum(lengths, k)
    flat = pc.list_flatten(column).to_numpy().astype(np.float64)
    full = pc.fill_null(pc.list_value_length(column), 0).to_numpy().astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(full)[:-1]])
    out = np.zeros((n, k))
    for j in range(k):
        has = lengths > j
        out[has, j] = flat[starts[has] + j]
    # engines return the k largest but not always in order (Polars' top_k)
    valid = np.arange(k)[None, :] < lengths[:, None]
    ordered = np.sort(np.where(valid, out, -np.inf), axis=1)[:, ::-1]
    return np.where(valid, ordered, 0.0), lengths


def merge_top(top: np.ndarray, lengths: np.ndarray, codes: np.ndarray, n: int,
              k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` largest of each group's cells' largest (with multiplicity)."""
    valid = np.arange(top.shape[1])[None, :] < lengths[:, None]
    g = np.broadcast_to(codes[:, None], top.shape)[valid]
    v = top[valid]
    order = np.lexsort((-v, g))
    g, v = g[order], v[order]
    rank = np.arange(len(g)) - np.searchsorted(g, g)
    keep = rank < k
    out = np.zeros((n, k))
    out[g[keep], rank[keep]] = v[keep]
    return out, np.bincount(g[keep], minlength=n)


def merge_holders(extreme: np.ndarray, holders: np.ndarray, has: np.ndarray, codes: np.ndarray,
                  n: int, *, largest: bool) -> np.ndarray:
    """Records at a group's maximum (minimum): those of the cells holding that extreme."""
    fill = -np.inf if largest else np.inf
    values = np.where(has, extreme, fill)
    best = np.full(n, fill)
    (np.maximum if largest else np.minimum).at(best, codes, values)
    at = has & (values == best[codes])
    return np.bincount(codes[at], weights=holders[at], minlength=n).astype(np.int64)


def merge_var(count: np.ndarray, total: np.ndarray, var: np.ndarray, codes: np.ndarray,
              n: int) -> np.ndarray:
    """Sample variance of a group from its cells' counts, sums and variances."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(count > 0, total / count, 0.0)
        m2 = np.where(count > 1, var * (count - 1), 0.0)
        big_n = np.bincount(codes, weights=count, minlength=n)
        big_mean = np.bincount(codes, weights=total, minlength=n) / big_n
        spread = count * (mean - np.nan_to_num(big_mean)[codes]) ** 2
        m2_all = np.bincount(codes, weights=m2 + spread, minlength=n)
        return np.where(big_n > 1, m2_all / (big_n - 1), np.nan)


class Cells:
    """The engine's cell table, with its keys as pandas labels."""

    def __init__(self, request: Request, table: pa.Table) -> None:
        self.request = request
        self.table = table
        self.n = table.num_rows
        self.keys = table.select(list(request.keys)).to_pandas() if request.keys \
            else pd.DataFrame(index=range(self.n))

    def group(self, keys: tuple[str, ...]) -> tuple[np.ndarray, pd.Index]:
        """Group of each cell in grouping ``keys``, and the groups' labels (sorted)."""
        if not keys:
            return np.zeros(self.n, dtype=np.int64), pd.RangeIndex(min(self.n, 1))
        grouped = self.keys.groupby(list(keys), sort=True, observed=True, dropna=False)
        return grouped.ngroup().to_numpy().astype(np.int64), grouped.size().index


def _locate(table: pa.Table, keys: tuple[str, ...], index: pd.Index) -> np.ndarray:
    """Row of ``table`` for each label of ``index`` (-1: the group is absent)."""
    if not keys:
        return np.zeros(len(index), dtype=np.int64) if table.num_rows else \
            np.full(len(index), -1, dtype=np.int64)
    frame = table.select(list(keys)).to_pandas()
    labels = pd.MultiIndex.from_frame(frame) if len(keys) > 1 else pd.Index(frame[keys[0]])
    return labels.get_indexer(index)


def _take(values: np.ndarray, pos: np.ndarray, fill: float) -> np.ndarray:
    out = np.full((len(pos), *values.shape[1:]), fill, dtype=values.dtype)
    out[pos >= 0] = values[pos[pos >= 0]]
    return out


class _Direct:
    """An engine's direct tables for one grouping, aligned with its labels."""

    def __init__(self, tables: Any, keys: tuple[str, ...], index: pd.Index) -> None:
        if tables is None:
            tables = []
        elif not isinstance(tables, list | tuple):
            tables = [tables]
        self.parts = [(t, _locate(t, keys, index)) for t in tables]

    def _find(self, name: str) -> tuple[pa.Table, np.ndarray] | None:
        return next(((t, pos) for t, pos in self.parts if name in t.column_names), None)

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def numbers(self, name: str, fill: float = np.nan) -> np.ndarray:
        table, pos = self._need(name)
        return _take(numbers(table, name, fill), pos, fill)

    def counts(self, name: str) -> np.ndarray:
        table, pos = self._need(name)
        return _take(counts(table, name), pos, 0)

    def top(self, name: str, k: int) -> np.ndarray:
        table, pos = self._need(name)
        top, _ = top_matrix(table, name, k)
        return _take(top, pos, 0.0)

    def _need(self, name: str) -> tuple[pa.Table, np.ndarray]:
        found = self._find(name)
        if found is None:
            raise KeyError(f"the engine gave no {name} for this grouping")
        return found


def assemble(request: Request, raw: Raw) -> dict[tuple[str, ...], Groups]:
    """``Groups`` for every grouping set of ``request`` from an engine's tables."""
    cells = Cells(request, raw.cells)
    out = {}
    for keys in request.grouping_sets:
        codes, index = cells.group(keys)
        direct = _Direct(raw.direct.get(keys), keys, index)
        out[keys] = _groups(request, raw, cells, keys, codes, index, direct)
    return out


def _groups(request: Request, raw: Raw, cells: Cells, keys: tuple[str, ...], codes: np.ndarray,
            index: pd.Index, direct: _Direct) -> Groups:
    n = len(index)
    k = request.k
    t = cells.table

    def add(name: str, fill: float = 0.0) -> np.ndarray:
        return np.bincount(codes, weights=numbers(t, name, fill), minlength=n)

    rows = add(ROWS).astype(np.int64)
    columns: dict[tuple[str | None, str], np.ndarray] = {}
    evidence: dict[str | None, GroupStats] = {}
    if not request.values:
        count = direct.counts(field_name("uc", "r")) if request.unit else rows
        evidence[None] = GroupStats(count=count, rows=rows)
        columns[(None, "size")] = rows.astype(float)
    for i, value in enumerate(request.values):
        c = numbers(t, field_name("c", i), 0.0)
        s = numbers(t, field_name("s", i), 0.0)
        present = c > 0
        count_rows = np.bincount(codes, weights=c, minlength=n).astype(np.int64)
        total = np.bincount(codes, weights=s, minlength=n)
        stats = GroupStats(count=count_rows, rows=rows, missing=rows - count_rows)
        if request.unit is None:
            stats.negative = add(field_name("n", i)).astype(np.int64)
            stats.total = total
            top, lengths = top_matrix(t, field_name("t", i), k)
            stats.top, _ = merge_top(top, lengths, codes, n, k)
            if request.extremes:
                has = present
                stats.at_max = merge_holders(numbers(t, field_name("mx", i)),
                                             numbers(t, field_name("am", i), 0.0), has, codes,
                                             n, largest=True)
                stats.at_min = merge_holders(numbers(t, field_name("mn", i)),
                                             numbers(t, field_name("ai", i), 0.0), has, codes,
                                             n, largest=False)
        else:
            stats.count = direct.counts(field_name("uc", i))
            stats.negative = direct.counts(field_name("n", i))
            stats.total = direct.numbers(field_name("s", i), 0.0)
            stats.top = direct.top(field_name("t", i), k)
            if request.extremes:
                stats.at_max = direct.counts(field_name("am", i))
                stats.at_min = direct.counts(field_name("ai", i))
        if request.mode:
            stats.mode_count = direct.counts(field_name("mc", i))
        evidence[value] = stats
        for stat in request.stats:
            name = field_name(f"d{stat}", i)
            if direct.has(name):
                shown = direct.numbers(name)
                if not keys and stat in ("count", "size", "sum"):
                    shown = np.nan_to_num(shown)  # the grand total of no rows is 0
                columns[(value, stat)] = shown
                continue
            columns[(value, stat)] = _merged(stat, t, i, codes, n, rows, count_rows, total,
                                             present, keys == request.keys)
    table = pd.DataFrame({c: v for c, v in columns.items()}, index=index)
    table.columns = pd.MultiIndex.from_tuples(list(columns), names=["value", "statistic"]) \
        if columns else pd.MultiIndex.from_tuples([], names=["value", "statistic"])
    return Groups(keys=keys, index=index, table=table, evidence=evidence, kinds=dict(raw.kinds))


def _merged(stat: str, t: pa.Table, i: int, codes: np.ndarray, n: int, rows: np.ndarray,
            count: np.ndarray, total: np.ndarray, present: np.ndarray,
            finest: bool) -> np.ndarray:
    """A displayed statistic of each group, from its cells."""
    if stat == "count":
        return count.astype(float)
    if stat == "size":
        return rows.astype(float)
    if stat == "sum":
        return total
    if stat == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)
    if stat in ("min", "max"):
        largest = stat == "max"
        fill = -np.inf if largest else np.inf
        values = np.where(present, numbers(t, field_name("mx" if largest else "mn", i)), fill)
        best = np.full(n, fill)
        (np.maximum if largest else np.minimum).at(best, codes, values)
        return np.where(np.isinf(best) & (best == fill), np.nan, best)
    if stat in ("var", "std"):
        var = merge_var(numbers(t, field_name("c", i), 0.0), numbers(t, field_name("s", i), 0.0),
                        numbers(t, field_name("v", i), 0.0), codes, n)
        return np.sqrt(var) if stat == "std" else var
    if stat == "median" and finest:
        out = np.full(n, np.nan)
        out[codes] = numbers(t, field_name("dmedian", i))
        return out
    raise ValueError(f"{stat} of a coarser grouping needs the engine's direct table")
