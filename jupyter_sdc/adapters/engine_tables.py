"""pivot_table and crosstab checked on Polars, DuckDB and Spark: the table and its record.

The engines (``jupyter_sdc.engines``) compute the table and its evidence where the data lives;
this module adds what the pandas check reads off the columns it holds (infinite values,
two-valued variables judged as counts, declared structural zeros, the number behind the
table) and judges it with the same ``assess``, so the record, badge and export are those of a
pandas table. What an engine does not compute is ``review``, with the reason.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters import pandas as pdx
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.engines import engine_name
from jupyter_sdc.engines.pivot import columns_of, pivot

#: engine -> (the module it needs, the extra that installs it, its name for people)
ENGINES = {"polars": ("polars", "polars", "Polars"), "duckdb": ("duckdb", "duckdb", "DuckDB"),
           "spark": ("pyspark", "spark", "Spark")}
_KINDS = {"polars": "Polars DataFrame", "duckdb": "DuckDB relation", "spark": "Spark DataFrame"}


def engine_of(data: Any, call: str) -> str:
    """The engine of ``data``, or a message saying what to pass or install."""
    try:
        name = engine_name(data)
    except TypeError as exc:
        raise TypeError(f"sdc.{call} {exc}") from None
    module, extra, _ = ENGINES[name]
    for needed in (module, "pyarrow") if name == "duckdb" else (module,):
        if importlib.util.find_spec(needed) is None:
            raise ImportError(f"sdc.{call} on a {_KINDS[name]} needs {needed}: "
                              f"pip install jupyter_sdc[{extra}]")
    return name


def _names(value: Any) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _check_columns(data: Any, engine: str, **named: Any) -> None:
    """Keys, values and unit of an engine's frame are column names, and present."""
    present = set(columns_of(data))
    for argument, value in named.items():
        for name in _names(value):
            if not isinstance(name, str):
                raise TypeError(f"{argument}= on a {_KINDS[engine]} names columns (strings), "
                                f"got {type(name).__name__}")
            if name not in present:
                raise KeyError(f"{argument}: column {name!r} is not in the data; columns are "
                               f"{sorted(present)[:20]}")


def pivot_table(
    data: Any, values: Any = None, index: Any = None, columns: Any = None,
    aggfunc: Any = "mean", fill_value: Any = None, margins: bool = False,
    dropna: bool = True, margins_name: str = "All", observed: bool = True, sort: bool = True,
    *, rules: RuleValues, uid: str, unit: Any = None, suppress: bool = False,
    round_base: int | None = None, structural_zeros: Any = None,
    structural_reason: str | None = None, source: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame | pd.Series, Output]:
    """``pd.pivot_table`` of a Polars, DuckDB or Spark frame, as a pandas table, and its record."""
    engine = engine_of(data, "pivot_table")
    label = ENGINES[engine][2]
    if not (dropna and observed and sort):
        raise ValueError(f"sdc.pivot_table on {label} computes pandas' defaults only "
                         "(dropna=True, observed=True, sort=True): leave these out")
    unit_col = unit if unit is not None else rules.unit
    _check_columns(data, engine, index=index, columns=columns,
                   values=list(values) if isinstance(values, dict) else values, unit=unit_col)
    table, evidence, n = pivot(
        data, values, index, columns, aggfunc, fill_value=fill_value, margins=margins,
        margins_name=margins_name, unit=unit_col, top_k=rules.top_k, total=True)
    shown = table.to_frame() if isinstance(table, pd.Series) else table  # sizes: a Series
    review = _value_evidence(data, shown, evidence, label, values, index, columns, aggfunc,
                             unit=unit_col)
    evidence.structural_zero, structural = pdx._structural(structural_zeros, structural_reason,
                                                           shown)
    output = assess(shown, evidence, rules, uid=uid, suppress=suppress, round_base=round_base,
                    summary={"n": n},
                    source={"call": "pivot_table", "engine": engine, **(source or {})},
                    review=review)
    output.mitigation["notes"] = [*output.mitigation.get("notes", []), *structural]
    rows, cols = _names(index), _names(columns)
    if isinstance(table, pd.Series):  # group sizes: every key in the Series' index
        rows, cols = rows + cols, []
    output.fingerprint = engine_fingerprint(output, evidence, rows, cols)
    return table, output


def engine_fingerprint(output: Output, evidence: Any, rows: list[str],
                       cols: list[str]) -> Any:
    """What differencing needs from an engine's table of one statistic over one or two
    variables: its counts, the records behind it, its variables. An engine gives no sample of
    the rows (hashing every row would cost more than the table), so a nesting the counts
    allow is a possibility a checker confirms (``rows_known=False``: review)."""
    from jupyter_sdc.core.differencing import from_hashes

    counts = output.counts
    if counts is None or len(rows) != 1 or len(cols) > 1 or counts.columns.nlevels != 1 or \
            (not cols and counts.shape[1] != 1):
        return None
    margin = evidence.margin if evidence.margin is not None else \
        np.zeros(counts.shape, dtype=bool)
    keep_rows, keep_cols = ~margin.all(axis=1), ~margin.all(axis=0)
    counts = counts.loc[keep_rows, keep_cols].copy()
    if cols:
        counts.columns = pd.Index(counts.columns, name=cols[0])
    # every record with its keys sits in one cell (margins left out)
    behind = evidence.rows if evidence.rows is not None else evidence.count
    n_rows = int(np.nansum(np.asarray(behind, dtype=float)[np.ix_(keep_rows, keep_cols)]))
    return from_hashes(np.empty(0, dtype=np.uint64), "records", (*rows, *cols), counts,
                       n_rows=n_rows, rows_known=False)


def _values_grid(table: pd.DataFrame, data: Any, values: Any, index: Any, columns: Any,
                 aggfunc: Any, unit: str | None) -> np.ndarray:
    """The value column behind each cell (None: the records themselves)."""
    rows, cols = _names(index), _names(columns)
    if isinstance(aggfunc, dict):
        names = list(aggfunc)
    elif values is not None:
        names = _names(values)
    else:
        names = [c for c in columns_of(data) if c not in set(rows + cols) and c != unit]
    if rows:
        specs = pdx.column_specs(table.columns, len(cols), names, aggfunc)
        return np.array([[s.value for s in specs]] * table.shape[0], dtype=object)
    grid = np.full(table.shape, None, dtype=object)
    for i, label in enumerate(table.index):  # a table of column keys only: values in the rows
        parts = label if isinstance(label, tuple) else (label,)
        grid[i, :] = next((p for p in parts if p in names), names[0] if len(names) == 1 else None)
    return grid


def _value_evidence(data: Any, table: pd.DataFrame, evidence: Any, label: str, values: Any,
                    index: Any, columns: Any, aggfunc: Any, *, unit: str | None) -> list[str]:
    """What the pandas check reads off the value columns themselves (``value_checks``)."""
    if (evidence.statistic_grid == "frequency").all():
        return []
    value_of = _values_grid(table, data, values, index, columns, aggfunc, unit)
    return value_checks(data, evidence, value_of, label, unit)


def value_checks(data: Any, evidence: Any, value_of: np.ndarray, label: str,
                 unit: str | None) -> list[str]:
    """Infinite values, two-valued variables and medians of the value columns behind the
    cells (``value_of``: a column name per cell, None for records counted), read off the
    columns by the engine. Sets ``evidence.class_min``; returns the reasons for review."""
    from jupyter_sdc.engines.probe import profile

    statistic = evidence.statistic_grid
    review: list[str] = []
    class_min = np.full(value_of.shape, np.nan)
    shown = value_of[statistic != "frequency"]
    for name in dict.fromkeys(v for v in shown.ravel() if v is not None):
        here = value_of == name
        found = profile(data, name)
        review += pdx.infinite_reasons(found.infinite, name)
        if (here & (statistic == "median")).any() and evidence.below is None:
            review.append(f"The median of {name} was computed by {label}; the records on each "
                          "side of it (quantile sides) could not be counted for this table: a "
                          "checker reviews it, or check this table with pandas.")
        additive = here & np.isin(statistic, ("sum", "mean"))
        if found.classes is None or not additive.any():
            continue
        evidence.notes.append(pdx.two_valued_note(name))
        if unit is not None:
            review.append(f"{name} takes two values, so each value's units are a count; "
                          f"{label} does not count them per unit: a checker reviews it.")
            continue
        low, high = found.classes
        count, total = evidence.count.astype(float), evidence.total
        with np.errstate(invalid="ignore", divide="ignore"):
            at_high = np.rint((total - low * count) / (high - low))
        class_min = np.where(additive, np.minimum(at_high, count - at_high), class_min)
    if not np.isnan(class_min).all():
        evidence.class_min = class_min
    return review




def _is_polars_series(value: Any) -> bool:
    polars = __import__("sys").modules.get("polars")
    return polars is not None and isinstance(value, polars.Series)


def has_polars_series(*arguments: Any) -> bool:
    """Whether any argument of a crosstab is a Polars Series (or a list holding one)."""
    return any(_is_polars_series(a) or (isinstance(a, list | tuple)
                                        and any(_is_polars_series(x) for x in a))
               for a in arguments)


def _as_pandas(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_as_pandas(v) for v in value]
    if _is_polars_series(value):
        return pd.Series(value.to_numpy(), name=value.name or None)
    return value


def _series_list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def crosstab(
    index: Any, columns: Any, values: Any = None, rownames: Any = None, colnames: Any = None,
    aggfunc: Any = None, margins: bool = False, margins_name: str = "All",
    dropna: bool = True, normalize: Any = False, *, rules: RuleValues, uid: str,
    weights: Any = None, unit: Any = None, suppress: bool = False,
    round_base: int | None = None, structural_zeros: Any = None,
    structural_reason: str | None = None, source: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, Output]:
    """``pd.crosstab`` of Polars Series, computed by Polars where it can be.

    Weights, proportions, ``dropna=False`` and a project's unit without ``unit=`` are the
    pandas check's: the Series are handed to it as pandas Series.
    """
    import polars as pl

    from jupyter_sdc.adapters import tables

    rows, cols = _series_list(index), _series_list(columns)
    row_names = list(rownames) if rownames is not None else \
        [getattr(s, "name", None) or f"row_{i}" for i, s in enumerate(rows)]
    col_names = list(colnames) if colnames is not None else \
        [getattr(s, "name", None) or f"col_{i}" for i, s in enumerate(cols)]
    value_name = (getattr(values, "name", None) or "values") if values is not None else None
    names = [*row_names, *col_names, *([value_name] if value_name else [])]
    simple = weights is None and normalize is False and dropna and \
        (unit is not None or not isinstance(rules.unit, str)) and \
        len(set(names)) == len(names) and "__unit" not in names and \
        len(row_names) == len(rows) and len(col_names) == len(cols) and \
        all(_is_polars_series(s) for s in [*rows, *cols, *([values] if values is not None
                                                           else [])])
    if (values is None) != (aggfunc is None) or not simple:
        return tables.crosstab(
            _as_pandas(index), _as_pandas(columns), _as_pandas(values), rownames, colnames,
            aggfunc, margins, margins_name, dropna, normalize, rules=rules, uid=uid,
            weights=_as_pandas(weights), unit=_as_pandas(unit), suppress=suppress,
            round_base=round_base, structural_zeros=structural_zeros,
            structural_reason=structural_reason, source=source)
    series = [s.rename(n) for s, n in zip([*rows, *cols], [*row_names, *col_names],
                                          strict=True)]
    if values is not None:
        series.append(values.rename(value_name))
    if unit is not None:
        series.append(pl.Series("__unit", _as_pandas(unit)) if not _is_polars_series(unit)
                      else unit.rename("__unit"))
    lengths = {len(s) for s in series}
    if len(lengths) > 1:
        raise ValueError(f"index, columns, values and unit have different lengths "
                         f"({sorted(lengths)}): pass columns of the same data frame")
    return pivot_table(
        pl.DataFrame(series), value_name, row_names, col_names,
        aggfunc if aggfunc is not None else "size", margins=margins,
        margins_name=margins_name, rules=rules, uid=uid,
        unit="__unit" if unit is not None else None, suppress=suppress,
        round_base=round_base, structural_zeros=structural_zeros,
        structural_reason=structural_reason, source={"call": "crosstab", **(source or {})})
