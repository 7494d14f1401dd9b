"""Remedies for histograms: merge sparse bins, top-code the tails, round the outer edges.

A histogram's recipe holds its values and bin edges; each remedy is the same histogram on other
edges (``bins=[...]`` in the code), on top-coded values, or both, judged again by the same
adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies.code import literal
from jupyter_sdc.remedies.context import Context, share
from jupyter_sdc.remedies.extremes import coded_records
from jupyter_sdc.remedies.helpers import topcode
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Variant


def outward(edges: np.ndarray) -> np.ndarray:
    """Round edges of about the same width, from a round number below the first edge to one
    above the last (so neither is the data's own minimum or maximum)."""
    edges = np.asarray(edges, dtype=float)
    low, high = float(edges[0]), float(edges[-1])
    if high <= low:
        return edges
    raw = (high - low) / max(len(edges) - 1, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = np.floor(low / step) * step
    start -= step if start >= low else 0.0
    stop = np.ceil(high / step) * step
    stop += step if stop <= high else 0.0
    count = int(round((stop - start) / step))
    return np.round(start + step * np.arange(count + 1), 10)


def _bins_position(editor: Any) -> int | None:
    """``sdc.hist(data, column, bins)``, ``ax.hist(x, bins)``, ``series.hist(bins=...)``."""
    if editor.frame_node() is not None:
        return 2 if len(editor.call.args) >= 2 else None
    return 1 if editor.call.args else None


def _failing_bins(out: Any) -> np.ndarray:
    mask = np.zeros(len(out.table), dtype=bool)
    for rule, flag in out.flags.items():
        if out.checks.get(rule) == Status.FAIL:
            mask |= flag.to_numpy(dtype=bool).any(axis=1)
    return mask


def _merge_bins(ctx: Context, edges: np.ndarray, values: dict[str, Any]
                ) -> tuple[np.ndarray, Any] | None:
    """Drop the inner edge beside the sparsest failing bin until no bin fails."""
    edges = np.asarray(edges, dtype=float)
    for _step in range(len(edges)):
        out = ctx.build(Variant(values=values, options={"edges": edges}))
        if out.status != Status.FAIL:
            return edges, out
        failing = _failing_bins(out)
        if not failing.any() or len(edges) <= 3:
            return None
        counts = out.counts.iloc[:, 0].to_numpy(dtype=float)
        b = int(np.argmin(np.where(failing, counts, np.inf)))
        left = counts[b - 1] if b > 0 else np.inf
        right = counts[b + 1] if b + 1 < len(counts) else np.inf
        drop = b if left <= right else b + 1  # the edge between the bin and its neighbour
        edges = np.delete(edges, drop)
    return None


def _hist_remedy(ctx: Context, kind: str, words: str, edges: np.ndarray, out: Any,
                 coded: dict[str, tuple[float | None, float | None]]) -> Remedy | None:
    original = np.asarray(ctx.recipe.options["edges"], dtype=float)
    merged = max(len(original) - len(edges), 0)
    moved = sum(coded_records(ctx.recipe.values[n], u, lo) for n, (u, lo) in coded.items())
    loss = {"bins_merged": merged, "records_coded": moved,
            "score": share(merged, len(original) - 1) * 0.5 + share(moved, ctx.total)}
    values = {n: topcode(ctx.recipe.values[n], upper=u, lower=lo) for n, (u, lo) in coded.items()}

    def edit(editor: Any) -> None:
        for name, (upper, lower) in coded.items():
            parts = [f"upper={literal(upper)}"] if upper is not None else []
            parts += [f"lower={literal(lower)}"] if lower is not None else []
            editor.recode_values(name, f"{ctx.helper}.topcode({{}}, {', '.join(parts)})")
        editor.set_option("bins", literal([float(e) for e in edges]), _bins_position(editor))

    return ctx.remedy(kind, words, Variant(values=values, options={"edges": edges}), loss,
                      edit, built=out)


def _tails(ctx: Context, edges: np.ndarray) -> tuple[np.ndarray, dict] | None:
    """Round edges over the range that holds all but the sparse tails, the tails top- or
    bottom-coded into the outer bins (at a round number with at least N records beyond)."""
    from jupyter_sdc.remedies.extremes import _code_threshold

    name = next(iter(ctx.recipe.values))
    series = ctx.recipe.values[name]
    values = series.dropna().to_numpy(dtype=float)
    n = ctx.rules.threshold
    if values.size < 2 * n:
        return None
    upper = _code_threshold(series, None, "max", n)
    lower = _code_threshold(series, None, "min", n)
    sparse_high = (values > edges[-2]).sum() < n if len(edges) > 2 else False
    sparse_low = (values < edges[1]).sum() < n if len(edges) > 2 else False
    upper = upper if sparse_high or upper < edges[-2] else None
    lower = lower if sparse_low or lower > edges[1] else None
    if upper is None and lower is None:
        return None
    low = lower if lower is not None else float(values.min())
    high = upper if upper is not None else float(values.max())
    if high <= low:
        return None
    cut = outward(np.linspace(low, high, len(edges)))
    return cut, {name: (upper, lower)}


def hist_remedies(ctx: Context) -> Iterator[Remedy]:
    edges = np.asarray(ctx.recipe.options["edges"], dtype=float)
    failing = {r for r, s in ctx.output.checks.items() if s == Status.FAIL}
    rounded = outward(edges) if "min_max" in failing else edges
    found = _merge_bins(ctx, rounded, {})
    if found is not None:
        words = "Merge sparse bins" if len(found[0]) < len(edges) else ""
        if "min_max" in failing:
            words += (" and round" if words else "Round") + " the outer edges outward"
        yield from _some(_hist_remedy(ctx, "merge_bins" if len(found[0]) < len(edges)
                                      else "round_edges", words + ".", *found, {}))
    tails = _tails(ctx, rounded)
    if tails is not None:
        cut, coded = tails
        values = {n: topcode(ctx.recipe.values[n], upper=u, lower=lo)
                  for n, (u, lo) in coded.items()}
        found = _merge_bins(ctx, cut, values)
        if found is not None:
            yield from _some(_hist_remedy(
                ctx, "topcode", "Top/bottom-code the sparse tails into the outer bins"
                + (" and merge sparse bins" if len(found[0]) < len(cut) else "") + ".",
                *found, coded))


def _some(remedy: Remedy | None) -> Iterator[Remedy]:
    if remedy is not None:
        yield remedy
