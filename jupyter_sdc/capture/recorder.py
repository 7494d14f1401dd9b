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

from jupyter_sdc.capture import builders, engine_roots, stats, text
from jupyter_sdc.capture.attach import attached_counts
from jupyter_sdc.capture.capturing import Capture
from jupyter_sdc.capture.grouped import unstacked_output
from jupyter_sdc.capture.lineage import Node, follow
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues

#: largest table (cells) compared against microdata to tell raw records from a derived table
_RECORDS_PROBE_LIMIT = 2_000_000


@dataclass
class CellOptions:
    """Options of one checked cell (``%%sdc_check --label ...``)."""

    label: str | None = None
    title: str | None = None
    explanation: str | None = None
    unit: str | None = None
    dataset: str | None = None
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


def candidates(cap: Capture, namespace: dict | None, before: dict[str, int],
               figures: list) -> list:
    """Objects shown (in order), numbers of the data written in shown text, then names the
    cell bound to a captured or checkable result.

    ``namespace`` None: only what the cell showed (auto mode)."""
    found: dict[int, Candidate] = {}
    done = recorded_ids(cap)
    written = text.shown_in_text([v for v in cap.scalars() if id(v) not in done], cap.texts)
    for obj in [*cap.shown, *figures, *written]:
        obj = _unwrap(obj)
        if obj is not None and id(obj) not in found and id(obj) not in done:
            found[id(obj)] = Candidate(obj, shown=True)
    for name, value in assigned(cap, namespace or {}, before).items():
        entry = found.setdefault(id(value), Candidate(value))
        entry.name = entry.name or name
    return _drop_superseded(cap, list(found.values()))


def assigned(cap: Capture, namespace: dict, before: dict[str, int]) -> dict[str, Any]:
    """Names the cell bound to a captured (not yet recorded) or checkable result."""
    bound: dict[str, Any] = {}
    done = recorded_ids(cap)
    for name, value in list(namespace.items()):
        if name.startswith("_") or before.get(name) == id(value):
            continue
        value = _unwrap(value)
        if value is None or id(value) in done:
            continue
        if cap.node_of(value) is not None or builders.is_model(value) or builders.is_figure(value):
            bound[name] = value
    return bound


def recorded_ids(cap: Capture) -> set[int]:
    """Ids of what ``sdc.*`` calls in the cell recorded themselves: their results, the figures
    they drew and the fitted models behind them (shown once, by the call's own record)."""
    done = set()
    for obj in cap.recorded.values():
        done.add(id(obj))
        figure = builders.figure_of(obj)
        if figure is not None:
            done.add(id(figure))
        if builders.is_model(obj):
            done.add(id(getattr(obj, "_results", obj)))
    return done


def _drop_superseded(cap: Capture, found: list[Candidate]) -> list[Candidate]:
    """An assigned table that the cell then shows reshaped (``t = ...; t.round(0)``) is one
    output, recorded in the shown form."""
    ancestors: dict[int, Candidate] = {}
    for item in found:
        node = cap.node_of(item.obj)
        while node is not None and (node.kind == "reshape" or (  # arithmetic: a new statistic
                node.kind == "engine" and node.parent is not None)):  # an engine's view
            node = node.parent
            if node is not None:
                ancestors[id(node)] = item
    kept = []
    for item in found:
        node = cap.node_of(item.obj)
        heir = ancestors.get(id(node)) if node is not None else None
        if heir is not None and not item.shown:
            heir.name = heir.name or item.name
            continue
        kept.append(item)
    return kept


def _unwrap(obj: Any) -> Any:
    """The checkable thing behind a display wrapper (a Styler's data, an Axes' figure)."""
    if obj is None:
        return None
    cls = type(obj).__name__
    if cls == "Styler" and hasattr(obj, "data"):
        return obj.data
    return builders.figure_of(obj) or obj


def namespace_ids(namespace: dict) -> dict[str, int]:
    return {name: id(value) for name, value in namespace.items() if not name.startswith("_")}


class Recorder:
    """Builds the records of one cell under ``rules`` (the session's, with the cell's options;
    the cell's label, title, … go on them when they are filed in the session)."""

    def __init__(self, rules: RuleValues, new_uid: Any, source: dict):
        self.rules = rules
        self.new_uid = new_uid
        self.source = source
        self._models: set[int] = set()

    def record(self, cap: Capture, found: list[Candidate], namespace: dict) -> CellResult:
        result = CellResult(notes=list(cap.errors))
        self._models = recorded_ids(cap)  # models fitted by sdc.* calls have their record
        for item in found:
            try:
                output = self._record_one(cap, item, namespace)
            except Exception as err:  # noqa: BLE001 - fail closed; never break the cell
                output = builders.review_output(
                    self.new_uid(), self.rules, self._source("unknown"),
                    f"jupyter_sdc could not check it ({type(err).__name__}: {err}).")
            if output is not None:
                if item.name and not output.source.get("name"):
                    output.source["name"] = item.name
                result.outputs.append(output)
        return result

    # -- one candidate -----------------------------------------------------------------------
    def _record_one(self, cap: Capture, item: Candidate, namespace: dict) -> Output | None:
        obj = item.obj
        node = cap.node_of(obj)
        counts = attached_counts(obj) if isinstance(obj, pd.DataFrame | pd.Series) else None
        if counts is not None and item.shown:
            return self._guard(lambda uid: builders.attached_output(
                obj, counts, self._rules(), uid, self._source("attach_counts")))
        if node is not None:
            if node.kind == "model":
                return self._model(node.params["results"], "summary")
            if node.kind == "value":
                return self._value(node, obj, namespace)
            return self._from_lineage(node, obj, namespace)
        if builders.is_model(obj):
            return self._model(obj, "fit")
        if builders.is_figure(obj):
            drawn = stats.figure_output(cap, obj, self, namespace)  # survival, boxes, points...
            if drawn is not None:
                return drawn
            table = cap.plotted_table(obj)
            if table is not None and cap.histogram_values(obj) is None:
                return self._plot_of(cap, obj, table, namespace)
            values = cap.histogram_values(obj)
            frames = [v for v in namespace.values() if isinstance(v, pd.DataFrame)]
            return self._guard(lambda uid: builders.figure_output(
                obj, self._rules(), uid, self._source("hist" if values is not None else "figure"),
                values, frames))
        if item.shown and _is_numeric_array(obj):
            return builders.untraceable_output(
                obj, self.new_uid(), self._rules(), self._source("unknown"),
                "a numpy array has no labels or lineage jupyter_sdc can follow")
        if item.shown and text.is_number(obj):
            return builders.untraceable_output(
                obj, self.new_uid(), self._rules(), self._source("unknown"),
                "it is a number jupyter_sdc cannot trace back to the data it came from")
        if item.shown and engine_roots.is_engine_frame(obj):  # Polars, DuckDB, Spark
            return engine_roots.untraced_frame(obj, self.new_uid(), self._rules(),
                                               self._source("unknown"))
        if not item.shown or not isinstance(obj, pd.DataFrame | pd.Series) or _is_metadata(obj):
            return None
        results = _model_behind(obj, namespace, cap)
        if results is not None:
            return self._model(results, "params")
        fitter = stats.fitter_of(obj, namespace)  # a lifelines table or Cox summary
        if fitter is not None and fitter[0] == "model":
            return self._model(fitter[1], "summary")
        if fitter is not None:
            return self._guard(lambda uid: stats.survival_output(
                fitter[1], obj, self._rules(), uid, self._source("survival"),
                [v for v in namespace.values() if isinstance(v, pd.DataFrame)]))
        if _looks_like_records(obj, namespace):
            return builders.records_output(obj, self.new_uid(), self._rules(),
                                           self._source("records"))
        return builders.untraceable_output(
            obj, self.new_uid(), self._rules(), self._source("unknown"),
            "it was not made by a call jupyter_sdc can trace",
        )

    def _from_lineage(self, node: Node, obj: Any, namespace: dict) -> Output:
        root = node.root()
        if root.kind == "untraceable":
            return builders.untraceable_output(
                obj, self.new_uid(), self._rules(), self._source(root.call), root.params["why"]
            )
        uid = self.new_uid()
        steps = node.chain()
        if steps and steps[0].op[0] == "unstack" and root.kind == "grouped":
            try:
                base = unstacked_output(root, steps[0], self._rules(), uid,
                                        self._source(root.call))
                return _as_written(follow(base, node, obj, skip=1), root)
            except builders.NotCheckable:
                pass  # laid out from the aggregate below
        try:
            frames = [v for v in namespace.values() if isinstance(v, pd.DataFrame)]
            base = engine_roots.record(root, self._rules(), uid, self._source(root.call)) \
                if root.kind == "engine" else builders.root_output(  # Polars, DuckDB, Spark
                    root, self._rules(), uid, self._source(root.call), frames)
        except builders.NotCheckable as err:
            return builders.untraceable_output(obj, uid, self._rules(),
                                               self._source(root.call), str(err))
        except Exception as err:  # noqa: BLE001 - fail closed, with the cause in the record
            return builders.untraceable_output(
                obj, uid, self._rules(), self._source(root.call),
                f"checking it raised {type(err).__name__}: {err}",
            )
        return _as_written(follow(base, node, obj), root)

    def _value(self, node: Node, obj: Any, namespace: dict) -> Output:
        """One number taken from a table made outside the cell: a record's own value if the
        table holds rows of the microdata, else untraceable."""
        table = node.params["of"]
        name = getattr(table, "name", None)
        cell = pd.DataFrame({name if isinstance(name, str) else "value": [obj]})
        if isinstance(table, pd.DataFrame | pd.Series) and _looks_like_records(table, namespace):
            output = builders.records_output(cell, self.new_uid(), self._rules(),
                                             self._source(f"records.{node.call}"))
            output.reasons.append("A single value of the data (the row of one record, picked "
                                  f"with {node.call}) is record-level data.")
            return output
        return builders.untraceable_output(
            obj, self.new_uid(), self._rules(), self._source(node.call),
            f"it is one value ({node.call}) of a table made outside this checked cell; make the "
            "table in the checked cell")

    def _plot_of(self, cap: Capture, fig: Any, table: Any, namespace: dict) -> Output:
        """A pandas plot of a captured table: the table's record, with the figure attached."""
        output = self._from_lineage(cap.node_of(table), table, namespace)
        output.kind = "figure"
        output.source["call"] = f"plot of {output.source.get('call', 'a table')}"
        output.figure = builders.figure_png(fig)
        return output

    def _model(self, results: Any, call: str) -> Output | None:
        # One record per model, however many of its views (itself, summary, params) are shown.
        key = id(getattr(results, "_results", results))
        if key in self._models:
            return None
        self._models.add(key)
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


def _as_written(output: Output, root: Node) -> Output:
    """The recipe (for remedies) names the call as the cell wrote it: ``groupby``,
    ``value_counts``, ``max``, … (the adapter that judged it may be another's)."""
    if isinstance(output.recipe, dict):
        name = root.call.split(".")[-1]
        if root.kind == "grouped":
            output.recipe.update(call="groupby", calls=("groupby",))
        elif root.kind == "frame_stat":
            output.recipe["calls"] = (name,)
            if name == "value_counts":
                output.recipe["call"] = "value_counts"
    return output


def _is_numeric_array(obj: Any) -> bool:
    return isinstance(obj, np.ndarray) and obj.ndim in (1, 2) and obj.size > 0 and (
        obj.dtype.kind in "iuf")


def _is_metadata(obj: Any) -> bool:
    """``df.dtypes`` and the like describe the data set, not its records."""
    if not isinstance(obj, pd.Series) or obj.dtype != object:
        return False
    return bool(len(obj)) and all(isinstance(v, np.dtype | pd.api.extensions.ExtensionDtype)
                                  for v in obj.array)


def _model_behind(obj: Any, namespace: dict, cap: Capture) -> Any:
    """A fitted model whose parameter table ``obj`` is (``res.params``, ``res.conf_int()``)."""
    pool = [*namespace.values(), *cap.shown]
    for value in pool:
        if not builders.is_model(value):
            continue
        try:
            names = value.params.index if hasattr(value.params, "index") else None
        except Exception:  # noqa: BLE001 - an odd results object is simply not a match
            continue
        if names is not None and len(names) and obj.index.equals(names):
            return value
    return None


def _looks_like_records(obj: Any, namespace: dict) -> bool:
    """True when ``obj`` holds the same values as rows of a DataFrame in the namespace."""
    if obj.size == 0 or obj.size > _RECORDS_PROBE_LIMIT:
        return obj.size > _RECORDS_PROBE_LIMIT
    columns = list(obj.columns) if isinstance(obj, pd.DataFrame) else [obj.name]
    frames = [v for k, v in namespace.items() if isinstance(v, pd.DataFrame)
              and not k.startswith("_") and k not in ("In", "Out")]  # not IPython's history
    if any(value is obj for value in frames):
        # The data frame itself: microdata usually has a plain row number index, an aggregate
        # made in an earlier cell has its keys as the index.
        return isinstance(obj.index, pd.RangeIndex)
    for value in frames:
        if len(value) < len(obj):
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
