"""Scoped interception: pandas calls inside a checked cell leave a lineage note on their result.

Patches live only while a :class:`Capture` is active (``with capture:``) and are undone even
when the cell raises. Each wrapper calls the original first and only then takes a note, so the
user's results are exactly what pandas returns. Calls made by pandas itself (``crosstab`` runs
``pivot_table`` runs ``groupby``) are not noted: only the outermost call counts.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Iterator
from typing import Any

from jupyter_sdc.capture import text
from jupyter_sdc.capture.lineage import (
    FRAME_STATISTICS,
    GROUP_STATISTICS,
    RESHAPE_OPS,
    VALUE_OPS,
    GroupSpec,
    Node,
)

_MISSING = object()
_PLAIN = {str, bytes, int, float, bool, complex}
#: notes kept per cell; beyond this (a statistic inside a loop) results go untraced
MAX_NOTES = 20_000
_ACTIVE: Capture | None = None


class Capture:
    """The notes taken during one checked cell: result id -> (result, lineage node)."""

    def __init__(self) -> None:
        self.nodes: dict[int, tuple[Any, Node]] = {}
        self.groupers: dict[int, tuple[Any, GroupSpec]] = {}
        self.histograms: dict[int, tuple[Any, list[Any]]] = {}  # figure id -> (figure, values)
        self.plotted: dict[int, tuple[Any, list[Any]]] = {}  # figure id -> (figure, tables)
        self.recorded: dict[int, Any] = {}  # results of sdc.* wrappers: recorded already
        self.renderings: dict[int, tuple[str, Any]] = {}  # text id -> (text, table rendered)
        self.texts: list[Any] = []  # plain text and numbers shown, for the values they show
        self._shown: dict[int, Any] = {}  # id -> object, in the order shown
        self._styler = False
        self.errors: list[str] = []
        self.depth = 0
        self.overflow = False
        self._saved: list[tuple[Any, str, Any, Any]] = []
        self._formatter: Any = None

    # -- notes -------------------------------------------------------------------------------
    def node_of(self, obj: Any) -> Node | None:
        entry = self.nodes.get(id(obj))
        return entry[1] if entry is not None and entry[0] is obj else None

    def note(self, result: Any, node: Node) -> None:
        # Strong references keep ids unique until the cell ends; scalars cannot be weak-referenced.
        if len(self.nodes) >= MAX_NOTES:
            if not self.overflow:
                self.overflow = True
                self.errors.append(f"more than {MAX_NOTES:,} results in one cell: later ones "
                                   "are not traced and will need review")
            return
        self.nodes[id(result)] = (result, node)

    @property
    def shown(self) -> list[Any]:
        return list(self._shown.values())

    def note_shown(self, obj: Any) -> None:
        if obj is None:
            return
        if type(obj) in _PLAIN and self.node_of(obj) is None:
            rendered = self.renderings.get(id(obj))
            if rendered is None or rendered[0] is not obj:
                # text and plain numbers: kept (a few) for the numbers they show
                if len(self.texts) < text.MAX_TEXTS:
                    self.texts.append(text.kept(obj))
                return
            obj = rendered[1]  # ``t.to_latex()`` shows the table ``t``
        self._shown.setdefault(id(obj), obj)

    def scalars(self) -> list[Any]:
        """The single numbers the cell took from traced or checkable data, in order."""
        return [obj for obj, _node in self.nodes.values() if text.is_number(obj)]

    def histogram_values(self, fig: Any) -> Any:
        """The data behind the only histogram drawn on ``fig`` in this cell, else None."""
        entry = self.histograms.get(id(fig))
        if entry is None or entry[0] is not fig or len(entry[1]) != 1:
            return None
        return entry[1][0]

    def plotted_table(self, fig: Any) -> Any:
        """The captured table behind the only pandas plot drawn on ``fig``, else None."""
        entry = self.plotted.get(id(fig))
        if entry is None or entry[0] is not fig or len(entry[1]) != 1:
            return None
        return entry[1][0]

    def grouper_of(self, gb: Any) -> GroupSpec | None:
        entry = self.groupers.get(id(gb))
        return entry[1] if entry is not None and entry[0] is gb else None

    # -- patching ----------------------------------------------------------------------------
    def __enter__(self) -> Capture:
        global _ACTIVE
        if _ACTIVE is not None:
            raise RuntimeError("a checked cell is already being captured")
        _ACTIVE = self
        try:
            for owner, name, make in _patch_table():
                self._install(owner, name, make)
            if "pandas.io.formats.style" in sys.modules:
                self.patch_styler()
            self._wrap_print()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        global _ACTIVE
        for owner, name, saved, wrapper in reversed(self._saved):
            # User code that re-patched the same attribute wins: leave its patch in place.
            if owner.__dict__.get(name, _MISSING) is not wrapper:
                continue
            if saved is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, saved)
        self._saved.clear()
        self.unwatch_display()
        _ACTIVE = None

    def _install(self, owner: Any, name: str, make: Callable[[Callable], Any]) -> None:
        saved = owner.__dict__.get(name, _MISSING)
        original = getattr(owner, name)
        wrapper = make(original)
        setattr(owner, name, wrapper)
        self._saved.append((owner, name, saved, wrapper))

    def patch_styler(self) -> None:
        """Note the text renderings of a pandas Styler too (once its module is loaded)."""
        if self._styler:
            return
        self._styler = True
        from pandas.io.formats.style import Styler

        for name in text.STYLER_RENDERINGS:
            if hasattr(Styler, name):
                self._install(Styler, name, lambda o: _guarded(o, _note_rendering))

    def _wrap_print(self) -> None:
        original = builtins.print

        def sdc_print(*args: Any, **kwargs: Any) -> None:
            if _ACTIVE is self and kwargs.get("file") in (None, sys.stdout) and not _ipython(
                    sys._getframe(1)):
                for arg in args:
                    self.note_shown(arg)
            original(*args, **kwargs)

        self._install(builtins, "print", lambda _orig: sdc_print)

    def watch_display(self, formatter: Any) -> None:
        """Note every object IPython formats for display (the last expression, ``display()``)."""
        original = formatter.format

        def sdc_format(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if _ACTIVE is self:
                self.note_shown(obj)
            return original(obj, *args, **kwargs)

        formatter.format = sdc_format
        self._formatter = formatter

    def unwatch_display(self) -> None:
        if self._formatter is not None:
            if "format" in self._formatter.__dict__:
                del self._formatter.format
            self._formatter = None


def active() -> Capture | None:
    return _ACTIVE


def _ipython(frame: Any) -> bool:
    """A print by IPython itself (a terminal's ``Out[n]:`` prompt and result), not the cell's."""
    return str(frame.f_globals.get("__name__", "")).startswith("IPython.")


def _guarded(original: Callable, after: Callable[[Capture, Any, tuple, dict, Any], None]) -> Any:
    """Call ``original``; then, for an outermost call in a checked cell, let ``after`` note it."""

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
        cap = _ACTIVE
        if cap is None or cap.depth:
            return original(self, *args, **kwargs)
        cap.depth += 1
        try:
            result = original(self, *args, **kwargs)
        finally:
            cap.depth -= 1
        try:
            after(cap, self, args, kwargs, result)
        except Exception as err:  # noqa: BLE001 - a note must never break the user's cell
            cap.errors.append(f"{getattr(original, '__name__', original)}: {err}")
        return result

    wrapper.__name__ = getattr(original, "__name__", "wrapper")
    wrapper.__doc__ = getattr(original, "__doc__", None)
    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.sdc_patch = True  # type: ignore[attr-defined]
    return wrapper


def is_patch(obj: Any) -> bool:
    """True for a jupyter_sdc interception wrapper (only seen inside a checked cell)."""
    return bool(getattr(obj, "sdc_patch", False))


def _function(original: Callable, after: Callable[[Capture, tuple, dict, Any], None]) -> Any:
    """Like :func:`_guarded` for module-level functions (``pd.crosstab``)."""
    inner = _guarded(lambda _none, *a, **k: original(*a, **k),
                     lambda c, _s, a, k, r: after(c, a, k, r))

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        return inner(None, *args, **kwargs)

    wrapper.__name__ = getattr(original, "__name__", "wrapper")
    wrapper.__doc__ = getattr(original, "__doc__", None)
    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.sdc_patch = True  # type: ignore[attr-defined]
    return wrapper


# -- what each patched call notes ------------------------------------------------------------
def _note_groupby(cap: Capture, data: Any, args: tuple, kwargs: dict, gb: Any) -> None:
    by = args[0] if args else kwargs.get("by")
    level = args[1] if len(args) > 1 else kwargs.get("level")
    spec = GroupSpec(
        data=data, by=by, level=level, dropna=kwargs.get("dropna", True),
        as_index=kwargs.get("as_index", True), observed=kwargs.get("observed", True),
    )
    cap.groupers[id(gb)] = (gb, spec)


def _note_selection(cap: Capture, gb: Any, args: tuple, kwargs: dict, sub: Any) -> None:
    spec = cap.grouper_of(gb)
    if spec is not None and args:
        cap.groupers[id(sub)] = (sub, spec.select(args[0]))


def _group_statistic(name: str) -> Callable:
    def after(cap: Capture, gb: Any, args: tuple, kwargs: dict, result: Any) -> None:
        spec = cap.grouper_of(gb)
        cap.note(result, Node.grouped(spec, name, args, kwargs, result, gb))

    return after


def _frame_statistic(name: str) -> Callable:
    def after(cap: Capture, obj: Any, args: tuple, kwargs: dict, result: Any) -> None:
        parent = cap.node_of(obj)
        if parent is not None:
            # A statistic of an aggregate (a column total of a table): derived, cannot trace.
            cap.note(result, Node.derived(parent, obj, name, args, kwargs))
        else:
            cap.note(result, Node.frame_stat(obj, name, args, kwargs, result))

    return after


def _reshape(name: str) -> Callable:
    def after(cap: Capture, obj: Any, args: tuple, kwargs: dict, result: Any) -> None:
        parent = cap.node_of(obj)
        if parent is None:
            if name == "__getitem__":
                _note_value(cap, obj, name, result)
            return
        if result is None and kwargs.get("inplace"):
            parent.inplace.append((name, args, kwargs))
            return
        if result is None:
            return
        if name in VALUE_OPS and any(_is_pandas(a) for a in (*args, *kwargs.values())):
            # Arithmetic between two tables (a ratio, a difference) is a new statistic.
            cap.note(result, Node.derived(parent, obj, name, args, kwargs))
        else:
            cap.note(result, Node.reshaped(parent, obj, name, args, kwargs, result))

    return after


_INDEXERS = {"_iLocIndexer": "iloc", "_LocIndexer": "loc", "_AtIndexer": "at",
             "_iAtIndexer": "iat"}


def _note_indexer(cap: Capture, indexer: Any, args: tuple, kwargs: dict, result: Any) -> None:
    parent = cap.node_of(indexer.obj)
    name = _INDEXERS.get(type(indexer).__name__, "loc")
    if parent is not None and result is not None:
        cap.note(result, Node.reshaped(parent, indexer.obj, name, args, {}, result))
    elif parent is None:
        _note_value(cap, indexer.obj, name, result)


def _note_value(cap: Capture, obj: Any, how: str, result: Any) -> None:
    """One number picked from a table without lineage (the microdata, an earlier result)."""
    import numpy as np

    if isinstance(result, np.number) and _is_pandas(obj):
        cap.note(result, Node.value(obj, how))


def _note_rendering(cap: Capture, obj: Any, args: tuple, kwargs: dict, result: Any) -> None:
    """``t.to_latex()`` and the like: the text leads back to the table (a Styler's data)."""
    if isinstance(result, str):
        cap.renderings[id(result)] = (result, getattr(obj, "data", obj))


def _style_property(original: Any) -> Any:
    """``df.style``: the Styler's renderings are noted from here on (its module is loaded)."""

    def get(self: Any) -> Any:
        styler = original.fget(self)
        cap = _ACTIVE
        if cap is not None:
            cap.patch_styler()
        return styler

    return property(get, doc=original.__doc__)


def _is_pandas(value: Any) -> bool:
    return hasattr(value, "index") and hasattr(value, "to_numpy")


def _note_table(call: str) -> Callable:
    def after(cap: Capture, args: tuple, kwargs: dict, result: Any) -> None:
        cap.note(result, Node.table_call(call, args, kwargs, result))

    return after


def _note_frame_pivot(cap: Capture, data: Any, args: tuple, kwargs: dict, result: Any) -> None:
    cap.note(result, Node.table_call("pivot_table", (data, *args), kwargs, result))


def _note_hist(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
    x = args[0] if args else kwargs.get("x")
    fig = ax.figure
    entry = cap.histograms.setdefault(id(fig), (fig, []))
    several = isinstance(x, list | tuple) and x and hasattr(x[0], "__len__")
    if several or getattr(x, "ndim", 1) > 1:
        entry[1].extend([None, None])  # several datasets in one call: not traced
    else:
        entry[1].append(x)


def _plot_call(original: Callable) -> Any:
    """``table.plot(...)``: remember which captured table a figure draws.

    Not guarded: the histogram drawn inside ``series.plot.hist()`` must still be noted.
    """

    def wrapper(accessor: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(accessor, *args, **kwargs)
        cap = _ACTIVE
        parent = getattr(accessor, "_parent", None)
        if cap is not None and cap.node_of(parent) is not None:
            fig = getattr(result, "figure", None)
            if fig is not None:
                cap.plotted.setdefault(id(fig), (fig, []))[1].append(parent)
        return result

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.sdc_patch = True  # type: ignore[attr-defined]
    return wrapper


def _note_seaborn_hist(cap: Capture, args: tuple, kwargs: dict, ax: Any) -> None:
    data = kwargs.get("data", args[0] if args else None)
    x = kwargs.get("x")
    values = data[x] if isinstance(x, str) and hasattr(data, "columns") else x
    if values is None and hasattr(data, "to_numpy") and not hasattr(data, "columns"):
        values = data
    fig = getattr(ax, "figure", None)
    if fig is None:
        return
    entry = cap.histograms.setdefault(id(fig), (fig, []))
    plain = all(kwargs.get(k) is None for k in ("hue", "weights", "y")) and kwargs.get(
        "stat", "count") == "count"
    entry[1].extend([values] if plain and values is not None else [None, None])


def _wrapper_call(original: Callable) -> Any:
    """An ``sdc.*`` wrapper records its own output: its pandas calls are not noted again."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cap = _ACTIVE
        if cap is None:
            return original(*args, **kwargs)
        cap.depth += 1
        try:
            result = original(*args, **kwargs)
        finally:
            cap.depth -= 1
        cap.recorded[id(result)] = result
        return result

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.sdc_patch = True  # type: ignore[attr-defined]
    return wrapper


def _summary(cap: Capture, results: Any, args: tuple, kwargs: dict, summary: Any) -> None:
    cap.note(summary, Node.model_summary(results))


def _patch_table() -> Iterator[tuple[Any, str, Callable[[Callable], Any]]]:
    import pandas as pd
    from pandas.core.groupby.generic import DataFrameGroupBy, SeriesGroupBy

    # Imported before patching: its tables must hold pandas' own methods, not our wrappers.
    from jupyter_sdc.api import WRAPPERS, Session

    for name in WRAPPERS:  # the checked calls, on the class that defines each
        owner = next(cls for cls in Session.__mro__ if name in cls.__dict__)
        yield owner, name, _wrapper_call

    for cls in (pd.DataFrame, pd.Series):
        yield cls, "groupby", lambda o: _guarded(o, _note_groupby)
        for name in text.RENDERINGS:
            if hasattr(cls, name):
                yield cls, name, lambda o: _guarded(o, _note_rendering)
        for name in FRAME_STATISTICS:
            yield cls, name, lambda o, n=name: _guarded(o, _frame_statistic(n))
        for name in RESHAPE_OPS:
            if hasattr(cls, name):
                yield cls, name, lambda o, n=name: _guarded(o, _reshape(n))
    yield pd.DataFrame, "T", lambda o: property(
        lambda self: pd.DataFrame.transpose(self)  # the patched transpose takes the note
    )
    for cls in (DataFrameGroupBy, SeriesGroupBy):
        yield cls, "__getitem__", lambda o: _guarded(o, _note_selection)
        for name in GROUP_STATISTICS:
            yield cls, name, lambda o, n=name: _guarded(o, _group_statistic(n))
    from pandas.core.indexing import _AtIndexer, _iAtIndexer, _iLocIndexer, _LocIndexer
    from pandas.plotting._core import PlotAccessor

    yield pd.DataFrame, "style", _style_property
    yield PlotAccessor, "__call__", _plot_call
    for cls in (_LocIndexer, _iLocIndexer, _AtIndexer, _iAtIndexer):  # cells of a table
        yield cls, "__getitem__", lambda o: _guarded(o, _note_indexer)
    yield pd, "crosstab", lambda o: _function(o, _note_table("crosstab"))
    yield pd, "pivot_table", lambda o: _function(o, _note_table("pivot_table"))
    yield pd.DataFrame, "pivot_table", lambda o: _guarded(o, _note_frame_pivot)
    if "statsmodels" in sys.modules:
        yield from _statsmodels_patches()
    if "seaborn" in sys.modules:
        yield sys.modules["seaborn"], "histplot", lambda o: _function(o, _note_seaborn_hist)
    if "matplotlib.axes" in sys.modules:
        from matplotlib.axes import Axes

        yield Axes, "hist", lambda o: _guarded(o, _note_hist)
    from jupyter_sdc.capture.patches_stats import stats_patches  # survival, corr, plots
    yield from stats_patches()
    if "polars" in sys.modules:
        from jupyter_sdc.capture.polars_capture import patches as polars_patches
        yield from polars_patches(_guarded)
    if "duckdb" in sys.modules:
        from jupyter_sdc.capture.duckdb_capture import patches as duckdb_patches
        yield from duckdb_patches(_guarded)
    if "pyspark.sql" in sys.modules:
        from jupyter_sdc.capture.spark_capture import patches as spark_patches
        yield from spark_patches(_guarded)


def _statsmodels_patches() -> Iterator[tuple[Any, str, Callable[[Callable], Any]]]:
    # Models need no interception (a fitted result carries its data); only a displayed summary
    # must lead back to its model.
    try:
        from statsmodels.base.model import Results
        from statsmodels.discrete.discrete_model import BinaryResults, DiscreteResults
        from statsmodels.genmod.generalized_linear_model import GLMResults
        from statsmodels.regression.linear_model import RegressionResults
    except ImportError:  # pragma: no cover - statsmodels layout changed
        return
    for cls in (Results, RegressionResults, GLMResults, DiscreteResults, BinaryResults):
        for name in ("summary", "summary2"):
            if name in cls.__dict__:
                yield cls, name, lambda o: _guarded(o, _summary)


__all__ = ["Capture", "active"]
