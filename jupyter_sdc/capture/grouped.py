"""Grouped results: ``groupby(...)`` statistics, ``describe``, named aggregation, ``unstack``.

Each one is handed to ``check_grouped`` (or, unstacked into a two-way table, to the crosstab
and pivot_table wrappers) so its counts and verdicts are those of the matching wrapper call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.axis import KeyCodes
from jupyter_sdc.capture.checkable import NotCheckable, tabulation, unit_for, unwrapped
from jupyter_sdc.capture.lineage import GroupSpec, Node
from jupyter_sdc.core.aggfuncs import quantile_statistic
from jupyter_sdc.core.mitigation import requested
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues


def grouped_output(node: Node, rules: RuleValues, uid: str, source: dict,
                   frames: list | None = None) -> Output:
    """The record of a captured ``groupby(...).<statistic>()`` result."""
    mit = dict(zip(("suppress", "round_base"), requested(rules), strict=True))
    from jupyter_sdc.adapters.summary import check_grouped

    spec: GroupSpec = node.params["spec"]
    method = node.params["method"]
    statistic = unwrapped(node.params["statistic"])
    kwargs = node.params["kwargs"]
    result = node.snapshot
    data, keys = _group_frame(spec)
    units = unit_for(spec.data, rules, frames or [])
    values = spec.selection
    if isinstance(values, tuple):
        values = list(values)
    if method == "value_counts":
        if kwargs.get("normalize") or (node.params["args"] and node.params["args"][0]):
            raise NotCheckable("value_counts(normalize=True) after groupby gives shares; "
                               "show the counts, or attach them")
        counted = [values] if isinstance(values, str) else list(values or [])
        if not counted:
            counted = [c for c in data.columns if c not in _names(keys)]
        keys, values, statistic = [*keys, *counted], None, "size"
    elif method == "quantile":
        q = node.params["args"][0] if node.params["args"] else kwargs.get("q", 0.5)
        if np.ndim(q) != 0:
            raise NotCheckable("groupby(...).quantile with several q is not traced; take one "
                               "quantile per call")
        statistic = quantile_statistic(q)  # at 0 or 1: the minimum or maximum
    elif method == "describe":
        return _grouped_describe(data, keys, values, result, rules, uid, source, mit, units)
    elif isinstance(statistic, dict) and any(isinstance(v, tuple) for v in statistic.values()):
        return _named_agg(data, keys, statistic, result, rules, uid, source, mit, units)
    if not spec.as_index:
        result = _indexed(result, keys)
    if isinstance(result, pd.DataFrame) and values is None and method not in (
            "size", "value_counts"):
        if isinstance(statistic, dict):
            values = list(statistic)
        else:  # the columns pandas aggregated (the first level under a list of functions)
            labels = result.columns.get_level_values(0)
            values = [c for c in dict.fromkeys(labels) if c in data.columns]
    codes = group_codes(node.params.get("grouper"), spec, keys) \
        if method not in ("value_counts",) else None
    return check_grouped(data, keys, values, statistic, result, rules=rules, uid=uid,
                         source=source, suppress=mit["suppress"],
                         round_base=mit["round_base"], unit=units, row_codes=codes)


def group_codes(grouped: Any, spec: GroupSpec, keys: list) -> KeyCodes | None:
    """The keys as the user's ``groupby`` factorised them (it did so to compute the result),
    so the check does not factorise them again: per key, codes (-1: missing) and labels, and
    the groups pandas combined them into (their ids are cached on the groupby too).

    ``None`` (factorise again) wherever that is not plainly the same grouping."""
    grouper = getattr(grouped, "_grouper", None)  # pandas' own, cached on the groupby
    groupings = getattr(grouper, "groupings", None)
    if groupings is None or spec.level is not None or len(groupings) != len(keys):
        return None
    try:
        out = [(np.asarray(g.codes), _labels(g)) for g in groupings]
    except (AttributeError, TypeError, ValueError):
        return None
    n = len(spec.data)
    if any(len(codes) != n for codes, _ in out):
        return None
    ids, groups = _combined(grouper, n)
    dropped = getattr(grouper, "has_dropped_na", None)  # pandas computed it for the result
    made = KeyCodes(out, ids, groups, None if dropped is None else not bool(dropped))
    if made.combined() is None and any(len(codes) and codes.max() >= len(uniques)
                                       for codes, uniques in out):
        return None  # the codes themselves are read: they must fit their labels
    return made


def _labels(grouping: Any) -> pd.Index:
    """The labels a grouping's codes point to (``uniques`` on pandas 3; pandas 2 keeps them
    as ``_group_index``), a missing key's own label included when dropna=False."""
    for name in ("uniques", "_group_index", "group_index"):
        labels = getattr(grouping, name, None)
        if labels is not None:
            return pd.Index(labels)
    raise AttributeError("grouping without labels")


def _combined(grouper: Any, n: int) -> tuple[np.ndarray | None, pd.Index | None]:
    """pandas' group of each record and the groups' labels, where it exposes them (pandas 3:
    ``result_index_and_ids``; the groupby's dropna left records with a missing key out)."""
    try:
        groups, ids = grouper.result_index_and_ids
    except (AttributeError, TypeError, ValueError):
        return None, None
    if not getattr(grouper, "dropna", False) or len(ids) != n:
        return None, None
    return np.asarray(ids), groups


#: describe() row labels -> the statistic each one is
_DESCRIBE = {"count": "count", "mean": "mean", "std": "std", "min": "min", "max": "max",
             "50%": "median"}


def _grouped_describe(data: pd.DataFrame, keys: list, values: Any, result: pd.DataFrame,
                      rules: RuleValues, uid: str, source: dict, mit: dict,
                      units: Any = None) -> Output:
    """``groupby(...).describe()``: each column judged by its own statistic."""
    from jupyter_sdc.adapters.summary import check_grouped

    def stat(label: Any) -> str:
        return _DESCRIBE.get(label, "quantile" if str(label).endswith("%") else "custom")

    columns = result.columns
    if isinstance(columns, pd.MultiIndex):
        named = pd.MultiIndex.from_tuples([(*c[:-1], stat(c[-1])) for c in columns])
        names = list(dict.fromkeys(c[0] for c in columns))
    else:
        named = pd.Index([stat(c) for c in columns])
        names = values if isinstance(values, str) else list(values or [])
    funcs = list(dict.fromkeys(stat(c[-1] if isinstance(c, tuple) else c) for c in columns))
    output = check_grouped(data, keys, names, funcs, result.set_axis(named, axis=1),
                           rules=rules, uid=uid, source=source, suppress=mit["suppress"],
                           round_base=mit["round_base"], unit=units)
    # Back to the labels pandas gave (25%, 50%, 75%), cell for cell.
    return _relabel_columns(output, columns)


def _named_agg(data: pd.DataFrame, keys: list, named: dict, result: pd.DataFrame,
               rules: RuleValues, uid: str, source: dict, mit: dict,
               units: Any = None) -> Output:
    """``agg(new=(column, func), ...)``: checked as ``agg({column: [func, ...]})``."""
    from jupyter_sdc.adapters.summary import check_grouped
    from jupyter_sdc.core.aggfuncs import func_name

    if not all(isinstance(v, tuple) and len(v) == 2 for v in named.values()):
        raise NotCheckable("named aggregation needs new_name=(column, function) pairs")
    pairs = [(col, unwrapped(func)) for col, func in named.values()]
    if any(col not in data.columns for col, _ in pairs):
        raise NotCheckable("named aggregation of a column that is not in the data")
    by_column: dict[Any, list] = {}
    for col, func in pairs:
        by_column.setdefault(col, []).append(func)
    labels = pd.MultiIndex.from_tuples([(col, func_name(func)) for col, func in pairs])
    output = check_grouped(data, keys, list(by_column), by_column,
                           result.set_axis(labels, axis=1), rules=rules, uid=uid,
                           source=source, suppress=mit["suppress"],
                           round_base=mit["round_base"], unit=units)
    return _relabel_columns(output, result.columns)


def _relabel_columns(output: Output, columns: pd.Index) -> Output:
    """The record with the column labels pandas gave, cell for cell."""
    output.table = output.table.set_axis(columns, axis=1)
    output.counts = output.counts.set_axis(columns, axis=1)
    output.flags = {k: v.set_axis(columns, axis=1) for k, v in output.flags.items()}
    if output.evidence is not None:
        grids = output.evidence.grids
        output.evidence.grids = {k: v.set_axis(columns, axis=1) for k, v in grids.items()}
    return output


def _names(keys: list) -> set:
    return {k if isinstance(k, str) else getattr(k, "name", None) for k in keys}


def _group_frame(spec: GroupSpec) -> tuple[pd.DataFrame, list]:
    """The microdata as a DataFrame and the keys as names or aligned Series."""
    data = spec.data
    if isinstance(data, pd.Series):
        name = data.name if data.name is not None else "value"
        data = data.to_frame(name=name)
    keys: list[Any] = []
    if spec.level is not None:
        levels = spec.level if isinstance(spec.level, list | tuple) else [spec.level]
        for level in levels:
            keys.append(pd.Series(data.index.get_level_values(level), index=data.index))
    for key in spec.keys():
        if isinstance(key, str | int) and not isinstance(key, bool) and key in data.columns:
            keys.append(key)
        elif isinstance(key, pd.Series | pd.Index | np.ndarray | list):
            series = pd.Series(np.asarray(key), index=data.index,
                               name=getattr(key, "name", None))
            keys.append(series)
        elif callable(key) or isinstance(key, dict):
            keys.append(pd.Series(data.index.map(key), index=data.index))
        elif isinstance(key, str | int) and key in data.index.names:
            keys.append(pd.Series(data.index.get_level_values(key), index=data.index, name=key))
        else:
            raise NotCheckable(f"grouping by {type(key).__name__} is not traced; group by "
                               "columns of the data frame")
    if not spec.dropna:
        raise NotCheckable("groupby(dropna=False) is not traced yet; fill the missing keys "
                           "with a label first")
    return data, keys


def _indexed(result: Any, keys: list) -> Any:
    names = [k for k in keys if isinstance(k, str)]
    if len(names) != len(keys) or not set(names) <= set(result.columns):
        raise NotCheckable("groupby(as_index=False) with keys that are not column names")
    return result.set_index(names)



_TABULAR = {"size", "count", "mean", "sum", "median", "std", "var", "min", "max"}


def unstacked_output(root: Node, step: Node, rules: RuleValues, uid: str,
                     source: dict) -> Output:
    """``groupby(keys)...stat().unstack(level)`` checked as the two-way table it is.

    The same call as ``crosstab`` (counts) or ``pivot_table`` (statistics), so rules that only
    apply to a two-way table (class disclosure, zeros of empty combinations) are judged too.
    """
    spec: GroupSpec = root.params["spec"]
    statistic = root.params["statistic"]
    keys = spec.keys()
    data = spec.data
    if (not isinstance(data, pd.DataFrame) or spec.level is not None or len(keys) < 2
            or not all(isinstance(k, str) and k in data.columns for k in keys)
            or statistic not in _TABULAR or root.params["args"] or not spec.dropna):
        raise NotCheckable("not a plain two-way table")
    _, args, kwargs = step.op
    level = args[0] if args else kwargs.get("level", -1)
    if isinstance(level, int):
        if not -len(keys) <= level < len(keys):
            raise NotCheckable("unknown level")
        column = keys[level]
    elif level in keys:
        column = level
    else:
        raise NotCheckable("unstacking several levels is laid out from the aggregate")
    rows = [k for k in keys if k != column]
    if statistic == "size":
        unit = rules.unit if isinstance(rules.unit, str) and rules.unit in data.columns else None
        node = Node("crosstab", "crosstab", {
            "args": ([data[k] for k in rows] if len(rows) > 1 else data[rows[0]], data[column]),
            "kwargs": {"unit": data[unit]} if unit else {}})
    else:
        values = spec.selection
        if not isinstance(values, str):
            raise NotCheckable("several value columns")
        node = Node("pivot_table", "pivot_table", {
            "args": (data,), "kwargs": {"values": values, "index": rows, "columns": column,
                                        "aggfunc": statistic, "observed": spec.observed}})
    node.snapshot = step.snapshot
    output = tabulation(node, rules, uid, {**source, "call": root.call})
    user = step.snapshot
    if isinstance(user, pd.DataFrame) and user.shape == output.table.shape and not (
            output.mitigation.get("suppressed") or output.mitigation.get("round_base")):
        # Show what the user saw (NaN where pandas left a combination empty).
        output.table = user.reindex(index=output.table.index, columns=output.table.columns)
    return output
