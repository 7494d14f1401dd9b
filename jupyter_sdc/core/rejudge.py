"""Judge a record again from the evidence it saved: what the live check and the export share.

``rejudge(output, rules)`` runs the same judge the live check ran, on the saved evidence and
mitigation marks, so an export can tell a record that was edited or judged under other rules
from one that stands as it was judged. It checks consistency, not authenticity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jupyter_sdc.core.judge import Judgement, judge
from jupyter_sdc.core.mitigation import mitigated_checks
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rule_table import RULE_BY_ID
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status, worst

#: checks set across outputs (differencing), not by judging one output's evidence
ACROSS_OUTPUTS = frozenset({"differencing"})
#: flags that mark a mitigation: kept as they are, never judged
MARKS = frozenset(rule.id for rule in RULE_BY_ID.values() if rule.kind == "mark")
NO_EVIDENCE = ("jupyter_sdc could not check this output itself, so a checker must review it "
               "(custom).")


def rejudge(output: Output, rules: RuleValues) -> Judgement:
    """Flags, checks and reasons of ``output`` judged from its saved evidence under ``rules``."""
    if output.evidence is None:
        # nothing to judge from: never a pass
        return Judgement(flags={}, checks={"custom": Status.REVIEW}, reasons=[NO_EVIDENCE])
    ev = output.evidence.cell_evidence(output.counts)
    judgement = judge(ev, rules)
    hidden = output.flags.get("suppressed")
    mask = hidden.to_numpy(dtype=bool) if hidden is not None else np.zeros(ev.shape, bool)
    mitigated_checks(judgement, mask, bool(output.mitigation.get("round_base")),
                     protected=output.mitigation.get("protected", True))
    return judgement


def apply(output: Output, judgement: Judgement) -> Output:
    """Set the record's flags and checks to ``judgement`` (mitigation marks and checks made
    across outputs are kept)."""
    table = output.table
    marks = {k: v for k, v in output.flags.items() if k in MARKS}
    output.flags = {rule: pd.DataFrame(flag, index=table.index, columns=table.columns,
                                       dtype=bool)
                    for rule, flag in judgement.flags.items()} | marks
    kept = {k: v for k, v in output.checks.items() if k in ACROSS_OUTPUTS}
    output.checks = {**judgement.checks, **kept}
    return output


def differences(output: Output, judgement: Judgement) -> list[str]:
    """How the record's saved verdict differs from ``judgement`` (empty when it stands)."""
    if output.evidence is None and Status.PASS in (worst(output.checks.values()),):
        return ["it saved no evidence (no counts) to judge it from, so it cannot pass"]
    found = []
    saved = {k: v for k, v in output.checks.items() if k not in ACROSS_OUTPUTS}
    for rule in sorted(set(saved) | set(judgement.checks)):
        was, now = saved.get(rule), judgement.checks.get(rule)
        if was != now:
            found.append(f"{rule} was saved as {_word(was)} but its evidence gives {_word(now)}")
    flagged = {k for k in output.flags if k not in MARKS}
    for rule in sorted(flagged | set(judgement.flags)):
        if rule not in flagged or rule not in judgement.flags:
            continue  # a missing rule is told by its check above
        if not np.array_equal(output.flags[rule].to_numpy(dtype=bool), judgement.flags[rule]):
            found.append(f"the cells flagged by {rule} differ from its evidence")
    return found


def _word(status: Status | None) -> str:
    return "not checked" if status is None else Status(status).value
