"""Checked wrappers: the pandas / statsmodels call as usual, plus a registered ``Output``.

Each wrapper returns what pandas or statsmodels returns, with the same values unless a
mitigation is asked for (``suppress=True``, ``round=5``, or a profile that requires it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters import pandas as pdx
from jupyter_sdc.adapters.aggfuncs import as_pandas_func

if TYPE_CHECKING:
    from jupyter_sdc.core.session import Session

_RECORD_FIELDS = ("label", "title", "explanation")


def _mitigation(session: Session, rules: Any, suppress: bool | None,
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


def _register(session: Session, output: Any, fields: dict[str, Any]) -> None:
    for name in _RECORD_FIELDS:
        if fields.get(name) is not None:
            setattr(output, name, fields[name])
    session.add(output)


def _published(output: Any, result: Any) -> Any:
    """The result the user gets: the record's table, shaped like what pandas returned."""
    if not (output.mitigation.get("suppressed") or output.mitigation.get("round_base")):
        return result
    if isinstance(result, pd.Series):
        return output.table.iloc[:, 0].rename(result.name)
    return output.table


def _check_weights(weights: Any, n: int) -> pd.Series:
    w = pdx.as_series(weights, "weights", n)
    if not pd.api.types.is_numeric_dtype(w):
        raise TypeError("weights must be numeric")
    bad = int(((w <= 0) | w.isna()).sum())
    if bad:
        raise ValueError(f"weights must be positive: {bad} weights are zero, negative or "
                         "missing; drop those records or fix the weights")
    return w


def crosstab(
    session: Session, index: Any, columns: Any, values: Any = None, rownames: Any = None,
    colnames: Any = None, aggfunc: Any = None, margins: bool = False,
    margins_name: str = "All", dropna: bool = True, normalize: Any = False, *,
    weights: Any = None, unit: Any = None, suppress: bool | None = None,
    round: int | bool | None = None, structural_zeros: Any = None, **fields: Any,
) -> pd.DataFrame:
    """``pd.crosstab`` checked; ``weights=`` gives weighted estimates with unweighted counts."""
    rules = session.rules_for(**{k: v for k, v in fields.items() if k in _RULE_KW})
    fields = {k: v for k, v in fields.items() if k not in _RULE_KW}
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
        _check_numeric(value_series, "values", aggfunc)
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
    if w is None:
        result = pd.crosstab(index, columns, values=values, aggfunc=as_pandas_func(aggfunc),
                             **kwargs)
    else:
        result = _weighted_crosstab(index, columns, value_series, aggfunc, w, kwargs)
    # names as pandas gave them, so labels match the result
    for key, name in zip(row_keys, result.index.names, strict=False):
        key.name = name
    for key, name in zip(col_keys, result.columns.names[-len(col_keys):], strict=False):
        key.name = name
    vals = {}
    if value_series is not None:
        vals[value_series.name if value_series.name is not None else "values"] = value_series
    suppress_, round_base = _mitigation(session, rules, suppress, round)
    output = pdx.tabulate(
        result, row_keys=row_keys, col_keys=col_keys, values=vals,
        aggfunc=aggfunc if aggfunc is not None else "count", rules=rules, uid=session.new_uid(),
        margins=margins, margins_name=margins_name, normalize=normalize, weights=w,
        unit=unit_s, structural_zeros=structural_zeros, suppress=suppress_,
        round_base=round_base, source={"call": "crosstab"}, review=review,
    )
    _register(session, output, fields)
    return _published(output, result)


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


def _check_numeric(series: pd.Series, name: str, aggfunc: Any) -> None:
    from jupyter_sdc.adapters.aggfuncs import statistic_of

    funcs = aggfunc if isinstance(aggfunc, list) else [aggfunc]
    numeric = [f for f in funcs if statistic_of(f) not in ("frequency", "nunique", "mode")]
    if numeric and not (pd.api.types.is_numeric_dtype(series)
                        or pd.api.types.is_bool_dtype(series)):
        raise TypeError(f"{name} ({series.name or 'values'}) is not numeric ({series.dtype}), "
                        f"so aggfunc={numeric[0]!r} cannot be computed: convert it with "
                        "pd.to_numeric or choose another column")


_RULE_KW = {"threshold", "nk_n", "nk_k", "p_percent", "dof", "zeros", "missing",
            "class_disclosure", "min_max", "round_base"}


def pivot_table(
    session: Session, data: pd.DataFrame, values: Any = None, index: Any = None,
    columns: Any = None, aggfunc: Any = "mean", fill_value: Any = None,
    margins: bool = False, dropna: bool = True, margins_name: str = "All",
    observed: bool = True, sort: bool = True, *, unit: Any = None,
    suppress: bool | None = None, round: int | bool | None = None,
    structural_zeros: Any = None, **fields: Any,
) -> pd.DataFrame:
    """``pd.pivot_table`` checked (several values, dict aggfuncs, margins)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError("pivot_table needs a DataFrame as data")
    rules = session.rules_for(**{k: v for k, v in fields.items() if k in _RULE_KW})
    fields = {k: v for k, v in fields.items() if k not in _RULE_KW}
    row_keys = pdx.frame_keys(data, index, "index")
    col_keys = pdx.frame_keys(data, columns, "columns")
    if not row_keys and not col_keys:
        raise ValueError("pivot_table needs index= or columns=")
    result = pd.pivot_table(data, values=values, index=index, columns=columns,
                            aggfunc=as_pandas_func(aggfunc), fill_value=fill_value,
                            margins=margins, dropna=dropna, margins_name=margins_name,
                            observed=observed, sort=sort)
    if values is None:
        keys = {k.name for k in row_keys + col_keys}
        names = [c for c in data.columns if c not in keys]
        if isinstance(aggfunc, dict):
            names = list(aggfunc)
    else:
        names = list(values) if isinstance(values, list | tuple) else [values]
    value_map = {name: data[name] for name in names if name in data.columns}
    if values is not None:
        for name, series in value_map.items():
            func = aggfunc.get(name, "mean") if isinstance(aggfunc, dict) else aggfunc
            _check_numeric(series, f"values column {name!r}", func)
    unit_s = pdx.unit_series(data, unit if unit is not None else rules.unit, len(data))
    suppress_, round_base = _mitigation(session, rules, suppress, round)
    if not row_keys:
        # pandas puts the column keys in the rows when only columns= is given
        row_keys, col_keys = col_keys, []
    output = pdx.tabulate(
        result, row_keys=row_keys, col_keys=col_keys, values=value_map,
        aggfunc=aggfunc, rules=rules, uid=session.new_uid(), margins=margins,
        margins_name=margins_name, unit=unit_s, structural_zeros=structural_zeros,
        suppress=suppress_, round_base=round_base, source={"call": "pivot_table"},
    )
    _register(session, output, fields)
    return _published(output, result)


def describe(session: Session, data: pd.DataFrame | pd.Series, percentiles: Any = None,
             include: Any = None, exclude: Any = None, *, unit: Any = None,
             **fields: Any) -> pd.DataFrame | pd.Series:
    """``data.describe()`` checked: each row judged by its own statistic's rules."""
    from jupyter_sdc.adapters.summary import check_summary

    rules = session.rules_for(**{k: v for k, v in fields.items() if k in _RULE_KW})
    fields = {k: v for k, v in fields.items() if k not in _RULE_KW}
    result = data.describe(percentiles=percentiles, include=include, exclude=exclude)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    table = result.to_frame() if isinstance(result, pd.Series) else result
    if unit is not None or rules.unit is not None:
        unit_col = unit if unit is not None else rules.unit
        if isinstance(unit_col, str) and unit_col in table.columns:
            table = table.drop(columns=unit_col)
    output = check_summary(frame, "describe", table, rules=rules, uid=session.new_uid(),
                           unit=unit, source={"call": "describe"})
    _register(session, output, fields)
    return result


def stat(session: Session, data: pd.DataFrame | pd.Series, statistic: str, *args: Any,
         unit: Any = None, **fields: Any) -> Any:
    """A column statistic checked: ``sdc.stat(df.income, "median")`` is ``df.income.median()``.

    ``statistic`` is one of mean, sum, median, quantile, min, max, std, var, mode, count,
    nunique; extra arguments go to the pandas method (e.g. ``q=0.9`` for quantile).
    """
    from jupyter_sdc.adapters.summary import check_summary

    known = {"mean", "sum", "median", "quantile", "min", "max", "std", "var", "mode", "count",
             "nunique"}
    if statistic not in known:
        raise ValueError(f"statistic {statistic!r} is not one of {sorted(known)}")
    rules = session.rules_for(**{k: v for k, v in fields.items() if k in _RULE_KW})
    fields = {k: v for k, v in fields.items() if k not in _RULE_KW}
    result = getattr(data, statistic)(*args, **{k: v for k, v in fields.items()
                                                if k not in _RECORD_FIELDS})
    shown = result.iloc[0] if statistic == "mode" and isinstance(data, pd.Series) else result
    if statistic == "mode" and isinstance(data, pd.DataFrame):
        shown = result.iloc[0]
    output = check_summary(data, statistic, shown, rules=rules, uid=session.new_uid(),
                           unit=unit, source={"call": statistic})
    _register(session, output, fields)
    return result


def custom_output(session: Session, table: pd.DataFrame | pd.Series, counts: Any = None, *,
                  kind: str = "custom", reason: str | None = None, **fields: Any) -> Any:
    """Register an output jupyter_sdc cannot check itself (always ``review``).

    With ``counts`` (aligned with the table), the threshold and zeros rules are applied to
    them too; the output still needs a checker's review and an explanation.
    """
    from jupyter_sdc.core.assess import assess
    from jupyter_sdc.core.evidence import CellEvidence
    from jupyter_sdc.core.record import Output
    from jupyter_sdc.core.status import Status

    frame = table.to_frame() if isinstance(table, pd.Series) else pd.DataFrame(table)
    note = reason or ("jupyter_sdc cannot check this output itself: attach unweighted counts "
                      "(sdc.attach_counts(result, counts)) and explain it for the checkers.")
    record_fields = {k: v for k, v in fields.items() if k in _RECORD_FIELDS}
    if counts is None:
        output = Output(uid=session.new_uid(), kind=kind, statistic="custom", table=frame,
                        counts=pd.DataFrame(pd.NA, index=frame.index, columns=frame.columns),
                        checks={"custom": Status.REVIEW}, reasons=[note],
                        rules=session.rules.to_dict(), source={"call": "custom_output"},
                        **record_fields)
    else:
        c = counts.to_frame() if isinstance(counts, pd.Series) else pd.DataFrame(counts)
        if c.shape != frame.shape:
            raise ValueError(f"counts have shape {c.shape} but the table has {frame.shape}")
        ev = CellEvidence(statistic=["frequency"] * frame.shape[1],
                          count=c.to_numpy(dtype=float).astype(np.int64))
        ev.notes.append("Counts were attached by the researcher; a checker reviews them.")
        output = assess(frame, ev, session.rules, uid=session.new_uid(), kind=kind,
                        statistic="custom", source={"call": "custom_output"}, **record_fields)
        output.checks["custom"] = Status.REVIEW
    session.add(output)
    return table


from jupyter_sdc.wrappers_models import (  # noqa: E402,F401  (bound as Session methods)
    hist,
    logit,
    logitr,
    ols,
    olsr,
    probit,
    probitr,
)
