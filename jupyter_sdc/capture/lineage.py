"""Lineage: how a captured result was made, and how reshaping it moves its counts.

A :class:`Node` is a note left on one result. Roots say which microdata and statistic produced
an aggregate; reshape nodes say which method turned their parent into this object. Replaying a
reshape on the parent's counts and flags keeps them aligned cell by cell with what the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import apply, rejudge
from jupyter_sdc.core.rules import RuleValues

#: groupby methods that produce an aggregate
GROUP_STATISTICS = (
    "agg", "aggregate", "mean", "sum", "median", "count", "size", "std", "var", "min", "max",
    "quantile", "describe", "value_counts", "nunique",
)
#: Series/DataFrame methods that summarise microdata (a column's mean, a frequency table)
FRAME_STATISTICS = (
    "mean", "sum", "median", "quantile", "min", "max", "std", "var", "describe", "value_counts",
    "nunique", "count", "agg", "aggregate",
)
#: methods that move cells around; replayed as-is on counts and flags
LAYOUT_OPS = (
    "unstack", "stack", "transpose", "swaplevel", "reorder_levels", "droplevel", "rename",
    "rename_axis", "set_axis", "to_frame", "add_prefix", "add_suffix",
)
#: methods that pick or reorder cells by label; counts follow the result's labels
SELECT_OPS = (
    "__getitem__", "sort_values", "sort_index", "head", "tail", "nlargest", "nsmallest",
    "reindex", "filter", "dropna", "loc", "iloc", "at", "iat",
)
#: the indexers (``t.loc[...]``): noted by their own patches, not as methods
_INDEXERS = ("loc", "iloc", "at", "iat")
#: methods that change values but not which cells they are (counts stay)
VALUE_OPS = ("round", "astype", "fillna", "abs", "mul", "multiply", "div", "truediv",
             # `table * 100` and `table / 1000`: a number as the operand keeps every cell's
             # records (another table as operand is a new statistic: see capture.py)
             "__mul__", "__rmul__", "__truediv__")
#: value ops that rescale: counts scaled this way are no longer counts (shares, percentages)
SCALING_OPS = ("mul", "multiply", "div", "truediv", "__mul__", "__rmul__", "__truediv__")
#: the index becomes columns: the record keeps the aggregate's own layout
INDEX_OPS = ("reset_index",)
RESHAPE_OPS = LAYOUT_OPS + tuple(s for s in SELECT_OPS if s not in _INDEXERS) + \
    VALUE_OPS + INDEX_OPS


@dataclass
class GroupSpec:
    """A ``groupby(...)`` call: the microdata, its keys and options, and any column selection."""

    data: Any
    by: Any
    level: Any = None
    dropna: bool = True
    as_index: bool = True
    observed: bool = True
    selection: Any = None

    def select(self, key: Any) -> GroupSpec:
        return replace(self, selection=key)

    def keys(self) -> list[Any]:
        if self.by is None:
            return []
        if isinstance(self.by, list | tuple):
            return list(self.by)
        return [self.by]


@dataclass
class Node:
    """One result's lineage. ``kind`` is the root type or ``reshape`` / ``derived``."""

    kind: str
    call: str
    params: dict[str, Any] = field(default_factory=dict)
    parent: Node | None = None
    parent_obj: Any = None
    op: tuple[str, tuple, dict] | None = None
    snapshot: Any = None
    inplace: list[tuple[str, tuple, dict]] = field(default_factory=list)

    # -- constructors used by the patches ---------------------------------------------------
    @classmethod
    def grouped(
        cls, spec: GroupSpec | None, name: str, args: tuple, kwargs: dict, result: Any, gb: Any
    ) -> Node:
        if spec is None:
            return cls(
                "untraceable", f"groupby.{name}",
                {"why": "the groupby object was made outside this checked cell; "
                        "call groupby(...) inside the checked cell"},
                snapshot=_snapshot(result),
            )
        statistic: Any = name
        if name in ("agg", "aggregate"):
            statistic = args[0] if args else kwargs.get("func")
            if statistic is None and kwargs:  # named aggregation: new_name=(column, func)
                statistic = {k: v for k, v in kwargs.items() if isinstance(v, tuple)}
        params = {
            "spec": spec, "statistic": statistic, "method": name, "grouper": gb,
            "args": args if name not in ("agg", "aggregate") else args[1:], "kwargs": kwargs,
        }
        return cls("grouped", f"groupby.{name}", params, snapshot=_snapshot(result))

    @classmethod
    def frame_stat(cls, obj: Any, name: str, args: tuple, kwargs: dict, result: Any) -> Node:
        return cls(
            "frame_stat", f"{type(obj).__name__}.{name}",
            {"data": obj, "statistic": name, "args": args, "kwargs": kwargs, "value": result},
            snapshot=_snapshot(result),
        )

    @classmethod
    def table_call(cls, call: str, args: tuple, kwargs: dict, result: Any) -> Node:
        return cls(call, call, {"args": args, "kwargs": kwargs}, snapshot=_snapshot(result))

    @classmethod
    def value(cls, of: Any, how: str) -> Node:
        """One number taken (``.iloc[-1]``, ``[label]``) from a table without lineage."""
        return cls("value", how, {"of": of})

    @classmethod
    def model_summary(cls, results: Any) -> Node:
        return cls("model", "summary", {"results": results})

    @classmethod
    def reshaped(
        cls, parent: Node, parent_obj: Any, name: str, args: tuple, kwargs: dict, result: Any
    ) -> Node:
        return cls(
            "reshape", name, parent=parent, parent_obj=parent_obj, op=(name, args, kwargs),
            snapshot=_snapshot(result),
        )

    @classmethod
    def derived(cls, parent: Node, parent_obj: Any, name: str, args: tuple, kwargs: dict) -> Node:
        return cls(
            "untraceable", name, {"why": f"{name}() of an aggregate table"}, parent=parent,
            parent_obj=parent_obj,
        )

    # -- walking -------------------------------------------------------------------------
    def root(self) -> Node:
        node = self
        while node.kind == "reshape" and node.parent is not None:
            node = node.parent
        return node

    def chain(self) -> list[Node]:
        """The reshape steps from the root down to this node, in order."""
        steps: list[Node] = []
        node: Node | None = self
        while node is not None and node.kind == "reshape":
            steps.append(node)
            node = node.parent
        return steps[::-1]


def _snapshot(result: Any) -> Any:
    # A shallow copy keeps the labels the result had when it was made, so an in-place rename
    # later in the cell can be told apart from a reshaping.
    if isinstance(result, pd.DataFrame | pd.Series):
        return result.copy(deep=False)
    return None


#: what a cell with no records behind it holds, per grid (flags: False)
_EMPTY_CELL: dict[str, Any] = {"counts": 0, "ev:missing": 0, "ev:negative": 0,
                               "ev:mode_count": 0, "ev:margin": False,
                               "ev:structural_zero": False}


class ReplayError(ValueError):
    """A reshape could not be carried over to the counts."""


def as_shape(frame: pd.DataFrame, like: Any) -> Any:
    """``frame`` (one column) as a Series when ``like`` is one, else unchanged."""
    if isinstance(like, pd.Series) and frame.shape[1] == 1:
        series = frame.iloc[:, 0]
        series.name = like.name
        return series
    return frame


def as_frame(obj: Any) -> pd.DataFrame:
    return obj.to_frame() if isinstance(obj, pd.Series) else obj


def replay(step: str, args: tuple, kwargs: dict, table: Any, grids: dict[str, Any]) -> tuple:
    """Apply one reshape to ``table`` and carry each grid (counts, flags) along with it."""
    kwargs = {k: v for k, v in kwargs.items() if k != "inplace"}
    if step in _INDEXERS:
        new_table = getattr(table, step)[args[0]]
        if not isinstance(new_table, pd.DataFrame | pd.Series):
            return one_cell(table, grids, lambda t: getattr(t, step)[args[0]])
        if step == "iloc":
            return new_table, {n: _iloc(g, args[0]) for n, g in grids.items()}
        return new_table, {name: relabel(grid, new_table) for name, grid in grids.items()}
    new_table = getattr(table, step)(*args, **kwargs)
    if step == "__getitem__" and not isinstance(new_table, pd.DataFrame | pd.Series):
        return one_cell(table, grids, lambda t: t[args[0]])
    if step in LAYOUT_OPS:
        moved = {}
        for name, grid in grids.items():
            moved[name] = getattr(grid, step)(*args, **kwargs)
            if step in ("unstack", "stack"):
                # A combination with no group is a cell with no records behind it.
                moved[name] = moved[name].fillna(_EMPTY_CELL.get(name, False))
        return new_table, moved
    if step in VALUE_OPS:
        return new_table, dict(grids)
    if step in SELECT_OPS:
        return new_table, {name: relabel(grid, new_table) for name, grid in grids.items()}
    raise ReplayError(f"{step} is not a reshape")



def one_cell(table: Any, grids: dict[str, Any], pick: Any) -> tuple:
    """A single cell picked from ``table`` (``t.loc['South', 'M']``): a 1 x 1 table with its
    labels, and each grid's value at the same place (the cell keeps its own counts)."""
    frame = as_frame(table)
    place = pd.DataFrame(np.arange(frame.size, dtype=np.int64).reshape(frame.shape),
                         index=frame.index, columns=frame.columns)
    where = pick(as_shape(place, table))
    if isinstance(where, pd.DataFrame | pd.Series) or not isinstance(where, int | np.integer):
        raise ReplayError("the selected cell could not be found in the aggregate")
    row, col = divmod(int(where), frame.shape[1])
    return frame.iloc[[row], [col]], {name: as_frame(grid).iloc[[row], [col]]
                                      for name, grid in grids.items()}


def _iloc(grid: Any, key: Any) -> Any:
    return grid.iloc[key]


def relabel(grid: Any, like: Any) -> Any:
    """``grid`` picked and ordered by the labels of ``like`` (a selection of its cells)."""
    if isinstance(like, pd.DataFrame):
        frame = as_frame(grid)
        if not (frame.index.is_unique and frame.columns.is_unique):
            raise ReplayError("the aggregate has repeated labels")
        missing_rows = like.index.difference(frame.index)
        missing_cols = like.columns.difference(frame.columns)
        if len(missing_rows) or len(missing_cols):
            raise ReplayError("the result has labels the aggregate does not have")
        return frame.loc[like.index, like.columns]
    if isinstance(like, pd.Series):
        if isinstance(grid, pd.DataFrame):
            if like.name in grid.columns:
                grid = grid[like.name]
            elif grid.shape[1] == 1:
                grid = grid.iloc[:, 0]
            else:
                raise ReplayError("cannot match the selected column")
        if not grid.index.is_unique or len(like.index.difference(grid.index)):
            raise ReplayError("the result has labels the aggregate does not have")
        return grid.loc[like.index]
    raise ReplayError(f"a {type(like).__name__} is not a table")


def follow(base: Output, node: Node, obj: Any, skip: int = 0) -> Output:
    """The root record re-laid out like ``obj``: each reshape replayed on counts and flags.

    ``skip``: how many first steps ``base`` already has (an unstack checked as a two-way table).
    """
    steps = node.chain()
    done = steps[skip - 1] if skip else node.root()
    steps = steps[skip:]
    if not steps and not node.inplace and _same_labels(obj, node.snapshot):
        return base
    like = done.snapshot if done.snapshot is not None else obj
    judged = _rule_reasons(base)
    table = as_shape(base.table, like)
    grids = {"counts": as_shape(base.counts, like)}
    grids.update({f"flag:{k}": as_shape(v, like) for k, v in base.flags.items()})
    evidence = base.evidence.grids if base.evidence is not None else {}
    grids.update({f"ev:{k}": as_shape(v, like) for k, v in evidence.items()})
    kept_layout = False
    try:
        for step in steps:
            name, args, kwargs = step.op
            if name == "reset_index":
                kept_layout = True  # the record keeps the index: the same cells, labelled
                continue
            table, grids = replay(name, args, kwargs, table, grids)
        if isinstance(obj, pd.DataFrame | pd.Series) and not kept_layout:
            table, grids = _match_inplace(obj, table, grids)
    except (ReplayError, KeyError, ValueError, TypeError, IndexError) as err:
        base.comments.append(
            f"Recorded in the layout of the {node.root().call} result: the reshaping after it "
            f"could not be followed ({err})."
        )
        return base
    base.table = as_frame(table)
    base.counts = as_frame(grids.pop("counts")).astype("int64", errors="ignore")
    base.flags = {k[5:]: as_frame(v).astype(bool) for k, v in grids.items()
                  if k.startswith("flag:")}
    base.source["reshaped"] = [s.op[0] for s in node.chain()]
    scaled = base.statistic == "frequency" and any(s.op[0] in SCALING_OPS for s in steps)
    if scaled:
        # shares or percentages of counts: the same records, but the values are not counts
        base.statistic = "percentage"
    if base.evidence is not None:
        base.evidence.grids = {k[3:]: _filled(k[3:], as_frame(v), base.statistic, scaled)
                               for k, v in grids.items() if k.startswith("ev:")}
        _judge_as_shown(base, judged)
    return base


def _same_labels(obj: Any, snapshot: Any) -> bool:
    if snapshot is None or not isinstance(obj, pd.DataFrame | pd.Series):
        return True
    if type(obj) is not type(snapshot) or not obj.index.equals(snapshot.index):
        return False
    return not isinstance(obj, pd.DataFrame) or obj.columns.equals(snapshot.columns)


def _match_inplace(obj: Any, table: Any, grids: dict) -> tuple:
    """Follow changes made in place (``r.columns = [...]``, ``sort_values(inplace=True)``)."""
    if _same_labels(obj, table):
        return table, grids
    try:
        return relabel(table, obj), {k: relabel(v, obj) for k, v in grids.items()}
    except ReplayError:
        pass
    if getattr(obj, "shape", None) != getattr(table, "shape", None):
        raise ReplayError("the result was changed in place in a way that cannot be followed")
    # Same shape, new labels: a rename in place. Cells keep their positions.
    return obj.copy(deep=False), {k: _with_labels(v, obj) for k, v in grids.items()}


def _with_labels(grid: Any, like: Any) -> Any:
    out = grid.copy()
    out.index = like.index
    if isinstance(like, pd.DataFrame):
        out.columns = like.columns
    return out


def _filled(name: str, grid: pd.DataFrame, statistic: str, scaled: bool) -> pd.DataFrame:
    """An evidence grid after the reshape: new empty cells show the table's statistic."""
    if name != "statistic":
        return grid
    grid = grid.fillna(statistic)
    return grid.replace("frequency", "percentage") if scaled else grid


def _rule_reasons(output: Output) -> list[str]:
    """The reasons the judge gave the record as it was laid out (replaced after a reshape)."""
    if output.evidence is None:
        return []
    return rejudge(output, RuleValues.from_dict(output.rules)).reasons


def _judge_as_shown(output: Output, judged: list[str]) -> None:
    """Judge the reshaped record from its evidence, so its verdict is the table as shown
    (and the export, judging it again, finds the same); the rules' reasons are those of the
    table as shown (``judged``: the ones they replace). Cells a reshape created for
    combinations with no records are disclosive zeros."""
    before = output.counts.size
    judgement = rejudge(output, RuleValues.from_dict(output.rules))
    zeros = output.flags.get("zeros")
    apply(output, judgement)
    output.reasons = [*judgement.reasons, *(r for r in output.reasons if r not in judged)]
    if zeros is None or output.statistic not in ("frequency", "percentage"):
        return
    now = output.flags.get("zeros")
    if now is None or zeros.shape != now.shape or output.counts.size != before:
        return
    new = int((now.to_numpy(dtype=bool) & ~zeros.to_numpy(dtype=bool)).sum())
    if new:
        output.reasons.append(
            f"{new} cells of the reshaped table have no records behind them, which "
            "can disclose that nobody has that combination (zeros).")
