"""Mitigation of a checked table: primary suppression and rounding.

Suppression masks every cell that a failing rule flags. Until secondary suppression is
applied, margins are recomputed from the published cells (as ACRO does), so that no margin
gives a suppressed value back; the record says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.judge import FREQUENCY_LIKE, Judgement
from jupyter_sdc.core.status import Status

SUPPRESSED_SYMBOL = "x"
ADDITIVE = FREQUENCY_LIKE | {"sum"}


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
        elif kind in ADDITIVE and kind != "percentage":
            values[i, j] = np.nansum(np.where(cells, values[block], 0.0))
        elif kind == "mean" and total is not None:
            n = np.where(cells, ev.count[block], 0).sum()
            values[i, j] = np.where(cells, total[block], 0.0).sum() / n if n else np.nan
        else:
            values[i, j] = np.nan
    return ["Margins were recomputed from the published cells, so they do not give "
            "suppressed cells back; margins of other statistics are withheld."]


def apply(
    table: pd.DataFrame,
    ev: CellEvidence,
    judgement: Judgement,
    *,
    suppress: bool = False,
    round_base: int | None = None,
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
            hidden = mask
            notes.append(f"{int((mask & ~margin).sum())} cells suppressed (primary "
                         f"suppression), shown as '{SUPPRESSED_SYMBOL}'.")
            notes += _recompute_margins(values, ev, hidden & ~margin)
            values[hidden] = np.nan
            if (mask & margin).any():
                notes.append(f"{int((mask & margin).sum())} margins are disclosive themselves "
                             "and were suppressed too.")
            info["suppressed"] = True
            info["cells"] = int(hidden.sum())
    if round_base:
        freq = np.isin(ev.statistic_grid, list(FREQUENCY_LIKE - {"percentage"}))
        values = np.where(freq, np.round(values / round_base) * round_base, values)
        notes.append(f"Counts rounded to the nearest {round_base}.")
        info["round_base"] = int(round_base)
    out = pd.DataFrame(values, index=table.index, columns=table.columns)
    # keep integer dtypes where nothing became missing
    for pos, col in enumerate(table.columns):
        if table.dtypes.iloc[pos].kind in "iu" and not np.isnan(values[:, pos]).any():
            out[col] = out[col].astype(table.dtypes.iloc[pos])
    return Mitigated(out, hidden, notes, info)


def mitigated_checks(judgement: Judgement, hidden: np.ndarray, rounded: bool) -> None:
    """After mitigation a failing rule becomes ``review``: a checker looks at what was done."""
    for rule, flag in judgement.flags.items():
        if judgement.checks[rule] != Status.FAIL:
            continue
        if hidden.any() and not (flag & ~hidden).any():
            judgement.checks[rule] = Status.REVIEW
        elif rounded and rule in ("threshold", "zeros"):
            judgement.checks[rule] = Status.REVIEW
