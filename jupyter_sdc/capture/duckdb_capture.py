"""DuckDB in a checked cell: a ``GROUP BY`` query whose result is shown or fetched.

The query is parsed with sqlglot (DuckDB's dialect), never matched as text: one source (a
table, a file read by a table function, or a pandas/Polars/Arrow frame named in the query),
an optional ``WHERE``, plain columns as keys, and count/sum/mean/avg/median/min/max/stddev/
variance of plain columns. ``HAVING``, ``ORDER BY`` and ``LIMIT`` only pick the groups shown,
and the evidence is computed for exactly those. The source is bound while the query is made
(DuckDB resolves a frame's name from the caller), with the ``WHERE`` applied, and the evidence
is computed by DuckDB on it. Joins, subqueries, CTEs, windows, ``DISTINCT`` and anything else
are noted as untraceable: the result is ``review`` with the reason.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from jupyter_sdc.capture.capturing import dressed
from jupyter_sdc.capture.engine_roots import Aggregate, Traced, node

#: fetching a relation's rows: the result shows the same aggregate
FETCHES = ("df", "fetchdf", "to_df", "pl", "fetchall", "arrow")
_FUNCTIONS = {"mean": "mean", "avg": "mean"}


def traced_query(sql: str, frame_of: Callable[[str, str | None], Any]) -> Traced:
    """The ``Traced`` of a query; ``frame_of(from_sql, where_sql)`` binds its source."""
    def untraced(why: str) -> Traced:
        return Traced("duckdb", None, [], reasons=[why], call="sql")

    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:
        return untraced("reading a DuckDB query needs sqlglot: pip install jupyter_sdc[duckdb]")

    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as err:
        return untraced(f"the query could not be parsed ({err})")
    if not isinstance(tree, exp.Select):
        return untraced(f"a {type(tree).__name__.lower()} query is not one SELECT … GROUP BY")
    for part, why in (("joins", "a join"), ("with", "a common table expression (WITH)"),
                      ("distinct", "SELECT DISTINCT"), ("qualify", "QUALIFY"),
                      ("laterals", "a lateral join")):
        if tree.args.get(part) or tree.args.get(part + "_"):  # sqlglot renames some
            return untraced(f"the query has {why}, which is not traced")
    if tree.find(exp.Window):
        return untraced("the query has a window function (OVER), which is not traced")
    group = tree.args.get("group")
    if group is None or not group.expressions:
        return untraced("the query has no GROUP BY")
    keys = [k.name for k in group.expressions if isinstance(k, exp.Column)]
    if len(keys) != len(group.expressions):
        return untraced("GROUP BY an expression, a position or ALL is not traced; group by "
                        "columns by name")
    source = tree.args.get("from_") or tree.args.get("from")
    if source is None or not isinstance(source.this, exp.Table) or source.this.find(
            exp.Subquery, exp.Select):
        return untraced("the query does not read one table, file or frame")
    columns, names, reasons = _select_items(tree, keys)
    where = tree.args.get("where")
    frame = frame_of(source.this.sql(dialect="duckdb"),
                     where.this.sql(dialect="duckdb") if where is not None else None)
    if frame is None:
        reasons.append("its source could not be bound again (a name of another cell's frame?)")
    return Traced("duckdb", frame, keys, columns, reasons, call="sql",
                  renames={v: k for k, v in names.items()})


def _select_items(tree: Any, keys: list[str]) -> tuple[dict, dict, list[str]]:
    """Aggregates by position ("#i", renamed to the result's names when it is fetched), key
    columns' shown names, and why items cannot be traced."""
    from sqlglot import exp

    columns: dict[str, Aggregate] = {}
    names: dict[str, str] = {}  # key -> position label
    reasons: list[str] = []
    for i, item in enumerate(tree.expressions):
        inner = item.this if isinstance(item, exp.Alias) else item
        label = f"#{i}"
        if isinstance(inner, exp.Column) and inner.name in keys:
            names[inner.name] = label
            continue
        found = sql_aggregate(inner)
        if isinstance(found, str):
            reasons.append(found)
        else:
            columns[label] = found
    return columns, names, reasons


def sql_aggregate(expr: Any, dialect: str = "duckdb") -> Aggregate | str:
    """The aggregate a parsed SQL expression (sqlglot) computes, or why it is not traced."""
    from sqlglot import exp

    kinds = {exp.Sum: "sum", exp.Avg: "mean", exp.Min: "min", exp.Max: "max",
             exp.Median: "median", exp.Stddev: "std", exp.StddevSamp: "std",
             exp.Variance: "var", exp.Count: "count"}
    stat = next((s for k, s in kinds.items() if type(expr) is k), None)
    args = [expr.this] if stat is not None else []
    if stat is None and isinstance(expr, exp.Anonymous) and expr.name.lower() in _FUNCTIONS:
        stat, args = _FUNCTIONS[expr.name.lower()], list(expr.expressions)
    if stat is None:
        return f"{expr.sql(dialect=dialect)} is not an aggregate jupyter_sdc can trace"
    if stat == "count" and (isinstance(expr.this, exp.Star) or (
            isinstance(expr.this, exp.Literal) and expr.this.is_number)):
        return Aggregate(None, "size")  # count(*), count(1)
    if len(args) != 1 or not isinstance(args[0], exp.Column):
        return f"{expr.sql(dialect=dialect)} aggregates an expression, not a column"
    return Aggregate(args[0].name, stat)


def binder(con: Any, run: Callable[[str], Any],
           user: Any) -> Callable[[str, str | None], Any]:
    """Binds a query's source (with its WHERE) again: a frame the cell (``user``, its frame)
    names, else by SQL on the same connection."""
    scope = {**user.f_globals, **user.f_locals} if user is not None else {}

    def frame_of(source: str, where: str | None) -> Any:
        condition = f" WHERE {where}" if where else ""
        named = scope.get(source.strip('"'))
        if named is not None and not isinstance(named, str | int | float):
            relation = _relation_of(con, named)
            if relation is None:
                return None
            return relation.query("__sdc_source", f"SELECT * FROM __sdc_source{condition}")
        try:
            return run(f"SELECT * FROM {source}{condition}")
        except Exception:  # noqa: BLE001 - an unbound source makes the output review
            return None

    return frame_of


def _relation_of(con: Any, obj: Any) -> Any:
    import duckdb

    if isinstance(obj, duckdb.DuckDBPyRelation):
        return obj
    if isinstance(obj, pd.DataFrame):
        return con.from_df(obj)
    if hasattr(obj, "to_arrow"):  # a Polars DataFrame
        obj = obj.to_arrow()
    return con.from_arrow(obj) if hasattr(obj, "schema") else None


# -- patches ---------------------------------------------------------------------------------
def _query_call(original: Callable, module: bool) -> Any:
    """``con.sql(q)`` / ``duckdb.sql(q)`` (and ``query``, ``execute``), noted.

    DuckDB finds the frames a query names (``FROM df``) among its caller's variables, so
    the call runs in a frame with the cell's own variables (``eval`` with the caller's
    globals and locals), exactly as if the cell had called DuckDB itself.
    """

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
        from jupyter_sdc.capture.capturing import active

        caller = sys._getframe(1)
        scope = {**caller.f_locals, "__sdc_call": original, "__sdc_args": args,
                 "__sdc_kwargs": kwargs}
        cap = active()
        if cap is None or cap.depth:
            return eval("__sdc_call(*__sdc_args, **__sdc_kwargs)", caller.f_globals, scope)
        cap.depth += 1
        try:
            result = eval("__sdc_call(*__sdc_args, **__sdc_kwargs)", caller.f_globals, scope)
        finally:
            cap.depth -= 1
        try:
            _note_query(cap, module, args, kwargs, result, caller)
        except Exception as err:  # noqa: BLE001 - a note must never break the user's cell
            cap.errors.append(f"duckdb {getattr(original, '__name__', 'sql')}: {err}")
        return result

    return dressed(wrapper, original, "sql")


def _note_query(cap: Any, module: bool, args: tuple, kwargs: dict, result: Any,
                caller: Any) -> None:
    import duckdb

    rest = args if module else args[1:]
    sql = rest[0] if rest else kwargs.get("query")
    if not isinstance(sql, str) or result is None:
        return
    con = (kwargs.get("connection") or duckdb.default_connection()) if module else args[0]
    # the source is bound on a cursor of the same database (a connection with a result
    # pending from execute() takes no other work), as a lazy relation
    cursor = con.cursor() if hasattr(con, "cursor") else con
    lazy = getattr(type(cursor).sql, "__wrapped__", type(cursor).sql)
    traced = traced_query(sql, binder(cursor, lambda q: lazy(cursor, q), caller))
    if result is con:  # con.execute(...): the rows are fetched from the connection
        cap.groupers[id(con)] = (con, traced)
    else:
        cap.note(result, node(traced, result))


def _note_fetch(name: str) -> Callable:
    def after(cap: Any, owner: Any, args: tuple, kwargs: dict, result: Any) -> None:
        found = cap.node_of(owner)
        traced = found.params.get("traced") if found is not None else None
        entry = cap.groupers.get(id(owner))
        if traced is None and entry is not None and entry[0] is owner:
            traced = entry[1]
        if traced is None or result is None:
            return
        shown = result
        if name == "fetchall":
            description = getattr(owner, "description", None)
            columns = [d[0] for d in description] if description else list(owner.columns)
            shown = pd.DataFrame(result, columns=columns)
        cap.note(result, node(traced, shown, parent=found))

    return after


def patches(guarded: Callable) -> Iterator[tuple[Any, str, Callable[[Callable], Any]]]:
    """(owner, name, wrapper maker) for each DuckDB call the capture notes."""
    import duckdb

    module = sys.modules["duckdb"]
    for name in ("sql", "query"):
        if callable(getattr(module, name, None)):
            yield module, name, lambda o: _query_call(o, module=True)
    con_type = duckdb.DuckDBPyConnection
    for name in ("sql", "query", "execute"):
        yield con_type, name, lambda o: _query_call(o, module=False)
    for name in ("df", "fetchdf", "fetchall", "pl"):
        if hasattr(con_type, name):
            yield con_type, name, lambda o, n=name: guarded(o, _note_fetch(n))
    for name in FETCHES:
        if hasattr(duckdb.DuckDBPyRelation, name):
            yield duckdb.DuckDBPyRelation, name, lambda o, n=name: guarded(o, _note_fetch(n))
