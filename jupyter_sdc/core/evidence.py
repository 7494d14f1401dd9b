"""Evidence: what the rules judge, computed per group in vectorised passes over integer codes.

Nothing here decides anything; ``judge.py`` does. A *group* is one cell of a table before it
is laid out (a combination of key codes). ``group_stats`` computes, for every group at once:
the unweighted count of contributing records (or units), the total, the largest contributions,
negatives, missing values and how many records hold the extremes. With ``units`` the
contributions of each unit are summed first, so counts and dominance are about units, not rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class GroupStats:
    """Per-group arrays (length ``n``); ``top`` has shape (n, k), largest first, 0-padded."""

    count: np.ndarray
    rows: np.ndarray
    missing: np.ndarray | None = None
    negative: np.ndarray | None = None
    total: np.ndarray | None = None
    top: np.ndarray | None = None
    at_max: np.ndarray | None = None
    at_min: np.ndarray | None = None
    mode_count: np.ndarray | None = None
    class_min: np.ndarray | None = None  # a two-valued variable: records in its smaller class

    def take(self, index: np.ndarray) -> GroupStats:
        """Gather groups by position; position -1 gives an empty group (count 0)."""
        safe = np.where(index < 0, 0, index)
        empty = index < 0
        out = {}
        for name, arr in self.__dict__.items():
            if arr is None:
                out[name] = None
                continue
            picked = arr[safe].astype(float) if arr.dtype.kind == "f" else arr[safe].copy()
            picked[empty] = 0
            out[name] = picked
        return GroupStats(**out)


@dataclass
class CellEvidence:
    """Evidence laid out like the table: 2-D arrays (rows x columns of the DataFrame)."""

    statistic: list[str] | np.ndarray     # per column, or a grid shaped like the table
    count: np.ndarray
    rows: np.ndarray | None = None
    missing: np.ndarray | None = None
    negative: np.ndarray | None = None
    total: np.ndarray | None = None
    top: np.ndarray | None = None         # (rows, cols, k)
    at_max: np.ndarray | None = None
    at_min: np.ndarray | None = None
    mode_count: np.ndarray | None = None
    class_min: np.ndarray | None = None   # two-valued values: the smaller class (NaN: n/a)
    dof: np.ndarray | None = None         # models: residual dof, broadcast
    margin: np.ndarray | None = None      # bool: a margin ("All") cell
    structural_zero: np.ndarray | None = None
    top_share: np.ndarray | None = None   # (rows, cols, k): largest n contributions / total
    p_ratio: np.ndarray | None = None     # (total - x1 - x2) / x1; NaN without a contributor
    outcome_1: np.ndarray | None = None   # models with a 0/1 outcome: with 1 per parameter
    outcome_0: np.ndarray | None = None   # ... and with 0
    events: np.ndarray | None = None      # survival steps and duration models: events
    exits: np.ndarray | None = None       # survival steps: leaving the risk set (events + censored)
    below: np.ndarray | None = None       # quantiles: records (units) strictly below the value
    above: np.ndarray | None = None       # ... and strictly above it
    unit_label: str = "records"
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # why the check is incomplete

    @property
    def shape(self) -> tuple[int, int]:
        return self.count.shape  # type: ignore[return-value]

    def dominance(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(top_share, p_ratio)``: what nk and p% judge, from the contributions or as saved.

        Shares and ratios are computed once, here, and saved as they are, so a record judged
        again from its saved evidence gets the very same numbers (no boundary moves).
        """
        if self.top_share is None and self.total is not None and self.top is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                total = self.total[..., None]
                self.top_share = np.where(total > 0, np.cumsum(self.top, axis=-1) / total, 0.0)
                x1, x2 = self.top[..., 0], self.top[..., 1]
                self.p_ratio = np.where(x1 > 0, (self.total - x1 - x2) / x1, np.nan)
        if self.top_share is None or self.p_ratio is None:
            return None
        return self.top_share, self.p_ratio

    # -- as saved in the record ----------------------------------------------------------------
    def saved_grids(self) -> dict[str, np.ndarray]:
        """What judging needs, grid by grid (never the contributions themselves)."""
        statistic = np.array([str(s) for s in self.statistic_grid.ravel()], dtype=object)
        grids: dict[str, np.ndarray] = {"statistic": statistic.reshape(self.shape)}
        for name in _SAVED:
            value = getattr(self, name)
            if value is not None:
                grids[name] = np.broadcast_to(value, self.shape)
        found = self.dominance()
        if found is not None:
            shares, ratio = found
            for n in range(shares.shape[-1]):
                grids[f"share_{n + 1}"] = shares[..., n]
            grids["p_ratio"] = ratio
        return grids

    @classmethod
    def from_saved(cls, grids: dict[str, np.ndarray], count: np.ndarray, *,
                   unit_label: str = "records", notes: list[str] | None = None,
                   review: list[str] | None = None) -> CellEvidence:
        """The evidence a record saved, ready to be judged again."""
        shares = sorted((k for k in grids if k.startswith("share_")), key=lambda k: int(k[6:]))
        top_share = np.stack([grids[k] for k in shares], axis=-1) if shares else None
        return cls(
            statistic=grids["statistic"], count=count,
            **{name: grids[name] for name in _SAVED if name in grids},
            top_share=top_share, p_ratio=grids.get("p_ratio") if shares else None,
            unit_label=unit_label, notes=list(notes or []), review=list(review or []),
        )


    @property
    def statistic_grid(self) -> np.ndarray:
        grid = np.asarray(self.statistic, dtype=object)
        return np.broadcast_to(grid if grid.ndim == 2 else grid[None, :], self.shape)


#: evidence saved grid by grid as it is (shares and ratios are saved by ``dominance``)
_SAVED = ("missing", "negative", "at_max", "at_min", "mode_count", "class_min", "dof", "margin",
          "structural_zero", "outcome_1", "outcome_0", "events", "exits", "below", "above")


def _top_k(groups: np.ndarray, values: np.ndarray, n: int, k: int) -> tuple[np.ndarray, ...]:
    """Largest ``k`` values per group (with multiplicity) and how many equal the maximum."""
    if k == 2:
        return _top_2(groups, values, n)
    top = np.zeros((n, k))
    filled = np.zeros(n, dtype=np.int64)
    at_max = np.zeros(n, dtype=np.int64)
    g, v = groups, values
    for step in range(k):
        if g.size == 0:
            break
        best = np.full(n, -np.inf)
        np.maximum.at(best, g, v)
        equal = v == best[g]
        mult = np.bincount(g[equal], minlength=n)
        if step == 0:
            at_max = mult.copy()
        for j in range(k):
            place = (filled <= j) & (j < filled + mult)
            top[place, j] = best[place]
        filled += mult
        if step + 1 < k:
            keep = ~equal
            g, v = g[keep], v[keep]
    return top, at_max


def _first_two(groups: np.ndarray, values: np.ndarray, n: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Largest and second largest (with multiplicity; -inf where none) and how many equal
    the largest, per group: two passes, no copies of the data."""
    first = np.full(n, -np.inf)
    np.maximum.at(first, groups, values)
    equal = values == first[groups]
    at_max = np.bincount(groups[equal], minlength=n)
    second = np.full(n, -np.inf)
    np.maximum.at(second, groups, np.where(equal, -np.inf, values))
    return first, np.where(at_max >= 2, first, second), at_max


#: records per group above which the top two are looked for among likely candidates first
_SAMPLE_STEP = 16


def _at_least(values: np.ndarray, bound: np.ndarray, groups: np.ndarray,
              step: int = 1 << 18) -> np.ndarray:
    """``values >= bound[groups]``, a block at a time (no record-sized temporary)."""
    out = np.empty(len(values), dtype=bool)
    buffer = np.empty(min(step, len(values)))
    for start in range(0, len(values), step):
        stop = min(start + step, len(values))
        part = buffer[: stop - start]
        np.take(bound, groups[start:stop], out=part)
        np.greater_equal(values[start:stop], part, out=out[start:stop])
    return out


def _top_2(groups: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The two largest per group.

    On many records, every 16th record first: a group's second largest is at least the
    second largest of any subset of it, so the records below that bound cannot be among its
    top two (nor equal its maximum) and the exact passes run on the few records left. When
    every group has a bound, the smallest of them is a single threshold for all records (one
    comparison each, no gather); the per-group bounds then sort the few records above it."""
    if len(values) > 256 * max(n, 1) and len(values) > 200_000:
        # a contiguous copy of the sample: strided passes cost several times more
        sample = slice(None, None, _SAMPLE_STEP)
        _, bound, _ = _first_two(groups[sample].copy(), values[sample].copy(), n)
        if np.isfinite(bound).all():
            candidate = values >= bound.min()
            if np.count_nonzero(candidate) <= len(values) // 8:  # selective: worth a copy
                groups, values = groups[candidate], values[candidate]
        candidate = _at_least(values, bound, groups)
        groups, values = groups[candidate], values[candidate]
    first, second, at_max = _first_two(groups, values, n)
    top = np.column_stack([first, second])
    top[~np.isfinite(top)] = 0.0
    return top, at_max


def group_stats(
    groups: np.ndarray,
    n: int,
    values: np.ndarray | None = None,
    units: np.ndarray | None = None,
    *,
    top_k: int = 2,
    extremes: bool = False,
    mode: bool = False,
    classes: tuple[float, float] | None = None,
) -> GroupStats:
    """Evidence for every group. ``groups`` holds a group id per record, -1 to leave it out.

    ``classes``: the two values of a two-valued variable (a 0/1 flag): its sum or mean gives
    the number of records (units) with each value, counted in ``class_min``.
    """
    if len(groups) and groups.min() < 0:
        keep = groups >= 0
        groups = groups[keep]
        values = None if values is None else values[keep]
        units = None if units is None else units[keep]
    rows = np.bincount(groups, minlength=n)
    if values is None:
        if units is None:
            return GroupStats(count=rows, rows=rows)
        pairs = pd.unique(groups.astype(np.int64) * (int(units.max(initial=0)) + 1) + units)
        unit_count = np.bincount(pairs // (int(units.max(initial=0)) + 1), minlength=n)
        return GroupStats(count=unit_count, rows=rows)

    values = np.asarray(values, dtype=float)
    # each pass over the records counts at 10^7 rows: one minimum (NaN if any value is
    # missing) tells whether there is anything to find before a mask is made
    lowest = values.min(initial=np.inf)
    some_missing = bool(np.isnan(lowest))
    missing = np.zeros(n, dtype=np.int64)
    if some_missing:
        is_missing = np.isnan(values)
        missing = np.bincount(groups[is_missing], minlength=n)
        groups, values = groups[~is_missing], values[~is_missing]
        units = None if units is None else units[~is_missing]
    class_min = _class_min(groups, values, units, n, classes) if classes else None
    if units is not None:
        # One contribution per unit: sum each unit's values within the group first.
        stride = int(units.max(initial=0)) + 1
        codes, uniques = pd.factorize(groups.astype(np.int64) * stride + units)
        values = np.bincount(codes, weights=values, minlength=len(uniques))
        groups = (uniques // stride).astype(np.int64)
    below = values < 0 if some_missing or units is not None or lowest < 0 else None
    stats = GroupStats(
        # without missing values or units every record counts: the counts are the rows
        count=rows if not some_missing and units is None else np.bincount(groups, minlength=n),
        rows=rows,
        missing=missing,
        negative=np.bincount(groups[below], minlength=n) if below is not None and below.any()
        else np.zeros(n, dtype=np.int64),
        total=np.bincount(groups, weights=values, minlength=n),
        class_min=class_min,
    )
    stats.top, stats.at_max = _top_k(groups, values, n, max(top_k, 2))
    if extremes:
        low = np.full(n, np.inf)
        np.minimum.at(low, groups, values)
        stats.at_min = np.bincount(groups[values == low[groups]], minlength=n)
    if mode:
        pairs = pd.DataFrame({"g": groups, "v": values}).value_counts()
        best = pairs.groupby(level="g").max()
        stats.mode_count = np.zeros(n, dtype=np.int64)
        stats.mode_count[best.index.to_numpy()] = best.to_numpy()
    return stats


def _class_min(groups: np.ndarray, values: np.ndarray, units: np.ndarray | None, n: int,
               classes: tuple[float, float]) -> np.ndarray:
    """Per group, the records (or distinct units) in the smaller of the two classes."""
    counts = []
    for value in classes:
        where = values == value
        if units is None:
            counts.append(np.bincount(groups[where], minlength=n))
        else:
            stride = int(units.max(initial=0)) + 1
            pairs = pd.unique(groups[where].astype(np.int64) * stride + units[where])
            counts.append(np.bincount(pairs // stride, minlength=n))
    return np.minimum(*counts)
