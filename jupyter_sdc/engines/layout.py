"""The layout of a pivot table: ``pandas.pivot_table``'s steps replayed on the engine's groups.

``Layout`` takes the groups an engine computed for a ``Plan`` (cells, margins, the grand total)
and lays them out as pandas would (drop the all-NaN rows, unstack the column keys, sort, add the
margins, drop the all-NaN columns), then the ``CellEvidence`` of every cell beside the table.
``Grids`` fills evidence arrays by cell and ``positions`` finds a group by its labels: the
captured aggregates (``capture.engine_roots``) lay out their evidence with them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.evidence import CellEvidence, GroupStats
from jupyter_sdc.engines.contract import Groups

#: our evidence statistic for each pandas aggregation
EVIDENCE = {"count": "frequency", "size": "frequency", "sum": "sum", "mean": "mean",
            "median": "median", "std": "std", "var": "var", "min": "min", "max": "max"}
#: the value column of a frequency table: the records themselves
RECORDS = "__dummy__"


@dataclass
class Plan:
    """What a pivot shows: its value columns and, per aggfunc piece, their statistics."""

    values: list[str]
    values_multi: bool
    funcs: list[dict[str, tuple[str, str]]]  # per aggfunc piece: value -> (label, stat)
    piece_labels: list[str] | None           # labels of the pieces (list aggfunc) or None
    stats: list[str]
    size_margins: bool


@dataclass(frozen=True)
class Column:
    """Where one column (or, transposed, one row) of the table comes from."""

    func: str          # label pandas gives the aggregation
    stat: str          # our name of the statistic
    value: str | None  # None: the records themselves (frequency)
    keys: tuple        # the column-key labels; () when there are no column keys
    margin: bool       # the column margin ("All")


def _dtype_int(stat: str, kind: str) -> bool:
    """Whether pandas gives this statistic of this column integer results."""
    if stat in ("count", "size"):
        return True
    return stat in ("sum", "min", "max") and kind in ("i", "b")


def _typed(values: np.ndarray, as_int: bool) -> np.ndarray:
    if as_int and np.isfinite(values).all():
        return values.astype(np.int64)
    return values


class Layout:
    """pandas' pivot_table steps, replayed on the groups the engine computed."""

    def __init__(self, plan: Plan, groups: dict[tuple[str, ...], Groups], rows: list[str],
                 cols: list[str], margins: bool, margins_name: str, fill_value: Any,
                 frequency: bool, *, complete: bool = False) -> None:
        self.plan = plan
        self.complete = complete
        self.groups = groups
        self.rows, self.cols = rows, cols
        self.margins = margins
        self.margins_name = margins_name
        self.fill_value = 0 if frequency else fill_value
        self.frequency = frequency
        cells = groups[tuple(rows + cols)]
        self.kinds = dict(cells.kinds)
        for name in plan.values:
            # a column with missing values is float in pandas, whatever it was stored as
            if self.kinds.get(name) in ("i", "b") and cells.evidence[name].missing.sum() > 0:
                self.kinds[name] = "f"

    def _frame(self, keys: tuple[str, ...], funcs: dict[str, tuple[str, str]]) -> pd.DataFrame:
        """A group's statistics as ``groupby(keys)[values].agg(func)`` returns them."""
        g = self.groups[keys]
        # pandas takes a margin from the rows with a value: a row or column margin with none
        # is absent (NaN), even as a count or sum (the grand total of nothing is 0)
        absent_empty = keys != tuple(self.rows + self.cols) and bool(keys) and not self.complete
        data = {}
        for value, (_, stat) in funcs.items():
            if value == RECORDS:
                shown = g.table[(None, "size")].to_numpy()
            else:
                shown = g.table[(value, stat)].to_numpy()
                if absent_empty:
                    shown = np.where(g.evidence[value].count > 0, shown, np.nan)
            data[value] = _typed(shown, _dtype_int(stat, self.kinds.get(value, "f")))
        return pd.DataFrame(data, index=g.index)

    def _scalar(self, funcs: dict[str, tuple[str, str]], value: str) -> Any:
        frame = self._frame((), funcs)
        return frame[value].iloc[0] if len(frame) else np.nan

    def table(self) -> pd.DataFrame:
        pieces = [self._piece(funcs) for funcs in self.plan.funcs]
        if self.plan.piece_labels is None:
            return pieces[0]
        return pd.concat(pieces, keys=self.plan.piece_labels, axis=1)

    def _piece(self, funcs: dict[str, tuple[str, str]]) -> pd.DataFrame:
        rows, cols = self.rows, self.cols
        table = self._frame(tuple(rows + cols), funcs)
        if len(table.columns):
            table = table.dropna(how="all")
        if rows and cols:
            table = table.unstack(list(range(len(rows), len(rows) + len(cols))),
                                  fill_value=self.fill_value)
        table = table.sort_index(axis=1)
        if self.fill_value is not None:
            table = table.fillna(self.fill_value)
        if self.margins:
            table = self._add_margins(table, funcs)
        values_multi = self.plan.values_multi and not self.frequency
        if not values_multi and table.columns.nlevels > 1:
            table.columns = table.columns.droplevel(0)
        if not rows and cols:
            table = table.T
        if self.frequency and not cols:
            table.columns = pd.Index(["count"])
        if self.frequency and not rows:
            table.index = pd.Index(["count"])
        return table.dropna(how="all", axis=1)

    def _add_margins(self, table: pd.DataFrame,
                     funcs: dict[str, tuple[str, str]]) -> pd.DataFrame:
        name = self.margins_name
        for level in range(table.index.nlevels):
            if name in table.index.get_level_values(level):
                raise ValueError(f'Conflicting name "{name}" in margins')
        for level in range(1, table.columns.nlevels):
            if name in table.columns.get_level_values(level):
                raise ValueError(f'Conflicting name "{name}" in margins')
        rows, cols = self.rows, self.cols
        if table.empty and not len(table.columns):
            return table.iloc[:0, :0]  # every cell NaN (a spread of one record): pandas is empty
        row_key: Any = (name, *[""] * (len(rows) - 1)) if len(rows) > 1 else name
        result = table
        grand_keys: list[Any] = []
        if cols:
            by_rows = self._frame(tuple(rows), funcs)
            parts = []
            for value in table.columns.get_level_values(0).unique().sort_values():
                part = table.loc[:, table.columns.get_level_values(0) == value].copy()
                all_key = (value, name, *[""] * (len(cols) - 1))
                part[all_key] = by_rows[value]
                parts.append(part)
                grand_keys.append(all_key)
            result = pd.concat(parts, axis=1)
            by_cols = self._frame(tuple(cols), funcs)
            margin_row = _stack(by_cols)
            order = [len(cols), *range(len(cols))]
            margin_row.index = margin_row.index.reorder_levels(order)
        else:
            grand_keys = list(table.columns)
            margin_row = pd.Series(index=table.columns, dtype=object)
        grand = {k: self._scalar(funcs, k[0] if isinstance(k, tuple) else k) for k in grand_keys}
        margin_row = margin_row.astype(object)
        for key, value in grand.items():
            margin_row[key] = value
        margin_row = margin_row.reindex(result.columns, fill_value=self.fill_value)
        names = result.index.names
        result = pd.concat([result, self._margin_frame(margin_row, result, row_key)])
        result.index.names = names
        return result

    @staticmethod
    def _margin_frame(margin_row: pd.Series, result: pd.DataFrame, key: Any) -> pd.DataFrame:
        """The margin row, each value in its column's dtype where that loses nothing."""
        data = {}
        for j in range(len(result.columns)):
            value = margin_row.iloc[j]
            dtype = result.dtypes.iloc[j]
            numeric = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if pd.api.types.is_integer_dtype(dtype) and pd.notna(numeric) and \
                    float(numeric).is_integer():
                data[j] = np.array([int(numeric)], dtype=dtype)
            else:
                data[j] = np.array([numeric], dtype=float)
        frame = pd.DataFrame(data, index=pd.Index([key]) if not isinstance(key, tuple)
                             else pd.MultiIndex.from_tuples([key]))
        frame.columns = result.columns
        return frame

    # -- evidence ---------------------------------------------------------------------------
    def column_specs(self, labels: pd.Index) -> list[Column]:
        """What each label of the value axis shows."""
        out = []
        lists = self.plan.piece_labels is not None
        values_multi = self.plan.values_multi and not self.frequency
        for label in labels:
            parts = label if isinstance(label, tuple) else (label,)
            j = 0
            piece = 0
            if lists:
                piece = self.plan.piece_labels.index(parts[0])
                j = 1
            funcs = self.plan.funcs[piece]
            if values_multi:
                value = parts[j]
                j += 1
            elif self.frequency:
                value = RECORDS
            else:
                value = next(iter(funcs))
            keys = tuple(parts[j:]) if self.cols else ()
            func, stat = funcs[value]
            margin = bool(self.margins and self.cols and keys and keys[0] == self.margins_name)
            out.append(Column(func=func, stat=stat, value=None if value == RECORDS else value,
                              keys=keys, margin=margin))
        return out

    def evidence(self, table: pd.DataFrame, *, top_k: int, unit_label: str) -> CellEvidence:
        if not self.rows:
            return self._evidence_transposed(table, top_k=top_k, unit_label=unit_label)
        group_axis = table.index
        specs = self.column_specs(table.columns)
        row_margin = self.row_margin(group_axis)
        grids = Grids(table.shape, max(top_k, 2))
        for j, spec in enumerate(specs):
            for is_row_margin in (False, True):
                sel = row_margin == is_row_margin
                if not sel.any():
                    continue
                keys, labels = self.where(spec, group_axis[sel], is_row_margin)
                found = self.groups[keys]
                grids.put(np.flatnonzero(sel), j,
                          found.evidence[spec.value].take(positions(found, labels)))
        margin = row_margin[:, None] | np.array([s.margin for s in specs], dtype=bool)[None, :]
        statistic = ["frequency" if s.value is None else EVIDENCE[s.stat] for s in specs]
        return grids.evidence(statistic, margin, unit_label)

    def transposed_cells(self, table: pd.DataFrame) -> Iterator[tuple[int, int, str | None,
                                                                    str, tuple]]:
        """The cells of a table of column keys only (pandas puts the values in its rows, no
        margins): (row, column, value column or None for the records, statistic, the group's
        labels)."""
        lists = self.plan.piece_labels is not None
        values_multi = self.plan.values_multi and not self.frequency
        for j, label in enumerate(table.columns):
            parts = _as_tuple(label)
            funcs = self.plan.funcs[self.plan.piece_labels.index(parts[0]) if lists else 0]
            for i, row in enumerate(table.index):
                value = row if values_multi else next(iter(funcs))
                yield (i, j, None if value == RECORDS else value, funcs[value][1],
                       parts[1:] if lists else parts)

    def row_margin(self, axis: pd.Index) -> np.ndarray:
        """Which rows of the table are the margin row."""
        if not self.margins:
            return np.zeros(len(axis), dtype=bool)
        first = axis.get_level_values(0) if axis.nlevels > 1 else axis
        return np.asarray(first.astype(object) == self.margins_name, dtype=bool)

    def _evidence_transposed(self, table: pd.DataFrame, *, top_k: int,
                             unit_label: str) -> CellEvidence:
        found = self.groups[tuple(self.cols)]
        grids = Grids(table.shape, max(top_k, 2))
        statistic = np.empty(table.shape, dtype=object)
        cells = list(self.transposed_cells(table))
        at = positions(found, [labels for *_, labels in cells]) if cells else \
            np.zeros(0, dtype=np.int64)
        for (i, j, value, stat, _), pos in zip(cells, at, strict=True):
            grids.put(np.array([i]), j, found.evidence[value].take(np.array([pos])))
            statistic[i, j] = "frequency" if value is None else EVIDENCE[stat]
        return grids.evidence(statistic, np.zeros(table.shape, dtype=bool), unit_label)

    def where(self, spec: Column, labels: pd.Index,
               row_margin: bool) -> tuple[tuple[str, ...], list[tuple]]:
        """Grouping set and group labels behind the cells of one column (spec)."""
        rows, cols = tuple(self.rows), tuple(self.cols)
        row_labels = [_as_tuple(x) for x in labels]
        if row_margin and spec.margin:
            return (), [()] * len(labels)
        if row_margin:
            return cols, [spec.keys] * len(labels)
        if spec.margin:
            return rows, row_labels
        return rows + cols, [r + spec.keys for r in row_labels]


def _stack(frame: pd.DataFrame) -> pd.Series:
    """``frame.stack()`` keeping NaN (pandas 3's behaviour, asked for by name on pandas 2)."""
    if int(pd.__version__.split(".")[0]) < 3:
        return frame.stack(future_stack=True)
    return frame.stack()


def _as_tuple(label: Any) -> tuple:
    return label if isinstance(label, tuple) else (label,)


def positions(groups: Groups, labels: list[tuple]) -> np.ndarray:
    """Position of each label among the groups (-1: no such group, an empty cell)."""
    if not groups.keys:
        return np.where(len(groups.index) > 0, 0, -1) * np.ones(len(labels), dtype=np.int64)
    if len(groups.keys) == 1:
        wanted = pd.Index([x[0] for x in labels])
        return groups.index.get_indexer(wanted.astype(groups.index.dtype, copy=False)) \
            if len(wanted) else np.zeros(0, dtype=np.int64)
    wanted = pd.MultiIndex.from_tuples(labels, names=groups.index.names)
    return groups.index.get_indexer(wanted)


class Grids:
    """CellEvidence arrays filled column by column."""

    _FIELDS = ("count", "rows", "missing", "negative", "total", "at_max", "at_min",
               "mode_count")

    def __init__(self, shape: tuple[int, int], k: int) -> None:
        self.shape = shape
        self.k = k
        self.arrays: dict[str, np.ndarray] = {f: np.zeros(shape) for f in self._FIELDS}
        self.top = np.zeros((*shape, k))
        self.have: set[str] = set()

    def put(self, rows: np.ndarray, j: int, stats: GroupStats) -> None:
        for name in self._FIELDS:
            arr = getattr(stats, name)
            if arr is not None:
                self.arrays[name][rows, j] = arr
                self.have.add(name)
        if stats.top is not None:
            self.top[rows, j, : stats.top.shape[1]] = stats.top[:, : self.k]
            self.have.add("top")

    def evidence(self, statistic: Any, margin: np.ndarray, unit_label: str) -> CellEvidence:
        def get(name: str, cast: Callable[[np.ndarray], np.ndarray] = lambda a: a
                ) -> np.ndarray | None:
            return cast(self.arrays[name]) if name in self.have else None

        return CellEvidence(
            statistic=statistic,
            count=self.arrays["count"].astype(np.int64),
            rows=get("rows", lambda a: a.astype(np.int64)),
            missing=get("missing"), negative=get("negative"), total=get("total"),
            top=self.top if "top" in self.have else None,
            at_max=get("at_max"), at_min=get("at_min"), mode_count=get("mode_count"),
            margin=margin, unit_label=unit_label,
        )
