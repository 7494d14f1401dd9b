"""Evidence for grouped results (``groupby(...).agg``) and whole-column summaries.

``check_grouped`` serves the magic (which captures ``df.groupby(keys)[values].mean()`` and
friends) and must give the same counts and verdicts as the matching wrapper call.
``check_summary`` serves ``describe`` and column statistics (``df.income.median()``), whose
table has one row per statistic and one column per variable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters import pandas as pdx
from jupyter_sdc.adapters.axis import KeyCodes
from jupyter_sdc.adapters.grid import ColumnSpec
from jupyter_sdc.adapters.recipes import for_grouped, for_summary
from jupyter_sdc.adapters.sides import QUANTILES, sides
from jupyter_sdc.core.aggfuncs import quantile_statistic, statistic_of
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence, group_stats
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues

_FREQUENCY = {"count", "size", "value_counts"}


def check_grouped(data: pd.DataFrame, keys: Any, values: str | list[str] | None,
                  statistic: Any, result: pd.DataFrame | pd.Series, *, rules: RuleValues,
                  uid: str, unit: Any = None, **options: Any) -> Output:
    """Record for ``data.groupby(keys)[values].<statistic>()`` whose result pandas gave.

    ``keys`` are column names or Series aligned with ``data``; for ``value_counts`` pass the
    counted column as a last key and ``statistic="size"``. The record's recipe makes it again
    on recoded keys (for remedies).
    """
    output = _grouped(data, keys, values, statistic, result, rules=rules, uid=uid, unit=unit,
                      **options)
    output.recipe = for_grouped(check_grouped, _FREQUENCY, data,
                                list(keys) if isinstance(keys, list | tuple) else [keys],
                                values, statistic, {"unit": unit}, rules, uid)
    return output


def _grouped(
    data: pd.DataFrame,
    keys: Any,
    values: str | list[str] | None,
    statistic: Any,
    result: pd.DataFrame | pd.Series,
    *,
    rules: RuleValues,
    uid: str,
    unit: Any = None,
    suppress: bool = False,
    round_base: int | None = None,
    source: dict[str, Any] | None = None,
    row_codes: KeyCodes | None = None,
    **fields: Any,
) -> Output:
    """Record for ``data.groupby(keys)[values].<statistic>()`` whose result pandas gave.

    ``keys`` are column names or Series aligned with ``data``; for ``value_counts`` pass the
    counted column as a last key and ``statistic="size"``. ``row_codes``: the keys as the
    groupby factorised them (codes and labels), so they are not factorised again.
    """
    row_keys = pdx.frame_keys(data, keys, "keys")
    unit_s = pdx.unit_series(data, unit if unit is not None else rules.unit, len(data))
    if isinstance(statistic, str) and statistic in _FREQUENCY:
        names: list[str] = []
        if statistic == "count" and values is not None:
            names = [values] if isinstance(values, str) else list(values)
        aggfunc: Any = "count"
    else:
        if values is None:
            keyset = {k.name for k in row_keys}
            names = [c for c in data.columns if c not in keyset]
        else:
            names = [values] if isinstance(values, str) else list(values)
        aggfunc = statistic
    value_map = {n: data[n] for n in names if n in data.columns}
    table = result.to_frame() if isinstance(result, pd.Series) else result
    for key, name in zip(row_keys, table.index.names, strict=False):
        key.name = name
    if isinstance(statistic, str) and statistic in _FREQUENCY:
        specs_values: dict[str, pd.Series] = value_map
        if statistic == "count" and value_map:
            # count of non-null values per column: a frequency of that column
            return _tabulate_counts(table, row_keys, value_map, rules, uid, unit_s, suppress,
                                    round_base, source, fields)
        return pdx.tabulate(result, row_keys=row_keys, col_keys=[], values=specs_values,
                            aggfunc="count", rules=rules, uid=uid, unit=unit_s,
                            suppress=suppress, round_base=round_base, source=source,
                            row_codes=row_codes, **fields)
    return pdx.tabulate(result, row_keys=row_keys, col_keys=[], values=value_map,
                        aggfunc=aggfunc, rules=rules, uid=uid, unit=unit_s, suppress=suppress,
                        round_base=round_base, source=source, row_codes=row_codes, **fields)


def _tabulate_counts(table: pd.DataFrame, row_keys: list[pd.Series],
                     value_map: dict[str, pd.Series], rules: RuleValues, uid: str,
                     unit: pd.Series | None, suppress: bool, round_base: int | None,
                     source: dict[str, Any] | None, fields: dict[str, Any]) -> Output:
    from jupyter_sdc.adapters.grid import Grid

    grid = Grid(row_keys, [], len(row_keys[0]), pdx._unit_codes(unit))
    specs, arrays = [], {}
    for col in table.columns:
        name = col if not isinstance(col, tuple) else col[0]
        specs.append(ColumnSpec(name, "frequency", (None,)))
        arrays[name] = pdx.numeric_values(value_map[name], name, "frequency")
    evidence = grid.evidence(table.index, specs, arrays, {}, top_k=2,
                             unit_label="units" if unit is not None else "records")
    evidence.total = evidence.top = evidence.negative = None
    return assess(table, evidence, rules, uid=uid, suppress=suppress, round_base=round_base,
                  summary={"n": int(evidence.count.max(initial=0))}, source=source, **fields)


def summary_table(result: Any, statistic: str, variables: list[str]) -> pd.DataFrame:
    """A statistic result laid out with one row per statistic and one column per variable."""
    if isinstance(result, pd.DataFrame):
        return result
    if isinstance(result, pd.Series):
        if statistic == "quantile" and result.name is not None and result.index.equals(
                pd.Index(variables)):
            return result.to_frame().T
        if result.index.equals(pd.Index(variables)):
            return result.to_frame(name=statistic).T
        return result.to_frame(name=variables[0]) if len(variables) == 1 else result.to_frame()
    return pd.DataFrame({variables[0]: [result]}, index=[statistic])


def check_summary(data: pd.DataFrame | pd.Series, statistic: str, result: Any, *,
                  rules: RuleValues, uid: str, unit: Any = None, q: Any = None,
                  **options: Any) -> Output:
    """Record for ``describe()`` or a column statistic over all records (no grouping).

    ``q``: the quantile a ``quantile`` statistic is at (0 and 1 are the minimum and maximum).
    The record's recipe makes it again on changed values (for remedies).
    """

    output = _summary(data, statistic, result, rules=rules, uid=uid, unit=unit, q=q,
                      **options)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    counted = unit if unit is not None else rules.unit
    units = None if isinstance(counted, str) and counted not in frame.columns else \
        pdx.unit_series(frame, counted, len(frame))
    output.recipe = for_summary(check_summary, data, statistic, q, unit, units, rules, uid)
    return output


def _summary(
    data: pd.DataFrame | pd.Series,
    statistic: str,
    result: Any,
    *,
    rules: RuleValues,
    uid: str,
    unit: Any = None,
    source: dict[str, Any] | None = None,
    q: Any = None,
    **fields: Any,
) -> Output:
    """Record for ``describe()`` or a column statistic over all records (no grouping).

    ``q``: the quantile a ``quantile`` statistic is at (0 and 1 are the minimum and maximum).
    """
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if isinstance(data, pd.Series) and data.name is None:
        frame.columns = ["value"]
    unit_s = pdx.unit_series(frame, unit if unit is not None else rules.unit, len(frame))
    units = pdx._unit_codes(unit_s)
    table = summary_table(result, statistic, [str(c) for c in frame.columns])
    if isinstance(table.index, pd.Index) and statistic != "describe" and len(table) == 1:
        row_stats = [statistic]
    else:
        row_stats = [str(r) for r in table.index]
    grid = np.empty(table.shape, dtype=object)
    fields_ = ("count", "rows", "missing", "negative", "total", "at_max", "at_min", "mode_count",
               "class_min")
    arrays = {f: np.zeros(table.shape) for f in fields_}
    arrays["class_min"][:] = np.nan
    review: list[str] = []
    top = np.zeros((*table.shape, rules.top_k))
    sides_of = {"below": np.full(table.shape, np.nan), "above": np.full(table.shape, np.nan)}
    ids = np.zeros(len(frame), dtype=np.int64)
    for j, col in enumerate(table.columns):
        if col not in frame.columns:
            raise KeyError(f"column {col!r} of the result is not in the data")
        for i, name in enumerate(row_stats):
            stat = statistic_of(name)
            stat = stat if stat != "custom" else statistic_of(statistic)
            grid[i, j] = quantile_statistic(q) if stat == "quantile" and q is not None else stat
            values = pdx.numeric_values(frame[col], str(col), grid[i, j])
            classes = pdx.two_values(values) if grid[i, j] in ("sum", "mean") else None
            if not review:
                review += pdx.non_finite(values, str(col))
            st = group_stats(ids, 1, values, units, top_k=rules.top_k,
                             extremes=grid[i, j] in ("min", "max"), mode=grid[i, j] == "mode",
                             classes=classes)
            for f in fields_:
                arr = getattr(st, f)
                if arr is not None:
                    arrays[f][i, j] = arr[0]
            top[i, j, :] = st.top[0] if st.top is not None else 0
            if grid[i, j] in QUANTILES:
                cut = pd.to_numeric(pd.Series([table.iat[i, j]]), errors="coerce").iloc[0]
                sides_of["below"][i, j], sides_of["above"][i, j] = sides(values, cut, units)
    evidence = CellEvidence(
        statistic=grid, count=arrays["count"].astype(np.int64), rows=arrays["rows"],
        missing=arrays["missing"], negative=arrays["negative"], total=arrays["total"], top=top,
        at_max=arrays["at_max"], at_min=arrays["at_min"], mode_count=arrays["mode_count"],
        class_min=arrays["class_min"] if not np.isnan(arrays["class_min"]).all() else None,
        unit_label="units" if unit_s is not None else "records",
    )
    if not np.isnan(sides_of["below"]).all():
        evidence.below, evidence.above = sides_of["below"], sides_of["above"]
    return assess(table, evidence, rules, uid=uid, statistic=statistic,
                  summary={"n": int(evidence.count.max(initial=0))}, source=source,
                  review=review, **fields)
