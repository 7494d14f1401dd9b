"""Name the statistic behind a pandas aggregation function (string or callable).

ACRO skips every check when the aggfunc is a callable; we recognise the common ones and judge
anything else as a magnitude statistic that always needs review.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

_BY_NAME = {
    "count": "frequency", "size": "frequency", "len": "frequency",
    "sum": "sum", "nansum": "sum",
    "mean": "mean", "nanmean": "mean", "average": "mean",
    "median": "median", "nanmedian": "median",
    "std": "std", "nanstd": "std", "var": "var", "nanvar": "var",
    "min": "min", "amin": "min", "nanmin": "min",
    "max": "max", "amax": "max", "nanmax": "max",
    "nunique": "nunique", "mode": "mode",
    "quantile": "quantile", "percentile": "quantile", "nanpercentile": "quantile",
    "nanquantile": "quantile",
    # the rows of DataFrame.describe()
    "50%": "median", "unique": "nunique", "top": "mode", "freq": "frequency",
}
_CALLABLES: dict[Any, str] = {
    np.sum: "sum", np.nansum: "sum", np.mean: "mean", np.nanmean: "mean",
    np.median: "median", np.nanmedian: "median", np.std: "std", np.nanstd: "std",
    np.var: "var", np.nanvar: "var", np.min: "min", np.max: "max", np.nanmin: "min",
    np.nanmax: "max", len: "frequency", np.size: "frequency", np.count_nonzero: "frequency",
    sum: "sum", min: "min", max: "max",
    pd.Series.sum: "sum", pd.Series.mean: "mean", pd.Series.median: "median",
    pd.Series.std: "std", pd.Series.var: "var", pd.Series.min: "min", pd.Series.max: "max",
    pd.Series.count: "frequency", pd.Series.nunique: "nunique",
}


def quantile_statistic(q: Any) -> str:
    """A quantile at 0 or 1 is the minimum or maximum (one record's value), judged so."""
    try:
        q = float(q)
    except (TypeError, ValueError):
        return "quantile"
    return "min" if q == 0 else "max" if q == 1 else "quantile"


def statistic_of(func: Any) -> str:
    """'mean', 'sum', … for a known function; 'custom' for anything we cannot name."""
    if isinstance(func, str):
        if func.endswith("%") and func[:-1].replace(".", "", 1).isdigit():
            return _BY_NAME.get(func, quantile_statistic(float(func[:-1]) / 100))
        return _BY_NAME.get(func, "custom")
    try:
        if func in _CALLABLES:
            return _CALLABLES[func]
    except TypeError:  # unhashable
        return "custom"
    return "custom"


def func_name(func: Any) -> str:
    """The label pandas gives an aggfunc in a result's columns."""
    if isinstance(func, str):
        return func
    return getattr(func, "__name__", repr(func))


def mode_value(values: pd.Series) -> Any:
    """One mode, deterministically the smallest (pandas has no 'mode' aggregation)."""
    modes = values.mode()
    return modes.iloc[0] if len(modes) else np.nan


mode_value.__name__ = "mode"  # the column label pandas gives it


def as_pandas_func(func: Any) -> Any:
    """Translate our own names (mode) to something pandas understands."""
    if func == "mode":
        return mode_value
    if isinstance(func, list):
        return [as_pandas_func(f) for f in func]
    if isinstance(func, dict):
        return {k: as_pandas_func(v) for k, v in func.items()}
    return func
