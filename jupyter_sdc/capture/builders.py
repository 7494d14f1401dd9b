"""From a captured call to an ``Output``: hand each lineage root to the matching adapter.

The magic never judges anything itself: the adapters build evidence and the core judges it,
so a captured ``groupby`` gets exactly the counts and verdicts of the matching wrapper call.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.capture import stats
from jupyter_sdc.capture.checkable import NotCheckable, tabulation, unit_for, unwrapped
from jupyter_sdc.capture.grouped import grouped_output
from jupyter_sdc.capture.lineage import Node
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.mitigation import requested
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic
from jupyter_sdc.core.status import Status

ATTACH_HINT = (
    "Attach the unweighted counts behind it with sdc.attach_counts(result, counts), or make it "
    "with a checked call (groupby, crosstab, pivot_table) in the checked cell."
)
_SUMMARY_STATS = {"mean", "sum", "median", "quantile", "min", "max", "std", "var", "count",
                  "nunique", "describe"}


#: rows of raw records kept in a record-level output's record
RECORD_ROWS = 20


# -- kinds of objects --------------------------------------------------------------------------
def is_model(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    if module.startswith("lifelines"):  # a fitted Cox model (capture.stats)
        return hasattr(obj, "params_") and hasattr(obj, "duration_col")
    return module.startswith("statsmodels") and hasattr(obj, "model") and hasattr(obj, "params")


def figure_of(obj: Any) -> Any:
    """The matplotlib Figure behind a Figure, Axes, seaborn grid or array of Axes, else None."""
    if "matplotlib" not in sys.modules:
        return None
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(obj, Figure):
        return obj
    if isinstance(obj, Axes):
        return obj.figure
    if isinstance(obj, np.ndarray) and obj.dtype == object and obj.size:
        first = obj.flat[0]
        return first.figure if isinstance(first, Axes) else None
    fig = getattr(obj, "figure", None) if type(obj).__module__.startswith("seaborn") else None
    return fig if isinstance(fig, Figure) else None


def is_figure(obj: Any) -> bool:
    return figure_of(obj) is not None and figure_of(obj) is obj


# -- roots -----------------------------------------------------------------------------------
def root_output(node: Node, rules: RuleValues, uid: str, source: dict,
                frames: list | None = None) -> Output:
    """The record of a captured call; ``frames`` are the data frames the cell can see."""
    if node.kind == "grouped":
        return grouped_output(node, rules, uid, source, frames or [])
    if node.kind == "frame_stat":
        return _frame_stat(node, rules, uid, source, frames or [])
    if node.kind in ("crosstab", "pivot_table"):
        return tabulation(node, rules, uid, source, frames or [])
    if node.kind in stats.ROOT_KINDS:
        return stats.root_output(node, rules, uid, source, frames or [])
    raise NotCheckable(f"jupyter_sdc cannot check a {node.call} result")


def _frame_stat(node: Node, rules: RuleValues, uid: str, source: dict,
                frames: list) -> Output:
    from jupyter_sdc.adapters.summary import check_summary

    data = node.params["data"]
    name = node.params["statistic"]
    result = node.snapshot if node.snapshot is not None else _scalar_result(node)
    if name == "value_counts":
        return _value_counts(node, rules, uid, source, frames)
    if name in ("agg", "aggregate"):
        args = node.params["args"]
        func = unwrapped(args[0] if args else node.params["kwargs"].get("func"))
        if isinstance(func, str):
            name = func
        elif isinstance(func, list) and all(isinstance(f, str) for f in func):
            name = "describe"  # one row per statistic, each judged by its own rules
        else:
            raise NotCheckable("agg with functions or a dict is not traced; use one "
                               "statistic per call, or a list of their names")
    if name not in _SUMMARY_STATS:
        raise NotCheckable(f"{name}() is not traced")
    kwargs = node.params["kwargs"]
    if isinstance(data, pd.DataFrame) and (kwargs.get("axis") in (1, "columns")):
        raise NotCheckable(f"{name}(axis=1) summarises each record: it shows record-level data")
    if name == "describe" and isinstance(result, pd.DataFrame) and {"top", "unique"} & set(
            map(str, result.index)):
        raise NotCheckable("describe() of text columns shows their most frequent value; "
                           "describe the numeric columns, and use value_counts for categories")
    if isinstance(data, pd.DataFrame):
        numeric = kwargs.get("numeric_only") or name == "describe"
        cols = list(result.columns if isinstance(result, pd.DataFrame) else result.index)
        data = data[[c for c in cols if c in data.columns]] if numeric else data
    q = None
    if name == "quantile":
        args = node.params["args"]
        q = args[0] if args else kwargs.get("q", 0.5)
    return check_summary(data, name, result, rules=rules, uid=uid, source=source,
                         unit=unit_for(data, rules, frames), q=q if np.ndim(q) == 0 else None)


def _scalar_result(node: Node) -> Any:
    return node.params.get("value")


def _value_counts(node: Node, rules: RuleValues, uid: str, source: dict,
                  frames: list) -> Output:
    from jupyter_sdc.adapters.summary import check_grouped

    data = node.params["data"]
    kwargs = dict(node.params["kwargs"])
    args = node.params["args"]
    if kwargs.get("normalize") or (args and args[0] is True):
        raise NotCheckable("value_counts(normalize=True) gives shares; show the counts too, "
                           "or attach them")
    if kwargs.get("bins") is not None:
        raise NotCheckable("value_counts(bins=...) is not traced; use pd.cut and groupby")
    if not kwargs.get("dropna", True):
        raise NotCheckable("value_counts(dropna=False) is not traced yet")
    frame = data.to_frame(name=data.name if data.name is not None else "value") if isinstance(
        data, pd.Series) else data
    subset = kwargs.get("subset")
    keys = list(subset) if subset is not None else list(frame.columns)
    suppress, round_base = requested(rules)
    return check_grouped(frame, keys, None, "size", node.snapshot, rules=rules, uid=uid,
                         source=source, suppress=suppress, round_base=round_base,
                         unit=unit_for(data, rules, frames))


# -- other outputs ---------------------------------------------------------------------------
def model_output(results: Any, rules: RuleValues, uid: str, source: dict) -> Output:
    from jupyter_sdc.adapters.statsmodels import check_model

    if (type(results).__module__ or "").startswith("lifelines"):
        return stats.cox_output(results, rules, uid, source)
    return check_model(results, rules=rules, uid=uid, source=source)


def figure_output(fig: Any, rules: RuleValues, uid: str, source: dict,
                  values: Any = None, frames: list | None = None) -> Output:
    from jupyter_sdc.adapters.matplotlib import check_figure

    unit = unit_for(values, rules, frames or []) if values is not None else None
    return check_figure(fig, rules=rules, uid=uid, source=source, values=values, unit=unit)


def figure_png(fig: Any) -> dict[str, str]:
    from jupyter_sdc.adapters.matplotlib import figure_png as png

    return {"png": png(fig)}


def attached_output(obj: Any, attached: tuple, rules: RuleValues, uid: str,
                    source: dict) -> Output:
    counts, statistic = attached
    table = obj.to_frame() if isinstance(obj, pd.Series) else obj
    ev = CellEvidence(statistic=[statistic] * table.shape[1],
                      count=counts.to_numpy(dtype=np.int64))
    ev.notes.append("Counts attached with sdc.attach_counts; explain how the values were made.")
    return assess(table, ev, rules, uid=uid, kind="table", statistic=statistic, source=source)


def records_output(obj: Any, uid: str, rules: RuleValues, source: dict) -> Output:
    table = obj.to_frame() if isinstance(obj, pd.Series) else obj
    comments = []
    if len(table) > RECORD_ROWS:
        # Never copy microdata into the saved record beyond what flags the problem.
        comments.append(f"The record keeps the first {RECORD_ROWS} of {len(table):,} rows shown.")
        table = table.head(RECORD_ROWS)
    ev = CellEvidence(statistic=[Statistic.RECORDS] * table.shape[1],
                      count=np.ones(table.shape, dtype=np.int64))
    return assess(table, ev, rules, uid=uid, kind="table", statistic=Statistic.RECORDS,
                  source=source, comments=comments)


def as_table(obj: Any) -> pd.DataFrame:
    """Any shown result as a DataFrame (a scalar becomes a 1 x 1 table)."""
    if isinstance(obj, pd.Series):
        return obj.to_frame()
    if isinstance(obj, pd.DataFrame):
        return obj
    if np.ndim(obj) == 0:
        return pd.DataFrame({"value": [obj]})
    return pd.DataFrame(np.asarray(obj))


def untraceable_output(obj: Any, uid: str, rules: RuleValues, source: dict, why: str) -> Output:
    table = as_table(obj)
    if table.size > 10_000:
        table = table.head(100)
    reason = f"Not checked: {why}. {ATTACH_HINT}"
    return _review(table, uid, rules, source, reason)


def review_output(uid: str, rules: RuleValues, source: dict, reason: str) -> Output:
    return _review(pd.DataFrame(), uid, rules, source, reason)


def _review(table: pd.DataFrame, uid: str, rules: RuleValues, source: dict,
            reason: str) -> Output:
    counts = pd.DataFrame(np.nan, index=table.index, columns=table.columns)
    return Output(
        uid=uid, kind="custom", statistic="custom", table=table, counts=counts,
        checks={"custom": Status.REVIEW}, reasons=[reason], rules=rules.to_dict(),
        source=source,
    )
