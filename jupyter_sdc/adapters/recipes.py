"""How to make a checked output again on changed variables: its recipe, for remedies.

Each adapter that makes a record leaves ``output.recipe``: the variables behind it and a
``rebuild`` that runs the same adapter, with the same rules, on recoded keys, changed values or
other options (the dict's keys are described in ``jupyter_sdc.remedies.recipe``). Nothing of it
is saved: it lives in the kernel with the output. Each ``for_*`` takes the adapter's own check
function (``crosstab``, ``check_hist``, …) first, so this module imports no adapter.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.rules import RuleValues


def _as_arg(series: list[pd.Series], was_list: bool) -> Any:
    return series if (was_list or len(series) != 1) else series[0]


def for_crosstab(crosstab: Callable[..., Any], row_keys: list[pd.Series],
                 col_keys: list[pd.Series], lists: tuple[bool, bool], value: pd.Series | None,
                 params: dict[str, Any], rules: RuleValues, uid: str) -> dict[str, Any]:
    roles = ["index"] * len(row_keys) + ["columns"] * len(col_keys)
    keys = [(str(k.name), k, role) for k, role in zip(row_keys + col_keys, roles, strict=True)]
    name = str(value.name) if value is not None and value.name is not None else "values"

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any, **_: Any) -> Any:
        rows = [k for k, r in zip(keys, roles, strict=True) if r == "index" and k is not None]
        cols = [k for k, r in zip(keys, roles, strict=True) if r == "columns" and k is not None]
        if not rows or not cols:
            raise ValueError("a crosstab needs a key on each side")
        kwargs = dict(params)
        if len(rows) != len(row_keys) or len(cols) != len(col_keys):
            kwargs.update(rownames=None, colnames=None)
        kwargs["structural_zeros"] = None
        _result, output = crosstab(_as_arg(rows, lists[0]), _as_arg(cols, lists[1]),
                                   values.get(name) if value is not None else None,
                                   rules=rules, uid=uid, suppress=suppress,
                                   round_base=round_base, **kwargs)
        return output

    return {"call": "crosstab", "keys": keys, "values": {name: value} if value is not None
            else {}, "rebuild": rebuild, "calls": ("crosstab",)}


def _frame_keys(data: pd.DataFrame, given: Any, role: str) -> list[tuple[str, pd.Series, str]]:
    """Keys named as columns of ``data`` (or given as series), as ``(name, series, role)``."""
    items = given if isinstance(given, list | tuple) else ([] if given is None else [given])
    found = []
    for item in items:
        if isinstance(item, str | int) and not isinstance(item, bool) and item in data.columns:
            found.append((str(item), data[item], role))
        elif isinstance(item, pd.Series):
            found.append((str(item.name), item, role))
    return found


def _columns(data: pd.DataFrame, given: Any) -> list[bool]:
    items = given if isinstance(given, list | tuple) else ([] if given is None else [given])
    named = [isinstance(i, str | int) and not isinstance(i, bool) and i in data.columns
             for i in items]
    return [column for column, i in zip(named, items, strict=True)
            if column or isinstance(i, pd.Series)]


def _with_keys(data: pd.DataFrame, original: list, columns: list[bool], keys: list
               ) -> tuple[pd.DataFrame, list]:
    """``data`` with recoded key columns, and the keys (names or series) left after drops."""
    changed, kept = {}, []
    for (name, series, _role), column, new in zip(original, columns, keys, strict=True):
        if new is None:
            continue
        if column:
            if new is not series:
                changed[name] = new
            kept.append(name)
        else:
            kept.append(new)
    return (data.assign(**changed) if changed else data), kept


def for_pivot(pivot_table: Callable[..., Any], data: pd.DataFrame, values: Any, index: Any,
              columns: Any, params: dict[str, Any], rules: RuleValues, uid: str) -> dict[str, Any]:
    keys = _frame_keys(data, index, "index") + _frame_keys(data, columns, "columns")
    flags = _columns(data, index) + _columns(data, columns)
    names = values if isinstance(values, list | tuple) else ([values] if values else [])
    held = {str(n): data[n] for n in names if n in data.columns}
    n_index = len(_frame_keys(data, index, "index"))

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any, **_: Any) -> Any:
        frame, kept = _with_keys(data, original, flags, keys)
        frame = frame.assign(**{n: v for n, v in values.items() if v is not held.get(n)})
        alive = [k for k in keys[:n_index] if k is not None]
        rows = kept[:len(alive)]
        cols = kept[len(alive):]
        _result, output = pivot_table(
            frame, values=values_arg, index=rows or None, columns=cols or None, rules=rules,
            uid=uid, suppress=suppress, round_base=round_base, **params)
        return output

    original, values_arg = keys, values
    return {"call": "pivot_table", "keys": keys, "values": held, "frame": data,
            "rebuild": rebuild, "calls": ("pivot_table",)}


def for_grouped(check_grouped: Callable[..., Any], frequency: frozenset | set,
                data: pd.DataFrame, keys: list, values: Any, statistic: Any,
                params: dict[str, Any], rules: RuleValues, uid: str) -> dict[str, Any]:
    """A ``groupby`` aggregate (``check_grouped``): pandas computes it again on the new data."""
    flags = [isinstance(k, str) and k in data.columns for k in keys]
    named = [(str(k), data[k], "by") if column else (str(getattr(k, "name", "key")), k, "by")
             for k, column in zip(keys, flags, strict=True)]
    names = [values] if isinstance(values, str) else list(values or [])
    held = {str(n): data[n] for n in names if n in data.columns}

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any, **_: Any) -> Any:
        frame, kept = _with_keys(data, named, flags, keys)
        frame = frame.assign(**{n: v for n, v in values.items() if v is not held.get(n)})
        if not kept:
            raise ValueError("no key left")
        grouped = frame.groupby(kept, observed=True, sort=True)
        if isinstance(statistic, str) and statistic in frequency and not names:
            result = grouped.size()
        elif isinstance(statistic, str) and statistic in frequency:
            result = grouped[names].count()
        else:
            result = grouped[names if len(names) != 1 else names[0]].agg(statistic)
        return check_grouped(frame, kept, values_arg, statistic, result, rules=rules, uid=uid,
                             suppress=suppress, round_base=round_base, **params)

    values_arg = values
    return {"call": "groupby", "keys": named, "values": held, "frame": data,
            "rebuild": rebuild, "calls": ("groupby",)}


def for_summary(check_summary: Callable[..., Any], data: pd.DataFrame | pd.Series,
                statistic: str, q: Any, unit: Any, units: pd.Series | None, rules: RuleValues,
                uid: str) -> dict[str, Any]:
    """A column statistic or ``describe`` (``check_summary``), computed again on new values."""
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    held = {str(c): frame[c] for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any,
                statistic: str = statistic, q: Any = q, **_: Any) -> Any:
        new = frame.assign(**{n: v for n, v in values.items() if v is not held.get(n)})
        shown = new.iloc[:, 0] if isinstance(data, pd.Series) else new
        if statistic == "describe":
            result = shown.describe()
        elif statistic == "quantile":
            result = shown.quantile(q)
        else:
            result = getattr(shown, statistic)()
        return check_summary(shown, statistic, result, rules=rules, uid=uid, unit=unit, q=q)

    return {"call": "describe" if statistic == "describe" else "stat", "keys": [],
            "values": held, "frame": frame, "rebuild": rebuild,
            "options": {"statistic": statistic, "q": q, "units": units,
                        "series": isinstance(data, pd.Series)},
            "calls": (statistic, "stat") if statistic != "describe" else ("describe",)}


def for_hist(check_hist: Callable[..., Any], values: pd.Series, edges: np.ndarray, unit: Any,
             rules: RuleValues, uid: str) -> dict[str, Any]:
    name = str(values.name) if values.name is not None else "values"

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any,
                edges: Any = edges, **_: Any) -> Any:
        return check_hist(values[name], np.asarray(edges, dtype=float), rules=rules, uid=uid,
                          unit=unit)

    return {"call": "hist", "keys": [], "values": {name: values}, "rebuild": rebuild,
            "options": {"edges": np.asarray(edges, dtype=float)}, "calls": ("hist",)}


_CATEGORICAL = re.compile(r"C\(\s*([A-Za-z_]\w*)")


def for_model(check_model: Callable[..., Any], results: Any, rules: RuleValues,
              uid: str) -> dict[str, Any] | None:
    """A fitted formula model: refit with recoded categorical regressors."""
    model = results.model
    formula = getattr(model, "formula", None)
    frame = getattr(getattr(model, "data", None), "frame", None)
    if not isinstance(formula, str) or not isinstance(frame, pd.DataFrame):
        return None
    rhs = formula.split("~", 1)[-1]
    named = set(_CATEGORICAL.findall(rhs))
    named |= {c for c in frame.columns if isinstance(c, str) and re.search(
        rf"\b{re.escape(c)}\b", rhs) and not pd.api.types.is_numeric_dtype(frame[c])}
    keys = [(c, frame[c], "by") for c in frame.columns if c in named]
    if not keys:
        return None
    binary = type(model).__name__ in ("Logit", "Probit")

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any, **_: Any) -> Any:
        changed = {name: new for (name, old, _r), new in zip(original, keys, strict=True)
                   if new is not None and new is not old}
        data = frame.assign(**changed)
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        env = dict(shell.user_ns if shell is not None else
                   getattr(sys.modules.get("__main__"), "__dict__", {}))
        refit = type(model).from_formula(formula, data, eval_env=env)
        kwargs = {"disp": 0} if binary else {}
        if getattr(results, "cov_type", "nonrobust") != "nonrobust":
            kwargs["cov_type"] = results.cov_type
        return check_model(refit.fit(**kwargs), rules=rules, uid=uid, data=data,
                           formula=formula)

    original = keys
    return {"call": "model", "keys": keys, "values": {}, "frame": frame, "rebuild": rebuild,
            "options": {"formula": formula},
            "calls": ("ols", "olsr", "logit", "logitr", "probit", "probitr", "glm", "wls")}


def for_points(check_hist2d: Callable[..., Any], x: pd.Series, y: pd.Series, rules: RuleValues,
               uid: str) -> dict[str, Any]:
    """A scatter plot: the same two variables drawn as a 2-D histogram on given edges."""
    xn = str(x.name) if x.name is not None else "x"
    yn = str(y.name) if y.name is not None and str(y.name) != xn else "y"

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any,
                xedges: Any = None, yedges: Any = None, **_: Any) -> Any:
        return check_hist2d(values[xn].rename(xn), values[yn].rename(yn), xedges, yedges,
                            rules=rules, uid=uid)

    return {"call": "points", "keys": [], "values": {xn: x, yn: y}, "rebuild": rebuild,
            "options": {"x": xn, "y": yn}, "calls": ("scatter",)}


def for_box(check_box: Callable[..., Any], values: pd.Series, rules: RuleValues,
            uid: str) -> dict[str, Any]:
    """A box plot of one variable: drawn again with other whiskers, without outlier points."""
    name = str(values.name) if values.name is not None else "values"

    def rebuild(keys: list, values: dict, suppress: bool, round_base: Any,
                whis: Any = 1.5, showfliers: bool = True, **_: Any) -> Any:
        return check_box([(name, values[name], None)], whis=whis, showfliers=showfliers,
                         rules=rules, uid=uid)

    return {"call": "box", "keys": [], "values": {name: values}, "rebuild": rebuild,
            "options": {}, "calls": ("boxplot",)}
