"""Evidence on DuckDB: SQL over a relation, an Arrow table or a parquet file.

One aggregate query reads the rows for the cells (``max(x, k)`` keeps the k largest values,
ties included); the holders of a cell's extremes need its extremes first, so they join the
rows back to the cells in the same statement. What the margins cannot merge from cells
(medians, unit sums, mode counts, pandas' complete-row margins) is one GROUPING SETS query
per kind, whatever the number of margins.
"""

from __future__ import annotations

import os
from typing import Any

import duckdb

from jupyter_sdc.engines.contract import ROWS, Raw, Request
from jupyter_sdc.engines.contract import field_name as f

_SOURCE = "__sdc_rows"
_GID = "__gid"
_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT")
_FLOAT = ("FLOAT", "DOUBLE", "REAL")


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _x(i: int) -> str:
    return q(f"__x{i}")


def relation(source: Any, *, memory_limit: str | None = None,
             threads: int | None = None) -> duckdb.DuckDBPyRelation:
    """A relation over ``source``; sources we open get their own connection and limits."""
    if isinstance(source, duckdb.DuckDBPyRelation):
        if memory_limit is not None or threads is not None:
            raise ValueError("a relation runs on its own connection: set the limits there, "
                             "e.g. con.execute(\"SET memory_limit = '4GB'\")")
        return source
    config: dict[str, Any] = {}
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    if threads is not None:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    if isinstance(source, str | os.PathLike):
        # Parquet statistics do not count NaN (pyarrow writes none): without can_have_nan
        # DuckDB takes the min/max to mean "no NaN" and optimises isnan() away (duckdb#25521)
        path = os.fspath(source).replace("'", "''")
        return con.sql(f"SELECT * FROM read_parquet('{path}', can_have_nan = true)")
    return con.from_arrow(source)


def compute(source: Any, request: Request, *, memory_limit: str | None = None,
            threads: int | None = None) -> Raw:
    """Cells and direct tables of ``request``, each one query over ``source``."""
    import pyarrow.compute as pc

    rel = relation(source, memory_limit=memory_limit, threads=threads)
    types = {c: str(t).upper() for c, t in zip(rel.columns, rel.types, strict=True)}
    kinds = _kinds(types, request)
    src = _source_sql(types, request, kinds)

    def run(sql: str) -> Any:
        return rel.query(_SOURCE, f"WITH src AS ({src}) {sql}").to_arrow_table()

    direct: dict[tuple[str, ...], list[Any]] = {}
    cells = run(_cells_sql(request))
    _check_nan(cells, request)
    everywhere = list(request.grouping_sets)
    queries = [(_display_sql(request), [s for s in request.coarser if request.direct_stats(s)]),
               (_unit_sql(request), everywhere)]
    if request.mode:
        queries += [(_mode_sql(request, i), everywhere) for i in range(len(request.values))]
    for sql, sets in queries:
        if sql is None:
            continue
        result = run(sql)
        if "__null_units" in result.column_names and \
                (pc.max(result.column("__null_units")).as_py() or 0) > 0:
            raise ValueError("unit has missing values: every record needs a unit identifier")
        for keys, table in _split(result, request, sets).items():
            direct.setdefault(keys, []).append(table)
    return Raw(cells=cells, direct=direct, kinds=kinds)


def _check_nan(cells: Any, request: Request) -> None:
    """A NaN sum means a NaN got past ``isnan``: refuse rather than count it as a value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, name in enumerate(request.values):
        sums = cells.column(f("s", i))
        if pc.any(pc.is_nan(pc.cast(sums, pa.float64()))).as_py():
            raise ValueError(
                f"NaN values of {name!r} reached the sums: DuckDB trusted parquet statistics "
                "that do not count NaN; read the file with read_parquet(..., "
                "can_have_nan = true) or pass its path")


def _kinds(types: dict[str, str], request: Request) -> dict[str, str]:
    request.check_columns(types, "relation")
    kinds = {}
    for name in request.values:
        dtype = types[name]
        if dtype == "BOOLEAN":
            kinds[name] = "b"
        elif dtype in _INTEGER:
            kinds[name] = "i"
        elif dtype in _FLOAT or dtype.startswith("DECIMAL"):
            kinds[name] = "f"
        elif set(request.stats) <= {"count", "size"}:
            kinds[name] = "o"
        else:
            raise TypeError(f"values column {name!r} is not numeric ({dtype}); a statistic of "
                            "it needs numbers: cast it first")
    return kinds


def _source_sql(types: dict[str, str], request: Request, kinds: dict[str, str]) -> str:
    """The rows with every key present, each value as DOUBLE with NaN as NULL."""
    columns = [q(k) for k in request.keys]
    if request.unit:
        columns.append(q(request.unit))
    for i, name in enumerate(request.values):
        if kinds[name] == "o":
            columns.append(f"CASE WHEN {q(name)} IS NULL THEN NULL ELSE 0.0::DOUBLE END AS {_x(i)}")
        elif types[name] in _FLOAT:
            value = f"CAST({q(name)} AS DOUBLE)"
            columns.append(f"CASE WHEN isnan({value}) THEN NULL ELSE {value} END AS {_x(i)}")
        else:
            columns.append(f"CAST({q(name)} AS DOUBLE) AS {_x(i)}")
    keep = [f"{q(k)} IS NOT NULL" for k in request.keys]
    keep += [f"NOT isnan({q(k)})" for k in request.keys if types[k] in _FLOAT]
    where = f" WHERE {' AND '.join(keep)}" if keep else ""
    return f"SELECT {', '.join(columns) or '1 AS __one'} FROM {_SOURCE}{where}"


def _group_by(keys: tuple[str, ...]) -> str:
    return f" GROUP BY {', '.join(q(k) for k in keys)}" if keys else " HAVING count(*) > 0"


def _cells_sql(request: Request) -> str:
    keys = request.keys
    aggs = [f"count(*) AS {ROWS}"]
    holders = []
    for i in range(len(request.values)):
        x = _x(i)
        aggs += [f"count({x}) AS {f('c', i)}", f"sum({x}) AS {f('s', i)}"]
        if request.needs_var:
            aggs.append(f"var_samp({x}) AS {f('v', i)}")
        if "median" in request.stats:
            aggs.append(f"median({x}) AS {f('dmedian', i)}")
        if not request.unit or {"min", "max"} & set(request.stats):
            aggs += [f"max({x}) AS {f('mx', i)}", f"min({x}) AS {f('mn', i)}"]
        if not request.unit:
            aggs += [f"count_if({x} < 0) AS {f('n', i)}",
                     f"max({x}, {request.k}) AS {f('t', i)}"]
            if request.extremes:
                holders += [f"count_if(src.{x} = cells.{f('mx', i)}) AS {f('am', i)}",
                            f"count_if(src.{x} = cells.{f('mn', i)}) AS {f('ai', i)}"]
    key_list = ", ".join(q(k) for k in keys)
    select = f"{key_list + ', ' if keys else ''}{', '.join(aggs)}"
    sql = f"cells AS (SELECT {select} FROM src{_group_by(keys)})"
    if not holders:
        return f", {sql} SELECT * FROM cells"
    join = f"JOIN cells USING ({key_list})" if keys else "CROSS JOIN cells"
    # the holders of each cell's extremes: the rows again, against the cells' extremes
    ext = (f"ext AS (SELECT {key_list + ', ' if keys else ''}{', '.join(holders)} "
           f"FROM src {join}{' GROUP BY ' + key_list if keys else ''})")
    tail = f"LEFT JOIN ext USING ({key_list})" if keys else "CROSS JOIN ext"
    return f", {sql}, {ext} SELECT * FROM cells {tail}"


def _sets_clause(sets: list[tuple[str, ...]], extra: tuple[str, ...] = ()) -> str:
    groups = ", ".join("(" + ", ".join(q(k) for k in (*s, *extra)) + ")" for s in sets)
    return f" GROUP BY GROUPING SETS ({groups})"


def _gid(request: Request, sets: list[tuple[str, ...]] | None = None) -> str:
    """``gid_of`` of each row's set. GROUPING() takes only the columns some set groups by: a
    key left out of every set (a table with margins of the rows only) is a constant bit."""
    grouped = {k for s in sets for k in s} if sets is not None else set(request.keys)
    n = len(request.keys)
    if not grouped:
        # GROUPING() needs a grouped column: the grand total alone is a constant
        return f"{gid_of(request, ())} AS {_GID}"
    bits = [f"GROUPING({q(k)}) * {1 << (n - 1 - j)}" if k in grouped else str(1 << (n - 1 - j))
            for j, k in enumerate(request.keys)]
    return f"({' + '.join(bits)}) AS {_GID}"


def gid_of(request: Request, keys: tuple[str, ...]) -> int:
    """The GROUPING() bitmask of a set: a bit per key left out, the first key highest."""
    n = len(request.keys)
    return sum(1 << (n - 1 - j) for j, k in enumerate(request.keys) if k not in keys)


def _keys_select(request: Request, sets: list[tuple[str, ...]] | None = None) -> str:
    """The key columns; NULL for a key no set groups by (it cannot be selected)."""
    grouped = {k for s in sets for k in s} if sets is not None else set(request.keys)
    return "".join(f", {q(k)}" if k in grouped else f", NULL AS {q(k)}" for k in request.keys)


def _display_sql(request: Request) -> str | None:
    sets = [s for s in request.coarser if request.direct_stats(s)]
    if not sets or not request.values:
        return None
    stats = request.direct_stats(sets[0])
    n = len(request.values)
    fns = {"count": "count({x})", "size": "count(*)", "sum": "sum({x})", "mean": "avg({x})",
           "median": "median({x})", "std": "stddev_samp({x})", "var": "var_samp({x})",
           "min": "min({x})", "max": "max({x})"}
    aggs = [f"{fns[s].format(x=_x(i))} AS {f(f'd{s}', i)}" for i in range(n) for s in stats]
    where = ""
    if request.complete:
        where = " WHERE " + " AND ".join(f"{_x(i)} IS NOT NULL" for i in range(n))
    group = _sets_clause(sets) if any(sets) else ""
    return (f"SELECT {_gid(request, sets)}{_keys_select(request, sets)}, {', '.join(aggs)} "
            f"FROM src{where}{group}")


def _units_cte(request: Request) -> str:
    """Each unit's rows, values present and summed contributions within every group."""
    aggs = [f"count(*) AS {ROWS}"]
    for i in range(len(request.values)):
        aggs += [f"count({_x(i)}) AS {f('c', i)}", f"sum({_x(i)}) AS {f('s', i)}"]
    unit = q(request.unit)
    return (f", units AS (SELECT {_gid(request)}{_keys_select(request)}, {unit}, "
            f"{', '.join(aggs)} FROM src"
            f"{_sets_clause(list(request.grouping_sets), (request.unit,))})")


def _unit_sql(request: Request) -> str | None:
    if not request.unit:
        return None
    part = f"PARTITION BY {_GID}{_keys_select(request)}"
    windows = []
    # a missing unit id makes a unit of its own: counted here, refused by the caller
    aggs = [f"count(*) AS {f('uc', 'r')}",
            f"count_if({q(request.unit)} IS NULL) AS __null_units"]
    for i in range(len(request.values)):
        c, s = f("c", i), f("s", i)
        has = f"{c} > 0"
        aggs += [f"count_if({has}) AS {f('uc', i)}", f"count_if({has} AND {s} < 0) AS {f('n', i)}",
                 f"sum({s}) FILTER (WHERE {has}) AS {s}",
                 f"max({s}, {request.k}) FILTER (WHERE {has}) AS {f('t', i)}"]
        if request.extremes:
            windows += [f"max(CASE WHEN {has} THEN {s} END) OVER ({part}) AS __umx{i}",
                        f"min(CASE WHEN {has} THEN {s} END) OVER ({part}) AS __umn{i}"]
            aggs += [f"count_if({has} AND {s} = __umx{i}) AS {f('am', i)}",
                     f"count_if({has} AND {s} = __umn{i}) AS {f('ai', i)}"]
    rows = "units"
    extra = ""
    if windows:
        extra = f", ranked AS (SELECT *, {', '.join(windows)} FROM units)"
        rows = "ranked"
    return (f"{_units_cte(request)}{extra} SELECT {_GID}{_keys_select(request)}, "
            f"{', '.join(aggs)} FROM {rows} GROUP BY {_GID}{_keys_select(request)}")


def _mode_sql(request: Request, i: int) -> str:
    """How many contributions share the most frequent value, per group of every set."""
    keys = _keys_select(request)
    if request.unit:
        s = f("s", i)
        tallies = (f"{_units_cte(request)}, tallies AS (SELECT {_GID}{keys}, count(*) AS __n "
                   f"FROM units WHERE {f('c', i)} > 0 GROUP BY {_GID}{keys}, {s})")
    else:
        tallies = (f", tallies AS (SELECT {_gid(request)}{keys}, count(*) AS __n FROM src "
                   f"WHERE {_x(i)} IS NOT NULL"
                   f"{_sets_clause(list(request.grouping_sets), (f'__x{i}',))})")
    return (f"{tallies} SELECT {_GID}{keys}, max(__n) AS {f('mc', i)} FROM tallies "
            f"GROUP BY {_GID}{keys}")


def _split(table: Any, request: Request,
           sets: list[tuple[str, ...]]) -> dict[tuple[str, ...], Any]:
    """One table per grouping set the query computed, from a GROUPING SETS result."""
    import pyarrow.compute as pc

    fields = [c for c in table.column_names
              if c not in (_GID, "__null_units") and c not in request.keys]
    out = {}
    for keys in sets:
        part = table.filter(pc.equal(table.column(_GID), gid_of(request, keys)))
        out[keys] = part.select([*keys, *fields])  # empty too: the field must be there
    return out


def version() -> str:
    return duckdb.__version__
