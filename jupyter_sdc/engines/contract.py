"""What every engine computes, and the shape it hands back.

An engine turns a frame (pandas, Polars, DuckDB, Spark) and a ``Request`` into one ``Groups``
per grouping set: the displayed statistics of every non-empty group and its evidence exactly
as ``core.evidence.group_stats`` defines it. The data stays in the engine; only the groups
(small) come back, as pandas and numpy.

Engines share one intermediate layout so that the merging of cells into margins
(``partials``) and the conversion to pandas (``assemble``) are written once:

* the *cell* table: one row per group of the finest grouping, with the key columns and
  partial aggregates named by ``field(kind, i)`` (``i``: position of the value column);
* a *direct* table per grouping set, for what cannot be merged from cells: medians, mode
  counts, contributions summed per unit, and pandas' margins over complete rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from jupyter_sdc.core.evidence import GroupStats

if TYPE_CHECKING:
    import pyarrow as pa

#: displayed statistics every engine computes, in pandas' names
STATISTICS = ("count", "size", "sum", "mean", "median", "std", "var", "min", "max")
#: statistics a margin can take from its cells without going back to the rows
MERGEABLE = frozenset({"count", "size", "sum", "mean", "std", "var", "min", "max"})

ROWS = "__rows"


def field_name(kind: str, i: int | str) -> str:
    """Name of a partial aggregate column: ``kind`` of value column number ``i``."""
    return f"__{kind}_{i}"


@dataclass(frozen=True)
class Request:
    """What to compute.

    ``keys`` is the finest grouping (row keys then column keys of a table); ``sets`` the
    groupings wanted (subsets of ``keys``, e.g. ``(("a", "b"), ("a",), ())`` for a table
    with margins; empty means just ``keys``). ``stats`` are the displayed statistics of each
    value column; with no ``values`` the groups are counted (records, or units).
    ``complete`` reproduces pandas' margins: coarser groupings display statistics of the rows
    where every value column is present (``pivot_table(..., margins=True)`` drops the rest).
    """

    keys: tuple[str, ...]
    values: tuple[str, ...] = ()
    stats: tuple[str, ...] = ()
    unit: str | None = None
    sets: tuple[tuple[str, ...], ...] = ()
    top_k: int = 2
    extremes: bool = False
    mode: bool = False
    complete: bool = False

    def check_columns(self, available: Any, where: str) -> None:
        """A KeyError naming the key, value or unit columns not among ``available`` (the
        frame's column names, in its order) and the first of those there are."""
        names = list(available)
        absent = [c for c in (*self.keys, *self.values, *([self.unit] if self.unit else []))
                  if c not in names]
        if absent:
            raise KeyError(f"column(s) {absent} are not in the {where}; columns are "
                           f"{names[:20]}")

    def __post_init__(self) -> None:
        unknown = [s for s in self.stats if s not in STATISTICS]
        if unknown:
            raise ValueError(f"statistic(s) {unknown} not supported: choose from {STATISTICS}")
        for s in self.sets:
            extra = [k for k in s if k not in self.keys]
            if extra:
                raise ValueError(f"grouping set {s} names {extra}, which are not keys")
        if self.top_k < 1:
            raise ValueError("top_k must be at least 1")
        if len(set(self.keys)) != len(self.keys):
            raise ValueError(f"keys {self.keys} repeat a column")
        clash = set(self.values) & set(self.keys) | ({self.unit} & set(self.keys))
        if clash:
            raise ValueError(f"{sorted(clash)} cannot be both a key and a value or unit")

    @property
    def k(self) -> int:
        """How many top contributions are kept (at least 2, as ``group_stats`` does)."""
        return max(self.top_k, 2)

    @property
    def grouping_sets(self) -> tuple[tuple[str, ...], ...]:
        """The sets asked for, each in the order of ``keys``; the finest first."""
        sets = self.sets or (self.keys,)
        ordered = [tuple(k for k in self.keys if k in s) for s in sets]
        return tuple(dict.fromkeys(ordered))

    @property
    def coarser(self) -> tuple[tuple[str, ...], ...]:
        return tuple(s for s in self.grouping_sets if s != self.keys)

    def direct_stats(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """Displayed statistics that grouping ``keys`` must take from the rows themselves."""
        if keys == self.keys:
            return tuple(s for s in self.stats if s == "median")
        if self.complete:
            return self.stats
        return tuple(s for s in self.stats if s not in MERGEABLE)

    @property
    def needs_var(self) -> bool:
        return bool({"std", "var"} & set(self.stats))


@dataclass
class Groups:
    """One grouping set: a row per non-empty group, labelled as pandas labels groupby results.

    ``table`` holds the displayed statistics, columns ``(value, statistic)`` (value ``None``:
    the records themselves); ``evidence`` a ``GroupStats`` per value column (``None``: records
    or units counted), aligned with ``index``.
    """

    keys: tuple[str, ...]
    index: pd.Index
    table: pd.DataFrame
    evidence: dict[str | None, GroupStats] = field(default_factory=dict)
    #: per value column: "i" integer, "b" boolean, "f" anything else (how pandas types results)
    kinds: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.index)

    def frame(self) -> pd.DataFrame:
        """Everything as one flat DataFrame (for reading, not for layout)."""
        out = self.table.copy()
        out.columns = [f"{s}({v})" if v is not None else s for v, s in out.columns]
        for value, st in self.evidence.items():
            name = "records" if value is None else value
            for attr, arr in st.__dict__.items():
                if arr is None:
                    continue
                if arr.ndim == 2:
                    for j in range(arr.shape[1]):
                        out[f"{attr}{j + 1}({name})"] = arr[:, j]
                else:
                    out[f"{attr}({name})"] = arr
        return out


@dataclass
class Raw:
    """What an engine hands to ``assemble``: Arrow tables, small (one row per group)."""

    cells: pa.Table
    #: per grouping set: one table or several (each with the set's key columns)
    direct: dict[tuple[str, ...], pa.Table | list[pa.Table]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
