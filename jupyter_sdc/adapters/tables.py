"""crosstab and pivot_table checked: the pandas call, then its record, for wrappers and capture.

One engine per checked call: ``sdc.crosstab`` and a ``pd.crosstab`` captured in a checked cell
both end here, so their counts and verdicts are the same by construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters import codes_table
from jupyter_sdc.adapters import pandas as pdx
from jupyter_sdc.adapters.recipes import for_crosstab, for_pivot
from jupyter_sdc.core.aggfuncs import as_pandas_func, statistic_of
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic


def crosstab(
    index: Any, columns: Any, values: Any = None, rownames: Any = None, colnames: Any = None,
    aggfunc: Any = None, margins: bool = False, margins_name: str = "All",
    dropna: bool = True, normalize: Any = False, *, rules: RuleValues, uid: str,
    weights: Any = None, unit: Any = None, suppress: bool = False,
    round_base: int | None = None, structural_zeros: Any = None,
    structural_reason: str | None = None,
    source: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, Output]:
    """``pd.crosstab`` and its record; ``weights=`` gives weighted estimates, unweighted counts."""
    row_keys = pdx.key_list(index, "index")
    col_keys = pdx.key_list(columns, "columns")
    n = len(row_keys[0])
    for key in row_keys + col_keys:
        if len(key) != n:
            raise ValueError(f"index and columns have different lengths ({n} and {len(key)}): "
                             "pass columns of the same data frame")
    if (values is None) != (aggfunc is None):
        raise ValueError("values and aggfunc go together: give both (e.g. values=df.income, "
                         "aggfunc='mean') or neither for counts")
    value_series = pdx.as_series(values, "values", n) if values is not None else None
    if value_series is not None:
        check_numeric(value_series, "values", aggfunc)
    review = []
    if unit is None and isinstance(rules.unit, str):
        # the project counts units, but crosstab gets bare columns: count records, say so
        review.append(f"The project counts units ({rules.unit}) but crosstab was given columns "
                      f"without their data frame, so records were counted: pass "
                      f"unit=df[{rules.unit!r}] to count units.")
        unit_s = None
    else:
        unit_s = pdx.unit_series(None, unit, n) if unit is not None else None
    w = _check_weights(weights, n) if weights is not None else None
    kwargs = dict(rownames=rownames, colnames=colnames, margins=margins,
                  margins_name=margins_name, dropna=dropna, normalize=normalize)
    prepared, result = None, None
    if w is None and not margins and normalize is False and dropna and rownames is None \
            and colnames is None:
        name = value_series.name if value_series is not None and \
            value_series.name is not None else "values"
        prepared, result = _from_codes(row_keys, col_keys, value_series, aggfunc, unit_s, rules,
                                       name=name, observed=CROSSTAB_OBSERVED)
    if result is None and w is None:
        result = pd.crosstab(index, columns, values=values, aggfunc=as_pandas_func(aggfunc),
                             **kwargs)
    elif result is None:
        result = _weighted_crosstab(index, columns, value_series, aggfunc, w, kwargs)
    # names as pandas gave them, so labels match the result
    for key, name in zip(row_keys, result.index.names, strict=False):
        key.name = name
    for key, name in zip(col_keys, result.columns.names[-len(col_keys):], strict=False):
        key.name = name
    vals = {}
    if value_series is not None:
        vals[value_series.name if value_series.name is not None else "values"] = value_series
    output = pdx.tabulate(
        result, row_keys=row_keys, col_keys=col_keys, values=vals,
        aggfunc=aggfunc if aggfunc is not None else "count", rules=rules, uid=uid,
        margins=margins, margins_name=margins_name, normalize=normalize, weights=w,
        unit=unit_s, structural_zeros=structural_zeros,
        structural_reason=structural_reason, suppress=suppress,
        round_base=round_base, source={"call": "crosstab", **(source or {})}, review=review,
        prepared=prepared,
    )
    output.recipe = for_crosstab(
        crosstab, row_keys, col_keys,
        (isinstance(index, list | tuple), isinstance(columns, list | tuple)),
        value_series, dict(rownames=rownames, colnames=colnames, aggfunc=aggfunc,
                           margins=margins, margins_name=margins_name, dropna=dropna,
                           normalize=normalize, weights=weights, unit=unit), rules, uid)
    return result, output


def pivot_table(
    data: pd.DataFrame, values: Any = None, index: Any = None, columns: Any = None,
    aggfunc: Any = "mean", fill_value: Any = None, margins: bool = False,
    dropna: bool = True, margins_name: str = "All", observed: bool = True, sort: bool = True,
    *, rules: RuleValues, uid: str, unit: Any = None, suppress: bool = False,
    round_base: int | None = None, structural_zeros: Any = None,
    structural_reason: str | None = None,
    source: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, Output]:
    """``pd.pivot_table`` and its record (several values, dict aggfuncs, margins)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError("pivot_table needs a DataFrame as data")
    row_keys = pdx.frame_keys(data, index, "index")
    col_keys = pdx.frame_keys(data, columns, "columns")
    if not row_keys and not col_keys:
        raise ValueError("pivot_table needs index= or columns=")
    if margins and not row_keys:
        raise ValueError("margins of a table with only columns= are laid out inconsistently "
                         "by pandas (a margin after every column, whose values differ between "
                         "pandas 2 and 3); give index= as well")
    unit_s = pdx.unit_series(data, unit if unit is not None else rules.unit, len(data))
    prepared, result = None, None
    if isinstance(values, str) and values in data.columns and fill_value is None \
            and not margins and dropna and sort:
        prepared, result = _from_codes(row_keys, col_keys, data[values], aggfunc, unit_s,
                                       rules, name=values, observed=observed)
    if result is None:
        result = pd.pivot_table(data, values=values, index=index, columns=columns,
                                aggfunc=as_pandas_func(aggfunc), fill_value=fill_value,
                                margins=margins, dropna=dropna, margins_name=margins_name,
                                observed=observed, sort=sort)
    if values is None:
        keys = {k.name for k in row_keys + col_keys}
        names = [c for c in data.columns if c not in keys]
        if isinstance(aggfunc, dict):
            names = list(aggfunc)
        elif aggfunc in _SIZES:
            names = []  # group sizes: the records themselves, whatever the columns hold
    else:
        names = list(values) if isinstance(values, list | tuple) else [values]
    value_map = {name: data[name] for name in names if name in data.columns}
    if values is not None:
        for name, series in value_map.items():
            func = aggfunc.get(name, "mean") if isinstance(aggfunc, dict) else aggfunc
            check_numeric(series, f"values column {name!r}", func)
    values_in_rows = not row_keys and isinstance(result, pd.DataFrame)
    if not row_keys and not values_in_rows:
        row_keys, col_keys = col_keys, []  # a Series of counts (aggfunc="size"): keys in rows
    output = pdx.tabulate(
        result, row_keys=row_keys, col_keys=col_keys, values=value_map,
        aggfunc=aggfunc, rules=rules, uid=uid, margins=margins,
        margins_name=margins_name, unit=unit_s, structural_zeros=structural_zeros,
        structural_reason=structural_reason,
        suppress=suppress, round_base=round_base,
        source={"call": "pivot_table", **(source or {})}, prepared=prepared,
        values_in_rows=values_in_rows,
    )
    output.recipe = for_pivot(pivot_table, data, values, index, columns, dict(
        aggfunc=aggfunc, fill_value=fill_value, margins=margins, dropna=dropna,
        margins_name=margins_name, observed=observed, sort=sort, unit=unit), rules, uid)
    return result, output


#: aggregations that count a group's records, not the values of a column
_SIZES = ("size", len, np.size)

#: pandas 3's crosstab shows only the categories present; pandas 2's shows every category
CROSSTAB_OBSERVED = int(pd.__version__.split(".")[0]) >= 3


def _from_codes(row_keys: list[pd.Series], col_keys: list[pd.Series], values: pd.Series | None,
                aggfunc: Any, unit: pd.Series | None, rules: RuleValues, *,
                name: str | None = None, observed: bool = True,
                ) -> tuple[pdx.Prepared | None, pd.DataFrame | None]:
    """The keys factorised once: the checks' codes and, where it can be, the table from them.

    The table's cells are the evidence of the cells (records, values, totals), computed
    once with the arguments the checks then ask for, so they are not computed twice."""
    stat = codes_table.statistic(aggfunc, values)
    if stat is None or not codes_table.usable(row_keys, col_keys, values, stat,
                                              observed=observed):
        return None, None
    named = {name: values} if values is not None else {}
    prepared = pdx.prepare(row_keys, col_keys, named, dict.fromkeys(named, stat), unit)
    if not codes_table.fits(prepared.grid):
        return prepared, None  # pandas lays it out; the checks still use these codes
    stats = prepared.grid.stats(
        "cell", prepared.arrays.get(name), name if values is not None else None,
        top_k=rules.top_k, extremes=False, mode=False, mask=None,
        classes=prepared.classes.get(name) if values is not None else None)
    return prepared, codes_table.table(prepared.grid, row_keys, col_keys, stats, stat)


def check_numeric(series: pd.Series, name: str, aggfunc: Any) -> None:
    """A statistic of values needs numbers: a clear error naming the column otherwise."""
    funcs = aggfunc if isinstance(aggfunc, list) else [aggfunc]
    counted = (Statistic.FREQUENCY, Statistic.NUNIQUE, Statistic.MODE)
    numeric = [f for f in funcs if statistic_of(f) not in counted]
    if numeric and not (pd.api.types.is_numeric_dtype(series)
                        or pd.api.types.is_bool_dtype(series)):
        raise TypeError(f"{name} ({series.name or 'values'}) is not numeric ({series.dtype}), "
                        f"so aggfunc={numeric[0]!r} cannot be computed: convert it with "
                        "pd.to_numeric or choose another column")


def _check_weights(weights: Any, n: int) -> pd.Series:
    w = pdx.as_series(weights, "weights", n)
    if not pd.api.types.is_numeric_dtype(w):
        raise TypeError("weights must be numeric")
    bad = int(((w <= 0) | w.isna()).sum())
    if bad:
        raise ValueError(f"weights must be positive: {bad} weights are zero, negative or "
                         "missing; drop those records or fix the weights")
    return w


def _weighted_crosstab(index: Any, columns: Any, values: pd.Series | None, aggfunc: Any,
                       w: pd.Series, kwargs: dict[str, Any]) -> pd.DataFrame:
    wv = w.to_numpy(dtype=float)
    if values is None:
        return pd.crosstab(index, columns, values=wv, aggfunc="sum", **kwargs)
    if aggfunc not in ("sum", "mean", np.sum, np.mean):
        raise ValueError("weights work with counts, aggfunc='sum' and aggfunc='mean'; "
                         f"got aggfunc={aggfunc!r}")
    v = values.to_numpy(dtype=float)
    num = pd.crosstab(index, columns, values=v * wv, aggfunc="sum", **kwargs)
    if aggfunc in ("sum", np.sum):
        return num
    den = pd.crosstab(index, columns, values=np.where(np.isnan(v), np.nan, wv), aggfunc="sum",
                      **kwargs)
    return num / den
