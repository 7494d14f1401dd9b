"""Evidence on Polars: native expressions over a LazyFrame (an eager DataFrame is made lazy).

The rows never come to Python. One ``pl.collect_all`` computes the cells and every direct
table (the plans share their scan); a second, small query fetches the few rows that can be
among a cell's largest contributions.

Why two queries: Polars' streaming engine has no top-k aggregation (``top_k`` inside
``group_by`` falls back to materialising every group, 5-10x the cost of the aggregate and
all rows in memory). So the first query also keeps each cell's maximum in ``k`` buckets of
rows; the smallest of those maxima is a lower bound of the cell's k-th largest value (they
come from k different rows), and only rows at or above it are read again. Polars has no
scalar subquery, so the bound must be a literal: hence the second ``collect``, on a filter
that the scan applies while reading.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from jupyter_sdc.engines.contract import ROWS, Raw, Request
from jupyter_sdc.engines.contract import field_name as f

_ROW = "__row"
_BUCKET = "__bucket"
_ALL = "__all"


def _x(i: int) -> str:
    return f"__x{i}"


def compute(frame: pl.DataFrame | pl.LazyFrame, request: Request, *,
            engine: str = "streaming") -> Raw:
    """Cells and direct tables of ``request`` on a Polars frame."""
    raw = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    schema = raw.collect_schema()
    kinds = _kinds(schema, request)
    lf = _prepared(raw, schema, request, kinds)
    # the cells' aggregate reads the rows as they are (filters and NaN tests cost as much as
    # the aggregate): rows with a missing key form groups of their own, dropped afterwards,
    # and a NaN shows in its cell's sum, which sends the cells through the careful path
    plans: dict[Any, pl.LazyFrame] = {
        "cells": _cells_plan(_prepared(raw, schema, request, kinds, light=True), request)}
    units = _unit_plan(lf, request) if request.unit else None
    if request.unit:
        # a missing unit id makes a unit of its own (the unit table is shared, not re-read)
        plans["unit_nulls"] = units.select(pl.col(request.unit).null_count().alias("n"))
    for keys in request.grouping_sets:
        plan = _direct_plan(lf, units, request, keys)
        if plan is not None:
            plans[keys] = plan
    done = dict(zip(plans, pl.collect_all(list(plans.values()), engine=engine), strict=True))
    if request.unit and done.pop("unit_nulls").item() > 0:
        raise ValueError("unit has missing values: every record needs a unit identifier")
    cells = _present_keys(done.pop("cells"), schema, request)
    if _has_nan(cells, request):
        cells = _present_keys(_cells_plan(lf, request).collect(engine=engine), schema, request)
    if request.values and not request.unit:
        cells = _merge_buckets(cells, request)
        cells = _add_top(raw, schema, cells, request, kinds, engine)
    direct = {keys: _to_arrow(table, schema) for keys, table in done.items()}
    return Raw(cells=_to_arrow(cells, schema), direct=direct, kinds=kinds)


def _kinds(schema: pl.Schema, request: Request) -> dict[str, str]:
    request.check_columns(schema, "frame")
    kinds = {}
    for name in request.values:
        dtype = schema[name]
        if dtype == pl.Boolean:
            kinds[name] = "b"
        elif dtype.is_integer():
            kinds[name] = "i"
        elif dtype.is_numeric():
            kinds[name] = "f"
        elif set(request.stats) <= {"count", "size"}:
            kinds[name] = "o"  # only counted: any type will do
        else:
            raise TypeError(f"values column {name!r} is not numeric ({dtype}); a statistic "
                            f"of it needs numbers: cast it first")
    return kinds


def _prepared(lf: pl.LazyFrame, schema: pl.Schema, request: Request,
              kinds: dict[str, str], *, light: bool = False) -> pl.LazyFrame:
    """Rows with every key present, values as Float64 with NaN as null.

    ``light``: every row, and float values as they are (NaN left in)."""
    keep = [pl.col(k).is_not_null() for k in request.keys]
    keep += [pl.col(k).is_not_nan() for k in request.keys if schema[k].is_float()]
    if keep and not light:
        lf = lf.filter(pl.all_horizontal(keep))
    columns = [pl.col(k) for k in request.keys]
    if request.unit:
        columns.append(pl.col(request.unit))
    for i, name in enumerate(request.values):
        if kinds[name] == "o":
            # counted only: present or not is all that matters
            columns.append(pl.when(pl.col(name).is_null()).then(None).otherwise(0.0)
                           .alias(_x(i)))
        elif light and schema[name] == pl.Float64:
            columns.append(pl.col(name).alias(_x(i)))
        else:
            columns.append(pl.col(name).cast(pl.Float64).fill_nan(None).alias(_x(i)))
    return lf.select(columns)


def _present_keys(cells: pl.DataFrame, schema: pl.Schema, request: Request) -> pl.DataFrame:
    """The groups whose keys are all present (rows with a missing key are not counted)."""
    keep = [pl.col(k).is_not_null() for k in request.keys]
    keep += [pl.col(k).is_not_nan() for k in request.keys if schema[k].is_float()]
    return cells.filter(pl.all_horizontal(keep)) if keep else cells


def _has_nan(cells: pl.DataFrame, request: Request) -> bool:
    sums = [f("s", i) for i in range(len(request.values))]
    return bool(sums) and bool(cells.select(
        pl.any_horizontal([pl.col(c).is_nan().any() for c in sums])).item())


def _cells_plan(lf: pl.LazyFrame, request: Request) -> pl.LazyFrame:
    keys = list(request.keys)
    aggs: list[pl.Expr] = [pl.len().alias(ROWS)]
    for i in range(len(request.values)):
        x = pl.col(_x(i))
        aggs += [x.count().alias(f("c", i)), x.sum().alias(f("s", i))]
        if request.needs_var:
            aggs.append(x.var().alias(f("v", i)))
        if not request.unit:
            # no count of negatives: a cell whose minimum is not negative has none, and the
            # others are counted with the largest contributions (a filter, not an aggregate)
            aggs += [x.max().alias(f("mx", i)), x.min().alias(f("mn", i))]
        elif {"min", "max"} & set(request.stats):
            aggs += [x.max().alias(f("mx", i)), x.min().alias(f("mn", i))]
    if request.values and not request.unit:
        # the k buckets whose maxima bound each cell's k-th largest value (module docstring)
        lf = lf.with_row_index(_ROW).with_columns(
            (pl.col(_ROW) % request.k).alias(_BUCKET))
        keys = [*keys, _BUCKET]
    return _group(lf, keys, aggs)


def _merge_buckets(buckets: pl.DataFrame, request: Request) -> pl.DataFrame:
    """Cells from their buckets (small frames), with each value's lower bound ``lb``."""
    keys = list(request.keys)
    aggs: list[pl.Expr] = [pl.col(ROWS).sum()]
    for i in range(len(request.values)):
        c, s, mx = pl.col(f("c", i)), pl.col(f("s", i)), pl.col(f("mx", i))
        aggs += [c.sum(), s.sum(), mx.max(), pl.col(f("mn", i)).min(),
                 # a bound only when every bucket holds a value, else all values count
                 pl.when((c > 0).sum() >= request.k).then(mx.min())
                 .otherwise(pl.col(f("mn", i)).min()).alias(f("lb", i))]
        if request.needs_var:
            # Chan et al.: squares within each bucket plus the spread of the bucket means
            mean = pl.when(c > 0).then(s / c).otherwise(0.0)
            m2 = pl.when(c > 1).then(pl.col(f("v", i)) * (c - 1)).otherwise(0.0)
            spread = c * (mean - s.sum() / c.sum()) ** 2
            aggs.append(pl.when(c.sum() > 1).then((m2 + spread).sum() / (c.sum() - 1))
                        .otherwise(None).alias(f("v", i)))
    return _group(buckets, keys, aggs)


def _add_top(raw: pl.LazyFrame, schema: pl.Schema, cells: pl.DataFrame, request: Request,
             kinds: dict[str, str], engine: str) -> pl.DataFrame:
    """Largest contributions, negatives and holders of the extremes, from the few rows that
    can be among them.

    The rows are chosen on the raw columns, before anything is derived from them, so that a
    parquet scan reads the other columns only for the rows it keeps."""
    keys = list(request.keys)
    near: list[pl.Expr] = []
    aggs: list[pl.Expr] = []
    negatives = []
    for i, name in enumerate(request.values):
        x, raw_x = pl.col(_x(i)), pl.col(name)
        lb, mx, mn = pl.col(f("lb", i)), pl.col(f("mx", i)), pl.col(f("mn", i))
        low = cells[f("lb", i)].min()
        if low is None or kinds[name] == "o":
            continue  # no values in any cell, or values only counted
        if kinds[name] == "b":
            raw_x = raw_x.cast(pl.Float64)
        near.append(raw_x >= low)
        aggs.append(x.filter(x >= lb).top_k(request.k).alias(f("t", i)))
        if cells[f("mn", i)].min() < 0:
            near.append(raw_x < 0)
            aggs.append((x < 0).sum().alias(f("n", i)))
        else:
            negatives.append(pl.lit(0, dtype=pl.UInt32).alias(f("n", i)))
        if request.extremes:
            near.append(raw_x <= cells[f("mn", i)].max())
            aggs += [(x == mx).sum().alias(f("am", i)), (x == mn).sum().alias(f("ai", i))]
    # a column with no values in any cell (or only counted): nothing to look for in the rows
    holders = ("am", "ai") if request.extremes else ()
    empty = [e for i, name in enumerate(request.values)
             if cells[f("lb", i)].min() is None or kinds[name] == "o"
             for e in (pl.lit([], dtype=pl.List(pl.Float64)).alias(f("t", i)),
                       pl.lit(0, dtype=pl.UInt32).alias(f("n", i)),
                       *(pl.lit(0, dtype=pl.UInt32).alias(f(h, i)) for h in holders))]
    if empty or negatives:
        cells = cells.with_columns(empty + negatives)
    if not near:
        return cells
    bounds = cells.select(keys + [c for i in range(len(request.values))
                                  for c in (f("lb", i), f("mx", i), f("mn", i))])
    rows = _prepared(raw.filter(pl.any_horizontal(near)), schema, request, kinds)
    rows = rows.join(bounds.lazy(), on=keys, nulls_equal=True) if keys \
        else rows.join(bounds.lazy(), how="cross")
    top = _group(rows, keys, aggs).collect(engine=engine)
    if not keys:
        return pl.concat([cells, top], how="horizontal") if top.height else cells
    drop = [c for c in top.columns if c in cells.columns and c not in keys]
    filled = [pl.col(f("n", i)).fill_null(0) for i in range(len(request.values))
              if f("n", i) in top.columns]
    return cells.join(top.drop(drop), on=keys, how="left", nulls_equal=True) \
        .with_columns(filled)


def _unit_plan(lf: pl.LazyFrame, request: Request) -> pl.LazyFrame:
    """One row per unit within a cell: its rows, values present and summed contributions."""
    aggs = [pl.len().alias(ROWS)]
    for i in range(len(request.values)):
        x = pl.col(_x(i))
        aggs += [x.count().alias(f("c", i)), x.sum().alias(f("s", i))]
    return lf.group_by([*request.keys, request.unit]).agg(aggs)


def _group(lf: Any, keys: Any, aggs: list[pl.Expr], *, keep: bool = False) -> Any:
    """``group_by(keys).agg(aggs)``; with no keys, all rows are one group (none if no rows).

    ``keep`` leaves the constant key of that one group in place, to join on."""
    if keys:
        return lf.group_by(list(keys)).agg(aggs)
    # group_by, not select: list aggregates (top_k) keep their group_by meaning
    grouped = lf.with_columns(pl.lit(0).alias(_ALL)).group_by(_ALL).agg(aggs)
    return grouped if keep else grouped.drop(_ALL)


def _display(x: pl.Expr, stat: str) -> pl.Expr:
    return {"count": x.count(), "size": pl.len(), "sum": x.sum(), "mean": x.mean(),
            "median": x.median(), "std": x.std(), "var": x.var(), "min": x.min(),
            "max": x.max()}[stat]


def _direct_plan(lf: pl.LazyFrame, units: pl.LazyFrame | None, request: Request,
                 keys: tuple[str, ...]) -> pl.LazyFrame | None:
    """Everything grouping ``keys`` cannot take from the cells, as one frame."""
    parts: list[pl.LazyFrame] = []
    n = len(request.values)
    stats = request.direct_stats(keys) if n else ()
    if stats:
        rows = lf
        if request.complete and keys != request.keys:
            rows = lf.filter(pl.all_horizontal([pl.col(_x(i)).is_not_null() for i in range(n)]))
        parts.append(_group(rows, keys, [_display(pl.col(_x(i)), s).alias(f(f"d{s}", i))
                                         for i in range(n) for s in stats], keep=True))
    if units is not None:
        parts.append(_unit_evidence(units, request, keys))
    if request.mode:
        for i in range(n):
            parts.append(_mode_count(lf, units, request, keys, i))
    if not parts:
        return None
    on = list(keys) or [_ALL]
    out = parts[0]
    for part in parts[1:]:
        out = out.join(part, on=on, how="full", coalesce=True, nulls_equal=True)
    return out if keys else out.drop(_ALL)


def _unit_sums(units: pl.LazyFrame, request: Request, keys: tuple[str, ...]) -> pl.LazyFrame:
    """Each unit's contributions summed within the groups of ``keys``."""
    if keys == request.keys:
        return units
    sums = [pl.col(ROWS).sum()]
    for i in range(len(request.values)):
        sums += [pl.col(f("c", i)).sum(), pl.col(f("s", i)).sum()]
    return units.group_by([*keys, request.unit]).agg(sums)


def _unit_evidence(units: pl.LazyFrame, request: Request, keys: tuple[str, ...]) -> pl.LazyFrame:
    sums = _unit_sums(units, request, keys)
    aggs = [pl.len().alias(f("uc", "r"))]
    for i in range(len(request.values)):
        c, s = pl.col(f("c", i)), pl.col(f("s", i))
        value = s.filter(c > 0)
        aggs += [(c > 0).sum().alias(f("uc", i)), ((s < 0) & (c > 0)).sum().alias(f("n", i)),
                 value.sum().alias(f("s", i)), value.top_k(request.k).alias(f("t", i))]
        if request.extremes:
            aggs += [(value == value.max()).sum().alias(f("am", i)),
                     (value == value.min()).sum().alias(f("ai", i))]
    return _group(sums, keys, aggs, keep=True)


def _mode_count(lf: pl.LazyFrame, units: pl.LazyFrame | None, request: Request,
                keys: tuple[str, ...], i: int) -> pl.LazyFrame:
    """How many contributions share the most frequent value, per group."""
    if units is not None:
        rows = _unit_sums(units, request, keys).filter(pl.col(f("c", i)) > 0)
        value = f("s", i)
    else:
        rows = lf.filter(pl.col(_x(i)).is_not_null())
        value = _x(i)
    tallies = rows.group_by([*keys, value]).agg(pl.len().alias("__n"))
    return _group(tallies, keys, [pl.col("__n").max().alias(f("mc", i))], keep=True)


def _to_arrow(table: pl.DataFrame, schema: pl.Schema) -> Any:
    # a Categorical's categories depend on the frame it came from: label with the strings
    cats = [c for c in table.columns if c in schema and schema[c] == pl.Categorical]
    if cats:
        table = table.with_columns([pl.col(c).cast(pl.String) for c in cats])
    return table.to_arrow()


def version() -> str:
    return pl.__version__

