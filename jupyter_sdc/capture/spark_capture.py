"""PySpark in a checked cell: ``groupBy(...).agg(...)`` / ``.count()`` / ``.mean()`` … shown with
``.show()``, ``.toPandas()`` or ``display()``.

What an aggregate computes is read from Spark's own analysed plan of the result (an
``Aggregate``: its grouping keys and aggregate expressions, as Spark writes them in SQL),
parsed with sqlglot, never from the Python call's text; its rows are those of the frame
``groupBy`` was called on, where the evidence is computed by Spark. A pivot, a window, an
expression, ``countDistinct`` or a Spark Connect frame (whose plan is not readable here) is
noted as untraceable: ``review`` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jupyter_sdc.capture.engine_roots import Aggregate, Traced, node

_GROUPED = ("agg", "count", "mean", "avg", "sum", "min", "max")


def _sequence(seq: Any) -> list[Any]:
    return [seq.apply(i) for i in range(seq.length())]


def traced_result(source: Any, result: Any, call: str) -> Traced:
    """The ``Traced`` of ``result``, an aggregate of ``source`` (Spark DataFrames)."""
    def untraced(why: str) -> Traced:
        return Traced("spark", source, [], reasons=[why], call=call)

    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:
        return untraced("reading a Spark aggregate needs sqlglot: pip install "
                        "jupyter_sdc[spark]")
    from jupyter_sdc.capture.duckdb_capture import sql_aggregate

    try:
        plan = result._jdf.queryExecution().analyzed()
        kind = plan.nodeName()
        grouping = [e.sql() for e in _sequence(plan.groupingExpressions())] \
            if kind == "Aggregate" else []
        items = [e.sql() for e in _sequence(plan.aggregateExpressions())] \
            if kind == "Aggregate" else []
    except Exception:  # noqa: BLE001 - Spark Connect, or a plan of another shape
        return untraced("Spark's plan of this aggregate cannot be read here (Spark Connect?)")
    if kind != "Aggregate" or source is None:
        return untraced(f"the result is a {kind}, not one groupBy aggregate (a pivot or a "
                        "reshaped result is not traced)")
    keys: list[str] = []
    for text in grouping:
        key = sqlglot.parse_one(text, read="spark")
        if not isinstance(key, exp.Column):
            return untraced(f"groupBy({text}) groups by an expression, not a column")
        keys.append(key.name)
    columns: dict[str, Aggregate] = {}
    renames: dict[str, str] = {}
    reasons: list[str] = []
    for i, text in enumerate(items):
        item = sqlglot.parse_one(text, read="spark")
        inner = item.this if isinstance(item, exp.Alias) else item
        if isinstance(inner, exp.Column) and inner.name in keys:
            renames[f"#{i}"] = inner.name
            continue
        found = sql_aggregate(inner, "spark")
        if isinstance(found, str):
            reasons.append(found)
        else:
            columns[f"#{i}"] = found
    return Traced("spark", source, keys, columns, reasons, call=call, renames=renames)


def _grouped(method: str) -> Callable:
    def after(cap: Any, grouped: Any, args: tuple, kwargs: dict, result: Any) -> None:
        traced = traced_result(getattr(grouped, "_df", None), result, f"groupBy.{method}")
        cap.note(result, node(traced, result))

    return after


def _note_shown(cap: Any, frame: Any, args: tuple, kwargs: dict, result: Any) -> None:
    """``df.show()`` prints the frame: it is shown (an untraced one is review)."""
    cap.note_shown(frame)


def _note_pandas(cap: Any, frame: Any, args: tuple, kwargs: dict, result: Any) -> None:
    found = cap.node_of(frame)
    if found is not None and found.kind == "engine":
        cap.note(result, node(found.params["traced"], result, parent=found))


def patches(guarded: Callable) -> Iterator[tuple[Any, str, Callable[[Callable], Any]]]:
    """(owner, name, wrapper maker) for each PySpark method the capture notes."""
    import sys

    # only the modules the cell's Spark already loaded (Spark Connect's need grpc)
    for module in ("pyspark.sql.group", "pyspark.sql.connect.group"):
        grouped = getattr(sys.modules.get(module), "GroupedData", None)
        if grouped is None:
            continue
        for method in _GROUPED:
            if method in grouped.__dict__:
                yield grouped, method, lambda o, m=method: guarded(o, _grouped(m))
    for module in ("pyspark.sql.classic.dataframe", "pyspark.sql.connect.dataframe"):
        frame = getattr(sys.modules.get(module), "DataFrame", None)
        if frame is None:
            continue
        if "show" in frame.__dict__:
            yield frame, "show", lambda o: guarded(o, _note_shown)
        if "toPandas" in frame.__dict__:
            yield frame, "toPandas", lambda o: guarded(o, _note_pandas)
