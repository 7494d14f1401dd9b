"""The gate: every record judged again before anything is written, from the evidence it saved.

Twice: under its own saved rules (a verdict, flags or mitigation that differ from the saved
ones mean the record was edited or is stale: refused by name), and under the strictest of the
rules the project requires at export time (``sdc.toml`` and its profile) and the TRE policy's
(``core.policy``): where those are stricter than what it was judged under, the stricter
verdict counts and the record says why and who requires it. A count table not rounded as
the policy requires is refused ("re-run the cell"). This checks that a
record is consistent with its evidence; it cannot prove who wrote the evidence, so a request
is never called "verified".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.judge import Judgement
from jupyter_sdc.core.policy import Policy, PolicyError, active_policy, strictest, weaker
from jupyter_sdc.core.record import SCHEMA_VERSION, Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic
from jupyter_sdc.core.status import Status, worst
from jupyter_sdc.export.numbering import ref

#: rule values that change no verdict (what was done is checked by ``_unrounded``)
_MITIGATION_VALUES = ("mitigation", "round_base")
_ACTIVE = object()  # judge_again's default: the policy in force


@dataclass
class GateResult:
    records: list[dict]                               # as judged at the gate
    problems: list[str] = field(default_factory=list)  # refusals: edited, stale, too old
    notes: list[str] = field(default_factory=list)     # verdicts made stricter, and why


def judge_again(records: list[dict], required: RuleValues,
                policy: Policy | None | object = _ACTIVE) -> GateResult:
    """Each record judged again under its own rules and under the strictest of ``required``
    (the project's) and ``policy``'s (by default the TRE policy in force)."""
    result = GateResult(records=[])
    if policy is _ACTIVE:
        try:
            policy = active_policy()
        except PolicyError as err:
            result.problems.append(str(err))
            return result
    floor = policy.rules if isinstance(policy, Policy) else None
    strict = strictest(required, floor) if floor is not None else required
    for record in records:
        name = _name(record)
        version = record.get("schema_version")
        if version != SCHEMA_VERSION:
            result.problems.append(
                f"{name} was checked by an older jupyter_sdc (record schema {version}, this "
                f"one reads {SCHEMA_VERSION}): re-run the cell so it is checked again.")
            continue
        try:
            output = Output.from_dict(record)
            own = RuleValues.from_dict(output.rules)
        except (ValueError, TypeError) as err:
            result.problems.append(f"{name}: edited or stale: {err}; re-run the cell.")
            continue
        found = differences(output, rejudge(output, own)) + _inconsistent(output)
        if found:
            result.problems.append(f"{name}: edited or stale: {found[0]}; re-run the cell.")
            continue
        unrounded = _unrounded(output, floor)
        if unrounded:
            result.problems.append(f"{name}: {unrounded}; re-run the cell.")
            continue
        stricter = _stricter(own, required, floor)
        if stricter and required.unit != own.unit and required.unit is not None:
            result.problems.append(
                f"{name}: counted {own.unit or 'records'}, but the project counts units "
                f"({required.unit}): re-run the cell.")
            continue
        if stricter:
            note = _stricter_verdict(output, rejudge(output, strict), stricter)
            if note:
                result.notes.append(f"{name}: {note}")
                record = {**record, **_verdict_fields(output)}
        result.records.append(record)
    return result


def _name(record: dict) -> str:
    return ref(record.get("uid"))  # the exporter renders it with the request's label and title


def _stricter(own: RuleValues, project: RuleValues,
              floor: RuleValues | None = None) -> list[str]:
    """The rule values the project or the TRE policy requires that are stricter than the
    record's own, each told once, by whichever requires more."""
    by_project = {w.name: w for w in weaker(own, project) if w.name not in _MITIGATION_VALUES}
    by_policy = {w.name: w for w in weaker(own, floor)
                 if w.name not in _MITIGATION_VALUES} if floor is not None else {}
    policy_more = {w.name for w in weaker(project, floor)} if floor is not None else set()
    found = []
    for name in dict.fromkeys([*by_project, *by_policy]):
        if name in by_policy and (name not in by_project or name in policy_more):
            found.append(by_policy[name].judged("the TRE policy"))
        else:
            found.append(by_project[name].judged("the project"))
    if project.unit is not None and project.unit != own.unit:
        found.append(f"unit {own.unit or 'records'}; the project counts {project.unit}")
    return found


def _unrounded(output: Output, floor: RuleValues | None) -> str | None:
    """Why a count table's rounding falls short of what the TRE policy requires (a project's
    own rounding is not a floor: a call may turn it off)."""
    if floor is None or "round" not in floor.mitigation \
            or output.statistic != Statistic.FREQUENCY:
        return None
    base = output.mitigation.get("round_base")
    if base and (base == floor.round_base
                 or (floor.round_larger and base % floor.round_base == 0)):
        return None
    done = f"rounded to {base}" if base else "not rounded"
    return f"its counts are {done}, but the TRE policy requires rounding to {floor.round_base}"


def _stricter_verdict(output: Output, judgement: Judgement, why: list[str]) -> str | None:
    """Give ``output`` the worse of its verdict and ``judgement``'s, rule by rule."""
    worse = {rule: status for rule, status in judgement.checks.items()
             if Status(status).severity > output.checks.get(rule, Status.PASS).severity}
    if not worse:
        return None
    table = output.table
    for rule in worse:
        new = pd.DataFrame(judgement.flags.get(rule, np.zeros(table.shape, bool)),
                           index=table.index, columns=table.columns, dtype=bool)
        old = output.flags.get(rule)
        output.flags[rule] = new if old is None else (old | new)
        output.checks[rule] = worse[rule]
    note = f"judged with {'; and '.join(why)}"
    output.reasons += [r for r in judgement.reasons if r not in output.reasons] + [
        f"Judged again at export under the rules required now: {note}."]
    return f"{note}: now {worst(output.checks.values()).value}"


def _verdict_fields(output: Output) -> dict[str, Any]:
    data = output.to_dict()
    return {key: data[key] for key in ("status", "checks", "flags", "reasons")}


def _inconsistent(output: Output) -> list[str]:
    """What the published values and the evidence say differently."""
    found = []
    counts = output.counts.to_numpy(dtype=float, na_value=np.nan)
    values = output.table
    hidden = output.flags.get("suppressed")
    mask = hidden.to_numpy(dtype=bool) if hidden is not None else np.zeros(values.shape, bool)
    blank = values.isna().to_numpy() if values.size else mask
    if output.mitigation.get("suppressed") and not np.array_equal(blank & mask, mask):
        found.append("a suppressed cell shows a value")
    rounded = output.mitigation.get("round_base")
    weighted = bool(output.summary.get("weighted"))  # estimates, not the counts beside them
    if output.statistic in (Statistic.FREQUENCY, Statistic.HISTOGRAM) and values.size \
            and not weighted:
        shown = np.where(mask, np.nan, counts)
        if rounded:
            shown = np.round(shown / rounded) * rounded
        numbers = np.where(blank, np.nan, _as_float(values))
        if not np.allclose(numbers, shown, equal_nan=True):
            found.append("the table's counts differ from the unweighted counts behind it")
    dof = output.evidence.grids.get("dof") if output.evidence is not None else None
    df_resid = output.summary.get("df_resid")
    if dof is not None and df_resid is not None and dof.size and not np.isclose(
            float(df_resid), float(np.nanmin(dof.to_numpy(dtype=float)))):
        found.append("the residual degrees of freedom differ from the model's evidence")
    return found


def _as_float(table: pd.DataFrame) -> np.ndarray:
    """Numbers (not booleans) as floats, anything else NaN: column by column, as the table's
    dtypes allow (a loop over 10^6 cells takes seconds)."""
    out = np.full(table.shape, np.nan)
    for j in range(table.shape[1]):
        column = table.iloc[:, j]
        if pd.api.types.is_bool_dtype(column.dtype):
            continue
        if pd.api.types.is_numeric_dtype(column.dtype):
            out[:, j] = column.to_numpy(dtype=float, na_value=np.nan)
        else:
            out[:, j] = [float(v) if isinstance(v, int | float) and not isinstance(v, bool)
                         else np.nan for v in column]
    return out
