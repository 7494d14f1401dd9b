"""Lay out group evidence like a pandas result: rows x columns, margins included.

A ``Grid`` factorises the row keys and column keys of a tabulation once; evidence is then
computed per group in vectorised passes (``core.evidence.group_stats``) and gathered into the
cells of the result by label, so whatever pandas returns (MultiIndex, unused categories,
margins named "All") gets the evidence of exactly the records behind each cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.axis import Axis, KeyCodes, mix
from jupyter_sdc.core.evidence import CellEvidence, GroupStats, group_stats


@dataclass
class ColumnSpec:
    """What one column of the result shows: a statistic of a value column (None: records)."""

    value: str | None
    statistic: str
    labels: tuple  # the column-key part of the column label


class Grid:
    def __init__(self, row_keys: list[pd.Series], col_keys: list[pd.Series],
                 n_records: int, units: np.ndarray | None = None,
                 row_codes: KeyCodes | None = None) -> None:
        """``row_codes``: the row keys already factorised, e.g. by the user's own
        ``groupby``."""
        self.rows = Axis(row_keys, n_records, row_codes)
        self.cols = Axis(col_keys, n_records)
        self.units = units
        self._valid: np.ndarray | None = None
        self._id_cache: dict[str, np.ndarray] = {}
        self._sizes = {"cell": self.rows.size * self.cols.size, "row": self.rows.size,
                       "col": self.cols.size, "all": 1}
        self._cache: dict[tuple, GroupStats] = {}

    def _ids(self, variant: str) -> np.ndarray:
        """Group id per record for one layout (-1: a key is missing)."""
        if variant not in self._id_cache:
            rows, cols = self.rows, self.cols
            if variant == "cell" and not cols.names:
                ids = rows.ids  # no column keys: a cell is its row (read, never written)
            elif variant == "cell":
                ids = rows.ids * cols.size
                ids += cols.ids
            else:
                ids = {"row": rows.ids, "col": cols.ids,
                       "all": np.zeros_like(rows.ids)}[variant]
            valid = self.valid()
            self._id_cache[variant] = ids if valid is None else np.where(valid, ids, -1)
        return self._id_cache[variant]

    def valid(self) -> np.ndarray | None:
        """Records with all their keys (None: every record)."""
        if self.rows.complete and self.cols.complete:
            return None
        if self._valid is None:
            self._valid = (self.rows.ids >= 0) & (self.cols.ids >= 0)
        return self._valid

    def cell_ids(self) -> np.ndarray:
        """The cell of each record (row id x column id; -1: a key is missing)."""
        return self._ids("cell")

    def stats(self, variant: str, values: np.ndarray | None, key: str | None, *,
              top_k: int, extremes: bool, mode: bool, mask: np.ndarray | None,
              classes: tuple[float, float] | None = None) -> GroupStats:
        cache_key = (variant, key, top_k, extremes, mode, classes)
        if cache_key not in self._cache:
            ids = self._ids(variant)
            if mask is not None:
                ids = np.where(mask, ids, -1)
            self._cache[cache_key] = group_stats(
                ids, self._sizes[variant], values, self.units,
                top_k=top_k, extremes=extremes, mode=mode, classes=classes,
            )
        return self._cache[cache_key]

    def evidence(
        self,
        index: pd.Index,
        specs: list[ColumnSpec],
        values: dict[str, np.ndarray],
        masks: dict[str, np.ndarray],
        *,
        margins_name: str | None = None,
        top_k: int = 2,
        unit_label: str = "records",
        classes: dict[str, tuple[float, float]] | None = None,
        cuts: dict[int, np.ndarray] | None = None,
    ) -> CellEvidence:
        """Evidence for every cell of a result with ``index`` rows and ``specs`` columns
        (``cuts``: a quantile column's published values by position, for ``quantile_sides``)."""
        row_pos, row_margin = self.rows.locate(index, margins_name)
        col_labels = pd.MultiIndex.from_tuples([s.labels for s in specs]) \
            if self.cols.names and specs else pd.Index([0] * len(specs))
        if self.cols.names and len(self.cols.names) == 1:
            col_labels = pd.Index([s.labels[0] for s in specs])
        col_pos, col_margin = self.cols.locate(col_labels, margins_name)
        shape = (len(index), len(specs))
        fields = ("count", "rows", "missing", "negative", "total", "at_max", "at_min",
                  "mode_count", "class_min")
        out: dict[str, np.ndarray] = {f: np.zeros(shape) for f in fields}
        top = np.zeros((*shape, max(top_k, 2)))
        sides = {name: np.full(shape, np.nan) for name in ("below", "above")} if cuts else {}
        have: set[str] = set()
        margin = row_margin[:, None] | col_margin[None, :]
        for j, spec in enumerate(specs):
            vals = values.get(spec.value) if spec.value is not None else None
            needs = dict(top_k=top_k, extremes=spec.statistic in ("min", "max"),
                         mode=spec.statistic == "mode",
                         classes=(classes or {}).get(spec.value)
                         if spec.statistic in ("sum", "mean") else None)
            for variant, rows_sel, col_ok in (
                ("cell", ~row_margin, not col_margin[j]),
                ("row", ~row_margin, col_margin[j]),
                ("col", row_margin, not col_margin[j]),
                ("all", row_margin, col_margin[j]),
            ):
                if not col_ok or not rows_sel.any():
                    continue
                st = self.stats(variant, vals, spec.value, mask=masks.get(spec.value), **needs)
                pos = self._positions(variant, row_pos, int(col_pos[j]))
                picked = st.take(pos[rows_sel])
                for name in fields:
                    arr = getattr(picked, name)
                    if arr is not None:
                        out[name][rows_sel, j] = arr
                        have.add(name)
                if picked.top is not None:
                    top[rows_sel, j, : picked.top.shape[1]] = picked.top
                    have.add("top")
                if cuts and j in cuts and vals is not None:
                    self._sides(variant, vals, masks.get(spec.value), pos[rows_sel],
                                cuts[j][rows_sel], rows_sel, j, sides)
        statistic = [s.statistic for s in specs]
        class_cols = np.array([s.statistic in ("sum", "mean") and s.value in (classes or {})
                               for s in specs], dtype=bool)[None, :]
        return CellEvidence(
            statistic=statistic,
            count=out["count"].astype(np.int64),
            rows=out["rows"].astype(np.int64),
            missing=out["missing"] if "missing" in have else None,
            negative=out["negative"] if "negative" in have else None,
            total=out["total"] if "total" in have else None,
            top=top if "top" in have else None,
            at_max=out["at_max"] if "at_max" in have else None,
            at_min=out["at_min"] if "at_min" in have else None,
            mode_count=out["mode_count"] if "mode_count" in have else None,
            class_min=np.where(class_cols, out["class_min"], np.nan)
            if "class_min" in have else None,
            margin=margin,
            below=sides.get("below"),
            above=sides.get("above"),
            unit_label=unit_label,
        )

    def _positions(self, variant: str, row_pos: np.ndarray, col_pos: int) -> np.ndarray:
        """The group of each row's cell in one column, for one layout (-1: no records)."""
        if variant == "cell":
            pos = np.where(row_pos < 0, -1, row_pos * self.cols.size + max(col_pos, 0))
            return np.full(len(row_pos), -1) if col_pos < 0 else pos
        if variant == "row":
            return row_pos
        if variant == "col":
            return np.full(len(row_pos), col_pos)
        return np.zeros(len(row_pos), dtype=np.int64)

    def _sides(self, variant: str, values: np.ndarray, mask: np.ndarray | None,
               pos: np.ndarray, cut: np.ndarray, rows_sel: np.ndarray, j: int,
               out: dict[str, np.ndarray]) -> None:
        """Records (units) below and above each published quantile of one column."""
        from jupyter_sdc.adapters.sides import group_sides

        size = self._sizes[variant]
        ids = self._ids(variant)
        if mask is not None:
            ids = np.where(mask, ids, -1)
        cut_g = np.full(size, np.nan)
        known = pos >= 0
        cut_g[pos[known]] = np.asarray(cut, dtype=float)[known]
        below, above = group_sides(ids, size, values, cut_g, self.units)
        safe = np.maximum(pos, 0)
        out["below"][rows_sel, j] = np.where(known, below[safe], 0)
        out["above"][rows_sel, j] = np.where(known, above[safe], 0)

    def row_sample(self, index: pd.Index, k: int) -> tuple[np.ndarray, int]:
        """Hashes of a sample of the records behind the table, and how many records there are.

        A record's hash orders by its row label (high bits) and carries its key values (low
        bits), so the sample is the same bottom-k by label for every output of a dataset while
        records of another dataset with the same labels but other values do not match. Only the
        sampled records are hashed in full: one multiply and one compare per record.
        """
        if pd.api.types.is_integer_dtype(index.dtype):
            with np.errstate(over="ignore"):
                label = index.to_numpy().astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        else:
            label = pd.util.hash_pandas_object(index.to_series(), index=False).to_numpy()
        keep = self._ids("cell") >= 0
        n = int(keep.sum())
        for factor in (16, 256, None):
            if factor is None or factor * k >= n:
                chosen = np.flatnonzero(keep)
                break
            cutoff = np.uint64(int(2**64 * factor * k / n) - 1)
            chosen = np.flatnonzero((label < cutoff) & keep)
            if len(chosen) >= k:
                break
        rows = self.rows.combo_hashes()[self.rows.ids[chosen]]
        cols = self.cols.combo_hashes()[self.cols.ids[chosen]] if self.cols.names else 0
        with np.errstate(over="ignore"):
            values = mix(rows * np.uint64(3) ^ cols * np.uint64(5))
        low = np.uint64(0xFFFFFF)
        return (label[chosen] & ~low) | (values & low), n

    def overall(self, values: np.ndarray | None, key: str | None,
                mask: np.ndarray | None) -> int:
        """Contributing records (or units) behind the whole table."""
        if values is None and mask is None and self.units is None and "cell" in self._id_cache:
            return int((self._id_cache["cell"] >= 0).sum())
        valid = self.valid()
        if valid is None and mask is None and self.units is None and values is not None:
            return len(values) - int(np.count_nonzero(np.isnan(values)))  # one pass
        valid = np.ones(len(self.rows.ids), dtype=bool) if valid is None else valid.copy()
        if values is not None:
            valid &= ~np.isnan(values)
        if mask is not None:
            valid &= mask
        if self.units is None:
            return int(valid.sum())
        return int(len(pd.unique(self.units[valid])))


#: CellEvidence arrays a grid fills, and the value of a cell that has none
_FILL = {"count": 0, "rows": 0, "missing": 0, "negative": 0, "total": 0, "top": 0,
         "at_max": 0, "at_min": 0, "mode_count": 0, "class_min": np.nan, "margin": False,
         "below": np.nan, "above": np.nan}


def stack_rows(parts: list[CellEvidence]) -> CellEvidence:
    """The evidence of several one-row tables as one table, row under row (each row its own
    statistics: a pivot table without an index shows one value column per row)."""
    arrays = {}
    for name, fill in _FILL.items():
        found = [getattr(p, name) for p in parts]
        if all(a is None for a in found):
            arrays[name] = None
            continue
        like = next(a for a in found if a is not None)
        arrays[name] = np.concatenate([
            a if a is not None else np.full((1, *like.shape[1:]), fill, dtype=like.dtype)
            for a in found])
    statistic = np.array([list(p.statistic_grid[0]) for p in parts], dtype=object)
    return CellEvidence(statistic=statistic, unit_label=parts[0].unit_label, **arrays)
