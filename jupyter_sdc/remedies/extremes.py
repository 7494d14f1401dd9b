"""Remedies for a published minimum, maximum or extreme quantile held by too few units.

- the mean of the k most extreme units, widened until none dominates (``sdc.safe_extremes``);
- a percentile with at least N units beyond it (and below it);
- top- or bottom-coding at a round number past which at least N units lie (``sdc.topcode``).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies.code import NoCode, literal
from jupyter_sdc.remedies.context import Context, share
from jupyter_sdc.remedies.helpers import topcode
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Variant
from jupyter_sdc.remedies.safe import safe_extremes_output

PERCENTILES = (0.99, 0.975, 0.95, 0.9, 0.8, 0.75)


def _sides(ctx: Context) -> dict[str, set[str]]:
    """Which sides fail, per summarised variable: {"income": {"max"}}."""
    flag = ctx.output.flags.get("min_max")
    found: dict[str, set[str]] = {}
    if flag is None or ctx.output.checks.get("min_max") != Status.FAIL:
        return found
    grids = ctx.output.evidence.grids if ctx.output.evidence is not None else {}
    statistic = grids.get("statistic")
    mask = flag.to_numpy(dtype=bool)
    names = list(ctx.recipe.values)
    for i, j in zip(*np.nonzero(mask), strict=True):
        stat = str(statistic.iat[i, j]) if statistic is not None else ""
        side = "min" if stat in ("min", "quantile_0") or stat.endswith("min") else "max"
        column = ctx.output.table.columns[j]
        name = next((n for n in names if str(n) == str(column)), names[0] if names else None)
        if name is not None:
            found.setdefault(name, set()).add(side)
    return found


def coded_records(series: pd.Series, upper: float | None, lower: float | None) -> int:
    """Records a top/bottom code changes."""
    above = int((series > upper).sum()) if upper is not None else 0
    return above + (int((series < lower).sum()) if lower is not None else 0)


def _units(ctx: Context, series: pd.Series) -> pd.Series | None:
    units = ctx.recipe.options.get("units")
    return units if isinstance(units, pd.Series) and len(units) == len(series) else None


def _beyond(series: pd.Series, units: pd.Series | None, value: float, side: str) -> int:
    mask = series > value if side == "max" else series < value
    if units is None:
        return int(mask.sum())
    return int(units[mask].nunique())


def _nice(value: float, side: str) -> float:
    """A round number at or inside ``value`` (2 significant digits)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    step = 10 ** (math.floor(math.log10(abs(value))) - 1)
    rounded = (math.floor if side == "max" else math.ceil)(value / step) * step
    return float(round(rounded, 10))


def _code_threshold(series: pd.Series, units: pd.Series | None, side: str, n: int
                    ) -> float | None:
    """The top (bottom) code: a round number with at least ``n`` units at or beyond it."""
    kept = series.dropna()
    if units is not None:
        per = kept.groupby(units.loc[kept.index].to_numpy())
        kept = per.max() if side == "max" else per.min()
    if len(kept) < n:
        return None
    ordered = np.sort(kept.to_numpy(dtype=float))
    nth = ordered[-n] if side == "max" else ordered[n - 1]
    return _nice(nth, side)


def topcode_remedy(ctx: Context, sides: dict[str, set[str]]) -> Remedy | None:
    values, codes, changed = {}, {}, 0
    for name, which in sides.items():
        series = ctx.recipe.values[name]
        units = _units(ctx, series)
        upper = _code_threshold(series, units, "max", ctx.rules.threshold) if "max" in which \
            else None
        lower = _code_threshold(series, units, "min", ctx.rules.threshold) if "min" in which \
            else None
        if (upper is None and "max" in which) or (lower is None and "min" in which) or (
                upper is not None and lower is not None and lower > upper):
            return None
        values[name] = topcode(series, upper=upper, lower=lower)
        codes[name] = (upper, lower)
        changed += coded_records(series, upper, lower)
    variant = Variant(values=values)
    loss = {"records_coded": changed, "records_coded_share": share(changed, ctx.total),
            "score": share(changed, ctx.total)}

    def edit(editor: Any) -> None:
        for name, (upper, lower) in codes.items():
            parts = [f"upper={literal(upper)}"] if upper is not None else []
            parts += [f"lower={literal(lower)}"] if lower is not None else []
            editor.recode_values(name, f"{ctx.helper}.topcode({{}}, {', '.join(parts)})")

    words = "; ".join(
        f"{name}: " + " and ".join(
            ([f"top-code at {upper:g}"] if upper is not None else [])
            + ([f"bottom-code at {lower:g}"] if lower is not None else []))
        for name, (upper, lower) in codes.items())
    return ctx.remedy("topcode", f"Top/bottom-code {words}, so at least {ctx.rules.threshold} "
                      "units hold each published extreme.", variant, loss, edit)


def _frame_and_column(ctx: Context, editor: Any, name: str) -> tuple[str, str]:
    """The data frame and column of the summarised values, as the code names them."""
    node = editor.values_node(name)
    if node is None:
        frame = editor.frame_node()
        if frame is None:
            raise NoCode("the data behind the statistic is not in the code")
        return editor.site.text(frame), str(name)
    if isinstance(node, ast.Attribute):
        return editor.site.text(node.value), node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and \
            isinstance(node.slice.value, str):
        return editor.site.text(node.value), node.slice.value
    label = str(name) if name is not None else "value"
    return f"({editor.site.text(node)}).to_frame({label!r})", label


def safe_remedy(ctx: Context, name: str, by: list[str] | None = None) -> Remedy | None:
    series = ctx.recipe.values[name]
    frame = ctx.recipe.frame if by else pd.DataFrame({name: series})
    units = _units(ctx, series)
    probe = frame.assign(__unit=units.to_numpy()) if units is not None else frame
    _table, out = safe_extremes_output(probe, name, rules=ctx.rules.replace(unit=None),
                                       uid=ctx.output.uid + "-safe", by=by,
                                       unit="__unit" if units is not None else None)
    ctx.builds += 1
    original = ctx.output.table.to_numpy(dtype=float, na_value=np.nan)
    shown = out.table.to_numpy(dtype=float, na_value=np.nan)
    scale = np.nanmax(np.abs(original)) if np.isfinite(original).any() else 1.0
    shift = float(np.nanmax(np.abs(shown[:, -1:] - np.nanmax(original)))) / (scale or 1.0) \
        if not by else 0.0
    loss = {"relative_change": shift, "score": 0.05 + shift}

    def edit(editor: Any) -> None:
        frame_text, column = _frame_and_column(ctx, editor, name)
        extra = f", by={literal(by if len(by) > 1 else by[0])}" if by else ""
        editor.site.replace(editor.site.chain(), f"{ctx.helper}.safe_extremes({frame_text}, "
                                                 f"{column!r}{extra})")

    groups = f" within each {', '.join(by)}" if by else ""
    return ctx.remedy("safe_extremes", f"Publish the mean of the most extreme units of {name}"
                      f"{groups} (widened until none dominates) instead of single values.",
                      Variant(), loss, edit, built=out)


def percentile_remedy(ctx: Context, name: str, side: str) -> Remedy | None:
    series = ctx.recipe.values[name]
    units = _units(ctx, series)
    n = ctx.rules.threshold
    original = float(series.max() if side == "max" else series.min())
    for upper_q in PERCENTILES:
        q = upper_q if side == "max" else round(1 - upper_q, 6)
        value = float(series.quantile(q))
        if _beyond(series, units, value, side) < n or _beyond(
                series, units, value, "min" if side == "max" else "max") < n:
            continue
        out = ctx.build(Variant(options={"statistic": "quantile", "q": q}))
        if out.status == Status.FAIL:
            continue
        change = abs(value - original) / (abs(original) or 1.0)
        loss = {"relative_change": change, "score": 0.02 + change}

        def edit(editor: Any, q: float = q) -> None:
            if editor.recipe.call == "stat" and editor._function_style():
                editor.site.replace(editor.call.args[1], repr("quantile"))
                editor.set_option("q", literal(q))
                return
            node = editor.values_node(name)
            if node is None:
                raise NoCode("the statistic's data is not in the code")
            editor.site.replace(editor.call,
                                f"{editor.site.text(node)}.quantile({literal(q)})")

        words = f"{q:.3g} quantile" if side == "min" else f"{upper_q * 100:g}th percentile"
        return ctx.remedy("percentile", f"Publish the {words} of {name} instead of its "
                          f"{'maximum' if side == 'max' else 'minimum'}: at least {n} units "
                          "lie beyond it.", Variant(options={"statistic": "quantile", "q": q}),
                          loss, edit, built=out)
    return None


def extreme_remedies(ctx: Context) -> Iterator[Remedy]:
    sides = _sides(ctx)
    if not sides:
        return
    call = ctx.recipe.call
    single = call == "stat" and len(sides) == 1
    for make in (
        lambda: topcode_remedy(ctx, sides),
        lambda: safe_remedy(ctx, next(iter(sides))) if single else None,
        lambda: percentile_remedy(ctx, *next((n, s) for n, w in sides.items() for s in w))
        if single and len(next(iter(sides.values()))) == 1 else None,
        lambda: _grouped_safe(ctx, sides),
    ):
        try:
            found = make()
        except (NoCode, KeyError, TypeError, ValueError):
            found = None
        if found is not None:
            yield found


def _grouped_safe(ctx: Context, sides: dict[str, set[str]]) -> Remedy | None:
    """A grouped table of maxima: the safe extremes within each group instead."""
    frame = ctx.recipe.frame
    keys = [k.name for k in ctx.recipe.keys]
    if ctx.recipe.call not in ("groupby", "pivot_table") or frame is None or len(sides) != 1 \
            or not keys or not all(k in frame.columns for k in keys):
        return None
    for by in [keys, *([k] for k in keys if len(keys) > 1)]:
        found = safe_remedy(ctx, next(iter(sides)), by=by)
        if found is not None:
            return found
    return None
