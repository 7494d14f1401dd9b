"""What every remedy search shares: the failing output, its recipe, its code and a budget.

``Context.try_variant`` builds a candidate with the recipe (the same adapter and rules as the
original) and keeps it only when it no longer fails; ``Context.code`` writes its cell.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies import code as codes
from jupyter_sdc.remedies.edits import Editor
from jupyter_sdc.remedies.model import Remedy, preview
from jupyter_sdc.remedies.recipe import Recipe, Variant

#: seconds and rebuilds one output's search may take
BUDGET_SECONDS = 10.0
BUDGET_BUILDS = 80
#: tables up to this many cells get a preview with changed cells marked
PREVIEW_CELLS = 2_000


class OutOfBudget(Exception):
    """The search has used its time or its rebuilds: what was found so far is kept."""


@dataclass
class Context:
    output: Output
    recipe: Recipe
    rules: RuleValues
    hierarchies: dict[str, dict[Any, Any]] = field(default_factory=dict)
    alias: str | None = None
    started: float = field(default_factory=time.monotonic)
    builds: int = 0
    site: codes.Site | None = None
    why_no_code: str | None = None

    def __post_init__(self) -> None:
        if self.recipe.code:
            names = [k.name for k in self.recipe.keys] + list(self.recipe.values)
            try:
                self.site = codes.locate(self.recipe.code, self.recipe.calls, names)
            except codes.NoCode as err:
                self.why_no_code = str(err)
        else:
            self.why_no_code = "the code of the cell that made it is not known"

    @property
    def helper(self) -> str:
        """How the remedy's code names jupyter_sdc (``sdc`` unless the notebook says otherwise)."""
        return self.alias or "sdc"

    @property
    def total(self) -> int:
        return max(self.recipe.n, 1)

    def in_time(self) -> None:
        """Raise ``OutOfBudget`` once the search has had its time (between rebuilds too: a
        search over a large table spends it choosing what to rebuild)."""
        if time.monotonic() - self.started > BUDGET_SECONDS:
            raise OutOfBudget

    def build(self, variant: Variant) -> Output:
        self.in_time()
        if self.builds >= BUDGET_BUILDS:
            raise OutOfBudget
        self.builds += 1
        mitigation = self.output.mitigation or {}
        return self.recipe.build(variant, base_suppress=bool(mitigation.get("suppressed")),
                                 base_round=mitigation.get("round_base"))

    def editor(self) -> Editor | None:
        if self.site is None:
            return None
        return Editor(self.recipe, dataclasses.replace(self.site, edits=[]))

    def remedy(self, kind: str, description: str, variant: Variant, loss: dict[str, float],
               edit: Callable[[Editor], None], built: Output | None = None) -> Remedy | None:
        """The candidate as a remedy, or None when it still fails or has no code."""
        out = built if built is not None else self.build(variant)
        if out.status == Status.FAIL or self.site is None:
            return None

        def render(label: str | None) -> str:
            editor = self.editor()
            edit(editor)
            line = codes.magic_line(self.site.magic, label, self.output.uid,
                                    suppress=variant.suppress, round_base=variant.round_base)
            return codes.cell(line, editor.finish(), self.alias)

        try:
            text = render(self.output.label)
        except codes.NoCode:
            return None
        small = out.table.size <= PREVIEW_CELLS
        return Remedy(kind=kind, description=description, code=text, status=out.status,
                      loss={"score": 0.0, **loss}, output=out,
                      preview=preview(self.output, out) if small else None, render=render)


def share(part: float, whole: float) -> float:
    return float(part) / float(whole) if whole else 0.0


def interior(output: Output) -> np.ndarray:
    """Cells that are not margins."""
    grids = output.evidence.grids if output.evidence is not None else {}
    margin = grids.get("margin")
    if margin is None:
        return np.ones(output.table.shape, dtype=bool)
    return ~margin.fillna(False).to_numpy(dtype=bool)


def counts_of(output: Output) -> np.ndarray:
    return output.counts.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy(dtype=float)
