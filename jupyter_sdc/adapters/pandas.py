"""Evidence for pandas tabulations: crosstab, pivot_table and groupby-style results.

Each ``check_*`` function takes the inputs of a pandas call and the result pandas returned,
and builds the ``Output`` record; it never changes the result. The wrappers in
``jupyter_sdc.wrappers`` call pandas and then these functions; the magic calls them for
results it captured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.axis import KeyCodes
from jupyter_sdc.adapters.grid import ColumnSpec, Grid, stack_rows
from jupyter_sdc.core.aggfuncs import func_name, statistic_of
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues


def as_series(value: Any, name: str, length: int | None = None) -> pd.Series:
    """A key/values argument as a Series; wrong lengths get an error naming the argument."""
    if isinstance(value, pd.Series):
        series = value
    elif isinstance(value, pd.Index):
        series = pd.Series(value, name=value.name)
    else:
        array = np.asarray(value)
        if array.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional (a column or a list), "
                             f"got shape {array.shape}")
        series = pd.Series(array)
    if length is not None and len(series) != length:
        raise ValueError(f"{name} has {len(series)} values but the other arguments have "
                         f"{length}: pass columns of the same data frame")
    return series


def key_list(value: Any, name: str) -> list[pd.Series]:
    if isinstance(value, list | tuple) and value and not np.isscalar(value[0]):
        return [as_series(v, f"{name}[{i}]") for i, v in enumerate(value)]
    return [as_series(value, name)]


def numeric_values(series: pd.Series, name: str, statistic: str) -> np.ndarray:
    if statistic in ("frequency", "nunique", "mode") and not pd.api.types.is_numeric_dtype(series):
        codes, _ = pd.factorize(series, use_na_sentinel=True)
        return np.where(codes < 0, np.nan, codes).astype(float)
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(series):
        raise TypeError(f"values column {name!r} is not numeric ({series.dtype}); "
                        f"a {statistic} needs numbers: convert it with pd.to_numeric first")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _unit_codes(unit: pd.Series | None) -> np.ndarray | None:
    if unit is None:
        return None
    codes, _ = pd.factorize(unit, use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError("unit has missing values: every record needs a unit identifier")
    return codes.astype(np.int64)


def column_specs(columns: pd.Index, n_col_keys: int, values: Sequence[str], aggfunc: Any,
                 frequency: str = "frequency") -> list[ColumnSpec]:
    """What each result column shows, from its label (prefix levels name value and function)."""
    funcs = aggfunc if isinstance(aggfunc, list) else [aggfunc]
    by_value = aggfunc if isinstance(aggfunc, dict) else {}
    names = {func_name(f): f for fs in (by_value.values() if by_value else [funcs])
             for f in (fs if isinstance(fs, list) else [fs])}
    specs = []
    for label in columns:
        label = label if isinstance(label, tuple) else (label,)
        n_prefix = len(label) - n_col_keys if n_col_keys else len(label)
        prefix, rest = label[:n_prefix], label[n_prefix:]
        value = next((p for p in prefix if p in values), None)
        func = next((names[p] for p in prefix if isinstance(p, str) and p in names
                     and p not in values), None)
        if func is None:
            func = next((p for p in prefix if isinstance(p, str) and p not in values
                         and statistic_of(p) != "custom"), None)
        if value is None and len(values) == 1:
            value = values[0]
        if func is None:
            chosen = by_value.get(value, funcs[0]) if by_value else funcs[0]
            func = chosen[0] if isinstance(chosen, list) else chosen
        statistic = frequency if value is None else statistic_of(func)
        specs.append(ColumnSpec(value=value, statistic=statistic, labels=rest or (None,)))
    return specs


@dataclass
class Prepared:
    """What the checks read from the rows, made once: the keys' codes and the value arrays."""

    grid: Grid
    arrays: dict[str, np.ndarray]
    #: the two values of each two-valued column (judged as counts)
    classes: dict[str, tuple[float, float]]


def prepare(row_keys: list[pd.Series], col_keys: list[pd.Series], values: dict[str, pd.Series],
            statistics: dict[str, str], unit: pd.Series | None,
            weights: pd.Series | None = None,
            row_codes: KeyCodes | None = None) -> Prepared:
    """The keys factorised (a ``Grid``) and each value column as floats (weighted if asked)."""
    n = len(row_keys[0]) if row_keys else len(col_keys[0])
    grid = Grid(row_keys, col_keys, n, _unit_codes(unit), row_codes)
    arrays: dict[str, np.ndarray] = {}
    for name, series in values.items():
        array = numeric_values(series, name, statistics.get(name, "sum"))
        if weights is not None:
            array = array * weights.to_numpy(dtype=float)
        arrays[name] = array
    classes = {name: two for name, array in arrays.items()
               if weights is None and (two := two_values(array)) is not None}
    return Prepared(grid, arrays, classes)


def tabulate(
    result: pd.DataFrame | pd.Series,
    *,
    row_keys: list[pd.Series],
    col_keys: list[pd.Series],
    values: dict[str, pd.Series],
    aggfunc: Any,
    rules: RuleValues,
    uid: str,
    margins: bool = False,
    margins_name: str = "All",
    normalize: Any = False,
    weights: pd.Series | None = None,
    unit: pd.Series | None = None,
    structural_zeros: Any = None,
    structural_reason: str | None = None,
    suppress: bool = False,
    round_base: int | None = None,
    source: dict[str, Any] | None = None,
    review: list[str] | None = None,
    prepared: Prepared | None = None,
    row_codes: KeyCodes | None = None,
    values_in_rows: bool = False,
    **fields: Any,
) -> Output:
    """Evidence for a tabulation result, judged into a record.

    ``values_in_rows``: the rows are the value columns, not keys (``pivot_table`` with
    ``columns=`` and no ``index=``); each row's label says what its cells show."""
    review = list(review or [])
    table = result.to_frame() if isinstance(result, pd.Series) else result
    frequency = "percentage" if normalize is not False and not values else "frequency"
    by_row = [column_specs(_behind(label, table.columns), len(col_keys), list(values), aggfunc,
                           frequency) for label in table.index] \
        if values_in_rows and len(table.index) else None
    if by_row is not None:
        specs = [s for row in by_row for s in row]
    elif not values and isinstance(result, pd.Series) and not col_keys:
        specs = [ColumnSpec(None, frequency, (None,))]
    else:
        specs = column_specs(table.columns, len(col_keys), list(values), aggfunc, frequency)
    if prepared is None:  # given when the table was made from its codes (codes_table)
        statistics = {name: ({s.statistic for s in specs if s.value == name} or {"sum"}).pop()
                      for name in values}
        prepared = prepare(row_keys, col_keys, values, statistics, unit, weights, row_codes)
    grid, arrays, classes = prepared.grid, prepared.arrays, prepared.classes
    masks: dict[str, np.ndarray] = {}
    for name, array in arrays.items():
        review += non_finite(array, name)
    for spec in specs:
        if spec.value is None and spec.statistic not in ("frequency", "percentage"):
            raise ValueError(f"cannot tell which values column {spec.labels} summarises")
    evidence = _laid_out(grid, table, specs, by_row, arrays, masks, quantiles=weights is None,
                         margins_name=margins_name if margins else None, top_k=rules.top_k,
                         unit_label="units" if unit is not None else "records", classes=classes)
    evidence.notes += [two_valued_note(name) for name in classes
                       if any(s.value == name and s.statistic in ("sum", "mean") for s in specs)]
    evidence.structural_zero, structural = _structural(structural_zeros, structural_reason,
                                                       table)
    first = next(iter(arrays), None)
    summary = {"n": grid.overall(arrays.get(first) if first else None, first, None)}
    if frequency == "percentage":
        summary["scale"] = "proportion"  # pandas gives shares of 1, not percentages
    if weights is not None:
        summary["weighted"] = True
        evidence.notes.append("Estimates are weighted; the counts beside them are unweighted.")
    output = assess(table, evidence, rules, uid=uid, suppress=suppress, round_base=round_base,
                    summary=summary, source=source, review=review, **fields)
    output.mitigation["notes"] = [*output.mitigation.get("notes", []), *structural]
    if rules.differencing != "off":
        output.fingerprint = _fingerprint(grid, row_keys, col_keys, specs, evidence, output)
    return output


def _fingerprint(grid: Grid, row_keys: list[pd.Series], col_keys: list[pd.Series],
                 specs: list[ColumnSpec], evidence: Any, output: Output) -> Any:
    """What differencing across outputs needs: a sketch of the rows and the counts table."""
    from jupyter_sdc.core.differencing import from_hashes

    if len(row_keys) != 1 or len(col_keys) > 1 or len({s.labels for s in specs}) != len(specs):
        return None  # one table of one statistic over one or two variables
    margin = evidence.margin if evidence.margin is not None else np.zeros(output.table.shape,
                                                                          dtype=bool)
    rows, cols = ~margin.all(axis=1), ~margin.all(axis=0)
    counts = output.counts.loc[rows, cols]
    if col_keys:
        counts.columns = pd.Index([s.labels[0] for s, keep in zip(specs, cols, strict=True)
                                   if keep], name=col_keys[0].name)
    names = tuple(str(k.name) for k in row_keys + col_keys)
    try:
        from jupyter_sdc.core.differencing import SKETCH_K

        sample, n_rows = grid.row_sample(row_keys[0].index, SKETCH_K)
        return from_hashes(sample, "records", names, counts, n_rows=n_rows)
    except ValueError:
        return None  # e.g. band edges the sketch cannot read: no differencing for this one


def _behind(row: Any, columns: pd.Index) -> pd.Index:
    """Column labels with a row's label in front: what each cell of that row shows."""
    front = row if isinstance(row, tuple) else (row,)
    return pd.MultiIndex.from_tuples(
        [front + (c if isinstance(c, tuple) else (c,)) for c in columns])


def _laid_out(grid: Grid, table: pd.DataFrame, specs: list[ColumnSpec],
              by_row: list[list[ColumnSpec]] | None, arrays: dict[str, np.ndarray],
              masks: dict[str, np.ndarray], *, quantiles: bool, **options: Any) -> Any:
    """The evidence of every cell, from the columns' ``specs`` or, ``by_row``, from each
    row's own (each row shows its own value column); the medians' sides if ``quantiles``."""
    if by_row is None:
        return grid.evidence(table.index, specs, arrays, masks, **options,
                             cuts=quantile_cuts(table, specs) if quantiles else None)
    return stack_rows([
        grid.evidence(table.index[[i]], row, arrays, masks, **options,
                      cuts=quantile_cuts(table.iloc[[i]], row) if quantiles else None)
        for i, row in enumerate(by_row)])


def quantile_cuts(table: pd.DataFrame, specs: list[ColumnSpec]) -> dict[int, np.ndarray]:
    """The published value of each quantile (median) column, by position (quantile_sides)."""
    from jupyter_sdc.adapters.sides import QUANTILES

    return {j: pd.to_numeric(table.iloc[:, j], errors="coerce").to_numpy(dtype=float)
            for j, spec in enumerate(specs) if spec.statistic in QUANTILES}


def two_values(array: np.ndarray) -> tuple[float, float] | None:
    """The two values of a two-valued variable (a 0/1 flag), else None."""
    head = array[:1000]
    if len(np.unique(head[np.isfinite(head)])) > 2:
        return None  # three values already: not two-valued (the common case, decided fast)
    finite = array[np.isfinite(array)]
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    if low == high or not np.all((finite == low) | (finite == high)):
        return None
    return low, high


def two_valued_note(name: str) -> str:
    return (f"{name} takes two values, so its sum or mean gives the number of records with "
            "each value: each is judged as a count (threshold).")


def non_finite(array: np.ndarray, name: str) -> list[str]:
    """Why a statistic of these values cannot be judged (infinite contributions)."""
    if array.size and np.isfinite(np.add.reduce(array)):
        return []  # a finite sum: no value is infinite (nor missing), without a mask
    return infinite_reasons(int(np.isinf(array).sum()), name)


def infinite_reasons(infinite: int, name: str) -> list[str]:
    """Why a statistic of values with ``infinite`` infinite contributions cannot be judged."""
    if not infinite:
        return []
    return [f"{infinite} contribution{'s' if infinite > 1 else ''} of {name} "
            f"{'are' if infinite > 1 else 'is'} infinite, so totals and dominance cannot be "
            "judged (not finite): drop or replace them, or a checker must review it."]


def _structural(declared: Any, reason: str | None,
                table: pd.DataFrame) -> tuple[np.ndarray | None, list[str]]:
    """Structural zeros and why each cannot occur, printed under the table for the checker.

    ``declared`` is ``{(row, column): reason}``, or a list of (row, column) labels (or a
    boolean frame like the table) with one ``reason`` for all of them.
    """
    if declared is None:
        return None, []
    if isinstance(declared, dict):
        cells = dict(declared)
    elif isinstance(declared, pd.DataFrame):
        mask = declared.reindex_like(table).fillna(False).to_numpy(dtype=bool)
        cells = {(table.index[i], table.columns[j]): reason
                 for i, j in zip(*np.nonzero(mask), strict=True)}
    else:
        cells = {tuple(cell): reason for cell in declared}
    missing = [cell for cell, why in cells.items() if not (isinstance(why, str) and why.strip())]
    if missing:
        raise ValueError(f"say why the zero at {missing[0]!r} cannot occur: give "
                         "structural_zeros={(row, column): 'reason'} or structural_reason=")
    mask = np.zeros(table.shape, dtype=bool)
    for row, col in cells:
        try:
            mask[table.index.get_loc(row), table.columns.get_loc(col)] = True
        except KeyError as err:
            raise ValueError(f"structural zero ({row!r}, {col!r}) is not a cell of the table: "
                             f"rows are {list(table.index)}, columns {list(table.columns)}"
                             ) from err
    notes = [f"Structural zero ({row}, {col}): {why.strip()}" for (row, col), why in cells.items()]
    return mask, notes


def frame_keys(data: pd.DataFrame, keys: Any, name: str) -> list[pd.Series]:
    """Column names (or arrays/Series) of ``data`` as Series, with a clear error if absent."""
    if keys is None:
        return []
    items = keys if isinstance(keys, list | tuple) else [keys]
    out = []
    for item in items:
        if isinstance(item, str | int) and not isinstance(item, bool):
            if item not in data.columns:
                raise KeyError(f"{name}: column {item!r} is not in the data; columns are "
                               f"{list(data.columns)[:20]}")
            out.append(data[item])
        else:
            out.append(as_series(item, name, len(data)))
    return out


def unit_series(data: pd.DataFrame | None, unit: Any, n: int) -> pd.Series | None:
    """``unit`` as a column name (needs the frame) or a Series aligned with the data."""
    if unit is None:
        return None
    if isinstance(unit, str):
        if data is None:
            raise ValueError(f"unit={unit!r} names a column, but this call has no data frame: "
                             "pass the column itself, e.g. unit=df[" + repr(unit) + "]")
        if unit not in data.columns:
            raise KeyError(f"unit column {unit!r} is not in the data; set unit= to the column "
                           "that identifies a person or firm")
        return data[unit]
    return as_series(unit, "unit", n)
