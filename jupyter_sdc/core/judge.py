"""Judgement: turn cell evidence into per-rule flags, per-rule statuses and plain reasons.

Which rules apply follows each column's statistic (``STATISTIC_RULES``). A rule that does
not apply to any column is absent from the flags: a missing key means "not applicable".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status

_MAGNITUDE = ("threshold", "zeros", "nk", "p_percent", "negative", "missing")

#: statistic -> the rules that judge it
STATISTIC_RULES: dict[str, tuple[str, ...]] = {
    "frequency": ("threshold", "zeros", "class_disclosure"),
    "percentage": ("threshold", "zeros", "class_disclosure"),
    "histogram": ("threshold", "zeros"),
    "nunique": ("threshold", "zeros"),
    "sum": _MAGNITUDE,
    "mean": _MAGNITUDE,
    "median": _MAGNITUDE,
    "quantile": _MAGNITUDE,
    "std": (*_MAGNITUDE, "dof"),
    "var": (*_MAGNITUDE, "dof"),
    "min": ("threshold", "zeros", "min_max", "missing"),
    "max": ("threshold", "zeros", "min_max", "missing"),
    "mode": ("threshold", "zeros", "missing"),
    "model": ("threshold", "dof"),
    # a statistic we cannot name is judged as a magnitude and always left for review
    "custom": _MAGNITUDE,
}

#: statistics shown as a count of records, not a value (the counts are the values)
FREQUENCY_LIKE = {"frequency", "percentage", "histogram"}

#: rule -> the status a flagged cell gives (min_max follows the rule values)
RULE_STATUS = {
    "threshold": Status.FAIL,
    "zeros": Status.FAIL,
    "nk": Status.FAIL,
    "p_percent": Status.FAIL,
    "negative": Status.REVIEW,
    "missing": Status.REVIEW,
    "dof": Status.FAIL,
    "class_disclosure": Status.FAIL,
    "min_max": Status.FAIL,
    "records": Status.FAIL,
}


@dataclass
class Judgement:
    flags: dict[str, np.ndarray]
    checks: dict[str, Status]
    reasons: list[str]


def _cells(n: int, verb: str = "") -> str:
    """'1 cell has' / '3 cells have' (verb given in its plural form)."""
    singular = {"have": "has", "are": "is", "fail": "fails", "leave": "leaves",
                "publish": "publishes"}
    if n == 1:
        return f"1 cell {singular.get(verb, verb)}".rstrip()
    return f"{n} cells {verb}".rstrip()


def _rule_applies(statistic: np.ndarray, rule: str) -> np.ndarray:
    names = [s for s, rules in STATISTIC_RULES.items() if rule in rules]
    known = np.isin(statistic, list(STATISTIC_RULES))
    custom = rule in STATISTIC_RULES["custom"]
    return np.isin(statistic, names) | (~known & custom)


def _class_disclosure(ev: CellEvidence, applies: np.ndarray) -> np.ndarray | None:
    """Rows (and columns) whose members all fall in one category of the other dimension.

    None for a table with one dimension (nothing to disclose about a class)."""
    flags = np.zeros(ev.shape, dtype=bool)
    interior = ~ev.margin if ev.margin is not None else np.ones(ev.shape, dtype=bool)
    cols = (applies | ~interior).all(axis=0) & interior.any(axis=0)
    rows = interior.any(axis=1)
    if cols.sum() < 2 or rows.sum() < 2:
        return None
    sub = ev.count[np.ix_(rows, cols)]
    nonzero = sub > 0
    sub_flags = np.zeros(sub.shape, dtype=bool)
    sub_flags[(nonzero.sum(axis=1) == 1), :] = True
    sub_flags[:, (nonzero.sum(axis=0) == 1)] = True
    flags[np.ix_(rows, cols)] = sub_flags
    return flags


def judge(ev: CellEvidence, rules: RuleValues) -> Judgement:
    """Flags per rule (2-D bool arrays), a status per rule, and reasons in plain words."""
    shape = ev.shape
    count = ev.count
    flags: dict[str, np.ndarray] = {}
    reasons: list[str] = []
    unit = ev.unit_label

    statistic = ev.statistic_grid
    cache: dict[str, np.ndarray] = {}

    def applies(rule: str) -> np.ndarray:
        if rule not in cache:
            cache[rule] = _rule_applies(statistic, rule)
        return cache[rule]

    if applies("threshold").any():
        basis = count
        if ev.mode_count is not None:
            basis = np.where(statistic == "mode", ev.mode_count, count)
        flag = applies("threshold") & (basis < rules.threshold)
        if not rules.zeros:
            flag &= basis != 0
        flags["threshold"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'have')} fewer than {rules.threshold} contributing "
                f"{unit} (threshold)."
            )
    if applies("zeros").any():
        flag = applies("zeros") & (count == 0) & rules.zeros
        if ev.structural_zero is not None:
            flag &= ~ev.structural_zero
        flags["zeros"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'are')} zero, which can disclose that nobody has that "
                "combination (zeros); declare structural zeros if it cannot occur."
            )
    has_values = ev.total is not None and ev.top is not None
    negative = (ev.negative > 0) if ev.negative is not None else np.zeros(shape, bool)
    if has_values and applies("nk").any():
        top_n = ev.top[..., : rules.nk_n].sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(ev.total > 0, top_n / ev.total, 0.0)
        flag = applies("nk") & ~negative & (count > 0) & (share >= rules.nk_k)
        flags["nk"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'are')} dominated: the largest {rules.nk_n} "
                f"contributions make up {rules.nk_k:.0%} or more of the total (nk)."
            )
    if has_values and applies("p_percent").any():
        x1, x2 = ev.top[..., 0], ev.top[..., 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(x1 > 0, (ev.total - x1 - x2) / x1, np.inf)
        flag = applies("p_percent") & ~negative & (count > 0) & (ratio < rules.p_percent)
        flags["p_percent"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'fail')} the p% rule: the second largest contributor "
                f"could estimate the largest to within {rules.p_percent:.0%} (p_percent)."
            )
    if ev.negative is not None and applies("negative").any():
        flag = applies("negative") & negative
        flags["negative"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'have')} negative contributions, so dominance cannot be "
                "judged: please review (negative)."
            )
    if rules.missing and ev.missing is not None and applies("missing").any():
        flag = applies("missing") & (ev.missing > 0)
        flags["missing"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'leave')} out missing values; check that this is "
                "intended (missing)."
            )
    if applies("dof").any():
        dof = ev.dof if ev.dof is not None else count - 1.0
        flag = applies("dof") & (dof < rules.dof)
        flags["dof"] = flag
        if flag.any():
            if ev.dof is not None:
                reasons.append(
                    f"Residual degrees of freedom {int(np.nanmin(ev.dof))} are fewer than "
                    f"{rules.dof} (dof)."
                )
            else:
                reasons.append(
                    f"{_cells(int(flag.sum()), 'have')} fewer than {rules.dof} degrees of freedom "
                    "for a spread statistic (dof)."
                )
    if rules.class_disclosure and applies("class_disclosure").any():
        found = _class_disclosure(ev, applies("class_disclosure"))
        if found is not None:
            flags["class_disclosure"] = found
        if found is not None and found.any():
            reasons.append(
                "Every member of a row or column falls in one category, which discloses "
                "their category (class_disclosure)."
            )
    if applies("min_max").any() and ev.at_max is not None:
        at_min = ev.at_min if ev.at_min is not None else ev.at_max
        holders = np.where(statistic == "min", at_min, ev.at_max)
        flag = applies("min_max") & (count > 0) & (holders < rules.threshold)
        flags["min_max"] = flag
        if flag.any():
            reasons.append(
                f"{_cells(int(flag.sum()), 'publish')} a minimum or maximum held by fewer than "
                f"{rules.threshold} {unit}: a single {unit[:-1]}'s value (min_max)."
            )
    checks = {rule: _status(rule, flag, rules) for rule, flag in flags.items()}
    if (~np.isin(statistic, list(STATISTIC_RULES)) | (statistic == "custom")).any():
        checks["custom"] = Status.REVIEW
        reasons.append(
            "The aggregation function is not one jupyter_sdc knows, so it was checked as a "
            "magnitude table; explain what it computes (review)."
        )
    reasons.extend(ev.notes)
    return Judgement(flags=flags, checks=checks, reasons=reasons)


def _status(rule: str, flag: np.ndarray, rules: RuleValues) -> Status:
    if not flag.any():
        return Status.PASS
    if rule == "min_max":
        return Status(rules.min_max)
    return RULE_STATUS[rule]
