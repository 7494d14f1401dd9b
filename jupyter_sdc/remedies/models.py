"""Remedies for models: say what constrains the degrees of freedom, and merge sparse levels.

A model fails when its residual degrees of freedom are too few (too many parameters for the
records) or when a parameter rests on too few records (a level of a categorical regressor held
by few). The remedy names the constraint and merges the sparse levels of the categorical
regressors (adjacent ones for ordered variables, the smallest sibling otherwise), refits with
the same formula and judges the fit again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies.context import Context, share
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Variant
from jupyter_sdc.remedies.tables import Grouping

_LEVEL = re.compile(r"^(?:C\()?\s*([A-Za-z_][\w]*)\s*(?:,[^)]*)?\)?\[T\.(.+)\]$")


def constraint(ctx: Context) -> str:
    """What limits the fit, in words: parameters against records, and the sparse levels."""
    summary = ctx.output.summary or {}
    n = summary.get("nobs", summary.get("n"))
    df_resid = summary.get("df_resid")
    params = len(ctx.output.table)
    parts = []
    if df_resid is not None and float(df_resid) < ctx.rules.dof:
        parts.append(f"{params} parameters for {n} records leave {float(df_resid):g} residual "
                     f"degrees of freedom (fewer than {ctx.rules.dof})")
    for key in ctx.recipe.keys:
        counts = key.series.value_counts()
        few = int((counts < ctx.rules.threshold).sum())
        if few:
            parts.append(f"{key.name} has {len(counts)} levels, {few} with fewer than "
                         f"{ctx.rules.threshold} records")
    return "; ".join(parts)


def _sparse_parameters(out: Any) -> list[tuple[str, str]]:
    """(variable, level) of each parameter that fails the threshold."""
    flag = out.flags.get("threshold")
    if flag is None or out.checks.get("threshold") != Status.FAIL:
        return []
    rows = flag.to_numpy(dtype=bool).any(axis=1)
    found = []
    for name, failing in zip(out.table.index, rows, strict=True):
        match = _LEVEL.match(str(name)) if failing else None
        if match:
            found.append((match[1], match[2]))
    return found


def _step(ctx: Context, out: Any, groupings: dict[int, Grouping]) -> bool:
    names = {g.name: i for i, g in groupings.items()}
    for variable, level in _sparse_parameters(out):
        i = names.get(variable)
        if i is not None:
            g = groupings[i].group_of(level)
            if g is not None and groupings[i].merge(g):
                return True
    if out.checks.get("dof") == Status.FAIL or out.status == Status.FAIL:
        widest = max(groupings.values(), key=lambda g: len(g.groups))
        counts = [widest.count(grp) for grp in widest.groups]
        return widest.merge(counts.index(min(counts)))
    return False


def model_remedies(ctx: Context) -> Iterator[Remedy]:
    keys = [i for i in range(len(ctx.recipe.keys))]
    groupings = {i: Grouping.start(ctx, i, "adjacent" if Grouping.start(ctx, i, "sibling")
                                   .levels.ordered else "sibling") for i in keys}
    groupings = {i: g for i, g in groupings.items() if len(g.groups) > 2}
    if not groupings:
        return
    why = constraint(ctx)
    out = ctx.output
    for _ in range(sum(len(g.groups) for g in groupings.values())):
        if not _step(ctx, out, groupings):
            return
        variant = Variant(keys={i: g.series(ctx.recipe.keys[i].series)
                                for i, g in groupings.items() if g.merged()})
        out = ctx.build(variant)
        if out.status != Status.FAIL:
            break
    else:
        return
    used = [g for g in groupings.values() if g.merged()]
    merged = sum(len(g.levels.values) - len(g.groups) for g in used)
    moved = sum(g.moved() for g in used)
    loss = {"categories_merged": merged, "records_moved": moved,
            "parameters_removed": merged, "score": share(moved, ctx.total)
            + 0.01 * share(merged, len(ctx.output.table))}

    def edit(editor: Any) -> None:
        for g in used:
            editor.recode_key(g.index, g.template(ctx.helper))

    words = "; ".join(g.words() for g in used)
    head = f"{why[0].upper()}{why[1:]}. " if why else ""
    found = ctx.remedy("merge_model_levels", f"{head}{words[0].upper()}{words[1:]} and fit "
                       "again.", variant, loss, edit, built=out)
    if found is not None:
        yield found
