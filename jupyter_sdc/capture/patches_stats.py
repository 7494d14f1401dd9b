"""Scoped patches for survival analysis, correlations and plots (see ``patches.py``).

They only take notes, after the library call has run: which Kaplan–Meier estimate a table or a
plot came from, the data a lifelines Cox model was fitted on, ``DataFrame.corr`` results, and
what each matplotlib or seaborn call drew (a traced table as bars, slices or a line; points;
boxes; 2-D histograms). ``capture.stats`` turns the notes into records.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jupyter_sdc.capture.capturing import Capture, Patch, function_patch, guarded, note_summary
from jupyter_sdc.capture.lineage import Node


@dataclass
class Drawn:
    """One thing drawn on a figure: ``kind`` says how it is judged."""

    kind: str  # table | survival | grouped | points | box | hist2d | mesh | hexbin
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Notes:
    fits: dict[int, tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    drawn: dict[int, tuple[Any, list[Drawn]]] = field(default_factory=dict)


_NOTES: weakref.WeakKeyDictionary[Capture, Notes] = weakref.WeakKeyDictionary()
#: the capture of the cell being checked: its records are made after its patches are undone
_RECENT: weakref.ReferenceType[Capture] | None = None


def recent() -> Capture | None:
    """The capture of the checked cell being recorded (or captured)."""
    return _RECENT() if _RECENT is not None else None


def notes(cap: Capture) -> Notes:
    """The notes of one checked cell."""
    if cap not in _NOTES:
        _NOTES[cap] = Notes()
    return _NOTES[cap]


def fit_args(cap: Capture | None, fit: Any) -> dict[str, Any]:
    """What was given to a fit in this cell (empty when it was fitted elsewhere)."""
    if cap is None:
        return {}
    entry = notes(cap).fits.get(id(fit))
    return entry[1] if entry is not None and entry[0] is fit else {}


def drawn_on(cap: Capture, fig: Any) -> list[Drawn]:
    entry = notes(cap).drawn.get(id(fig))
    return list(entry[1]) if entry is not None and entry[0] is fig else []


def _draw(cap: Capture, ax: Any, drawn: Drawn) -> None:
    fig = getattr(ax, "figure", None)
    if fig is None:
        return
    fig = getattr(fig, "figure", None) or fig  # a subfigure's figure
    notes(cap).drawn.setdefault(id(fig), (fig, []))[1].append(drawn)


def _arg(args: tuple, kwargs: dict, position: int, name: str) -> Any:
    return args[position] if len(args) > position else kwargs.get(name)


# -- survival ----------------------------------------------------------------------------------
def _note_fit(time_name: str, status_name: str) -> Callable:
    def after(cap: Capture, fit: Any, args: tuple, kwargs: dict, result: Any) -> None:
        given = {"time": _arg(args, kwargs, 0, time_name),
                 "status": _arg(args, kwargs, 1, status_name)}
        notes(cap).fits[id(fit)] = (fit, given)
        for name in ("survival_function_", "event_table", "confidence_interval_"):
            table = fit.__dict__.get(name)  # lifelines sets them in fit
            if table is not None:
                cap.note(table, Node("survival", f"KaplanMeierFitter.{name}", {"fit": fit},
                                     snapshot=table.copy(deep=False)))

    return after


def _note_survival_summary(cap: Capture, fit: Any, args: tuple, kwargs: dict,
                           result: Any) -> None:
    cap.note(result, Node("survival", "SurvfuncRight.summary", {"fit": fit},
                          snapshot=result.copy(deep=False)))


def _note_survival_plot(cap: Capture, fit: Any, args: tuple, kwargs: dict, result: Any) -> None:
    ax = result.axes[0] if hasattr(result, "savefig") and result.axes else result  # a Figure
    _draw(cap, ax, Drawn("survival", {"fit": fit}))


def _note_cox_fit(cap: Capture, fitter: Any, args: tuple, kwargs: dict, result: Any) -> None:
    notes(cap).fits[id(fitter)] = (fitter, {"data": _arg(args, kwargs, 0, "df")})


def _survival_patches() -> Iterator[Patch]:
    if "statsmodels" in sys.modules:
        try:
            from statsmodels.duration.hazard_regression import PHRegResults
            from statsmodels.duration.survfunc import SurvfuncRight
        except ImportError:  # pragma: no cover - statsmodels layout changed
            return
        yield SurvfuncRight, "__init__", lambda o: guarded(o, _note_fit("time", "status"))
        yield SurvfuncRight, "summary", lambda o: guarded(o, _note_survival_summary)
        yield SurvfuncRight, "plot", lambda o: guarded(o, _note_survival_plot)
        yield PHRegResults, "summary", lambda o: guarded(o, note_summary)
    if "lifelines" in sys.modules:
        from lifelines import CoxPHFitter, KaplanMeierFitter

        yield KaplanMeierFitter, "fit", lambda o: guarded(
            o, _note_fit("durations", "event_observed"))
        for name in ("plot", "plot_survival_function"):
            yield KaplanMeierFitter, name, lambda o: guarded(o, _note_survival_plot)
        yield CoxPHFitter, "fit", lambda o: guarded(o, _note_cox_fit)


# -- correlation -------------------------------------------------------------------------------
def _note_corr(cap: Capture, data: Any, args: tuple, kwargs: dict, result: Any) -> None:
    if cap.node_of(data) is None:  # a correlation of an aggregate is not traced
        cap.note(result, Node("correlation", "DataFrame.corr",
                              {"data": data, "args": args, "kwargs": kwargs},
                              snapshot=result.copy(deep=False)))


# -- matplotlib --------------------------------------------------------------------------------
def _traced(cap: Capture, values: Any) -> Any:
    return values if values is not None and cap.node_of(values) is not None else None


def _note_table_drawn(position: int, name: str) -> Callable:
    """bar / barh / pie: the heights (widths, slices) of a traced table."""
    def after(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
        table = _traced(cap, _arg(args, kwargs, position, name))
        if table is not None:
            _draw(cap, ax, Drawn("table", {"table": table}))

    return after


def _note_line(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
    table = next((a for a in args if _traced(cap, a) is not None), None)
    if table is not None:
        _draw(cap, ax, Drawn("table", {"table": table}))


def _note_scatter(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
    x, y = _arg(args, kwargs, 0, "x"), _arg(args, kwargs, 1, "y")
    table = _traced(cap, y) if _traced(cap, y) is not None else _traced(cap, x)
    if table is not None:
        _draw(cap, ax, Drawn("table", {"table": table}))
        return
    offsets = result.get_offsets() if hasattr(result, "get_offsets") else []
    _draw(cap, ax, Drawn("points", {"n": len(offsets), "x": x, "y": y, "call": "scatter"}))


def _note_boxplot(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
    _draw(cap, ax, Drawn("box", {
        "data": _arg(args, kwargs, 0, "x"), "whis": kwargs.get("whis", 1.5),
        "showfliers": kwargs.get("showfliers", True),
        "labels": kwargs.get("tick_labels", kwargs.get("labels")), "call": "boxplot"}))


def _note_hist2d(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
    _draw(cap, ax, Drawn("hist2d", {
        "x": _arg(args, kwargs, 0, "x"), "y": _arg(args, kwargs, 1, "y"),
        "drawn": result[0], "xedges": result[1], "yedges": result[2],
        "weighted": kwargs.get("weights") is not None or bool(kwargs.get("density"))}))


def _note_hexbin(cap: Capture, ax: Any, args: tuple, kwargs: dict, result: Any) -> None:
    _draw(cap, ax, Drawn("hexbin", {
        "x": _arg(args, kwargs, 0, "x"), "y": _arg(args, kwargs, 1, "y"),
        "C": kwargs.get("C", args[2] if len(args) > 2 else None), "collection": result}))


def _matplotlib_patches() -> Iterator[Patch]:
    if "matplotlib.axes" not in sys.modules:
        return
    from matplotlib.axes import Axes

    yield Axes, "bar", lambda o: guarded(o, _note_table_drawn(1, "height"))
    yield Axes, "barh", lambda o: guarded(o, _note_table_drawn(1, "width"))
    yield Axes, "pie", lambda o: guarded(o, _note_table_drawn(0, "x"))
    yield Axes, "plot", lambda o: guarded(o, _note_line)
    yield Axes, "scatter", lambda o: guarded(o, _note_scatter)
    yield Axes, "boxplot", lambda o: guarded(o, _note_boxplot)
    yield Axes, "hist2d", lambda o: guarded(o, _note_hist2d)
    yield Axes, "hexbin", lambda o: guarded(o, _note_hexbin)


# -- seaborn -----------------------------------------------------------------------------------
def _seaborn_note(kind: str, statistic: str | None = None) -> Callable:
    def after(cap: Capture, args: tuple, kwargs: dict, ax: Any) -> None:
        params = {"data": kwargs.get("data", args[0] if args else None),
                  "x": kwargs.get("x"), "y": kwargs.get("y"), "hue": kwargs.get("hue"),
                  "call": f"seaborn.{kind}", "kwargs": dict(kwargs)}
        how = {"barplot": "grouped", "countplot": "grouped", "lineplot": "grouped",
               "boxplot": "box", "scatterplot": "points", "histplot": "mesh"}[kind]
        if kind == "lineplot" and "estimator" in kwargs and kwargs["estimator"] is None:
            how = "points"  # every record drawn
        params["statistic"] = statistic or kwargs.get("estimator", "mean")
        if how == "box":
            params.update(whis=kwargs.get("whis", 1.5), showfliers=kwargs.get("showfliers", True))
        _draw(cap, ax, Drawn(how, params))

    return after


def _seaborn_histplot_2d(original: Callable) -> Any:
    """A bivariate ``histplot`` (x and y): a 2-D histogram. Not guarded, so the univariate
    histogram noted by ``patches.py`` underneath is still noted."""
    from jupyter_sdc.capture.capturing import active

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ax = original(*args, **kwargs)
        cap = active()
        if cap is not None and kwargs.get("x") is not None and kwargs.get("y") is not None:
            _seaborn_note("histplot", "size")(cap, args, kwargs, ax)
        return ax

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.sdc_patch = True  # type: ignore[attr-defined]
    return wrapper


def _seaborn_patches() -> Iterator[Patch]:
    if "seaborn" not in sys.modules:
        return
    sns = sys.modules["seaborn"]
    for name, statistic in (("barplot", None), ("countplot", "size"), ("lineplot", None),
                            ("boxplot", None), ("scatterplot", None)):
        if hasattr(sns, name):
            yield sns, name, lambda o, n=name, s=statistic: function_patch(o, _seaborn_note(n, s))
    if hasattr(sns, "histplot"):
        yield sns, "histplot", _seaborn_histplot_2d


def stats_patches() -> Iterator[Patch]:
    """Every patch of this module, for ``patches._patch_table``."""
    import pandas as pd

    from jupyter_sdc.capture.capturing import active

    global _RECENT
    cap = active()
    _RECENT = weakref.ref(cap) if cap is not None else None
    found: list[Patch] = [(pd.DataFrame, "corr", lambda o: guarded(o, _note_corr))]
    for patches in (_survival_patches, _matplotlib_patches, _seaborn_patches):
        try:
            found.extend(patches())
        except (ImportError, AttributeError):  # a library's layout changed: not traced
            continue
    # an attribute a library no longer has is left alone: the cell must still run
    yield from (patch for patch in found if hasattr(patch[0], patch[1]))
