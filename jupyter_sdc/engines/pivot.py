"""A pivot table of any supported frame, laid out as pandas lays it out, with its evidence.

The engines compute every group the table shows (cells, row and column margins, the grand
total) where the data lives; the layout (``engines.layout``) then replays, on those few rows,
what ``pandas.pivot_table`` does with the same data: drop the all-NaN rows, unstack the column
keys, sort the columns, add the margins (over the rows where every value is present, as
pandas does), drop the all-NaN columns. The result is the DataFrame pandas would return,
labels and dtypes included, and a ``CellEvidence`` cell for cell beside it.

The frequency case (no ``values``, ``aggfunc`` a count) is laid out as ``pd.crosstab``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeAlias, overload

import pandas as pd

from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.engines.contract import STATISTICS, Request
from jupyter_sdc.engines.dispatch import compute, engine_name
from jupyter_sdc.engines.layout import RECORDS, Layout, Plan

#: keys or values: a column name, several, or none
Names: TypeAlias = str | Sequence[str] | None


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _stat(func: Any) -> tuple[str, str]:
    """(label pandas gives it, our statistic) for an aggregation function."""
    from jupyter_sdc.core.aggfuncs import statistic_of

    label = func if isinstance(func, str) else getattr(func, "__name__", repr(func))
    if label == "len" or func is len:
        return label, "size"
    if label in STATISTICS:
        return label, label
    named = statistic_of(func)
    if named == "frequency":
        return label, "count"
    if named in STATISTICS:
        return label, named
    raise ValueError(f"aggfunc {label!r} is not supported on this engine: use one of "
                     f"{', '.join(STATISTICS)}")


def columns_of(frame: Any) -> list[str]:
    """Column names of any supported frame, without reading its rows."""
    name = engine_name(frame)
    if name == "pandas":
        return list(frame.columns)
    if name == "polars":
        return list(frame.collect_schema().names()) if hasattr(frame, "collect_schema") \
            else list(frame.columns)
    if name == "duckdb":
        from jupyter_sdc.engines.duckdb_engine import relation

        if hasattr(frame, "column_names"):  # an Arrow table
            return list(frame.column_names)
        return list(relation(frame).columns)
    return list(frame.columns)


#: what ``pivot`` returns: pandas' table (a Series of group sizes where pandas gives one)
Table: TypeAlias = pd.DataFrame | pd.Series


@overload
def pivot(frame: Any, values: Names = ..., index: Names = ..., columns: Names = ...,
          aggfunc: Any = ..., *, total: Literal[False] = ..., **options: Any
          ) -> tuple[Table, CellEvidence]: ...
@overload
def pivot(frame: Any, values: Names = ..., index: Names = ..., columns: Names = ...,
          aggfunc: Any = ..., *, total: Literal[True], **options: Any
          ) -> tuple[Table, CellEvidence, int]: ...
def pivot(
    frame: Any,
    values: Names = None,
    index: Names = None,
    columns: Names = None,
    aggfunc: Any = "mean",
    *,
    fill_value: Any = None,
    margins: bool = False,
    margins_name: str = "All",
    unit: str | None = None,
    top_k: int = 2,
    total: bool = False,
    **options: Any,
) -> tuple[Table, CellEvidence] | tuple[Table, CellEvidence, int]:
    """``pandas.pivot_table`` of ``frame`` (pandas, Polars, DuckDB, Spark) and its evidence.

    Returns the table as pandas would lay it out for the same data (rows with a missing key
    dropped, ``dropna=True``, ``observed=True``, sorted) and the ``CellEvidence`` of every
    cell, margins flagged. Without ``values`` and with a counting ``aggfunc`` the table is
    ``pd.crosstab``'s counts; ``aggfunc="size"`` with keys on one axis only gives pandas'
    Series of group sizes (the evidence laid out as its ``to_frame()``). ``unit`` counts
    distinct units and sums their contributions first; ``options`` go to the engine
    (``memory_limit``, ``threads``, ``engine``). ``total=True`` adds a third item: the
    records (units) behind the whole table, those with every key and a first value present,
    as the pandas check counts them (the grand total, in the same query).
    """
    rows, cols = _names(index), _names(columns)
    if not rows and not cols:
        raise ValueError("pivot needs index= or columns=")
    if not isinstance(margins_name, str):
        raise ValueError("margins_name argument must be a string")
    frequency = values is None and not isinstance(aggfunc, list | dict) and \
        _stat(aggfunc)[1] in ("count", "size")
    plan = _plan(frame, values, rows, cols, aggfunc, frequency, unit)
    if margins and not rows:
        raise ValueError("margins of a table with only columns= are laid out inconsistently "
                         "by pandas (a margin after every column); give index= as well")
    if plan.size_margins and margins:
        raise ValueError("pandas cannot add margins to aggfunc='size' with values; use "
                         "'count' (records with a value) or leave values out")
    sizes = frequency and _stat(aggfunc)[1] == "size" and not (rows and cols)
    if sizes:  # pandas gives a Series of group sizes, the keys in its index
        rows, cols = rows + cols, []
    request = _request(plan, rows, cols, unit, top_k, margins=margins, total=total)
    groups = compute(frame, request, **options)
    layout = Layout(plan, groups, rows, cols, margins, margins_name, fill_value, frequency,
                    complete=request.complete)
    table = layout.table()
    evidence = layout.evidence(table, top_k=request.k,
                               unit_label="units" if unit is not None else "records")
    if "median" in plan.stats:  # quantile sides: the rows on each side of a median
        from jupyter_sdc.engines.sides import add_sides

        try:
            add_sides(frame, layout, table, evidence, unit)
        except TypeError:
            pass  # a key label SQL cannot be written with: no sides, so value_checks reviews
    shown: Table = table.iloc[:, 0].rename(None) if sizes else table
    if not total:
        return shown, evidence
    grand = groups[()].evidence[plan.values[0] if plan.values else None]
    return shown, evidence, int(grand.count[0]) if len(grand.count) else 0


def _request(plan: Plan, rows: list[str], cols: list[str], unit: str | None, top_k: int, *,
             margins: bool, total: bool) -> Request:
    """What the engine computes: the cells, and the margins or the grand total asked for."""
    sets: list[tuple[str, ...]] = [tuple(rows + cols)]
    if margins:
        sets += [tuple(rows), tuple(cols), ()]
    elif total:
        sets.append(())
    return Request(
        keys=tuple(rows + cols), values=tuple(plan.values), stats=tuple(plan.stats),
        unit=unit, sets=tuple(sets), top_k=top_k,
        extremes=bool({"min", "max"} & set(plan.stats)),
        complete=margins and (len(plan.values) > 1 or "size" in plan.stats),
    )


def _plan(frame: Any, values: Any, rows: list[str], cols: list[str], aggfunc: Any,
          frequency: bool, unit: str | None) -> Plan:
    if frequency:
        return Plan([], False, [{RECORDS: ("len", "size")}], None, [], False)
    if values is None:
        keys = set(rows + cols)
        names = [c for c in columns_of(frame) if c not in keys and c != unit]
        if isinstance(aggfunc, dict):
            names = list(aggfunc)
        multi = True
    else:
        multi = not isinstance(values, str)
        names = _names(values)
    if isinstance(aggfunc, dict):
        missing = [v for v in aggfunc if v not in names]
        if missing:
            raise KeyError(f"aggfunc names {missing}, which are not among the values")
        if any(isinstance(f, list) for f in aggfunc.values()):
            raise ValueError("a dict aggfunc with lists is not supported on this engine: "
                             "give one function per column, or a list for all columns")
        pieces = [{v: _stat(f) for v, f in aggfunc.items()}]
        names = list(aggfunc)
        labels = None
    elif isinstance(aggfunc, list):
        pieces = [{v: _stat(f) for v in names} for f in aggfunc]
        labels = [_stat(f)[0] for f in aggfunc]
    else:
        pieces = [{v: _stat(aggfunc) for v in names}]
        labels = None
    stats = sorted({s for piece in pieces for _, s in piece.values()})
    size = "size" in stats and bool(names)
    return Plan(names, multi, pieces, labels, stats, size)

