"""Records of survival tables, correlations, Cox models and plots captured in a checked cell.

Called by ``builders`` (lineage roots ``survival`` and ``correlation``, lifelines models) and
by the recorder (figures), from the notes ``patches_stats`` took. Each hands its evidence to
the same adapter the matching ``sdc.*`` call uses, so the verdicts are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.capture.capturing import Capture
from jupyter_sdc.capture.checkable import NotCheckable, unit_for
from jupyter_sdc.capture.lineage import Node
from jupyter_sdc.capture.patches_stats import Drawn, drawn_on, fit_args, recent
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues

#: lineage roots recorded here
ROOT_KINDS = frozenset({"survival", "correlation"})


def root_output(node: Node, rules: RuleValues, uid: str, source: dict,
                frames: list) -> Output:
    if node.kind == "correlation":
        return _correlation(node, rules, uid, source, frames)
    return survival_output(node.params["fit"], node.snapshot, rules, uid, source, frames)


def _correlation(node: Node, rules: RuleValues, uid: str, source: dict,
                 frames: list) -> Output:
    from jupyter_sdc.adapters.correlation import check_corr

    data = node.params["data"]
    kwargs = node.params["kwargs"]
    method = node.params["args"][0] if node.params["args"] else kwargs.get("method", "pearson")
    return check_corr(data, node.snapshot, rules=rules, uid=uid,
                      unit=unit_for(data, rules, frames),
                      source={**source, "method": str(method)})


def _durations(fit: Any, rules: RuleValues, frames: list) -> Any:
    from jupyter_sdc.adapters.survival import durations_of

    given = fit_args(recent(), fit)
    time, status = given.get("time"), given.get("status")
    units = None
    if isinstance(rules.unit, str):
        if not isinstance(time, pd.Series):
            raise NotCheckable(f"the rules count units ({rules.unit}) but the times of this "
                               "estimate are not a column of a data frame fitted in this cell: "
                               "fit it in the checked cell on df[...] columns, or use "
                               "sdc.surv_func(..., data=df)")
        units = unit_for(time, rules, frames)
        if units is None:  # the frame has no such column: no units to count
            raise NotCheckable(f"the rules count units ({rules.unit}) but the data behind "
                               "these times has no such column")
    if time is not None and not isinstance(time, pd.Series | np.ndarray | list):
        time = None
    return durations_of(fit, time if time is not None else None,
                        status if time is not None else None, units)


def survival_output(fit: Any, table: Any, rules: RuleValues, uid: str, source: dict,
                    frames: list, figure: Any = None) -> Output:
    """A survival table (or a plot, ``figure``) of a statsmodels or lifelines estimate."""
    from jupyter_sdc.adapters.survival import check_survival, km_table, survival_mitigation

    data = _durations(fit, rules, frames)
    if figure is not None:  # a plot is judged as drawn: no mitigation changes it
        return check_survival(km_table(data), data, rules=rules, uid=uid, kind="figure",
                              figure=figure, source=source)
    pool, base, mid6 = survival_mitigation(rules)
    return check_survival(table, data, rules=rules, uid=uid, suppress=pool, round_base=base,
                          mid6=mid6, source=source)


def fitter_of(obj: Any, namespace: dict) -> tuple[str, Any] | None:
    """The lifelines fitter, among the notebook's names, that ``obj`` is a table of:
    ``("survival", kmf)`` for its ``event_table`` or ``survival_function_`` (e.g. fitted
    before this cell), ``("model", cph)`` for a Cox model's ``summary``; else None."""
    from jupyter_sdc.adapters.cox import is_lifelines_regression
    from jupyter_sdc.adapters.survival import is_km_fit

    if not isinstance(obj, pd.DataFrame):
        return None
    fits = [entry[0] for entry in notes_of().values()]
    for value in [*fits, *namespace.values()]:
        if is_km_fit(value) and any(value.__dict__.get(name) is obj for name in (
                "survival_function_", "event_table", "confidence_interval_")):
            return "survival", value
        if is_lifelines_regression(value) and "exp(coef)" in obj.columns and _same_index(
                obj, value):
            return "model", value
    return None


def _same_index(obj: pd.DataFrame, fitter: Any) -> bool:
    try:
        return bool(obj.index.equals(fitter.params_.index))
    except Exception:  # noqa: BLE001 - an unfitted or odd fitter is simply not a match
        return False


def notes_of() -> dict[int, tuple[Any, dict[str, Any]]]:
    from jupyter_sdc.capture.patches_stats import notes

    cap = recent()
    return notes(cap).fits if cap is not None else {}


def cox_output(fitter: Any, rules: RuleValues, uid: str, source: dict) -> Output:
    """A lifelines Cox model, on the data given to its ``fit`` in this cell."""
    from jupyter_sdc.adapters.cox import check_coxph

    data = fit_args(recent(), fitter).get("data")
    if data is None:
        raise NotCheckable("lifelines keeps no copy of the data a Cox model was fitted on: "
                           "fit it in the checked cell, or use sdc.coxph(df, ...)")
    return check_coxph(fitter, data, rules=rules, uid=uid, source=source)


# -- figures ---------------------------------------------------------------------------------
def figure_output(cap: Capture, fig: Any, recorder: Any, namespace: dict) -> Output | None:
    """The record of a figure drawn by the calls noted here, else None (not ours)."""
    drawings = drawn_on(cap, fig)
    if not drawings:
        return None
    first = drawings[0]
    if first.kind == "table":
        output = recorder._plot_of(cap, fig, first.params["table"], namespace)
    else:
        output = recorder._guard(lambda uid: _drawn_output(first, fig, recorder._rules(), uid,
                                                           recorder._source(_call(first)),
                                                           namespace))
    if output is not None and len(drawings) > 1:
        output.add_review(f"The figure draws {len(drawings)} checked layers; its record is "
                          "the first one's: check the others too (one layer per figure).")
    return output


def _call(drawn: Drawn) -> str:
    return str(drawn.params.get("call") or drawn.kind)


def _drawn_output(drawn: Drawn, fig: Any, rules: RuleValues, uid: str, source: dict,
                  namespace: dict) -> Output:
    from jupyter_sdc.adapters import plots

    frames = [v for v in namespace.values() if isinstance(v, pd.DataFrame)]
    p = drawn.params
    if drawn.kind == "survival":
        return survival_output(p["fit"], None, rules, uid, {**source, "call": "survival plot"},
                               frames, figure=fig)
    if drawn.kind == "points":
        output = plots.check_points(_points(p), rules=rules, uid=uid, figure=fig,
                                    source=source)
        return _with_recipe(output, _points_recipe(p, rules, uid))
    if drawn.kind == "box":
        groups = _box_groups(p, rules, frames)
        output = plots.check_box(groups, whis=p.get("whis", 1.5),
                                 showfliers=p.get("showfliers", True), rules=rules, uid=uid,
                                 figure=fig, source=source)
        return _with_recipe(output, _box_recipe(p, groups, rules, uid))
    if drawn.kind in ("hist2d", "mesh"):
        return _hist2d(p, fig, rules, uid, source, frames)
    if drawn.kind == "hexbin":
        if p.get("C") is not None:
            raise NotCheckable("a hexbin of C values shows a statistic per hexagon, not "
                               "counts: show the counts (no C=)")
        if isinstance(rules.unit, str):
            raise NotCheckable(f"the rules count units ({rules.unit}): a hexbin counts rows; "
                               "use hist2d, whose bins can be counted by unit")
        return plots.check_hexbin(p["collection"], rules=rules, uid=uid, figure=fig,
                                  source=source)
    if drawn.kind == "grouped":
        return _grouped(p, fig, rules, uid, source, frames)
    raise NotCheckable(f"a {drawn.kind} drawing is not traced")


def _with_recipe(output: Output, recipe: dict | None) -> Output:
    if recipe is not None:
        output.recipe = recipe
    return output


def _points_recipe(p: dict, rules: RuleValues, uid: str) -> dict | None:
    """A matplotlib scatter of two numeric series (records, not units): for its remedy."""
    from jupyter_sdc.adapters.plots import check_hist2d
    from jupyter_sdc.adapters.recipes import for_points

    x, y = p.get("x"), p.get("y")
    if p.get("call") != "scatter" or rules.unit is not None or not all(
            isinstance(v, pd.Series) and pd.api.types.is_numeric_dtype(v) for v in (x, y)):
        return None
    return for_points(check_hist2d, x, y, rules, uid)


def _box_recipe(p: dict, groups: list, rules: RuleValues, uid: str) -> dict | None:
    """A matplotlib box plot of one numeric series (records, not units): for its remedy."""
    from jupyter_sdc.adapters.plots import check_box
    from jupyter_sdc.adapters.recipes import for_box

    if p.get("call") != "boxplot" or rules.unit is not None or len(groups) != 1 \
            or not isinstance(groups[0][1], pd.Series):
        return None
    return for_box(check_box, groups[0][1], rules, uid)


def _frame(p: dict) -> pd.DataFrame:
    data = p.get("data")
    if isinstance(data, pd.DataFrame):
        return data
    columns = {k: p[k] for k in ("x", "y", "hue") if isinstance(p.get(k), pd.Series)}
    if not columns:
        raise NotCheckable("the plot was not drawn from a data frame (data=df, x='column')")
    frame = pd.DataFrame({(s.name or k): s for k, s in columns.items()})
    for k, s in columns.items():
        p[k] = s.name or k
    return frame


def _points(p: dict) -> int:
    if "n" in p:
        return int(p["n"])
    frame = _frame(p)
    cols = [p[k] for k in ("x", "y") if isinstance(p.get(k), str)]
    return int(frame[cols].dropna().shape[0]) if cols else len(frame)


def _units_of(frame: pd.DataFrame, rules: RuleValues, frames: list) -> pd.Series | None:
    if not isinstance(rules.unit, str):
        return None
    if rules.unit in frame.columns:
        return frame[rules.unit]
    return unit_for(frame, rules, frames)


def _box_groups(p: dict, rules: RuleValues, frames: list) -> list[tuple[Any, Any, Any]]:
    if p.get("call") == "boxplot":  # matplotlib: one array, or a list of arrays
        data = p.get("data")
        if isinstance(data, pd.DataFrame):
            items = [(c, data[c]) for c in data.columns]
        elif isinstance(data, pd.Series) or np.ndim(data) == 1 and not isinstance(
                data, list | tuple):
            items = [(getattr(data, "name", None) or 1, data)]
        else:
            items = [(i + 1, d) for i, d in enumerate(data)]
        labels = p.get("labels")
        if labels is not None and len(labels) == len(items):
            items = [(lab, d) for lab, (_, d) in zip(labels, items, strict=True)]
        return [(lab, d, _series_units(d, rules, frames)) for lab, d in items]
    frame = _frame(p)
    x, y = p.get("x"), p.get("y")
    value, key = (y, x) if y is not None and pd.api.types.is_numeric_dtype(frame[y]) else (x, y)
    units = _units_of(frame, rules, frames)
    if key is None:
        return [(value, frame[value], units)]
    return [(label, part[value], None if units is None else units.loc[part.index])
            for label, part in frame.groupby(key, observed=True, sort=True)]


def _series_units(values: Any, rules: RuleValues, frames: list) -> Any:
    if not isinstance(rules.unit, str):
        return None
    if not isinstance(values, pd.Series):
        raise NotCheckable(f"the rules count units ({rules.unit}) but these values are not a "
                           "column of a data frame")
    return unit_for(values, rules, frames)


def _hist2d(p: dict, fig: Any, rules: RuleValues, uid: str, source: dict,
            frames: list) -> Output:
    from jupyter_sdc.adapters import plots

    if "xedges" in p:
        x, y, xe, ye = p["x"], p["y"], p["xedges"], p["yedges"]
        weighted = p.get("weighted", False)
    else:  # seaborn's bivariate histplot: the edges of the mesh it drew
        frame = _frame(p)
        edges = next((e for ax in fig.axes if (e := plots.mesh_edges(ax)) is not None), None)
        if edges is None or p.get("hue") is not None:
            raise NotCheckable("this bivariate histogram is not traced (one mesh, no hue)")
        x, y = frame[p["x"]], frame[p["y"]]
        xe, ye = edges
        weighted = p["kwargs"].get("weights") is not None or p["kwargs"].get(
            "stat", "count") != "count"
    units = _series_units(x, rules, frames) if isinstance(rules.unit, str) else None
    return plots.check_hist2d(x, y, xe, ye, rules=rules, uid=uid, units=units,
                              weighted=weighted, figure=fig, source=source)


def _grouped(p: dict, fig: Any, rules: RuleValues, uid: str, source: dict,
             frames: list) -> Output:
    from jupyter_sdc.adapters.matplotlib import figure_png
    from jupyter_sdc.adapters.summary import check_grouped
    from jupyter_sdc.capture.checkable import unwrapped
    from jupyter_sdc.core.aggfuncs import func_name

    frame = _frame(p)
    x, y, hue = p.get("x"), p.get("y"), p.get("hue")
    statistic = unwrapped(p.get("statistic"))
    if statistic == "size":
        keys, value = [k for k in (x if x is not None else y, hue) if k is not None], None
    else:
        horizontal = x is not None and y is not None and pd.api.types.is_numeric_dtype(
            frame[x]) and not pd.api.types.is_numeric_dtype(frame[y]) and p.get(
            "call") == "seaborn.barplot"
        key, value = (y, x) if horizontal else (x, y)
        keys = [k for k in (key, hue) if k is not None]
        statistic = func_name(statistic) if callable(statistic) else statistic
    data = frame.dropna(subset=keys + ([value] if value else []))
    grouped = data.groupby(keys, observed=True)
    result = grouped.size() if value is None else grouped[value].agg(statistic)
    unit = _units_of(frame, rules, frames)
    output = check_grouped(data, keys, value, statistic, result, rules=rules, uid=uid,
                           unit=None if unit is None else unit.loc[data.index], source=source)
    output.kind = "figure"
    output.figure = {"png": figure_png(fig)}
    if p["kwargs"].get("errorbar", ("ci", 95)) not in (None, ("ci", 95), "ci"):
        output.add_review("The error bars are drawn with another statistic than a "
                          "confidence interval: please review them.")
    return output
