"""Tables as JSON: a DataFrame's labels, level names and cells as plain JSON values.

Used by the record (its table, counts and flags) and by differencing fingerprints. Labels are
JSON scalars; intervals, timestamps and other objects become their ``str()``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def scalar(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else (value if math.isfinite(value) else str(value))
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _level_list(values: pd.Index) -> list[Any]:
    """One level's labels as JSON scalars (fast for numbers and text)."""
    if values.dtype.kind in "iub" or (values.dtype.kind == "O" and values.inferred_type
                                      == "string"):
        return values.tolist()
    if values.dtype.kind == "f":
        return _floats(values.to_numpy(dtype=float)[None, :])[0]
    return [scalar(v) for v in values]


def _labels(index: pd.Index) -> list[list[Any]]:
    levels = [_level_list(index.get_level_values(i)) for i in range(index.nlevels)]
    return [list(entry) for entry in zip(*levels, strict=True)] if levels else []


def _names(index: pd.Index) -> list[Any]:
    return [scalar(name) for name in index.names]


def _floats(values: np.ndarray) -> list[list[Any]]:
    """A float grid as lists, NaN -> None and infinities -> text, in vectorised passes."""
    grid = values.tolist()
    for i, j in zip(*np.nonzero(~np.isfinite(values)), strict=True):
        grid[i][j] = scalar(float(values[i, j]))
    return grid


def grid(frame: pd.DataFrame, dtype: Any = None) -> list[list[Any]]:
    if dtype is bool:
        return frame.to_numpy(dtype=bool).tolist()
    kinds = {t.kind for t in frame.dtypes} if frame.shape[1] else set()
    if kinds and kinds <= set("iub") and not any(
            isinstance(t, pd.api.extensions.ExtensionDtype) for t in frame.dtypes):
        return frame.to_numpy().tolist()
    if kinds and kinds <= set("iuf") and not any(
            isinstance(t, pd.api.extensions.ExtensionDtype) for t in frame.dtypes):
        return _floats(frame.to_numpy(dtype=float))
    return [[scalar(v) for v in row] for row in frame.to_numpy(dtype=object)]


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "index": _labels(frame.index),
        "index_names": _names(frame.index),
        "columns": _labels(frame.columns),
        "column_names": _names(frame.columns),
        "data": grid(frame),
    }


def _index_from(labels: list[list[Any]], names: list[Any]) -> pd.Index:
    if len(names) > 1:
        return pd.MultiIndex.from_tuples([tuple(x) for x in labels], names=names)
    return pd.Index([x[0] for x in labels], name=names[0] if names else None)


def frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    index = _index_from(data["index"], data.get("index_names", [None]))
    columns = _index_from(data["columns"], data.get("column_names", [None]))
    frame = pd.DataFrame(data["data"], index=index, columns=columns)
    return frame.infer_objects()


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return scalar(value)
