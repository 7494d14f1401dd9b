"""Remedies for tables failing threshold, zeros, class disclosure, n,k or p%.

Merge a sparse category into a neighbour (adjacent for ordered variables, the smallest sibling,
a researcher-given hierarchy or "Other" for nominal ones), re-band a numeric variable, drop a
dimension, suppress with complements, round under a rounding profile. Merges are found greedily:
the smallest group behind a failing cell is merged, the table built and judged again, until
nothing fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies import levels as lv
from jupyter_sdc.remedies.code import literal
from jupyter_sdc.remedies.context import Context, counts_of, interior, share
from jupyter_sdc.remedies.helpers import merge_levels, rebin
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Variant

#: rules a merge of categories can mend
MERGEABLE = ("threshold", "zeros", "class_disclosure", "nk", "p_percent", "min_max")


@dataclass
class Grouping:
    """The levels of one key gathered into groups (each a list of levels, in order)."""

    index: int
    name: str
    levels: lv.Levels
    groups: list[list[Any]]
    policy: str  # "adjacent", "sibling", "other" or "hierarchy"
    parents: dict[Any, Any] | None = None

    @classmethod
    def start(cls, ctx: Context, index: int, policy: str) -> Grouping:
        key = ctx.recipe.keys[index]
        levels = lv.levels_of(key.series)
        return cls(index, key.name, levels, [[v] for v in levels.values], policy,
                   ctx.hierarchies.get(key.name))

    def count(self, group: list[Any]) -> int:
        where = self._where()
        return int(sum(self.levels.counts[where[str(v)]] for v in group))

    def _where(self) -> dict[str, int]:
        """Each level's position, by its text (the levels never change; made once)."""
        found = self.__dict__.get("_positions")
        if found is None:
            found = {str(v): i for i, v in enumerate(self.levels.values)}
            self.__dict__["_positions"] = found
        return found

    def lookup(self) -> dict[str, int]:
        """The group of each label a table shows (a merged group's label, or a level left
        alone), as ``group_of`` finds it, for every label at once."""
        found: dict[str, int] = {}
        for g, group in enumerate(self.groups):
            found.setdefault(str(self.label(group)), g)
            if len(group) == 1:
                found.setdefault(str(group[0]), g)
        return found

    def label(self, group: list[Any]) -> Any:
        if len(group) == 1:
            return group[0]
        if self.policy == "other" and not self.levels.ordered:
            return "Other"
        parent = {lv.hierarchy_parent(self.parents, v) for v in group}
        if self.policy == "hierarchy" and len(parent) == 1 and None not in parent:
            return str(parent.pop())
        if self.levels.kind == "numeric":
            return lv.numeric_labels([group])[0]
        return lv.merged_label(group, self.levels.kind)

    def merged(self) -> bool:
        return len(self.groups) < len(self.levels.values)

    def merge(self, g: int) -> bool:
        """Merge group ``g`` as the policy says; False when it cannot be merged further."""
        if len(self.groups) <= 2 and self.policy != "hierarchy":
            return False
        if self.levels.ordered:
            left = self.count(self.groups[g - 1]) if g > 0 else np.inf
            right = self.count(self.groups[g + 1]) if g + 1 < len(self.groups) else np.inf
            other = g - 1 if left <= right else g + 1
        elif self.policy == "hierarchy" and self.parents:
            return self._roll_up(g)
        elif self.policy == "other":
            others = [i for i, grp in enumerate(self.groups) if len(grp) > 1]
            other = others[0] if others and others[0] != g else self._smallest(g)
        else:
            other = self._smallest(g, sibling_of=self.groups[g][0])
        if other is None:
            return False
        low, high = sorted((g, other))
        self.groups[low] = self.groups[low] + self.groups[high]
        del self.groups[high]
        return True

    def _smallest(self, g: int, sibling_of: Any = None) -> int | None:
        parent = lv.hierarchy_parent(self.parents, sibling_of)
        choices = [i for i in range(len(self.groups)) if i != g]
        if parent is not None:
            siblings = [i for i in choices
                        if lv.hierarchy_parent(self.parents, self.groups[i][0]) == parent]
            choices = siblings or choices
        return min(choices, key=lambda i: self.count(self.groups[i]), default=None)

    def _roll_up(self, g: int) -> bool:
        parent = lv.hierarchy_parent(self.parents, self.groups[g][0])
        if parent is None:
            return False
        members = [i for i, grp in enumerate(self.groups)
                   if lv.hierarchy_parent(self.parents, grp[0]) == parent]
        if len(members) < 2:
            return False
        self.groups[members[0]] = [v for i in members for v in self.groups[i]]
        for i in reversed(members[1:]):
            del self.groups[i]
        return True

    # -- the recode ------------------------------------------------------------------------
    def series(self, series: pd.Series) -> pd.Series:
        if self.levels.kind == "numeric":
            edges, labels = self.edges()
            return rebin(series, edges, labels=labels)
        return merge_levels(series, self.mapping())

    def edges(self) -> tuple[list[float], list[str]]:
        whole = lv.is_whole(self.levels)
        return lv.numeric_edges(self.groups, whole), lv.numeric_labels(self.groups)

    def mapping(self) -> dict[Any, Any]:
        text = self.levels.kind == "interval"
        return {(str(v) if text else v): self.label(group)
                for group in self.groups if len(group) > 1 for v in group}

    def template(self, helper: str) -> str:
        if self.levels.kind == "numeric":
            edges, labels = self.edges()
            labels_text = literal(labels).replace("{", "{{").replace("}", "}}")
            return f"{helper}.rebin({{}}, {literal(edges)}, labels={labels_text})"
        body = literal(self.mapping()).replace("{", "{{").replace("}", "}}")
        return f"{helper}.merge_levels({{}}, {body})"

    def group_of(self, label: Any) -> int | None:
        text = str(label)
        for g, group in enumerate(self.groups):
            if text == str(self.label(group)) or (len(group) == 1 and text == str(group[0])):
                return g
        return None

    def moved(self) -> int:
        return sum(self.count(grp) - max(self.count([v]) for v in grp)
                   for grp in self.groups if len(grp) > 1)

    def words(self) -> str:
        parts = []
        for group in self.groups:
            if len(group) > 1:
                names = ", ".join(str(v) for v in group)
                parts.append(f"{names} into {self.label(group)!s}")
        if self.levels.kind == "numeric":
            return f"re-band {self.name} into {len(self.groups)} bands (" + "; ".join(
                str(self.label(g)) for g in self.groups) + ")"
        return f"merge {self.name}: " + "; ".join(parts)


def _key_positions(table: pd.DataFrame, names: list[str]) -> list[tuple[str, int] | None]:
    """Where each key's labels are in the table: ("index" or "columns", level), by name."""
    found: list[tuple[str, int] | None] = []
    for name in names:
        where = None
        for axis in ("index", "columns"):
            index = getattr(table, axis)
            for level, level_name in enumerate(index.names):
                if level_name is not None and str(level_name) == name:
                    where = (axis, level)
        found.append(where)
    return found


def _failing_labels(output: Any) -> list[tuple[tuple, tuple]]:
    mask = np.zeros(output.table.shape, dtype=bool)
    for rule, flag in output.flags.items():
        if output.checks.get(rule) == Status.FAIL:
            mask |= flag.to_numpy(dtype=bool)
    rows, cols = np.nonzero(mask)

    def labels(index: pd.Index) -> list[tuple]:
        # every label once, as plain values (a label looked up per cell costs pandas' boxing)
        return [v if isinstance(v, tuple) else (v,) for v in index.tolist()]

    row_labels, col_labels = labels(output.table.index), labels(output.table.columns)
    return [(row_labels[i], col_labels[j]) for i, j in zip(rows.tolist(), cols.tolist(),
                                                          strict=True)]


def _next_merge(ctx: Context, out: Any, groupings: dict[int, Grouping]) -> bool:
    """Merge the smallest group behind a failing cell; False when none can be merged."""
    names = [ctx.recipe.keys[i].name for i in groupings]
    positions = dict(zip(groupings, _key_positions(out.table, names), strict=True))
    options = set()
    lookups = {i: grouping.lookup() for i, grouping in groupings.items()}
    for step, (row, col) in enumerate(_failing_labels(out)):
        if step % 1024 == 0:
            ctx.in_time()
        for i, grouping in groupings.items():
            where = positions[i]
            if where is None:
                continue
            labels = row if where[0] == "index" else col
            if where[1] >= len(labels):
                continue
            g = lookups[i].get(str(labels[where[1]]))
            if g is not None:
                options.add((grouping.count(grouping.groups[g]), -len(grouping.groups), i, g))
    for _count, _n, i, g in sorted(options):
        if groupings[i].merge(g):
            return True
    return False


def merge_search(ctx: Context, allowed: list[int], policy: str) -> Remedy | None:
    """Merge categories of the keys ``allowed`` until the table no longer fails."""
    groupings = {i: Grouping.start(ctx, i, policy) for i in allowed}
    groupings = {i: g for i, g in groupings.items() if len(g.groups) >= 2}
    if not groupings:
        return None
    out = ctx.output
    for _step in range(sum(len(g.groups) for g in groupings.values())):
        if not _next_merge(ctx, out, groupings):
            return None
        variant = Variant(keys={i: g.series(ctx.recipe.keys[i].series)
                                for i, g in groupings.items() if g.merged()})
        out = ctx.build(variant)
        if out.status != Status.FAIL:
            return _merge_remedy(ctx, groupings, variant, out)
    return None


def _merge_remedy(ctx: Context, groupings: dict[int, Grouping], variant: Variant,
                  out: Any) -> Remedy | None:
    used = [g for g in groupings.values() if g.merged()]
    merged = sum(len(g.levels.values) - len(g.groups) for g in used)
    moved = sum(g.moved() for g in used)
    levels = sum(len(g.levels.values) for g in used)
    loss = {"categories_merged": merged, "records_moved": moved,
            "records_moved_share": share(moved, ctx.total),
            "score": share(moved, ctx.total) + 0.01 * share(merged, levels)}
    kind = "rebin" if all(g.levels.kind == "numeric" for g in used) else "merge_levels"

    def edit(editor: Any) -> None:
        for g in used:
            editor.recode_key(g.index, g.template(ctx.helper))

    words = "; ".join(g.words() for g in used)
    return ctx.remedy(kind, words[0].upper() + words[1:] + ".", variant, loss, edit, built=out)


def drop_remedies(ctx: Context) -> Iterator[Remedy]:
    keys = ctx.recipe.keys
    for i, key in enumerate(keys):
        if sum(k.role == key.role for k in keys) < 2:
            continue
        levels = lv.levels_of(key.series)
        moved = int(levels.counts.sum() - levels.counts.max()) if levels.counts.size else 0
        loss = {"categories_merged": len(levels.values) - 1, "records_moved": moved,
                "records_moved_share": share(moved, ctx.total),
                "score": 0.5 + share(moved, ctx.total)}  # a whole breakdown is lost
        remedy = ctx.remedy("drop_dimension", f"Drop {key.name} from the table.",
                            Variant(drop=(i,)), loss, lambda e, i=i: e.drop_key(i))
        if remedy is not None:
            yield remedy


def suppression_remedy(ctx: Context) -> Remedy | None:
    if ctx.output.mitigation.get("suppressed"):
        return None
    out = ctx.build(Variant(suppress=True))
    hidden = out.flags.get("suppressed")
    if hidden is None:
        return None
    mask = hidden.to_numpy(dtype=bool) & interior(out)
    counts = counts_of(out)
    total = counts[interior(out)].sum()
    secondary = out.flags.get("secondary")
    n_secondary = int(secondary.to_numpy(dtype=bool).sum()) if secondary is not None else 0
    loss = {"cells_suppressed": int(mask.sum()), "secondary_cells": n_secondary,
            "suppressed_share": share(counts[mask].sum(), total),
            "score": share(counts[mask].sum(), total) + 0.01 * share(mask.sum(), mask.size)}
    words = (f"Suppress the {int(mask.sum()) - n_secondary} failing cells"
             + (f" and {n_secondary} complementary cells" if n_secondary else "")
             + " (shown as *); a checker reviews the suppression.")
    return ctx.remedy("suppress", words, Variant(suppress=True), loss, lambda e: None, built=out)


def rounding_remedy(ctx: Context) -> Remedy | None:
    rules = ctx.rules
    failing = {r for r, s in ctx.output.checks.items() if s == Status.FAIL}
    if "round" not in rules.mitigation or ctx.output.mitigation.get("round_base") or \
            not failing <= {"threshold", "zeros"}:
        return None
    base = int(rules.round_base)
    out = ctx.build(Variant(round_base=base))
    before = counts_of(ctx.output)
    after = np.round(before / base) * base
    loss = {"rounding_error": share(np.abs(after - before).sum(), before.sum()),
            "score": share(np.abs(after - before).sum(), before.sum())}
    return ctx.remedy("round", f"Round the counts to base {base} (the profile's rounding).",
                      Variant(round_base=base), loss, lambda e: None, built=out)


def table_remedies(ctx: Context) -> Iterator[Remedy]:
    """Every kind of table remedy that no longer fails, in no particular order."""
    failing = {r for r, s in ctx.output.checks.items() if s == Status.FAIL}
    keys = list(range(len(ctx.recipe.keys)))
    if failing & set(MERGEABLE) and keys:
        nominal = [i for i in keys if not lv.levels_of(ctx.recipe.keys[i].series).ordered]
        strategies = [([i], "adjacent" if i not in nominal else "sibling") for i in keys]
        if len(keys) > 1:
            strategies.append((keys, "sibling"))
        strategies += [([i], "other") for i in nominal]
        strategies += [([i], "hierarchy") for i in nominal
                       if ctx.hierarchies.get(ctx.recipe.keys[i].name)]
        for allowed, policy in strategies:
            found = merge_search(ctx, allowed, policy)
            if found is not None:
                yield found
        yield from drop_remedies(ctx)
    for make in (suppression_remedy, rounding_remedy):
        found = make(ctx)
        if found is not None:
            yield found
