"""The one rule table (``rule_table.json``): each rule once, read by every part.

The judge loops over it (the check functions are in ``checks.py``); results.json takes its ACRO
check names, the views and the document its words, the JupyterLab extension the same file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jupyter_sdc.core.status import Status

_CELLS = re.compile(r"\{cells:(\w+)\}")
_SINGULAR = {"have": "has", "are": "is", "fail": "fails", "leave": "leaves",
             "publish": "publishes"}


@dataclass(frozen=True)
class Rule:
    """One rule: how it is named, what it judges, the status it gives and how it is told."""

    id: str
    kind: str                      # "cell" (judged per cell), "output" or "mark" (mitigation)
    acro_check: str | None         # ACRO's check name in results.json
    status: str | None             # "fail", "review", or "setting:<rule value>"
    statistics: tuple[str, ...]    # the statistics it judges
    settings: tuple[str, ...]      # the rule values it reads
    words: str | None              # what it means for one cell
    reason: str | None = None      # template of the reason given for a whole output
    reason_model: str | None = None
    reason_strict: str | None = None  # nk under nk_strict: "more than k"
    reported: bool = True          # False: a mark of mitigation, not a failing rule

    def status_under(self, values: Any) -> Status:
        """The status a flagged cell gives under these rule values."""
        if self.status and self.status.startswith("setting:"):
            return Status(getattr(values, self.status.split(":", 1)[1]))
        return Status(self.status or Status.REVIEW)


@dataclass(frozen=True)
class StatusLook:
    symbol: str
    word: str
    text: str


@cache
def _table() -> dict[str, Any]:
    text = resources.files("jupyter_sdc.core").joinpath("rule_table.json").read_text("utf-8")
    return json.loads(text)


def _rule(entry: dict[str, Any]) -> Rule:
    fields = {k: v for k, v in entry.items() if k in Rule.__dataclass_fields__}
    fields["statistics"] = tuple(fields.get("statistics") or ())
    fields["settings"] = tuple(fields.get("settings") or ())
    return Rule(**fields)


RULES: tuple[Rule, ...] = tuple(_rule(entry) for entry in _table()["rules"])
RULE_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
#: the rules judged cell by cell, in the order of judgement
CELL_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule.kind == "cell")
#: flags that mark a mitigation (shown, never counted as failing)
MITIGATION_MARKS = frozenset(rule.id for rule in RULES if not rule.reported)
STATUS_LOOKS: dict[Status, StatusLook] = {
    Status(name): StatusLook(**look) for name, look in _table()["statuses"].items()}
#: statistic -> the rules that judge it
STATISTIC_RULES: dict[str, tuple[str, ...]] = {
    name: rules for name in _table()["statistics"]
    if (rules := tuple(rule.id for rule in CELL_RULES if name in rule.statistics))}


def check_name(rule_id: str) -> str:
    """The ACRO check name of a rule id (CamelCase + ``Check`` for one the table lacks)."""
    rule = RULE_BY_ID.get(rule_id)
    if rule is not None and rule.acro_check:
        return rule.acro_check
    return "".join(part.capitalize() for part in rule_id.split("_")) + "Check"


def cells_phrase(n: int, verb: str) -> str:
    """'1 cell has' / '3 cells have' (``verb`` in its plural form)."""
    if n == 1:
        return f"1 cell {_SINGULAR.get(verb, verb)}"
    return f"{n} cells {verb}"


def reason_text(template: str, n_cells: int, values: Mapping[str, Any]) -> str:
    """A reason template filled in: ``{cells:have}`` by the number of cells, then the values."""
    text = _CELLS.sub(lambda m: cells_phrase(n_cells, m.group(1)), template)
    return text.format(**values)


def rule_words(rule_id: str, values: Mapping[str, Any] | None) -> str:
    """``"threshold: fewer than 10 contributing records"`` for a tooltip or legend."""
    rule = RULE_BY_ID.get(rule_id)
    if rule is None or rule.words is None:
        return rule_id
    given = {"threshold": 10, "nk_n": 2, "dof": 10}
    given.update({k: v for k, v in (values or {}).items() if v is not None})
    given["units"] = f"units ({values['unit']})" if values and values.get("unit") else "records"
    try:
        return f"{rule_id}: {rule.words.format(**given)}"
    except (KeyError, IndexError, ValueError):
        return rule_id
