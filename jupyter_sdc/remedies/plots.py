"""Remedies for plots whose marks are single records.

- A scatter plot (every point is one record) becomes a 2-D histogram of the same two
  variables: edges at quantiles, so that every bin holds enough records, with the outer
  edges rounded outward (neither is a record's own value); the fewest merges first.
- A box plot whose whiskers end at single records' values and whose outlier points are
  records is drawn with whiskers at percentiles with at least N records beyond each, and no
  outlier points.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

import numpy as np

from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies.code import NoCode, literal, receiver
from jupyter_sdc.remedies.context import Context, share
from jupyter_sdc.remedies.figures import outward
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Variant

#: bins per axis tried for a scatter plot's 2-D histogram, most detail first
BINS = (8, 6, 5, 4, 3, 2)
#: whiskers tried for a box plot, the widest first
WHISKERS = ((1, 99), (2.5, 97.5), (5, 95), (10, 90), (25, 75))


def _edges(values: np.ndarray, k: int) -> np.ndarray | None:
    """``k`` bins at quantiles, inner edges rounded to 3 significant digits, outer edges
    rounded outward; None when the values have too few distinct quantiles."""
    inner = np.quantile(values, np.linspace(0, 1, k + 1)[1:-1])
    inner = np.array([float(f"{v:.3g}") for v in inner])
    outer = outward(np.array([values.min(), values.max()]))
    edges = np.unique(np.concatenate([[outer[0]], inner, [outer[-1]]]))
    return edges if len(edges) == k + 1 else None


def points_remedies(ctx: Context) -> Iterator[Remedy]:
    xn, yn = ctx.recipe.options["x"], ctx.recipe.options["y"]
    x = ctx.recipe.values[xn].to_numpy(dtype=float)
    y = ctx.recipe.values[yn].to_numpy(dtype=float)
    both = ~(np.isnan(x) | np.isnan(y))
    x, y = x[both], y[both]
    if x.size < 4 * ctx.rules.threshold:
        return
    for k in BINS:
        xe, ye = _edges(x, k), _edges(y, k)
        if xe is None or ye is None:
            continue
        variant = Variant(options={"xedges": xe, "yedges": ye})
        out = ctx.build(variant)
        if out.status == Status.FAIL:
            continue
        loss = {"bins": k * k, "score": 0.5 + share(1, k)}  # the points themselves are gone

        def edit(editor: Any, xe: np.ndarray = xe, ye: np.ndarray = ye) -> None:
            _as_hist2d(editor, xe, ye)

        remedy = ctx.remedy("hist2d", f"Draw a 2-D histogram ({k} × {k} bins at quantiles, "
                            "outer edges rounded) instead of the points: every bin holds "
                            f"at least {ctx.rules.threshold} records.", variant, loss, edit,
                            built=out)
        if remedy is not None:
            yield remedy
            return


def _as_hist2d(editor: Any, xe: np.ndarray, ye: np.ndarray) -> None:
    """``ax.scatter(x, y, s=…)`` → ``ax.hist2d(x, y, bins=[[…], […]])``."""
    call = editor.call
    if len(call.args) < 2 or not isinstance(call.func, ast.Attribute):
        raise NoCode("the scatter call does not name x and y as its first arguments")
    site = editor.site
    head = site.text(receiver(call))
    bins = literal([[float(e) for e in xe], [float(e) for e in ye]])
    site.replace(call, f"{head}.hist2d({site.text(call.args[0])}, {site.text(call.args[1])}, "
                       f"bins={bins})")


def box_remedies(ctx: Context) -> Iterator[Remedy]:
    for low, high in WHISKERS:
        variant = Variant(options={"whis": (low, high), "showfliers": False})
        out = ctx.build(variant)
        if out.status == Status.FAIL:
            continue
        loss = {"percentile": float(low), "score": share(low, 50)}

        def edit(editor: Any, low: float = low, high: float = high) -> None:
            editor.set_option("whis", f"({literal(low)}, {literal(high)})")
            editor.set_option("showfliers", "False")

        remedy = ctx.remedy("whiskers", f"Draw the whiskers at the {_pct(low)} and "
                            f"{_pct(high)} percentiles, without outlier points: at least "
                            f"{ctx.rules.threshold} records lie beyond each.", variant, loss,
                            edit, built=out)
        if remedy is not None:
            yield remedy
            return


def _pct(value: float) -> str:
    return f"{value:g}th"
