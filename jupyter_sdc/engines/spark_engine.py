"""Evidence on PySpark: DataFrame aggregates, fetched by one action and, for the largest
contributions, a second one over the few rows that can be among them.

Every piece (cells, direct tables per grouping set) is a small aggregate of the same rows;
they are stacked with ``unionByName`` and fetched with a single ``toArrow()``, so Spark
plans them together (one scan per distinct aggregate, exchanges reused) instead of running
a job per piece.

Why a second action: Spark's k largest per group (``max_by(x, x, k)``) is an object
aggregate, 4-5x the cost of the whole table on 10^7 rows. So the first action keeps each
cell's maximum in ``k`` buckets of rows (row ids modulo k); the smallest of those maxima is a
lower bound of the cell's k-th largest value (they come from k different rows), and the second
action runs ``max_by`` only on the rows at or above the smallest bound of all cells (a filter
the scan applies). The cells of the first action are cached between the two, and the second
checks each cell's maximum against the first's, so data that changed between the two reads is
an error, never a wrong answer. The holders of a cell's extremes are counted in the second
action too (its rows are joined to the cached cells: they are few).
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
_BUCKET = "__bucket"


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
    """Cells and direct tables of ``request`` on a Spark DataFrame (module docstring)."""
    types = {fld.name: fld.dataType for fld in df.schema.fields}
    kinds = _kinds(types, request)
    src = _prepared(df, types, request, kinds)
    cells = _cells(src, request)
    two_pass = _two_pass(request)
    if two_pass:
        cells = cells.cache()
    try:
        raw = _fetch(src, cells, request, kinds)
        if two_pass:
            raw.cells = _add_top(src, cells, raw.cells, request, kinds)
    finally:
        if two_pass:
            cells.unpersist()
    return raw


def _two_pass(request: Request) -> bool:
    """Whether the largest contributions of single records are needed (module docstring)."""
    return bool(request.values) and not request.unit


def _fetch(src: Any, cells: Any, request: Request, kinds: dict[str, str]) -> Raw:
    """The first action: cells and every direct table."""
    parts: dict[str, Any] = {"cells": cells}
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
    """One row per cell. Without ``unit=``, values are first aggregated per cell and bucket
    (module docstring) and the buckets merged: each value's lower bound ``lb`` of its k-th
    largest rides along; the largest contributions come in the second action."""
    keys = request.keys
    aggs = [F.count(F.lit(1)).alias(ROWS)]
    two_pass = _two_pass(request)
    for i in range(len(request.values)):
        x = c(_x(i))
        aggs += [F.count(x).alias(f("c", i)), F.sum(x).alias(f("s", i))]
        if request.needs_var:
            aggs.append(F.var_samp(x).alias(f("v", i)))
        if "median" in request.stats and not two_pass:
            aggs.append(F.median(x).alias(f("dmedian", i)))
        if two_pass or {"min", "max"} & set(request.stats):
            aggs += [F.max(x).alias(f("mx", i)), F.min(x).alias(f("mn", i))]
        if two_pass:
            aggs.append(F.count_if(x < 0).alias(f("n", i)))
    if not two_pass:
        return _group(src, keys, aggs)
    bucket = (F.monotonically_increasing_id() % request.k).alias(_BUCKET)
    buckets = _group(src.select("*", bucket), (*keys, _BUCKET), aggs)
    if request.needs_var:
        cell = Window.partitionBy(*[c(k) for k in keys])
        buckets = buckets.select("*", *[
            (F.sum(c(f("s", i))).over(cell) / F.sum(c(f("c", i))).over(cell)).alias(f("g", i))
            for i in range(len(request.values))])
    cells = _group(buckets, keys, _merged(request))
    if "median" in request.stats:
        medians = _group(src, keys, [F.median(c(_x(i))).alias(f("dmedian", i))
                                     for i in range(len(request.values))])
        cells = cells.join(medians, list(keys)) if keys else cells.crossJoin(medians)
    return cells


def _merged(request: Request) -> list[Column]:
    """Cells from their buckets, with each value's lower bound ``lb`` (a bound only when
    every bucket holds a value; else the cell's minimum: all its values count)."""
    aggs = [F.sum(c(ROWS)).alias(ROWS)]
    for i in range(len(request.values)):
        n, s, mx, mn = (c(f(kind, i)) for kind in ("c", "s", "mx", "mn"))
        aggs += [F.sum(n).alias(f("c", i)), F.sum(s).alias(f("s", i)),
                 F.max(mx).alias(f("mx", i)), F.min(mn).alias(f("mn", i)),
                 F.sum(c(f("n", i))).alias(f("n", i)),
                 F.when(F.count_if(n > 0) >= request.k, F.min(mx))
                 .otherwise(F.min(mn)).alias(f("lb", i))]
        if request.needs_var:
            # Chan et al.: squares within each bucket plus the spread of the bucket means
            # about the cell's mean (``g``, put beside each bucket by ``_cells``)
            mean = F.when(n > 0, s / n).otherwise(F.lit(0.0))
            m2 = F.when(n > 1, c(f("v", i)) * (n - 1)).otherwise(F.lit(0.0))
            spread = n * (mean - c(f("g", i))) * (mean - c(f("g", i)))
            aggs.append(F.when(F.sum(n) > 1, F.sum(m2 + spread) / (F.sum(n) - 1))
                        .alias(f("v", i)))
    return aggs


def _add_top(src: Any, cells: Any, fetched: Any, request: Request,
             kinds: dict[str, str]) -> Any:
    """The second action: the k largest contributions (and holders of the extremes) of each
    cell, from the rows at or above the smallest lower bound, joined to the cached cells."""
    import pyarrow.compute as pc

    keys = list(request.keys)
    near, aggs, checked = [], [], []
    for i, name in enumerate(request.values):
        low = pc.min(fetched.column(f("lb", i))).as_py()
        if low is None or kinds[name] == "o":
            continue  # no values in any cell, or values only counted
        x = c(_x(i))
        near.append(x >= F.lit(float(low)))
        aggs += [_top(x, request.k).alias(f("t", i)), F.max(x).alias(f"__check{i}")]
        checked.append(i)
        if request.extremes:
            near.append(x <= F.lit(float(pc.max(fetched.column(f("mn", i))).as_py())))
            aggs += [F.count_if(x == c(f("mx", i))).alias(f("am", i)),
                     F.count_if(x == c(f("mn", i))).alias(f("ai", i))]
    if not near:
        return _empty_top(fetched.drop_columns([f("lb", i) for i in range(len(request.values))]),
                          request)
    rows = src.filter(reduce(lambda a, b: a | b, near))
    if request.extremes:
        bounds = cells.select(*[c(k) for k in keys],
                              *[c(f(kind, i)) for i in checked for kind in ("mx", "mn")])
        rows = rows.join(F.broadcast(bounds), keys) if keys else rows.crossJoin(bounds)
    top = _group(rows, tuple(keys), aggs)
    joined = cells.join(top, keys, "left") if keys else cells.join(top, how="left")
    joined = joined.drop(*[f("lb", i) for i in range(len(request.values))]).toArrow()
    for i in checked:
        seen, first = joined.column(f"__check{i}"), joined.column(f("mx", i))
        lost = pc.and_(pc.is_valid(first), pc.invert(pc.fill_null(pc.equal(seen, first), False)))
        if pc.any(lost).as_py():
            raise ValueError("the data changed between two reads of it (a source that is "
                             "not the same each time it is read): cache it first, "
                             "df = df.cache(), or write it to a table")
    return _empty_top(joined.drop_columns([f"__check{i}" for i in checked]), request)


def _empty_top(table: Any, request: Request) -> Any:
    """Empty top lists and zero holders where a value column had nothing to look for."""
    import pyarrow as pa

    for i in range(len(request.values)):
        names = [f("t", i), *([f("am", i), f("ai", i)] if request.extremes else [])]
        for name in names:
            if name not in table.column_names:
                kind = pa.list_(pa.float64()) if name == f("t", i) else pa.int64()
                empty = [] if name == f("t", i) else 0
                table = table.append_column(name, pa.array([empty] * table.num_rows, kind))
    return table


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
