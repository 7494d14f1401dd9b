"""``attach_counts``: give a derived result the unweighted counts behind it.

A result computed in a way jupyter_sdc cannot trace (shares, a ratio of two tables) is recorded
as ``review``; attaching the counts lets it be judged. The result itself is returned unchanged,
so ``sdc.attach_counts(shares, counts)`` can be the last line of a checked cell.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

_ATTACHED: dict[int, tuple[Any, pd.DataFrame, str]] = {}


def attach_counts(result: Any, counts: Any, statistic: str = "percentage") -> Any:
    """Record ``counts`` (same labels or shape as ``result``) as the counts behind ``result``.

    ``statistic`` names what the cells of ``result`` are ("percentage", "frequency", "mean", ...).
    Returns ``result`` itself.
    """
    if not isinstance(result, pd.DataFrame | pd.Series):
        raise TypeError(
            f"attach_counts: result must be a pandas DataFrame or Series, not "
            f"{type(result).__name__}"
        )
    table = result.to_frame() if isinstance(result, pd.Series) else result
    grid = _aligned(table, counts)
    key = id(result)
    try:
        ref = weakref.ref(result, lambda _r: _ATTACHED.pop(key, None))
    except TypeError:  # pragma: no cover - pandas objects support weak references
        ref = None
    _ATTACHED[key] = (ref, grid, statistic)
    return result


def attached_counts(result: Any) -> tuple[pd.DataFrame, str] | None:
    """The counts attached to ``result`` and their statistic, or None."""
    entry = _ATTACHED.get(id(result))
    if entry is None or entry[0] is None or entry[0]() is not result:
        return None
    return entry[1], entry[2]


def clear() -> None:
    _ATTACHED.clear()


def _aligned(table: pd.DataFrame, counts: Any) -> pd.DataFrame:
    if isinstance(counts, pd.Series):
        counts = counts.to_frame(name=table.columns[0] if table.shape[1] == 1 else counts.name)
    if isinstance(counts, pd.DataFrame):
        if counts.shape == table.shape and counts.index.equals(table.index):
            grid = counts.set_axis(table.columns, axis=1) if table.shape[1] == 1 else counts
        else:
            grid = counts.reindex(index=table.index, columns=table.columns)
        if grid.isna().to_numpy().any():
            raise ValueError(
                "attach_counts: counts must have a value for every cell of result (same index "
                "and columns); some labels are missing"
            )
    else:
        values = np.asarray(counts)
        if values.ndim == 1 and table.shape[1] == 1:
            values = values.reshape(-1, 1)
        if values.shape != table.shape:
            raise ValueError(
                f"attach_counts: counts has shape {values.shape} but result has shape "
                f"{table.shape}; give one count per cell"
            )
        grid = pd.DataFrame(values, index=table.index, columns=table.columns)
    grid = grid.loc[table.index, table.columns] if grid.index.is_unique else grid
    numbers = grid.to_numpy(dtype=float)
    if (numbers < 0).any() or not np.all(np.mod(numbers, 1) == 0):
        raise ValueError("attach_counts: counts must be whole numbers >= 0 (unweighted counts)")
    return grid.astype("int64")
