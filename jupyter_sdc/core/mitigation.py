"""Mitigation of a checked table: primary suppression and rounding.

Suppression masks every cell that a failing rule flags. In a table with margins,
complementary cells are suppressed too (``core.secondary``: optimal MILP, hypercube
fallback), so that no primary cell can be recovered from the true margins, and the attacker's
audit is kept in the record. Where that does not apply (mixed statistics), margins are
recomputed from the published cells (as ACRO does) and the record says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.judge import Judgement
from jupyter_sdc.core.statistic import ADDITIVE, FREQUENCY_LIKE, Statistic
from jupyter_sdc.core.status import Status

SUPPRESSED_SYMBOL = "*"  # as the exported document shows them


@dataclass
class Mitigated:
    table: pd.DataFrame
    suppressed: np.ndarray
    notes: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)


def failing_mask(judgement: Judgement) -> np.ndarray | None:
    masks = [f for rule, f in judgement.flags.items() if judgement.checks[rule] == Status.FAIL]
    if not masks:
        return None
    return np.logical_or.reduce(masks)


def _recompute_margins(values: np.ndarray, ev: CellEvidence, hidden: np.ndarray) -> list[str]:
    """Margins from the published interior cells only (in place)."""
    if ev.margin is None or not ev.margin.any():
        return []
    stat = ev.statistic_grid
    interior = ~ev.margin
    all_row = ev.margin.all(axis=1)  # rows made only of margins (the "All" row)
    all_col = ev.margin.all(axis=0)  # columns made only of margins (the "All" column)
    shown = interior & ~hidden
    total = ev.total if ev.total is not None else None
    for i, j in zip(*np.nonzero(ev.margin), strict=True):
        rows = ~all_row if all_row[i] else (np.arange(values.shape[0]) == i)
        cols = ~all_col if all_col[j] else (np.arange(values.shape[1]) == j)
        block = np.ix_(rows, cols)
        cells = shown[block]
        kind = stat[i, j]
        if not cells.any():
            values[i, j] = np.nan
        elif kind in ADDITIVE and kind != Statistic.PERCENTAGE:
            values[i, j] = np.nansum(np.where(cells, values[block], 0.0))
        elif kind == Statistic.MEAN and total is not None:
            n = np.where(cells, ev.count[block], 0).sum()
            values[i, j] = np.where(cells, total[block], 0.0).sum() / n if n else np.nan
        else:
            values[i, j] = np.nan
    return ["Margins were recomputed from the published cells, so they do not give "
            "suppressed cells back; margins of other statistics are withheld."]


def _secondary(values: np.ndarray, ev: CellEvidence, mask: np.ndarray, margin: np.ndarray,
               protection: float, notes: list[str], info: dict) -> np.ndarray | None:
    """Primary plus secondary suppression of a table whose margins are published.

    The pattern is chosen on the unweighted counts (published beside every statistic) so that
    no primary cell can be narrowed below ``protection`` from the true margins, and the
    attacker's audit is kept in the record. None when the table has no such margins.
    """
    from jupyter_sdc.core.secondary import protect

    all_row, all_col = margin.all(axis=1), margin.all(axis=0)
    if not margin.any() or len(set(np.unique(ev.statistic_grid[~margin]))) != 1:
        return None
    rows, cols = ~all_row, ~all_col
    counts = ev.count[np.ix_(rows, cols)].astype(float)
    primary = (mask & ~margin)[np.ix_(rows, cols)]
    if counts.shape[1] == 1:
        counts, primary = counts[:, 0], primary[:, 0]
    elif counts.shape[0] == 1:
        counts, primary = counts[0], primary[0]
    if counts.size < 2:
        return None
    result = protect(counts, primary, protection=float(protection), method="auto",
                     time_limit=5.0)
    hidden = mask.copy()
    block = np.zeros((int(rows.sum()), int(cols.sum())), dtype=bool)
    block[...] = result.suppressed.reshape(block.shape)
    hidden[np.ix_(rows, cols)] |= block
    secondary = np.zeros(ev.shape, dtype=bool)
    secondary[np.ix_(rows, cols)] = result.secondary.reshape(block.shape)
    notes.append(f"Suppressed {int(result.primary.sum())} primary and "
                 f"{int(result.secondary.sum())} complementary (secondary) cells, chosen by "
                 f"{result.method}{' (optimal)' if result.optimal else ''}, shown as "
                 f"'{SUPPRESSED_SYMBOL}'; margins are the true totals.")
    # solver statistics stay in the record's mitigation info, not in the reasons
    notes.extend(n for n in result.notes if not n.startswith("MILP:"))
    if result.audit.protected:
        notes.append("The attacker's audit passed: no suppressed cell can be recovered from "
                     f"the published cells and margins to within {protection:g}.")
    else:
        notes.extend(result.audit.failures)
    info.update({"secondary": secondary, "method": result.method, "optimal": result.optimal,
                 "solver_notes": list(result.notes),
                 "cost": result.cost, "audit": result.audit.to_dict(),
                 "protected": bool(result.audit.protected)})
    return hidden


def apply(
    table: pd.DataFrame,
    ev: CellEvidence,
    judgement: Judgement,
    *,
    suppress: bool = False,
    round_base: int | None = None,
    protection: float = 10,
) -> Mitigated:
    values = table.to_numpy(dtype=float, copy=True) if suppress or round_base else None
    hidden = np.zeros(ev.shape, dtype=bool)
    notes: list[str] = []
    info: dict = {"suppressed": False, "round_base": None, "notes": notes}
    if values is None:
        return Mitigated(table, hidden, notes, info)
    if suppress:
        mask = failing_mask(judgement)
        if mask is not None and mask.any():
            margin = ev.margin if ev.margin is not None else np.zeros(ev.shape, dtype=bool)
            protected = _secondary(values, ev, mask, margin, protection, notes, info)
            if protected is None:
                # no margins of counts to protect against: primary suppression, margins
                # recomputed from the published cells
                hidden = mask
                notes.append(f"Suppressed {int((mask & ~margin).sum())} cells (primary "
                             f"suppression), shown as '{SUPPRESSED_SYMBOL}'.")
                notes += _recompute_margins(values, ev, hidden & ~margin)
            else:
                hidden = protected
            values[hidden] = np.nan
            if (mask & margin).any():
                notes.append(f"{int((mask & margin).sum())} margins are disclosive themselves "
                             "and were suppressed too.")
            info["suppressed"] = True
            info["cells"] = int(hidden.sum())
    if round_base:
        freq = np.isin(ev.statistic_grid, list(FREQUENCY_LIKE - {Statistic.PERCENTAGE}))
        values = np.where(freq, np.round(values / round_base) * round_base, values)
        notes.append(f"Counts rounded to the nearest {round_base}.")
        info["round_base"] = int(round_base)
    out = pd.DataFrame(values, index=table.index, columns=table.columns)
    # keep integer dtypes where nothing became missing
    for pos, col in enumerate(table.columns):
        if table.dtypes.iloc[pos].kind in "iu" and not np.isnan(values[:, pos]).any():
            out[col] = out[col].astype(table.dtypes.iloc[pos])
    return Mitigated(out, hidden, notes, info)


def mitigated_checks(judgement: Judgement, hidden: np.ndarray, rounded: bool,
                     protected: bool = True) -> None:
    """After mitigation a failing rule becomes ``review``: a checker looks at what was done.

    A suppression that the attacker's audit breaks stays ``fail`` (check ``audit``)."""
    if not protected:
        judgement.checks["audit"] = Status.FAIL
        return
    for rule, flag in list(judgement.flags.items()):
        if judgement.checks[rule] != Status.FAIL:
            continue
        if hidden.any() and not (flag & ~hidden).any():
            judgement.checks[rule] = Status.REVIEW
        elif rounded and rule in ("threshold", "zeros"):
            judgement.checks[rule] = Status.REVIEW


def midpoint6(counts: Any) -> np.ndarray:
    """OpenSAFELY's midpoint-6 rounding of counts: 0 stays 0, a count x > 0 becomes
    6 * ceil(x / 6) - 3 (1-6 -> 3, 7-12 -> 9, ...), so zero stays told apart from the rest.

    For the counts of rates and survival tables under a profile whose mitigation names
    ``midpoint6``; NaN (a suppressed cell) stays NaN."""
    values = np.asarray(counts, dtype=float)
    if (values < 0).any():
        raise ValueError("midpoint-6 rounds counts: every value must be 0 or more")
    with np.errstate(invalid="ignore"):
        return np.where(values > 0, 6 * np.ceil(values / 6) - 3, values)


def is_midpoint6(value: float) -> bool:
    """Whether ``value`` is one a midpoint-6 rounding can give (0, 3, 9, 15, ...)."""
    return value == 0 or (value > 0 and float(value).is_integer() and value % 6 == 3)


def requested(rules: Any, suppress: bool | None = None,
              round: int | bool | None = None) -> tuple[bool, int | None]:
    """The mitigation one call asks for: its own arguments, else the rules' ``mitigation``.

    ``round=True`` rounds to the rules' base, a number is the base itself; ``None`` follows the
    profile (which may require suppression or rounding). Under a TRE policy, arguments that
    drop a mitigation it requires (or change its base) are refused.
    """
    asked = _requested(rules, suppress, round)
    if getattr(rules, "policy", None) is not None and (suppress is not None or round is not None):
        kept = [m for m in rules.mitigation if m not in ("suppress", "round")]
        try:
            rules.replace(mitigation=(["suppress"] if asked[0] else []) + kept
                          + (["round"] if asked[1] else []),
                          round_base=asked[1] or rules.round_base)
        except ValueError as err:  # the policy's PolicyError: say which argument did it
            given = ", ".join(f"{name}={value!r}" for name, value in
                              (("suppress", suppress), ("round", round)) if value is not None)
            raise type(err)(f"{given}: {err}") from None
    return asked


def _requested(rules: Any, suppress: bool | None,
               round: int | bool | None) -> tuple[bool, int | None]:
    if suppress is None:
        suppress = "suppress" in rules.mitigation
    if round is None or round is False:
        round_base = rules.round_base if "round" in rules.mitigation and round is None else None
    elif round is True:
        round_base = rules.round_base
    else:
        if not isinstance(round, int) or round < 1:
            raise ValueError(f"round={round!r}: give the rounding base as a whole number, e.g. 5")
        round_base = round
    return bool(suppress), round_base
