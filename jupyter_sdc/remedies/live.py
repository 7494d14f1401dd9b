"""Remedies in a live session: found when a failing output is added, kept with its record.

``keep_remedies`` is a session listener (``api.Session`` subscribes it): a failing output with a
recipe gets its remedies as soon as it is added, so the badge, the panel and the saved notebook
hold them; a later label (``Table 2a``) rewrites their code. ``supersede`` marks the failing
output replaced once a remedy's cell has made its output.
"""

from __future__ import annotations

from typing import Any

from jupyter_sdc.core.record import Output
from jupyter_sdc.core.session import running_cell
from jupyter_sdc.core.status import Status
from jupyter_sdc.remedies.model import Remedy
from jupyter_sdc.remedies.recipe import Recipe
from jupyter_sdc.remedies.search import find

#: statuses whose outputs get remedies (a review output gets them where its recipe offers some)
_WANTED = (Status.FAIL,)


def compute(output: Output) -> list[Remedy]:
    """Find the output's remedies now (best first) and save them in its record."""
    if isinstance(output.recipe, dict) and not output.recipe.get("code"):
        run = running_cell()
        output.recipe["code"] = (run.code if run is not None and run.code else None) or \
            output.source.get("code")
    recipe = Recipe.of(output)
    if recipe is None:
        return [Remedy.from_dict(r) for r in output.remedies]
    found = find(output, recipe)
    output.remedies = [r.to_dict() for r in found]
    if isinstance(output.recipe, dict):
        output.recipe["found"] = found
        output.recipe["label"] = output.label
    return found


def found_remedies(output: Output) -> list[Remedy]:
    """The remedies already found (computed now if the output has a recipe and none yet)."""
    if isinstance(output.recipe, dict) and "found" in output.recipe:
        return list(output.recipe["found"])
    if output.remedies or Recipe.of(output) is None:
        return [Remedy.from_dict(r) for r in output.remedies]
    return compute(output)


def keep_remedies(event: str, output: Output | None) -> None:
    """Session listener: remedies for a new failing output; their code follows its label."""
    if output is None:
        return
    try:
        if event in ("add", "replace"):
            wants = output.status in _WANTED or (
                isinstance(output.recipe, dict) and output.recipe.get("call") == "points")
            if wants and output.recipe is not None:
                compute(output)
            elif not wants:
                output.recipe = None  # a passing output keeps no reference to the data
        elif event == "update":
            _relabel(output)
    except Exception as err:  # noqa: BLE001 - a remedy search must never break the cell
        if isinstance(output.recipe, dict):
            output.recipe["error"] = f"{type(err).__name__}: {err}"


def _relabel(output: Output) -> None:
    made = output.recipe if isinstance(output.recipe, dict) else None
    if not made or "found" not in made or made.get("label") == output.label:
        return
    for remedy in made["found"]:
        if remedy.render is not None:
            remedy.code = remedy.render(output.label)
    made["label"] = output.label
    output.remedies = [r.to_dict() for r in made["found"]]


def supersede(session: Any, old: str, made: list[Output]) -> str:
    """Mark ``old`` superseded by the first output a remedy's cell made; says what happened.

    An output that still fails does not replace it (the old one stays, to be fixed)."""
    try:
        previous = session.get(old)
    except KeyError:
        return (f"--supersedes {old}: there is no such output in this session (re-run the "
                "cell that made it first); nothing was marked superseded.")
    mine = [o for o in made if o.uid != previous.uid]
    if not mine:
        return f"--supersedes {old}: the cell made no output to replace it."
    new = mine[0]
    if new.status == Status.FAIL:
        return (f"--supersedes {old}: the new output still fails, so "
                f"{previous.label or old} stays as it is.")
    session.update(previous.uid, superseded_by=new.uid)
    return ""
