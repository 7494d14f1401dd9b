"""Safe extremes: a minimum or maximum replaced by the mean of the k most extreme units.

Following sdcLog's rule (implemented here from its description): each unit counts once, with its
own most extreme value; the k most extreme units are averaged; k starts at the threshold (or the
k asked for) and is widened until the mean passes the checks, dominance (n,k and p%) included.
The result is judged like any mean, by the same adapter: threshold on the k units, dominance on
their values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status

SIDES = ("minimum", "maximum")
_SIDE = "extreme"


def _unit_extremes(values: pd.Series, units: pd.Series | None, side: str) -> pd.Series:
    """Each unit's own most extreme value, most extreme first."""
    kept = values.dropna()
    if units is not None:
        grouped = kept.groupby(units.loc[kept.index].to_numpy())
        kept = grouped.min() if side == "minimum" else grouped.max()
    return kept.sort_values(ascending=side == "minimum", kind="stable")


def _judge(picked: pd.DataFrame, keys: list[str], column: str, rules: RuleValues,
           uid: str) -> tuple[pd.Series, Output]:
    from jupyter_sdc.adapters.summary import check_grouped

    result = picked.groupby(keys, sort=False, observed=True)[column].mean()
    output = check_grouped(picked, keys, column, "mean", result, rules=rules, uid=uid,
                           unit=picked["__unit"], source={"call": "safe_extremes"})
    return result, output


def _widen(values: pd.Series, units: pd.Series | None, side: str, k: int | None,
           rules: RuleValues, column: str) -> tuple[int, pd.DataFrame]:
    """The smallest k (from ``k`` or the threshold) whose mean passes; all units at worst."""
    ordered = _unit_extremes(values, units, side)
    n = len(ordered)
    start = min(max(int(k) if k else int(rules.threshold), 1), max(n, 1))
    size = start
    while True:
        top = ordered.iloc[:size]
        picked = pd.DataFrame({_SIDE: side, column: top.to_numpy(),
                               "__unit": np.asarray(top.index)})
        if k is not None or size >= n:
            return size, picked
        _result, output = _judge(picked, [_SIDE], column, rules, "probe")
        if output.status != Status.FAIL:
            return size, picked
        size = min(n, max(size + 1, int(size * 1.2)))


def safe_extremes_output(frame: pd.DataFrame, column: str, *, rules: RuleValues, uid: str,
                         k: int | None = None, unit: Any = None, by: Any = None
                         ) -> tuple[pd.DataFrame, Output]:
    """The safe minimum and maximum of ``frame[column]`` (per group of ``by``), judged."""
    if not isinstance(frame, pd.DataFrame) or column not in frame.columns:
        raise KeyError(f"safe_extremes: column {column!r} is not in the data frame")
    if not pd.api.types.is_numeric_dtype(frame[column]):
        raise TypeError(f"safe_extremes: {column!r} is not numeric ({frame[column].dtype})")
    unit = unit if unit is not None else rules.unit
    units = frame[unit] if isinstance(unit, str) else (None if unit is None else
                                                        pd.Series(np.asarray(unit),
                                                                  index=frame.index))
    by_list = [] if by is None else ([by] if isinstance(by, str) else list(by))
    groups = [((), frame)] if not by_list else [
        ((key if isinstance(key, tuple) else (key,)), part)
        for key, part in frame.groupby(by_list, sort=True, observed=True)]
    parts, used = [], []
    for key, part in groups:
        for side in SIDES:
            part_units = units.loc[part.index] if units is not None else None
            size, picked = _widen(part[column], part_units, side, k, rules, column)
            for name, value in zip(by_list, key, strict=True):
                picked[name] = value
            parts.append(picked)
            used.append((key, side, size))
    picked = pd.concat(parts, ignore_index=True)
    result, output = _judge(picked, [*by_list, _SIDE], column, rules, uid)
    table = result.unstack(_SIDE) if by_list else result.to_frame(column)
    if by_list:
        table = table[[s for s in SIDES if s in table.columns]]
        output = _as_table(output, table)
    output.mitigation["notes"] = [*output.mitigation.get("notes", []), _note(used, units)]
    output.source["call"] = "safe_extremes"
    return table, output


def _as_table(output: Output, table: pd.DataFrame) -> Output:
    """The record laid out with one row per group and a column per side (judged as shown)."""
    from jupyter_sdc.core.rejudge import apply, rejudge

    def wide(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.iloc[:, 0].unstack(_SIDE)[table.columns]

    output.table = table
    output.counts = wide(output.counts).astype("int64")
    output.flags = {rule: wide(flag).astype(bool) for rule, flag in output.flags.items()}
    if output.evidence is not None:
        output.evidence.grids = {name: wide(g) for name, g in output.evidence.grids.items()}
    judgement = rejudge(output, RuleValues.from_dict(output.rules))
    apply(output, judgement)
    output.reasons = list(judgement.reasons)
    return output


def _note(used: list[tuple[tuple, str, int]], units: pd.Series | None) -> str:
    kind = "units" if units is not None else "records"
    sizes = ", ".join(f"{' '.join(map(str, key)) + ' ' if key else ''}{side} of {size}"
                      for key, side, size in used)
    return (f"Each minimum and maximum is the mean of the most extreme {kind} (each counted "
            f"once): {sizes} (safe extremes, widened until no unit dominates).")
