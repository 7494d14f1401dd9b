"""What a checked cell showed or assigned becomes records: the end-of-cell decision.

Candidates are the objects IPython displayed (the last expression, ``display()``), printed
objects, figures left open, and names the cell bound to a captured result. Each one is judged
from its lineage; what cannot be traced is ``review`` with a reason saying how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status
from jupyter_sdc.magics import builders
from jupyter_sdc.magics.attach import attached_counts
from jupyter_sdc.magics.capture import Capture
from jupyter_sdc.magics.lineage import Node, ReplayError, as_frame, as_shape, relabel, replay

#: largest table (cells) compared against microdata to tell raw records from a derived table
_RECORDS_PROBE_LIMIT = 2_000_000


@dataclass
class CellOptions:
    """Options of one checked cell (``%%sdc_check --label ...``)."""

    label: str | None = None
    title: str | None = None
    explanation: str | None = None
    unit: str | None = None
    profile: str | None = None
    suppress: bool = False
    round_base: int | None = None


@dataclass
class Candidate:
    obj: Any
    name: str | None = None
    shown: bool = False


@dataclass
class CellResult:
    outputs: list[Output] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def candidates(cap: Capture, namespace: dict, before: dict[str, int], figures: list) -> list:
    """Objects shown (in order), then names the cell bound to a captured or checkable result."""
    found: dict[int, Candidate] = {}
    for obj in [*cap.shown, *figures]:
        obj = _unwrap(obj)
        if obj is not None and id(obj) not in found:
            found[id(obj)] = Candidate(obj, shown=True)
    for name, value in list(namespace.items()):
        if name.startswith("_") or before.get(name) == id(value):
            continue
        value = _unwrap(value)
        if value is None:
            continue
        if cap.node_of(value) is not None or builders.is_model(value) or builders.is_figure(value):
            entry = found.setdefault(id(value), Candidate(value))
            entry.name = entry.name or name
    return list(found.values())


def _unwrap(obj: Any) -> Any:
    """The checkable thing behind a display wrapper (a Styler's data, an Axes' figure)."""
    if obj is None or isinstance(obj, str | bytes | int | float | bool):
        return None
    cls = type(obj).__name__
    if cls == "Styler" and hasattr(obj, "data"):
        return obj.data
    return builders.figure_of(obj) or obj


def namespace_ids(namespace: dict) -> dict[str, int]:
    return {name: id(value) for name, value in namespace.items() if not name.startswith("_")}


class Recorder:
    """Builds the records of one cell under ``rules`` (the session's, with the cell's options)."""

    def __init__(self, rules: RuleValues, options: CellOptions, new_uid: Any, source: dict):
        self.rules = rules
        self.options = options
        self.new_uid = new_uid
        self.source = source
        self._root_outputs: dict[int, Output] = {}

    def record(self, cap: Capture, found: list[Candidate], namespace: dict) -> CellResult:
        result = CellResult(notes=list(cap.errors))
        for item in found:
            output = self._record_one(cap, item, namespace)
            if output is not None:
                if item.name and not output.source.get("name"):
                    output.source["name"] = item.name
                result.outputs.append(output)
        self._label(result.outputs)
        return result

    # -- one candidate -----------------------------------------------------------------------
    def _record_one(self, cap: Capture, item: Candidate, namespace: dict) -> Output | None:
        obj = item.obj
        node = cap.node_of(obj)
        if node is not None:
            if node.kind == "model":
                return self._model(node.params["results"], "summary")
            return self._from_lineage(node, obj)
        if builders.is_model(obj):
            return self._model(obj, "fit")
        if builders.is_figure(obj):
            return self._guard(lambda uid: builders.figure_output(obj, self._rules(), uid,
                                                                   self._source("figure")))
        if not item.shown or not isinstance(obj, pd.DataFrame | pd.Series):
            return None
        counts = attached_counts(obj)
        if counts is not None:
            return self._guard(lambda uid: builders.attached_output(
                obj, counts, self._rules(), uid, self._source("attach_counts")))
        if _looks_like_records(obj, namespace):
            return builders.records_output(obj, self.new_uid(), self._rules(),
                                           self._source("records"))
        return builders.untraceable_output(
            obj, self.new_uid(), self._rules(), self._source("unknown"),
            "it was not made by a call jupyter_sdc can trace",
        )

    def _from_lineage(self, node: Node, obj: Any) -> Output:
        root = node.root()
        if root.kind == "untraceable":
            return builders.untraceable_output(
                obj, self.new_uid(), self._rules(), self._source(root.call), root.params["why"]
            )
        uid = self.new_uid()
        try:
            base = builders.root_output(root, self._rules(), uid, self._source(root.call))
        except builders.NotCheckable as err:
            return builders.untraceable_output(obj, uid, self._rules(),
                                               self._source(root.call), str(err))
        except Exception as err:  # noqa: BLE001 - fail closed, with the cause in the record
            return builders.untraceable_output(
                obj, uid, self._rules(), self._source(root.call),
                f"checking it raised {type(err).__name__}: {err}",
            )
        return follow(base, node, obj)

    def _model(self, results: Any, call: str) -> Output | None:
        return self._guard(lambda uid: builders.model_output(results, self._rules(), uid,
                                                              self._source(call)))

    def _guard(self, build: Any) -> Output | None:
        uid = self.new_uid()
        try:
            return build(uid)
        except Exception as err:  # noqa: BLE001 - an output we cannot check is review
            return builders.review_output(
                uid, self._rules(), self._source("unknown"),
                f"jupyter_sdc could not check it ({type(err).__name__}: {err}).",
            )

    # -- helpers -------------------------------------------------------------------------
    def _rules(self) -> RuleValues:
        return self.rules

    def _source(self, call: str) -> dict:
        return {**self.source, "call": call}

    def _label(self, outputs: list[Output]) -> None:
        opts = self.options
        for i, output in enumerate(outputs):
            if opts.label:
                output.label = opts.label if len(outputs) == 1 else f"{opts.label}{_letter(i)}"
            if opts.title:
                output.title = opts.title
            if opts.explanation:
                output.explanation = opts.explanation


def _letter(i: int) -> str:
    return chr(ord("a") + i) if i < 26 else f"-{i + 1}"


def follow(base: Output, node: Node, obj: Any) -> Output:
    """The root record re-laid out like ``obj``: each reshape replayed on counts and flags."""
    steps = node.chain()
    if not steps and not node.inplace and _same_labels(obj, node.snapshot):
        return base
    like = node.root().snapshot if node.root().snapshot is not None else obj
    table = as_shape(base.table, like)
    grids = {"counts": as_shape(base.counts, like)}
    grids.update({f"flag:{k}": as_shape(v, like) for k, v in base.flags.items()})
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
    base.flags = {k[5:]: as_frame(v).astype(bool) for k, v in grids.items()}
    base.source["reshaped"] = [s.op[0] for s in steps]
    _new_empty_cells(base)
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


def _new_empty_cells(output: Output) -> None:
    """Cells a reshape created for combinations with no records are disclosive zeros."""
    zeros = output.flags.get("zeros")
    if zeros is None or output.rules.get("zeros") is False:
        return
    empty = (output.counts.to_numpy() == 0) & ~zeros.to_numpy(dtype=bool)
    if output.statistic not in ("frequency", "percentage") or not empty.any():
        return
    output.flags["zeros"] = zeros | empty
    output.checks["zeros"] = Status.FAIL
    output.reasons.append(
        f"{int(empty.sum())} cells of the reshaped table have no records behind them, which "
        "can disclose that nobody has that combination (zeros)."
    )


def _looks_like_records(obj: Any, namespace: dict) -> bool:
    """True when ``obj`` holds the same values as rows of a DataFrame in the namespace."""
    if obj.size == 0 or obj.size > _RECORDS_PROBE_LIMIT:
        return obj.size > _RECORDS_PROBE_LIMIT
    columns = list(obj.columns) if isinstance(obj, pd.DataFrame) else [obj.name]
    for value in namespace.values():
        if not isinstance(value, pd.DataFrame) or value is obj or len(value) < len(obj):
            continue
        try:
            if not set(columns) <= set(value.columns) or not obj.index.isin(value.index).all():
                continue
            if not value.index.is_unique:
                continue
            rows = value.loc[obj.index, columns]
            mine = obj if isinstance(obj, pd.DataFrame) else obj.to_frame()
            if np.array_equal(rows.to_numpy(object), mine.to_numpy(object)) or rows.equals(mine):
                return True
        except (TypeError, ValueError, KeyError):
            continue
    return False
