"""Judgement: turn cell evidence into per-rule flags, per-rule statuses and plain reasons.

It walks the rule table (``rule_table.py``) in order: for each cell rule that applies to some
cell's statistic, its check function (``checks.py``) flags cells, and the table gives the
status and the words. A rule that does not apply is absent from the flags: a missing key means
"not applicable".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jupyter_sdc.core.checks import CHECKS, Context, Found
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.rule_table import CELL_RULES, STATISTIC_RULES, Rule, reason_text
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import FREQUENCY_LIKE, Statistic
from jupyter_sdc.core.status import Status

__all__ = ["FREQUENCY_LIKE", "STATISTIC_RULES", "Judgement", "judge"]

_CUSTOM_REASON = ("The aggregation function is not one jupyter_sdc knows, so it was checked "
                  "as a magnitude table; explain what it computes (review).")


@dataclass
class Judgement:
    flags: dict[str, np.ndarray]
    checks: dict[str, Status]
    reasons: list[str]


def judge(ev: CellEvidence, rules: RuleValues) -> Judgement:
    """Flags per rule (2-D bool arrays), a status per rule, and reasons in plain words."""
    context = Context(ev, rules)
    flags: dict[str, np.ndarray] = {}
    checks: dict[str, Status] = {}
    reasons: list[str] = []
    for rule in CELL_RULES:
        if not context.applies(rule.id).any():
            continue
        found = CHECKS[rule.id](context)
        if found is None:
            continue
        flags[rule.id] = found.flag
        checks[rule.id] = (found.status or rule.status_under(rules)) if found.flag.any() \
            else Status.PASS
        if found.flag.any():
            reasons.append(_reason(rule, found, rules, ev.unit_label))
    if (~context.member(list(STATISTIC_RULES)) | context.member([Statistic.CUSTOM])).any():
        checks["custom"] = Status.REVIEW
        reasons.append(_CUSTOM_REASON)
    if context.incomplete or ev.review:
        # something could not be checked as asked: a checker must look (fail closed)
        checks["custom"] = Status.REVIEW
        reasons.extend(context.incomplete)
    reasons.extend(ev.notes)
    reasons.extend(ev.review)
    return Judgement(flags=flags, checks=checks, reasons=reasons)


def _reason(rule: Rule, found: Found, rules: RuleValues, unit: str) -> str:
    template = getattr(rule, found.variant) or rule.reason or rule.id
    values = {**rules.to_dict(), "unit": unit, "unit_one": unit[:-1], **found.values}
    return reason_text(template, int(found.flag.sum()), values)
