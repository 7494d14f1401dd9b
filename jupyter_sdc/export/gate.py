"""The gate: every record judged again before anything is written, from the evidence it saved.

Twice: under its own saved rules (a verdict, flags or mitigation that differ from the saved
ones mean the record was edited or is stale: refused by name), and under the rules the project
requires at export time (``sdc.toml`` and its profile): where those are stricter than what it
was judged under, the stricter verdict counts and the record says why. This checks that a
record is consistent with its evidence; it cannot prove who wrote the evidence, so a request
is never called "verified".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.judge import Judgement
from jupyter_sdc.core.record import SCHEMA_VERSION, Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic
from jupyter_sdc.core.status import Status, worst

#: rule values where a larger number is stricter, and where a smaller one is
_HIGHER = ("threshold", "dof", "p_percent")
_ON = ("zeros", "missing", "class_disclosure")
_ORDER = {"min_max": ("review", "fail"), "differencing": ("off", "review", "fail")}


@dataclass
class GateResult:
    records: list[dict]                               # as judged at the gate
    problems: list[str] = field(default_factory=list)  # refusals: edited, stale, too old
    notes: list[str] = field(default_factory=list)     # verdicts made stricter, and why


def judge_again(records: list[dict], required: RuleValues) -> GateResult:
    """Each record judged again under its own rules and under ``required`` (the project's)."""
    result = GateResult(records=[])
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
        stricter = _stricter(own, required)
        if stricter and required.unit != own.unit and required.unit is not None:
            result.problems.append(
                f"{name}: counted {own.unit or 'records'}, but the project counts units "
                f"({required.unit}): re-run the cell.")
            continue
        if stricter:
            note = _stricter_verdict(output, rejudge(output, required), stricter)
            if note:
                result.notes.append(f"{name}: {note}")
                record = {**record, **_verdict_fields(output)}
        result.records.append(record)
    return result


def _name(record: dict) -> str:
    label, uid = record.get("label"), record.get("uid")
    return f"{label} ({uid})" if label else f"output {uid}"


def _stricter(own: RuleValues, required: RuleValues) -> list[str]:
    """The rule values the project requires that are stricter than the record's own."""
    found = []
    for name in _HIGHER:
        if getattr(required, name) > getattr(own, name):
            found.append(f"{name} {getattr(own, name):g}; the project requires "
                         f"{getattr(required, name):g}")
    if (required.nk_n, required.nk_k) != (own.nk_n, own.nk_k) and not (
            required.nk_n <= own.nk_n and required.nk_k >= own.nk_k):
        found.append(f"nk ({own.nk_n}, {own.nk_k:g}); the project requires "
                     f"({required.nk_n}, {required.nk_k:g})")
    for name in _ON:
        if getattr(required, name) and not getattr(own, name):
            found.append(f"{name} off; the project requires it")
    for name, order in _ORDER.items():
        if order.index(getattr(required, name)) > order.index(getattr(own, name)):
            found.append(f"{name} {getattr(own, name)}; the project requires "
                         f"{getattr(required, name)}")
    if required.unit is not None and required.unit != own.unit:
        found.append(f"unit {own.unit or 'records'}; the project counts {required.unit}")
    return found


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
        f"Judged again at export under the project's rules: {note}."]
    return f"{note}: now {worst(output.checks.values()).value}"


def _verdict_fields(output: Output) -> dict[str, Any]:
    data = output.to_dict()
    return {key: data[key] for key in ("status", "checks", "flags", "reasons")}


def _inconsistent(output: Output) -> list[str]:
    """What the published values and the evidence say differently."""
    found = []
    counts = output.counts.to_numpy(dtype=float, na_value=np.nan)
    values = output.table.to_numpy(dtype=object)
    hidden = output.flags.get("suppressed")
    mask = hidden.to_numpy(dtype=bool) if hidden is not None else np.zeros(values.shape, bool)
    blank = np.vectorize(_blank, otypes=[bool])(values) if values.size else mask
    if output.mitigation.get("suppressed") and not np.array_equal(blank & mask, mask):
        found.append("a suppressed cell shows a value")
    rounded = output.mitigation.get("round_base")
    if output.statistic in (Statistic.FREQUENCY, Statistic.HISTOGRAM) and values.size:
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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _as_float(values: np.ndarray) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    for index, value in np.ndenumerate(values):
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[index] = float(value)
    return out
