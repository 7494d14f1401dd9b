"""The patches a checked cell installs, and what each patched call notes.

pandas (group-bys, statistics, reshapes, indexers, text renderings, crosstab and pivot
tables), statsmodels summaries, matplotlib and seaborn histograms, the checked ``sdc.*`` calls;
survival, correlations and plots come from ``patches_stats``. A :class:`~capturing.Capture`
made with :func:`patch_table` installs them for one cell.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

from jupyter_sdc.capture import text
from jupyter_sdc.capture.capturing import (
    Capture,
    Patch,
    active,
    function_patch,
    guarded,
    note_rendering,
    note_summary,
)
from jupyter_sdc.capture.lineage import (
    FRAME_STATISTICS,
    GROUP_STATISTICS,
    RESHAPE_OPS,
    VALUE_OPS,
    GroupSpec,
    Node,
)
from jupyter_sdc.capture.patches_stats import stats_patches


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


def _style_property(original: Any) -> Any:
    """``df.style``: the Styler's renderings are noted from here on (its module is loaded)."""

    def get(self: Any) -> Any:
        styler = original.fget(self)
        cap = active()
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
        cap = active()
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
        cap = active()
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


def patch_table() -> Iterator[Patch]:
    """Every patch a checked cell installs: pandas, statsmodels, matplotlib, seaborn, and
    survival, correlations and plots (``patches_stats``)."""
    import pandas as pd
    from pandas.core.groupby.generic import DataFrameGroupBy, SeriesGroupBy

    # Imported before patching: its tables must hold pandas' own methods, not our wrappers.
    from jupyter_sdc.api import WRAPPERS, Session

    for name in WRAPPERS:  # the checked calls, on the class that defines each
        owner = next(cls for cls in Session.__mro__ if name in cls.__dict__)
        yield owner, name, _wrapper_call

    for cls in (pd.DataFrame, pd.Series):
        yield cls, "groupby", lambda o: guarded(o, _note_groupby)
        for name in text.RENDERINGS:
            if hasattr(cls, name):
                yield cls, name, lambda o: guarded(o, note_rendering)
        for name in FRAME_STATISTICS:
            yield cls, name, lambda o, n=name: guarded(o, _frame_statistic(n))
        for name in RESHAPE_OPS:
            if hasattr(cls, name):
                yield cls, name, lambda o, n=name: guarded(o, _reshape(n))
    yield pd.DataFrame, "T", lambda o: property(
        lambda self: pd.DataFrame.transpose(self)  # the patched transpose takes the note
    )
    for cls in (DataFrameGroupBy, SeriesGroupBy):
        yield cls, "__getitem__", lambda o: guarded(o, _note_selection)
        for name in GROUP_STATISTICS:
            yield cls, name, lambda o, n=name: guarded(o, _group_statistic(n))
    from pandas.core.indexing import _AtIndexer, _iAtIndexer, _iLocIndexer, _LocIndexer
    from pandas.plotting._core import PlotAccessor

    yield pd.DataFrame, "style", _style_property
    yield PlotAccessor, "__call__", _plot_call
    for cls in (_LocIndexer, _iLocIndexer, _AtIndexer, _iAtIndexer):  # cells of a table
        yield cls, "__getitem__", lambda o: guarded(o, _note_indexer)
    yield pd, "crosstab", lambda o: function_patch(o, _note_table("crosstab"))
    yield pd, "pivot_table", lambda o: function_patch(o, _note_table("pivot_table"))
    yield pd.DataFrame, "pivot_table", lambda o: guarded(o, _note_frame_pivot)
    if "statsmodels" in sys.modules:
        yield from _statsmodels_patches()
    if "seaborn" in sys.modules:
        yield sys.modules["seaborn"], "histplot", lambda o: function_patch(o, _note_seaborn_hist)
    if "matplotlib.axes" in sys.modules:
        from matplotlib.axes import Axes

        yield Axes, "hist", lambda o: guarded(o, _note_hist)
    yield from stats_patches()  # survival, corr, plots
    yield from engine_patches()  # Polars, DuckDB, Spark: where loaded


def engine_patches() -> Iterator[Patch]:
    """The native aggregates of the engines already imported (none is imported here)."""
    if "polars" in sys.modules:
        from jupyter_sdc.capture.polars_capture import patches as polars_patches
        yield from polars_patches(guarded)
    if "duckdb" in sys.modules:
        from jupyter_sdc.capture.duckdb_capture import patches as duckdb_patches
        yield from duckdb_patches(guarded)
    if "pyspark.sql" in sys.modules:
        from jupyter_sdc.capture.spark_capture import patches as spark_patches
        yield from spark_patches(guarded)


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
                yield cls, name, lambda o: guarded(o, note_summary)


__all__ = ["patch_table"]
