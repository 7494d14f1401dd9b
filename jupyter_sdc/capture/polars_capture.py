"""Polars in a checked cell: ``group_by(...).agg(...)`` / ``.len()``, ``value_counts``, ``pivot``.

Each aggregate is noted with a ``Traced`` (``engine_roots``): its frame, keys and the
aggregate behind each output column, read from the expressions themselves (their serialised
form, not their text). Views that keep the aggregate's columns (``collect``, ``sort``,
``filter``, ``head``, ``to_pandas``) carry the note. Anything else stays untraced, so a Polars
frame shown without a note is ``review``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from jupyter_sdc.capture.engine_roots import Aggregate, Traced, node

#: Polars aggregation (serialised name) -> our statistic
_AGGS = {"Mean": "mean", "Sum": "sum", "Min": "min", "Max": "max", "Median": "median",
         "Count": "count"}
_GROUP_METHODS = {"mean": "mean", "sum": "sum", "min": "min", "max": "max", "median": "median"}
#: pivot's aggregate_function names that are one of our statistics
_PIVOT_AGGS = {"mean": "mean", "sum": "sum", "min": "min", "max": "max", "median": "median",
               "len": "size", "count": "count"}
#: methods whose result shows the same aggregate's columns (rows picked or reordered)
VIEWS = ("sort", "filter", "head", "tail", "limit", "collect", "to_pandas")


def aggregate_of(expr: Any) -> tuple[str, Aggregate] | str:
    """(output name, aggregate) of one ``agg`` expression, or why it cannot be traced."""
    import polars as pl

    if isinstance(expr, str) or not isinstance(expr, pl.Expr):
        return f"agg({expr!r}) lists each group's values (record-level data)"
    tree = json.loads(expr.meta.serialize(format="json"))
    name = expr.meta.output_name(raise_if_undetermined=False)
    if isinstance(tree, dict) and "Alias" in tree:
        tree = tree["Alias"][0]
    function = tree.get("Function", {}) if isinstance(tree, dict) else {}
    if set(function.get("function") or {}) == {"Round"} and len(function["input"]) == 1:
        tree = function["input"][0]  # rounding a statistic keeps its cells' records
    if tree == "Len":
        return name or "len", Aggregate(None, "size")
    agg = tree.get("Agg") if isinstance(tree, dict) else None
    if not isinstance(agg, dict) or len(agg) != 1:
        return f"{expr} is not one aggregate of one column"
    (kind, body), = agg.items()
    if kind in ("Std", "Var"):
        column, ddof = body
        if ddof != 1:
            return f"{expr} uses ddof={ddof}; the rules' evidence is for ddof=1"
        stat, body = kind.lower(), column
    elif kind in _AGGS:
        stat = _AGGS[kind]
        if kind == "Count" and body.get("include_nulls"):
            stat = "size"
        body = body.get("input", body) if kind in ("Min", "Max", "Count") else body
    else:
        return f"{expr}: {kind.lower()} is not an aggregate jupyter_sdc can trace"
    if not (isinstance(body, dict) and set(body) == {"Column"}) or name is None:
        return f"{expr} aggregates an expression, not a column"
    return name, Aggregate(None if stat == "size" else body["Column"], stat)


def _keys(by: tuple, named: dict) -> list[str] | str:
    import polars as pl

    keys: list[str] = []
    for item in by:
        items = item if isinstance(item, list | tuple) else [item]
        for key in items:
            if isinstance(key, str):
                keys.append(key)
            elif isinstance(key, pl.Expr) and key.meta.is_column():
                keys.append(key.meta.output_name())
            else:
                return f"group_by({key!r}) groups by an expression, not a column"
    if named:
        return "group_by with named keys (new_name=...) is not traced"
    return keys


def _note(cap: Any, result: Any, traced: Traced) -> None:
    cap.note(result, node(traced, result))


def _traced_of(cap: Any, obj: Any) -> Traced | None:
    found = cap.node_of(obj)
    return found.params.get("traced") if found is not None and found.kind == "engine" else None


# -- what each patched call notes -----------------------------------------------------------
def _note_group_by(cap: Any, frame: Any, args: tuple, kwargs: dict, gb: Any) -> None:
    named = {k: v for k, v in kwargs.items() if k != "maintain_order"}
    keys = _keys(args, named)
    reasons = [keys] if isinstance(keys, str) else []
    cap.groupers[id(gb)] = (gb, Traced("polars", frame, [] if reasons else list(keys),
                                       reasons=reasons))


def _grouped(method: str) -> Callable:
    def after(cap: Any, gb: Any, args: tuple, kwargs: dict, result: Any) -> None:
        entry = cap.groupers.get(id(gb))
        if entry is None or entry[0] is not gb or not isinstance(entry[1], Traced):
            return
        base: Traced = entry[1]
        columns: dict[str, Aggregate] = {}
        reasons = list(base.reasons)
        if method == "agg":
            exprs = [*(a for arg in args for a in (arg if isinstance(arg, list) else [arg])),
                     *(e.alias(k) for k, e in kwargs.items())]
            for expr in exprs:
                found = aggregate_of(expr)
                if isinstance(found, str):
                    reasons.append(found)
                else:
                    columns[found[0]] = found[1]
        elif method == "len":
            columns[kwargs.get("name") or (args[0] if args else None) or "len"] = \
                Aggregate(None, "size")
        else:
            from jupyter_sdc.engines.pivot import columns_of

            columns = {c: Aggregate(c, _GROUP_METHODS[method])
                       for c in columns_of(base.frame) if c not in base.keys}
        _note(cap, result, replace(base, columns=columns, reasons=reasons,
                                   call=f"group_by.{method}"))

    return after


def _note_value_counts(cap: Any, series: Any, args: tuple, kwargs: dict, result: Any) -> None:
    reasons = ["value_counts(normalize=True) shows shares; show the counts"] \
        if kwargs.get("normalize") else []
    name = series.name or ""
    count = kwargs.get("name") or ("proportion" if kwargs.get("normalize") else "count")
    _note(cap, result, Traced("polars", series.to_frame(name), [name],
                              {count: Aggregate(None, "size")}, reasons, call="value_counts"))


def _note_pivot(cap: Any, frame: Any, args: tuple, kwargs: dict, result: Any) -> None:
    on = args[0] if args else kwargs.get("on")
    index, values = kwargs.get("index"), kwargs.get("values")
    function = kwargs.get("aggregate_function")
    reasons = []
    if not isinstance(on, str):
        reasons.append("pivot on several columns or a selector is not traced")
    if index is None:
        reasons.append("pivot without index= is not traced")
    if isinstance(values, list | tuple):
        if len(values) != 1:
            reasons.append("pivot of several values is not traced; pivot one at a time")
        values = values[0] if values else None
    if not isinstance(function, str) or function not in _PIVOT_AGGS:
        reasons.append(f"pivot with aggregate_function={function!r} shows the records' own "
                       f"values or an aggregate jupyter_sdc cannot trace; use one of "
                       f"{sorted(_PIVOT_AGGS)}")
    stat = _PIVOT_AGGS.get(function) if isinstance(function, str) else None
    keys = [index] if isinstance(index, str) else list(index or [])
    _note(cap, result, Traced(
        "polars", frame, keys, reasons=reasons, on=on if isinstance(on, str) else None,
        on_stat=Aggregate(None if stat == "size" else values, stat or "size"), call="pivot"))


def _note_view(cap: Any, obj: Any, args: tuple, kwargs: dict, result: Any) -> None:
    traced = _traced_of(cap, obj)
    if traced is not None and result is not None:
        cap.note(result, node(traced, result, parent=cap.node_of(obj)))


def patches(guarded: Callable) -> Iterator[tuple[Any, str, Callable[[Callable], Any]]]:
    """(owner, name, wrapper maker) for each Polars method the capture notes."""
    import polars as pl
    from polars.dataframe.group_by import GroupBy
    from polars.lazyframe.group_by import LazyGroupBy

    for frame in (pl.DataFrame, pl.LazyFrame):
        yield frame, "group_by", lambda o: guarded(o, _note_group_by)
        for name in VIEWS:
            if name in frame.__dict__:
                yield frame, name, lambda o: guarded(o, _note_view)
    for gb in (GroupBy, LazyGroupBy):
        for method in ("agg", "len", *_GROUP_METHODS):
            if method in gb.__dict__:
                yield gb, method, lambda o, m=method: guarded(o, _grouped(m))
    yield pl.Series, "value_counts", lambda o: guarded(o, _note_value_counts)
    yield pl.DataFrame, "pivot", lambda o: guarded(o, _note_pivot)
