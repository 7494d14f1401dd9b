"""Evidence for plots judged by what they show: points, box plots and 2-D histograms.

- **Points** (scatter plots, every record of a line plot without an estimator): each point is
  one record's values, judged by the ``records`` rule (``fail``).
- **Box plots**: the median and quartiles are quantiles (threshold on the records behind the
  box, at least N on each side: ``quantile_sides``); a whisker drawn at a data value (the
  default, 1.5 IQR, or the range) is a single record's value, judged as a minimum or maximum
  (``min_max`` on the records holding it); a whisker drawn at a percentile (``whis=(5, 95)``)
  is a quantile; the outlier points drawn are records (``records``). So a box plot passes only
  with percentile whiskers, at least N records beyond each of them, and no outlier points.
- **2-D histograms** (``hist2d``, seaborn's bivariate ``histplot``, ``hexbin``): a frequency
  table of the bins, each judged by the threshold (and zeros as configured).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.matplotlib import _edge_labels, figure_png
from jupyter_sdc.adapters.sides import sides
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence, group_stats
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic

BOX_COLUMNS = ("lower whisker", "Q1", "median", "Q3", "upper whisker", "outliers")
POINTS_REASON = ("Each point drawn is one record's values (records): a scatter plot of "
                 "microdata cannot be released. Show binned counts instead (a 2-D histogram or "
                 "hexbin with at least {threshold} {unit} in every bin), or points that are "
                 "themselves checked aggregates.")


def _codes(units: Any, n: int) -> np.ndarray | None:
    if units is None:
        return None
    codes, _ = pd.factorize(pd.Series(np.asarray(units)), use_na_sentinel=True)
    if len(codes) != n or (codes < 0).any():
        raise ValueError("unit must give every record a unit identifier")
    return codes.astype(np.int64)


def _finish(output: Output, figure: Any) -> Output:
    if figure is not None:
        output.figure = {"png": figure_png(figure)}
    return output


def check_points(n: int, *, rules: RuleValues, uid: str, label: str = "points",
                 figure: Any = None, source: dict[str, Any] | None = None,
                 **fields: Any) -> Output:
    """A figure whose points are single records (``fail`` while any point is drawn)."""
    table = pd.DataFrame({"points drawn": [int(n)]}, index=pd.Index([label], name="layer"))
    evidence = CellEvidence(statistic=[Statistic.POINTS], count=np.array([[int(n)]]))
    output = assess(table, evidence, rules, uid=uid, kind="figure", statistic=Statistic.POINTS,
                    summary={"n": int(n)}, source=source, **fields)
    if output.flags.get("records") is not None and output.flags["records"].to_numpy().any():
        output.reasons = [r for r in output.reasons if not r.endswith("an aggregate instead.")]
        output.reasons.insert(0, POINTS_REASON.format(threshold=rules.threshold,
                                                      unit="records"))
    return _finish(output, figure)


def _box_row(values: np.ndarray, units: np.ndarray | None, whis: Any,
             showfliers: bool) -> tuple[list[float], list[str], dict[str, list[float]]]:
    """One box: its values, the statistic of each and the evidence of each cell."""
    from matplotlib import cbook

    keep = ~np.isnan(values)
    v, u = values[keep], (units[keep] if units is not None else None)
    stats = cbook.boxplot_stats(v, whis=whis)[0]
    fliers = len(stats["fliers"]) if showfliers else 0
    shown = [stats["whislo"], stats["q1"], stats["med"], stats["q3"], stats["whishi"], fliers]
    at_percentile = np.ndim(whis) == 1
    whisker = ("quantile", "quantile") if at_percentile else ("min", "max")
    kinds = [whisker[0], "quantile", "median", "quantile", whisker[1], Statistic.POINTS]
    n = len(v) if u is None else len(np.unique(u))
    ev: dict[str, list[float]] = {k: [np.nan] * 6 for k in ("below", "above", "at_min",
                                                              "at_max")}
    ev["count"] = [n] * 5 + [fliers]
    for j, kind in enumerate(kinds[:5]):
        if kind in ("quantile", "median"):
            ev["below"][j], ev["above"][j] = sides(v, float(shown[j]), u)
        else:
            at = v == shown[j]
            held = int(at.sum()) if u is None else int(len(np.unique(u[at])))
            ev["at_min" if kind == "min" else "at_max"][j] = held
    return shown, kinds, ev


def check_box(groups: Sequence[tuple[Any, Any, Any]], *, whis: Any = 1.5,
              showfliers: bool = True, rules: RuleValues, uid: str, figure: Any = None,
              source: dict[str, Any] | None = None, name: str | None = None,
              **fields: Any) -> Output:
    """A box plot: ``groups`` are ``(label, values, units or None)``, one per box."""
    rows, kinds, grids = [], [], {k: [] for k in ("count", "below", "above", "at_min",
                                                  "at_max")}
    units_used = False
    for _label, values, units in groups:
        array = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy(float)
        codes = _codes(units, len(array))
        units_used |= codes is not None
        shown, row_kinds, ev = _box_row(array, codes, whis, showfliers)
        rows.append(shown)
        kinds.append(row_kinds)
        for key in grids:
            grids[key].append(ev[key])
    table = pd.DataFrame(rows, columns=list(BOX_COLUMNS),
                         index=pd.Index([str(g[0]) for g in groups], name=name or "box"))
    table["outliers"] = table["outliers"].astype(np.int64)
    evidence = CellEvidence(
        statistic=np.array(kinds, dtype=object), count=np.array(grids["count"], dtype=np.int64),
        below=np.array(grids["below"], dtype=float), above=np.array(grids["above"], dtype=float),
        at_min=np.array(grids["at_min"], dtype=float),
        at_max=np.array(grids["at_max"], dtype=float),
        unit_label="units" if units_used else "records")
    summary = {"n": int(evidence.count[:, 0].sum()), "whis": list(np.ravel(whis)),
               "showfliers": bool(showfliers)}
    output = assess(table, evidence, rules, uid=uid, kind="figure", statistic="mixed",
                    summary=summary, source=source, **fields)
    if output.flags.get("records") is not None and output.flags["records"].to_numpy().any():
        output.reasons = [r for r in output.reasons if not r.endswith("an aggregate instead.")]
        output.reasons.append("The outlier points are single records' values (records): draw "
                              "the box plot without them (showfliers=False).")
    if output.flags.get("min_max") is not None and output.flags["min_max"].to_numpy().any():
        output.reasons.append("Whiskers at 1.5 IQR (or the range) end at single records' "
                              "values (min_max): draw them at percentiles, e.g. whis=(5, 95), "
                              f"with at least {rules.threshold} records beyond each.")
    return _finish(output, figure)


def check_hist2d(x: Any, y: Any, xedges: Any, yedges: Any, *, rules: RuleValues, uid: str,
                 units: Any = None, weighted: bool = False, figure: Any = None,
                 source: dict[str, Any] | None = None, **fields: Any) -> Output:
    """A 2-D histogram: the records (units) in each bin, as a frequency table."""
    xs = pd.to_numeric(pd.Series(np.asarray(x)), errors="coerce").to_numpy(float)
    ys = pd.to_numeric(pd.Series(np.asarray(y)), errors="coerce").to_numpy(float)
    xe, ye = np.asarray(xedges, dtype=float), np.asarray(yedges, dtype=float)
    rows, _, _ = np.histogram2d(xs[~(np.isnan(xs) | np.isnan(ys))],
                                ys[~(np.isnan(xs) | np.isnan(ys))], bins=[xe, ye])
    codes = _codes(units, len(xs))
    count = rows.astype(np.int64)
    if codes is not None:
        from jupyter_sdc.adapters.matplotlib import bin_ids

        ix, iy = bin_ids(xs, xe), bin_ids(ys, ye)
        ids = np.where((ix >= 0) & (iy >= 0), ix * (len(ye) - 1) + iy, -1)
        count = group_stats(ids, rows.size, units=codes).count.reshape(rows.shape)
    table = pd.DataFrame(rows.astype(np.int64),
                         index=pd.Index(_edge_labels(xe), name=getattr(x, "name", None) or "x"),
                         columns=pd.Index(_edge_labels(ye), name=getattr(y, "name", None) or "y"))
    evidence = CellEvidence(statistic=[Statistic.HISTOGRAM] * table.shape[1], count=count,
                            unit_label="units" if codes is not None else "records")
    review = ["The bins are drawn weighted or as densities; the counts judged are the "
              "unweighted records per bin: please review."] if weighted else []
    output = assess(table, evidence, rules, uid=uid, kind="figure",
                    statistic=Statistic.HISTOGRAM, review=review,
                    summary={"n": int(count.sum()), "bins": list(rows.shape)}, source=source,
                    **fields)
    return _finish(output, figure)


def mesh_edges(ax: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The bin edges of the one QuadMesh (a 2-D histogram) drawn on ``ax``."""
    from matplotlib.collections import QuadMesh

    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    if len(meshes) != 1:
        return None
    coords = meshes[0].get_coordinates()
    return coords[0, :, 0], coords[:, 0, 1]


def check_hexbin(collection: Any, *, rules: RuleValues, uid: str, figure: Any = None,
                 source: dict[str, Any] | None = None, **fields: Any) -> Output:
    """A hexbin of counts: the records in each hexagon drawn."""
    counts = np.asarray(collection.get_array(), dtype=float)
    centres = np.asarray(collection.get_offsets(), dtype=float)
    labels = [f"({cx:.4g}, {cy:.4g})" for cx, cy in centres[: len(counts)]]
    table = pd.DataFrame({"count": counts.astype(np.int64)},
                         index=pd.Index(labels, name="hexagon centre"))
    evidence = CellEvidence(statistic=[Statistic.HISTOGRAM], count=counts[:, None].astype(
        np.int64))
    output = assess(table, evidence, rules, uid=uid, kind="figure",
                    statistic=Statistic.HISTOGRAM, summary={"n": int(counts.sum())},
                    source=source, **fields)
    return _finish(output, figure)
