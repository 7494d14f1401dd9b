"""What the capture builders share: what cannot be checked, the units behind captured values,
our patches unwrapped, and the checked tabulation shared with ``sdc.crosstab``/``pivot_table``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jupyter_sdc.adapters import tables
from jupyter_sdc.capture.lineage import Node
from jupyter_sdc.core.mitigation import requested
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues


class NotCheckable(Exception):
    """A captured call whose evidence cannot be built; the message says why."""


def unwrapped(func: Any) -> Any:
    """Our patch wrappers stand in for pandas methods during the cell; name the original."""
    if isinstance(func, list):
        return [unwrapped(f) for f in func]
    if isinstance(func, dict):
        return {k: unwrapped(v) for k, v in func.items()}
    if isinstance(func, tuple):
        return tuple(unwrapped(f) for f in func)
    return func.__wrapped__ if getattr(func, "sdc_patch", False) else func


def tabulation(node: Node, rules: RuleValues, uid: str, source: dict,
               frames: list | None = None) -> Output:
    """crosstab / pivot_table: the wrappers' own checking, so the verdicts are the same."""
    call = {"crosstab": tables.crosstab, "pivot_table": tables.pivot_table}[node.kind]
    kwargs = dict(node.params["kwargs"])
    if node.kind == "crosstab" and isinstance(rules.unit, str) and frames:
        index = node.params["args"][0] if node.params["args"] else kwargs.get("index")
        keys = index if isinstance(index, list | tuple) else [index]
        key = next((k for k in keys if isinstance(k, pd.Series) and k.name is not None), None)
        unit = unit_beside(key, rules.unit, frames) if key is not None else None
        if unit is not None:
            kwargs["unit"] = unit
    suppress, round_base = requested(rules)
    _result, output = call(*node.params["args"], rules=rules, uid=uid, suppress=suppress,
                           round_base=round_base, source=source, **kwargs)
    _same_labels_as(output, node.snapshot)
    return output


def unit_beside(obj: Any, unit: str, frames: list) -> pd.Series | None:
    """The ``unit`` column of the data frame ``obj`` (a column or columns) was taken from.

    Found among the frames the cell can see, by matching labels and values; None if absent.
    """
    columns = [obj.name] if isinstance(obj, pd.Series) else list(obj.columns)
    for frame in frames:
        if unit not in frame.columns or not set(columns) <= set(frame.columns):
            continue
        if not frame.index.is_unique:
            continue
        if frame.index.equals(obj.index):
            rows = frame
        elif len(obj) <= len(frame) and obj.index.isin(frame.index).all():
            rows = frame.loc[obj.index]
        else:
            continue
        same = rows[columns[0]] if isinstance(obj, pd.Series) else rows[columns]
        if same.equals(obj):
            return rows[unit]
    return None


def unit_for(data: Any, rules: RuleValues, frames: list) -> pd.Series | None:
    """Units for ``data`` when the rules count units and ``data`` lacks the unit column."""
    unit = rules.unit
    if not isinstance(unit, str) or (isinstance(data, pd.DataFrame) and unit in data.columns):
        return None
    if not isinstance(data, pd.DataFrame | pd.Series):
        raise NotCheckable(f"the rules count units ({unit}) but these values are not a column "
                           "of a data frame, so their units cannot be found")
    found = unit_beside(data, unit, frames)
    if found is None:
        raise NotCheckable(
            f"the rules count units ({unit}) but the data frame these values came from, with "
            f"its {unit} column, is not among the names of this notebook: assign it to a name, "
            "or select the columns from it in the checked cell")
    return found


def _same_labels_as(output: Output, result: Any) -> None:
    table = result.to_frame() if isinstance(result, pd.Series) else result
    if isinstance(table, pd.DataFrame) and table.shape != output.table.shape:
        raise NotCheckable("the checked table does not match the result pandas gave")
