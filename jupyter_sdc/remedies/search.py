"""Which remedies to try for a failing output, and the best of them first.

Each family of candidates (tables, extremes, histograms, models, plots) yields remedies that no
longer fail, already judged by the same adapter and rules as the original. They are ordered by
status (pass before review) and by ``loss["score"]``; the same code is offered once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies import code as codes
from jupyter_sdc.remedies.context import Context, OutOfBudget
from jupyter_sdc.remedies.hierarchy import hierarchies
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Recipe

#: how many remedies an output keeps
KEEP = 5

Family = Callable[[Context], Iterator[Remedy]]


def _families(recipe: Recipe) -> list[Family]:
    from jupyter_sdc.remedies.extremes import extreme_remedies
    from jupyter_sdc.remedies.figures import hist_remedies
    from jupyter_sdc.remedies.models import model_remedies
    from jupyter_sdc.remedies.plots import box_remedies, points_remedies
    from jupyter_sdc.remedies.tables import table_remedies

    if recipe.call == "model":
        return [model_remedies]
    figures = {"hist": hist_remedies, "points": points_remedies, "box": box_remedies}
    if recipe.call in figures:
        return [figures[recipe.call]]
    if recipe.call in ("stat", "describe"):
        return [extreme_remedies]
    return [extreme_remedies, table_remedies]


def find(output: Output, recipe: Recipe) -> list[Remedy]:
    """The remedies of a failing output, best first (none for one that passes)."""
    if output.status == Status.PASS:
        return []
    ctx = Context(output, recipe, RuleValues.from_dict(output.rules or {}),
                  hierarchies=hierarchies(), alias=codes.sdc_alias())
    found: list[Remedy] = []
    try:
        for family in _families(recipe):
            for remedy in family(ctx):
                found.append(remedy)
    except OutOfBudget:
        pass  # keep what was found in time
    return best(found)


def best(found: list[Remedy]) -> list[Remedy]:
    seen: set[str] = set()
    kept = []
    for remedy in sorted(found, key=lambda r: (r.status != Status.PASS, r.score)):
        if remedy.code in seen:
            continue
        seen.add(remedy.code)
        kept.append(remedy)
    return kept[:KEEP]
