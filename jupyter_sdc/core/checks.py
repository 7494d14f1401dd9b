"""The check functions of the cell rules, one per rule id of the rule table.

Each takes the evidence laid out like the table and returns the cells it flags (a 2-D bool
array), or None when the rule cannot be evaluated on this evidence (then it is "not
applicable": no key in the record's flags). Nothing here words a reason or picks a status:
the rule table does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.rule_table import STATISTIC_RULES
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic
from jupyter_sdc.core.status import Status


@dataclass
class Found:
    """What one check found: the flagged cells, and values its reason needs."""

    flag: np.ndarray
    values: dict[str, Any] = field(default_factory=dict)
    variant: str = "reason"  # which reason template of the rule tells it
    status: Status | None = None  # a status other than the rule's (a model's outcomes: review)


class Context:
    """The evidence and rule values one judgement runs on, with per-rule applicability."""

    def __init__(self, ev: CellEvidence, rules: RuleValues) -> None:
        self.ev = ev
        self.rules = rules
        self.statistic = ev.statistic_grid
        self._applies: dict[str, np.ndarray] = {}
        self._codes: tuple[np.ndarray, list[Any]] | None = None
        #: why a rule could not be judged on this evidence (the output is then for review)
        self.incomplete: list[str] = []

    def applies(self, rule: str) -> np.ndarray:
        """Cells whose statistic this rule judges (a statistic we cannot name: as custom)."""
        if rule not in self._applies:
            if self._codes is None:
                # a few statistics over many cells: decide per statistic, then per cell
                codes, uniques = pd.factorize(np.asarray(self.statistic, dtype=object).ravel())
                self._codes = (codes.reshape(self.statistic.shape), list(uniques))
            codes, uniques = self._codes
            custom = rule in STATISTIC_RULES[Statistic.CUSTOM]
            judged = np.array([rule in STATISTIC_RULES[s] if s in STATISTIC_RULES else custom
                               for s in uniques] + [custom], dtype=bool)
            self._applies[rule] = judged[codes]
        return self._applies[rule]

    def member(self, names: list[Any]) -> np.ndarray:
        """Cells whose statistic is one of ``names``: the few distinct statistics are hashed
        once (``np.isin`` on a grid of objects sorts it, for every rule: minutes at 10^6)."""
        if self._codes is None:
            codes, uniques = pd.factorize(np.asarray(self.statistic, dtype=object).ravel())
            self._codes = codes.reshape(self.statistic.shape), list(uniques)
        codes, uniques = self._codes
        return np.isin(codes, [i for i, value in enumerate(uniques) if value in names])

    @property
    def negative(self) -> np.ndarray:
        ev = self.ev
        return (ev.negative > 0) if ev.negative is not None else np.zeros(ev.shape, bool)


Check = Callable[[Context], Found | None]
CHECKS: dict[str, Check] = {}


def check(rule_id: str) -> Callable[[Check], Check]:
    """Register the check function of a rule of the table."""
    def register(func: Check) -> Check:
        CHECKS[rule_id] = func
        return func
    return register


@check("threshold")
def _threshold(c: Context) -> Found:
    ev = c.ev
    basis = ev.count
    if ev.mode_count is not None:
        basis = np.where(c.statistic == Statistic.MODE, ev.mode_count, ev.count)
    if ev.class_min is not None:
        # the sum or mean of a two-valued variable counts each value: a frequency table
        two_valued = ~np.isnan(ev.class_min)
        basis = np.where(two_valued, np.minimum(basis, np.nan_to_num(ev.class_min)), basis)
    if ev.events is not None:
        # a duration model's parameter rests on the events among its records too
        models = c.statistic == Statistic.MODEL
        basis = np.where(models, np.fmin(basis, ev.events), basis)
    flag = c.applies("threshold") & (basis < c.rules.threshold)
    if ev.structural_zero is not None:
        flag &= ~ev.structural_zero  # declared impossible: nobody is hidden in it
    if not c.rules.zeros:
        flag &= basis != 0
    survival = c.statistic == Statistic.SURVIVAL
    if survival.any():
        flag = np.where(survival, c.applies("threshold") & _small_step(c), flag)
    return Found(flag)


def _small_step(c: Context) -> np.ndarray:
    """Survival steps whose events, or whose change in the number at risk, are fewer than N
    (and not 0: a step where nobody has an event or leaves tells nothing about anyone)."""
    ev, n = c.ev, c.rules.threshold
    flag = np.zeros(ev.shape, dtype=bool)
    for grid in (ev.events, ev.exits):
        if grid is None:
            continue
        with np.errstate(invalid="ignore"):
            flag |= (grid > 0) & (grid < n)
    if ev.events is None or ev.exits is None:
        c.incomplete.append("The survival table has no events or exits per step saved with "
                            "it, so its steps cannot be judged: re-run the cell (threshold).")
    return flag


@check("zeros")
def _zeros(c: Context) -> Found:
    flag = c.applies("zeros") & (c.ev.count == 0) & c.rules.zeros
    if c.ev.structural_zero is not None:
        flag &= ~c.ev.structural_zero
    return Found(flag)


@check("nk")
def _nk(c: Context) -> Found | None:
    """Cells where any (n, k) pair of the rule fails: the n largest contributions make up k or
    more of the total (more than k under ``nk_strict``)."""
    ev, rules = c.ev, c.rules
    found = ev.dominance()
    if found is None:
        return None
    shares = found[0]
    largest = max(n for n, _ in rules.nk)
    if largest > shares.shape[-1]:
        c.incomplete.append(f"The evidence saved with this output holds the largest "
                            f"{shares.shape[-1]} contributions, but the nk rule needs "
                            f"{largest}: re-run the cell (nk).")
        return None
    judged = c.applies("nk") & ~c.negative & (ev.count > 0)
    flag = np.zeros(ev.shape, dtype=bool)
    failed = []
    for n, k in rules.nk:
        share = shares[..., n - 1]
        hit = judged & ((share > k) if rules.nk_strict else (share >= k))
        if hit.any():
            failed.append(f"({n}, {k * 100:g}%)")
        flag |= hit
    variant = "reason_strict" if rules.nk_strict else "reason"
    return Found(flag, {"nk_failed": " and ".join(failed)}, variant)


@check("p_percent")
def _p_percent(c: Context) -> Found | None:
    found = c.ev.dominance()
    if found is None:
        return None
    with np.errstate(invalid="ignore"):
        close = found[1] < c.rules.p_percent  # NaN (no largest contributor): nothing to guess
    return Found(c.applies("p_percent") & ~c.negative & (c.ev.count > 0) & close)


@check("negative")
def _negative(c: Context) -> Found | None:
    if c.ev.negative is None:
        return None
    return Found(c.applies("negative") & c.negative)


@check("missing")
def _missing(c: Context) -> Found | None:
    if not c.rules.missing or c.ev.missing is None:
        return None
    return Found(c.applies("missing") & (c.ev.missing > 0))


@check("dof")
def _dof(c: Context) -> Found:
    ev = c.ev
    dof = ev.dof if ev.dof is not None else ev.count - 1.0
    flag = c.applies("dof") & (dof < c.rules.dof)
    if ev.dof is None:
        return Found(flag)
    found = int(np.nanmin(ev.dof)) if flag.any() else None
    return Found(flag, {"dof_found": found}, "reason_model")


@check("class_disclosure")
def _class_disclosure(c: Context) -> Found | None:
    """Rows (and columns) whose members all fall in one category of the other dimension; for
    a model with a 0/1 outcome, parameters where fewer than N have one of the outcomes.

    None for a table with one dimension (nothing to disclose about a class)."""
    if not c.rules.class_disclosure:
        return None
    ev = c.ev
    models = c.statistic == Statistic.MODEL
    if models.any():
        if ev.outcome_1 is None or ev.outcome_0 is None:
            return None  # not a 0/1 outcome
        o1, o0 = np.nan_to_num(ev.outcome_1), np.nan_to_num(ev.outcome_0)
        small = (o1 + o0 > 0) & (np.minimum(o1, o0) < c.rules.threshold)
        return Found(models & small, variant="reason_model", status=Status.REVIEW)
    return _one_category(ev, c.applies("class_disclosure"))


def _one_category(ev: CellEvidence, applies: np.ndarray) -> Found | None:
    flags = np.zeros(ev.shape, dtype=bool)
    interior = ~ev.margin if ev.margin is not None else np.ones(ev.shape, dtype=bool)
    cols = (applies | ~interior).all(axis=0) & interior.any(axis=0)
    rows = interior.any(axis=1)
    if cols.sum() < 2 or rows.sum() < 2:
        return None
    sub = ev.count[np.ix_(rows, cols)]
    nonzero = sub > 0
    # a row (column) held in one category only by zeros declared structural discloses nothing
    informative = ~nonzero
    if ev.structural_zero is not None:
        informative &= ~ev.structural_zero[np.ix_(rows, cols)]
    sub_flags = np.zeros(sub.shape, dtype=bool)
    sub_flags[(nonzero.sum(axis=1) == 1) & informative.any(axis=1), :] = True
    sub_flags[:, (nonzero.sum(axis=0) == 1) & informative.any(axis=0)] = True
    flags[np.ix_(rows, cols)] = sub_flags
    return Found(flags)


@check("min_max")
def _min_max(c: Context) -> Found | None:
    """A published minimum or maximum (a histogram's outer edge taken from the data) held by
    fewer than N records or units."""
    ev = c.ev
    if ev.at_max is None:
        return None
    at_min = ev.at_min if ev.at_min is not None else ev.at_max
    holders = np.where(c.statistic == Statistic.MIN, at_min, ev.at_max)
    edges = c.statistic == Statistic.HISTOGRAM  # holders of the first and last edge, else NaN
    holders = np.where(edges, np.fmin(at_min, ev.at_max), holders)
    with np.errstate(invalid="ignore"):
        few = holders < c.rules.threshold
    return Found(c.applies("min_max") & (ev.count > 0) & few)


@check("quantile_sides")
def _quantile_sides(c: Context) -> Found | None:
    """A quantile (median) with fewer than N records (units) strictly below or above it lies
    among those few records' own values."""
    ev = c.ev
    if ev.below is None or ev.above is None:
        return None
    with np.errstate(invalid="ignore"):
        few = (ev.below < c.rules.threshold) | (ev.above < c.rules.threshold)
    return Found(c.applies("quantile_sides") & (ev.count > 0) & few)


@check("records")
def _records(c: Context) -> Found:
    """Record-level data, and points drawn for single records (where any is drawn)."""
    drawn = (c.statistic != Statistic.POINTS) | (c.ev.count > 0)
    return Found(c.applies("records") & drawn)
