"""Evidence for figures: histogram bin counts, and figures we cannot trace (always review).

Matplotlib is imported only when a figure is rendered, and the backend is never chosen here:
the notebook (or the test) decides it.

Histograms count every record, the ones equal to the maximum included (they fall in the last,
closed bin, as in ``numpy.histogram``; ACRO 1.0.2 drops them). Empty bins are judged by the
zeros rule as configured. An outer edge that is the data's own smallest or largest value
publishes it: judged by ``min_max`` on the records (units) holding it, as drawn (``sdc.hist``
rounds such edges outward by default, and says so).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.pandas import as_series
from jupyter_sdc.adapters.recipes import for_hist
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence, group_stats
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status

PNG_DPI = 100


def figure_png(fig: Any, dpi: int = PNG_DPI) -> str:
    """The figure as a base64 PNG, without the software tag in its metadata.

    The bounding box is the drawn content's (``bbox_inches="tight"``), so long axis and
    category labels are not clipped at the figure's edge."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _edge_labels(edges: np.ndarray) -> list[str]:
    """"[10, 20)" ... "[90, 100]" with just enough digits to tell the edges apart."""
    for digits in range(4, 18):
        text = [np.format_float_positional(e, precision=digits, fractional=False, trim="-")
                for e in edges]
        if len(set(text)) == len(text):
            break
    last = len(edges) - 2
    return [f"[{text[i]}, {text[i + 1]}{']' if i == last else ')'}" for i in range(last + 1)]


def _numeric(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        raise TypeError(f"histogram values {values.name!r} are not numeric ({values.dtype}): "
                        "a histogram needs numbers; tabulate categories with crosstab")
    array = values.to_numpy(dtype=float, na_value=np.nan)
    infinite = int(np.isinf(array).sum())
    if infinite:
        raise ValueError(f"histogram values {values.name!r} have {infinite} infinite values: "
                         "drop or replace them first")
    return array


def histogram_edges(values: np.ndarray, bins: Any, range: tuple[float, float] | None
                    ) -> np.ndarray:
    """Bin edges as ``numpy.histogram`` (and so matplotlib) computes them."""
    finite = values[~np.isnan(values)]
    try:
        return np.histogram_bin_edges(finite, bins=bins, range=range)
    except ValueError as err:
        raise ValueError(f"bins={bins!r}, range={range!r}: {err}") from err


def bin_ids(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The bin of each value (-1: missing or outside the edges); the last bin is closed."""
    ids = np.full(len(values), -1, dtype=np.int64)
    inside = (values >= edges[0]) & (values <= edges[-1])  # False for NaN
    found = np.searchsorted(edges, values[inside], side="right") - 1
    ids[inside] = np.minimum(found, len(edges) - 2)  # the maximum belongs to the last bin
    return ids


def check_hist(values: pd.Series, bins: Any = 10, *, range: tuple[float, float] | None = None,
               rules: RuleValues, uid: str, unit: Any = None,
               source: dict[str, Any] | None = None, figure: Any = None,
               **fields: Any) -> Output:
    """The record of a histogram of ``values``: one row per bin, the count in each.

    ``figure`` (a matplotlib Figure) is rendered into the record. An outer edge that is the
    data's own minimum or maximum publishes it: judged by ``min_max`` as drawn.
    """
    values = as_series(values, "values")
    array = _numeric(values)
    edges = histogram_edges(array, bins, range)
    n_bins = len(edges) - 1
    ids = bin_ids(array, edges)
    rows = np.bincount(ids[ids >= 0], minlength=n_bins)
    units = None
    if unit is not None:
        unit_s = as_series(unit, "unit", len(values))
        codes, _ = pd.factorize(unit_s, use_na_sentinel=True)
        if (codes < 0).any():
            raise ValueError("unit has missing values: every record needs a unit identifier")
        units = codes.astype(np.int64)
    count = rows if units is None else group_stats(ids, n_bins, units=units).count
    unit_label = "units" if units is not None else "records"
    notes = []
    missing = int(np.isnan(array).sum())
    if missing:
        notes.append(f"{missing} missing value{'s are' if missing > 1 else ' is'} not in the "
                     "histogram.")
    outside = int(((ids < 0) & ~np.isnan(array)).sum())
    if outside:
        notes.append(f"{outside} value{'s' if outside > 1 else ''} outside the range "
                     f"{edges[0]:g} to {edges[-1]:g} {'are' if outside > 1 else 'is'} not in "
                     "the histogram.")
    table = pd.DataFrame({"count": rows},
                         index=pd.Index(_edge_labels(edges), name=values.name))
    evidence = CellEvidence(statistic=["histogram"], count=count[:, None].astype(np.int64),
                            rows=rows[:, None], unit_label=unit_label, notes=notes)
    shown = ids >= 0
    summary = {"n": int(count.sum()) if units is None else int(len(np.unique(units[shown]))),
               "bins": n_bins, "edges": [float(e) for e in edges], "missing": missing,
               "outside": outside}
    holders = _edge_holders(array, edges, units)
    if holders != (None, None):
        # the outer edges publish the smallest and largest values: judged as extremes
        summary["extremes"] = {"min": holders[0], "max": holders[1]}
        evidence.at_min = np.full((n_bins, 1), np.nan)
        evidence.at_max = np.full((n_bins, 1), np.nan)
        evidence.at_min[0, 0] = np.nan if holders[0] is None else holders[0]
        evidence.at_max[-1, 0] = np.nan if holders[1] is None else holders[1]
    output = assess(table, evidence, rules, uid=uid, kind="figure", statistic="histogram",
                    summary=summary, source=source, **fields)
    few = [h for h in holders if h is not None and h < rules.threshold]
    if few:
        held = " and ".join(str(h) for h in holders if h is not None)
        output.reasons = [r for r in output.reasons if not r.endswith("(min_max).")]
        output.reasons.append(
            f"An outer bin edge is the data's own smallest or largest value, held by {held} "
            f"{unit_label}: fewer than {rules.threshold} shows a single {unit_label[:-1]}'s "
            "value (min_max); give range= or rounded bin edges instead.")
    if figure is not None:
        output.figure = {"png": figure_png(figure)}

    output.recipe = for_hist(check_hist, values, edges, unit, rules, uid)
    return output


def _edge_holders(array: np.ndarray, edges: np.ndarray,
                  units: np.ndarray | None) -> tuple[int | None, int | None]:
    """Records (or units) holding each outer edge's value where it is the data's extreme."""
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return None, None
    holders: list[int | None] = []
    for value, extreme in ((edges[0], finite.min()), (edges[-1], finite.max())):
        if value != extreme:
            holders.append(None)
            continue
        at = array == value
        holders.append(int(at.sum()) if units is None else int(len(np.unique(units[at]))))
    return holders[0], holders[1]


def outward_edges(edges: np.ndarray) -> np.ndarray:
    """Bin edges whose outer two are rounded outward, past the data's own extremes."""
    n_bins = len(edges) - 1
    low, high = float(edges[0]), float(edges[-1])
    step = 10.0 ** np.floor(np.log10((high - low) / n_bins)) if high > low else 1.0
    start, stop = np.floor(low / step) * step, np.ceil(high / step) * step
    start -= step if start >= low else 0.0
    stop += step if stop <= high else 0.0
    return np.linspace(start, stop, n_bins + 1)


# -- figures the magic captures -------------------------------------------------------------
def _bar_containers_of(ax: Any) -> list[Any]:
    from matplotlib.container import BarContainer

    return [c for c in ax.containers if isinstance(c, BarContainer)]


def _bar_containers(fig: Any) -> list[Any]:
    return [c for ax in fig.axes for c in _bar_containers_of(ax)]


def _edges_from_bars(bars: Any, values: np.ndarray) -> np.ndarray:
    """Bin edges read back from the bars, snapped onto data values they only miss by rounding.

    Matplotlib places a bar by its centre, so ``x`` can differ from the bin edge in the last
    digit; a record on an edge must still land in the bin matplotlib counted it in.
    """
    lefts = np.array([p.get_x() for p in bars.patches], dtype=float)
    widths = np.array([p.get_width() for p in bars.patches], dtype=float)
    order = np.argsort(lefts)
    lefts, widths = lefts[order], widths[order]
    edges = np.append(lefts, lefts[-1] + widths[-1])
    data = np.unique(values[np.isfinite(values)])
    if data.size:
        tol = 1e-9 * float(np.min(np.abs(widths))) if widths.size else 0.0
        pos = np.searchsorted(data, edges)
        for near in (data[np.maximum(pos - 1, 0)], data[np.minimum(pos, data.size - 1)]):
            close = np.abs(near - edges) <= tol
            edges[close] = near[close]
    return edges


def check_figure(fig: Any, *, rules: RuleValues, uid: str, values: Any = None,
                 unit: Any = None, source: dict[str, Any] | None = None,
                 **fields: Any) -> Output:
    """A matplotlib figure: a traced histogram gets its counts; anything else is ``review``.

    ``values`` are the data behind a histogram when the caller (the magic) knows them; the
    bin edges are read from the figure's bars. Without them, or for any other figure, we
    cannot tell how many records stand behind what is drawn, so a checker must review it.
    """
    bars = _bar_containers(fig)
    if values is not None and len(bars) == 1 and len(bars[0].patches) > 0:
        array = as_series(values, "values")
        edges = _edges_from_bars(bars[0], _numeric(array))
        output = check_hist(array, edges, rules=rules, uid=uid, unit=unit, source=source,
                            figure=fig, **fields)
        heights = np.array([p.get_height() for p in bars[0].patches], dtype=float)
        if heights.shape != output.table["count"].shape or not np.allclose(
                np.sort(heights), np.sort(output.table["count"].to_numpy(dtype=float))):
            output.add_review("The bars do not show the unweighted counts of these values "
                              "(density, weights or cumulative?); the counts beside them "
                              "are the records per bin: please review.")
        return output
    return untraced_figure(fig, rules=rules, uid=uid, source=source, **fields)


def untraced_figure(fig: Any, *, rules: RuleValues, uid: str,
                    source: dict[str, Any] | None = None, **fields: Any) -> Output:
    """A figure whose records we cannot count: described per axes, and always ``review``."""
    rows = []
    for ax in fig.axes:
        rows.append({
            "title": ax.get_title(), "x": ax.get_xlabel(), "y": ax.get_ylabel(),
            "bars": sum(len(c.patches) for c in _bar_containers_of(ax)),
            "lines": len(ax.lines), "collections": len(ax.collections),
        })
    table = pd.DataFrame(rows, index=pd.Index([f"axes {i + 1}" for i in range(len(rows))],
                                              name="axes"),
                         columns=["title", "x", "y", "bars", "lines", "collections"])
    counts = pd.DataFrame(pd.NA, index=table.index, columns=table.columns)
    reason = ("jupyter_sdc cannot trace the records behind this figure, so it cannot count "
              "them: add the unweighted counts behind every bar, point or line, explain the "
              "figure, and a checker will review it.")
    return Output(uid=uid, kind="figure", statistic="custom", table=table, counts=counts,
                  checks={"custom": Status.REVIEW}, reasons=[reason], rules=rules.to_dict(),
                  figure={"png": figure_png(fig)}, source=dict(source or {}), **fields)
