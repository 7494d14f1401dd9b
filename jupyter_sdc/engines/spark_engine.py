"""Evidence on PySpark: DataFrame aggregates, all fetched by one action.

Every piece (cells, direct tables per grouping set) is a small aggregate of the same rows;
they are stacked with ``unionByName`` and fetched with a single ``toArrow()``, so Spark
plans them together (one scan per distinct aggregate, exchanges reused) instead of running
a job per piece. The k largest contributions are an aggregate (``max_by(x, x, k)``, Spark
4.2+; sorted ``collect_list`` before); the holders of a cell's extremes join the rows back
to the cells' extremes (broadcast: the cells are few).
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from pyspark.sql import Column, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jupyter_sdc.engines.contract import ROWS, Raw, Request
from jupyter_sdc.engines.contract import field_name as f

_PART = "__part"
_GID = "__gid"


def c(name: str) -> Column:
    """A column by name, whatever characters the name holds."""
    return F.col("`" + name.replace("`", "``") + "`")


def _x(i: int) -> str:
    return f"__x{i}"


def _top(x: Column, k: int) -> Column:
    try:
        return F.max_by(x, x, k)
    except TypeError:  # Spark before 4.2: no k
        return F.slice(F.sort_array(F.collect_list(x), asc=False), 1, k)


def compute(df: Any, request: Request) -> Raw:
    """Cells and direct tables of ``request`` on a Spark DataFrame, in one action."""
    types = {fld.name: fld.dataType for fld in df.schema.fields}
    kinds = _kinds(types, request)
    src = _prepared(df, types, request, kinds)
    parts: dict[str, Any] = {"cells": _cells(src, request)}
    if request.unit:
        parts["unit_nulls"] = src.agg((F.count(F.lit(1)) - F.count(c(request.unit)))
                                      .alias("__nulls"))
    # each direct part covers several grouping sets at once, told apart by their GROUPING id
    covers: dict[str, list[tuple[str, ...]]] = {}
    for name, (frame, sets) in _direct(src, request).items():
        parts[name] = frame
        covers[name] = sets
    stacked = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True),
                     [frame.withColumn(_PART, F.lit(name)) for name, frame in parts.items()])
    fetched = stacked.toArrow()
    tables = _split(fetched, parts)
    if request.unit and (tables.pop("unit_nulls").column("__nulls")[0].as_py() or 0) > 0:
        raise ValueError("unit has missing values: every record needs a unit identifier")
    direct: dict[tuple[str, ...], list[Any]] = {}
    for name, sets in covers.items():
        for keys, table in _by_set(tables[name], request, sets).items():
            direct.setdefault(keys, []).append(table)
    return Raw(cells=tables["cells"], direct=direct, kinds=kinds)


def _split(fetched: Any, parts: dict[str, Any]) -> dict[str, Any]:
    import pyarrow.compute as pc

    out = {}
    for name, frame in parts.items():
        rows = fetched.filter(pc.equal(fetched.column(_PART), name))
        out[name] = rows.select(frame.columns)
    return out


def _gid_of(request: Request, keys: tuple[str, ...]) -> int:
    n = len(request.keys)
    return sum(1 << (n - 1 - j) for j, k in enumerate(request.keys) if k not in keys)


def _by_set(table: Any, request: Request, sets: list[tuple[str, ...]]) -> dict[tuple, Any]:
    import pyarrow.compute as pc

    fields = [n for n in table.column_names if n != _GID and n not in request.keys]
    return {keys: table.filter(pc.equal(table.column(_GID), _gid_of(request, keys)))
            .select([*keys, *fields]) for keys in sets}


def _kinds(types: dict[str, Any], request: Request) -> dict[str, str]:
    request.check_columns(types, "DataFrame")
    kinds = {}
    for name in request.values:
        dtype = types[name]
        if isinstance(dtype, T.BooleanType):
            kinds[name] = "b"
        elif isinstance(dtype, T.IntegralType):
            kinds[name] = "i"
        elif isinstance(dtype, T.NumericType):
            kinds[name] = "f"
        elif set(request.stats) <= {"count", "size"}:
            kinds[name] = "o"
        else:
            raise TypeError(f"values column {name!r} is not numeric ({dtype}); a statistic of "
                            "it needs numbers: cast it first")
    return kinds


def _prepared(df: Any, types: dict[str, Any], request: Request, kinds: dict[str, str]) -> Any:
    """Rows with every key present, values as double with NaN as null."""
    keep = [c(k).isNotNull() for k in request.keys]
    keep += [~F.isnan(c(k)) for k in request.keys
             if isinstance(types[k], T.FloatType | T.DoubleType)]
    if keep:
        df = df.filter(reduce(lambda a, b: a & b, keep))
    columns = [c(k) for k in request.keys]
    if request.unit:
        columns.append(c(request.unit))
    none = F.lit(None).cast("double")
    for i, name in enumerate(request.values):
        if kinds[name] == "o":
            x = F.when(c(name).isNull(), none).otherwise(F.lit(0.0))
        elif isinstance(types[name], T.FloatType | T.DoubleType):
            x = F.nanvl(c(name).cast("double"), none)
        else:
            x = c(name).cast("double")
        columns.append(x.alias(_x(i)))
    return df.select(columns)


def _group(frame: Any, keys: tuple[str, ...], aggs: list[Column]) -> Any:
    if keys:
        return frame.groupBy([c(k) for k in keys]).agg(*aggs)
    # a global aggregate gives one row even for no rows: a group needs a row
    return frame.agg(F.count(F.lit(1)).alias("__n"), *aggs).filter(c("__n") > 0).drop("__n")


def _cells(src: Any, request: Request) -> Any:
    keys = request.keys
    aggs = [F.count(F.lit(1)).alias(ROWS)]
    extremes = []
    for i in range(len(request.values)):
        x = c(_x(i))
        aggs += [F.count(x).alias(f("c", i)), F.sum(x).alias(f("s", i))]
        if request.needs_var:
            aggs.append(F.var_samp(x).alias(f("v", i)))
        if "median" in request.stats:
            aggs.append(F.median(x).alias(f("dmedian", i)))
        if not request.unit or {"min", "max"} & set(request.stats):
            aggs += [F.max(x).alias(f("mx", i)), F.min(x).alias(f("mn", i))]
        if not request.unit:
            aggs += [F.count_if(x < 0).alias(f("n", i)), _top(x, request.k).alias(f("t", i))]
            if request.extremes:
                extremes.append(i)
    cells = _group(src, keys, aggs)
    if not extremes:
        return cells
    bounds = cells.select(*[c(k) for k in keys],
                          *[c(f(kind, i)) for i in extremes for kind in ("mx", "mn")])
    joined = src.join(F.broadcast(bounds), list(keys)) if keys else src.crossJoin(bounds)
    holders = []
    for i in extremes:
        x = c(_x(i))
        holders += [F.count_if(x == c(f("mx", i))).alias(f("am", i)),
                    F.count_if(x == c(f("mn", i))).alias(f("ai", i))]
    ext = _group(joined, keys, holders)
    return cells.join(ext, list(keys), "left") if keys else cells.crossJoin(ext)


def _gid(request: Request) -> Column:
    """The grouping set of a row, as a bit per key left out (the first key highest)."""
    n = len(request.keys)
    if not n:
        return F.lit(0).alias(_GID)
    bits = [F.grouping(c(k)).cast("int") * (1 << (n - 1 - j)) for j, k in enumerate(request.keys)]
    return reduce(lambda a, b: a + b, bits).alias(_GID)


def _sets_group(frame: Any, request: Request, sets: list[tuple[str, ...]],
                extra: tuple[str, ...] = ()) -> Any:
    """``GROUP BY GROUPING SETS`` over the keys (and ``extra``, in every set)."""
    columns = [*request.keys, *extra]
    return frame.groupingSets([[c(k) for k in (*s, *extra)] for s in sets],
                              *[c(k) for k in columns])


def _units(src: Any, request: Request) -> Any:
    """Each unit's rows, values present and summed contributions, in every grouping set."""
    aggs = [_gid(request), F.count(F.lit(1)).alias(ROWS)]
    for i in range(len(request.values)):
        aggs += [F.count(c(_x(i))).alias(f("c", i)), F.sum(c(_x(i))).alias(f("s", i))]
    return _sets_group(src, request, list(request.grouping_sets), (request.unit,)).agg(*aggs)


def _display(x: Column, stat: str) -> Column:
    return {"count": F.count(x), "size": F.count(F.lit(1)), "sum": F.sum(x), "mean": F.avg(x),
            "median": F.median(x), "std": F.stddev_samp(x), "var": F.var_samp(x),
            "min": F.min(x), "max": F.max(x)}[stat]


def _direct(src: Any, request: Request) -> dict[str, tuple[Any, list[tuple[str, ...]]]]:
    """What the margins cannot take from the cells: one frame per kind, all sets in each."""
    out = {}
    n = len(request.values)
    everywhere = list(request.grouping_sets)
    group = [c(_GID), *[c(k) for k in request.keys]]
    coarse = [s for s in request.coarser if request.direct_stats(s)] if n else []
    if coarse:
        stats = request.direct_stats(coarse[0])
        rows = src
        if request.complete:
            rows = src.filter(reduce(lambda a, b: a & b,
                                     [c(_x(i)).isNotNull() for i in range(n)]))
        aggs = [_display(c(_x(i)), s).alias(f(f"d{s}", i)) for i in range(n) for s in stats]
        out["display"] = (_sets_group(rows, request, coarse).agg(_gid(request), *aggs), coarse)
    units = _units(src, request) if request.unit else None
    if units is not None:
        out["units"] = (_unit_evidence(units, request, group), everywhere)
    if request.mode:
        for i in range(n):
            if units is not None:
                value = f("s", i)
                tallies = units.filter(c(f("c", i)) > 0).groupBy(*group, c(value))
                tallies = tallies.agg(F.count(F.lit(1)).alias("__tally"))
            else:
                value = _x(i)
                rows = src.filter(c(value).isNotNull())
                tallies = _sets_group(rows, request, everywhere, (value,)).agg(
                    _gid(request), F.count(F.lit(1)).alias("__tally"))
            mode = tallies.groupBy(*group).agg(F.max(c("__tally")).alias(f("mc", i)))
            out[f"mode{i}"] = (mode, everywhere)
    return out


def _unit_evidence(units: Any, request: Request, group: list[Column]) -> Any:
    window = Window.partitionBy(*group)
    aggs = [F.count(F.lit(1)).alias(f("uc", "r"))]
    for i in range(len(request.values)):
        has = c(f("c", i)) > 0
        value = F.when(has, c(f("s", i)))
        aggs += [F.count_if(has).alias(f("uc", i)),
                 F.count_if(has & (c(f("s", i)) < 0)).alias(f("n", i)),
                 F.sum(value).alias(f("s", i)), _top(value, request.k).alias(f("t", i))]
        if request.extremes:
            units = units.withColumn(f"__umx{i}", F.max(value).over(window)) \
                .withColumn(f"__umn{i}", F.min(value).over(window))
            aggs += [F.count_if(has & (c(f("s", i)) == c(f"__umx{i}"))).alias(f("am", i)),
                     F.count_if(has & (c(f("s", i)) == c(f"__umn{i}"))).alias(f("ai", i))]
    return units.groupBy(*group).agg(*aggs)


def version() -> str:
    import pyspark

    return pyspark.__version__
