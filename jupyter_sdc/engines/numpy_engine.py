"""The reference: evidence on a pandas DataFrame through ``core.evidence.group_stats``.

Every grouping set is computed from the rows (nothing is merged), with pandas' own groupby
for the labels and the displayed statistics, so the other engines can be held to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jupyter_sdc.core.evidence import GroupStats, group_stats
from jupyter_sdc.engines.contract import Groups, Request


def value_kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "b"
    if pd.api.types.is_integer_dtype(series):
        return "i"
    if pd.api.types.is_numeric_dtype(series):
        return "f"
    return "o"


def _values(series: pd.Series, request: Request) -> np.ndarray:
    kind = value_kind(series)
    if kind == "o":
        if not set(request.stats) <= {"count", "size"}:
            raise TypeError(f"values column {series.name!r} is not numeric ({series.dtype}); "
                            "a statistic of it needs numbers: convert it with pd.to_numeric")
        return np.where(series.isna().to_numpy(), np.nan, 0.0)
    return series.to_numpy(dtype=float, na_value=np.nan)


def _units(frame: pd.DataFrame, unit: str | None) -> np.ndarray | None:
    if unit is None:
        return None
    codes, _ = pd.factorize(frame[unit], use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError("unit has missing values: every record needs a unit identifier")
    return codes.astype(np.int64)


def compute(frame: pd.DataFrame, request: Request) -> dict[tuple[str, ...], Groups]:
    """``Groups`` for every grouping set of ``request`` on a pandas frame."""
    request.check_columns(frame.columns, "data")
    keep = frame[list(request.keys)].notna().all(axis=1).to_numpy() if request.keys \
        else np.ones(len(frame), dtype=bool)
    data = frame.loc[keep]
    units = _units(data, request.unit)
    values = {v: _values(data[v], request) for v in request.values}
    kinds = {v: value_kind(frame[v]) for v in request.values}
    complete = np.ones(len(data), dtype=bool)
    for array in values.values():
        complete &= ~np.isnan(array)
    out = {}
    for keys in request.grouping_sets:
        codes, index = _codes(data, keys)
        n = len(index)
        evidence: dict[str | None, GroupStats] = {}
        columns: dict[tuple[str | None, str], np.ndarray] = {}
        if not request.values:
            evidence[None] = group_stats(codes, n, None, units)
            columns[(None, "size")] = np.bincount(codes, minlength=n).astype(float)
        for name, array in values.items():
            stats = group_stats(codes, n, array, units, top_k=request.k,
                                extremes=request.extremes, mode=request.mode)
            if not request.extremes:
                stats.at_max = None  # the contract computes holders only where asked
            evidence[name] = stats
            rows = complete if request.complete and keys != request.keys else None
            for stat in request.stats:
                columns[(name, stat)] = _display(array, codes, n, stat, rows, grand=not keys)
        table = pd.DataFrame(columns, index=index)
        table.columns = pd.MultiIndex.from_tuples(list(columns), names=["value", "statistic"])
        out[keys] = Groups(keys=keys, index=index, table=table, evidence=evidence, kinds=kinds)
    return out


def _codes(data: pd.DataFrame, keys: tuple[str, ...]) -> tuple[np.ndarray, pd.Index]:
    if not keys:
        return np.zeros(len(data), dtype=np.int64), pd.RangeIndex(min(len(data), 1))
    grouped = data.groupby(list(keys), sort=True, observed=True, dropna=True)
    return grouped.ngroup().to_numpy().astype(np.int64), grouped.size().index


def _display(values: np.ndarray, codes: np.ndarray, n: int, stat: str,
             rows: np.ndarray | None, *, grand: bool) -> np.ndarray:
    """A statistic of each group as pandas computes it (NaN skipped).

    With ``rows`` (pandas' complete-row margins) a group without such rows shows NaN, as a
    pandas margin does, except the grand total, whose count and sum of nothing are 0."""
    if rows is not None:
        values, codes = values[rows], codes[rows]
    additive = stat in ("count", "size", "sum")
    fill = 0.0 if additive and (rows is None or grand) else np.nan
    if stat == "size":
        sizes = np.bincount(codes, minlength=n).astype(float)
        return np.where(sizes > 0, sizes, fill)
    result = pd.Series(values).groupby(codes).agg(stat)
    return result.reindex(range(n), fill_value=fill).to_numpy(dtype=float)
