"""Differencing across outputs: safe tables whose combination is not.

API
---
``dataset_key(frame) -> str``: identity of a source dataset (call it on the root frame, before
filters): column names, dtypes, row count and a hash of a sample of rows, so two datasets that
merely share column names get different keys.
``fingerprint(frame_index, dataset_key, group_vars, counts, band_edges=None, label=None)``:
what one output keeps (a few kB): the dataset key, a bottom-k sketch of its row set (k = 256
hashes of the row index labels of the frame behind it, plus the exact row count; Broder 1997,
Cohen & Kaplan 2007), its grouping variables, band edges (given, or read from an
``IntervalIndex`` made by ``pd.cut``) and its 1-D/2-D unweighted counts table.
``check_differencing(items, *, threshold, zeros=True) -> list[DifferencingFinding]`` over
``(uid, Fingerprint)`` pairs. Two attacks by differencing (Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, on disclosure by differencing of tables):

1. ``nested-population``: same dataset, same grouping, one row set inside the other (e.g. all
   people and men): the difference table counts the complement (women); a cell in
   (0, threshold) fails, and with ``zeros`` a 0 where the larger table is nonzero (unless
   the zeros only restate the filter, e.g. region == N tabulated by region).
2. ``band-refinement``: same dataset and population, one variable banded with different edges
   (<20/20-39 and <25/25-39): cumulative counts at every edge of both tables give the count of
   each refined band ([20, 25)); a refined band in (0, threshold) fails.

Outputs are bucketed by (dataset key, grouping variables) and sketches are compared with sorted
searches, so 200 outputs check well within a second. Known limits: row sets are matched by index
labels (a filter followed by ``reset_index`` hides the nesting); crosstabs with swapped rows and
columns are not matched; nesting and re-banding together are not combined.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SKETCH_K = 256


@dataclass(frozen=True, eq=False)
class Fingerprint:
    dataset_key: str
    n_rows: int  # exact row count of the frame behind the output
    sketch: np.ndarray  # sorted smallest SKETCH_K distinct uint64 hashes of its index labels
    group_vars: tuple[str, ...]
    counts: pd.DataFrame  # unweighted counts; a 1-D table has a single column
    values: np.ndarray  # counts as floats, for quick comparisons
    band_edges: dict[str, tuple[float, ...]] = field(default_factory=dict)
    label: str | None = None  # e.g. "Table 3", used in reasons
    #: False for a table an engine computed (Polars, DuckDB, Spark): no row sketch, so a
    #: nesting or a re-banding is only possible, judged from the counts (``POSSIBLE``)
    rows_known: bool = True

    @property
    def complete(self) -> bool:
        """The sketch holds every row's hash (small row sets are compared exactly)."""
        return len(self.sketch) < SKETCH_K


@dataclass(frozen=True, eq=False)
class DifferencingFinding:
    uid_a: str  # the larger population, or the first table of a re-banding
    uid_b: str  # the smaller population, or the second
    kind: str  # "nested-population" | "band-refinement"
    implied: pd.DataFrame | pd.Series
    failing_cells: list[str]
    reason: str  # names both outputs
    names: tuple[str, str] = ("", "")  # display names of a and b
    detail: str = ""  # the implied cell(s), without the outputs

    def reason_for(self, uid: str) -> str:
        """The reason as shown on one output: names the *other* output."""
        other = self.names[1] if uid == self.uid_a else self.names[0]
        return f"With {other}, {self.detail}"


def dataset_key(frame: pd.DataFrame) -> str:
    """Identity of a source dataset; call it on the root frame, before any filter."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("frame must be a pandas DataFrame (the source dataset)")
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    h.update(str(len(frame)).encode())
    if len(frame):
        sample = frame.iloc[np.linspace(0, len(frame) - 1, min(64, len(frame))).astype(int)]
        h.update(pd.util.hash_pandas_object(sample.astype(str), index=True).to_numpy().tobytes())
    return h.hexdigest()[:16]


def fingerprint(frame_index: pd.Index, dataset_key: str, group_vars: tuple[str, ...],
                counts: pd.DataFrame | pd.Series,
                band_edges: dict[str, list[float]] | None = None,
                label: str | None = None) -> Fingerprint:
    """Keep what differencing needs from one output."""
    if not isinstance(frame_index, pd.Index):
        raise ValueError("frame_index must be the pandas Index of the frame behind the output")
    if not isinstance(dataset_key, str) or not dataset_key:
        raise ValueError("dataset_key must be a non-empty string (see dataset_key(frame))")
    if isinstance(counts, pd.Series):
        counts = counts.to_frame(name=counts.name if counts.name is not None else "count")
    if not isinstance(counts, pd.DataFrame):
        raise ValueError("counts must be a pandas DataFrame or Series of unweighted counts")
    values = counts.to_numpy(dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError("counts must be finite, non-negative unweighted counts")
    hashes = pd.util.hash_pandas_object(frame_index.to_series(), index=False).to_numpy()
    return from_hashes(hashes, dataset_key, group_vars, counts, band_edges, label)


def from_hashes(hashes: np.ndarray, dataset_key: str, group_vars: tuple[str, ...],
                counts: pd.DataFrame, band_edges: dict[str, list[float]] | None = None,
                label: str | None = None, n_rows: int | None = None,
                rows_known: bool = True) -> Fingerprint:
    """A fingerprint from 64-bit row hashes already computed: every row's, or (with
    ``n_rows``) a sample that holds at least the SKETCH_K smallest; ``rows_known=False``
    and no hashes for a table whose rows cannot be sampled (an engine's)."""
    n_rows = len(hashes) if n_rows is None else n_rows
    hashes = _bottom_k(np.asarray(hashes, dtype=np.uint64))
    values = counts.to_numpy(dtype=float)
    edges = {k: tuple(float(e) for e in v) for k, v in (band_edges or {}).items()}
    for name, level in ((counts.index.name, counts.index), (counts.columns.name, counts.columns)):
        bands = intervals_of(level)
        if name is not None and name not in edges and bands is not None:
            edges[str(name)] = _interval_edges(bands)
    for var, e in edges.items():
        if var not in group_vars:
            raise ValueError(f"band_edges names {var!r}, which is not in group_vars")
        if list(e) != sorted(e):
            raise ValueError(f"band_edges[{var!r}] must be increasing")
    return Fingerprint(dataset_key, n_rows, hashes, tuple(group_vars),
                       counts.copy(), values, edges, label, rows_known)


def intervals_of(level: pd.Index) -> pd.IntervalIndex | None:
    """The bands of a level made by ``pd.cut`` (also as categories, or as plain objects once a
    margin was dropped), else None."""
    if isinstance(level, pd.CategoricalIndex):
        level = pd.Index(level.categories)
    if isinstance(level, pd.IntervalIndex):
        return level
    if len(level) and all(isinstance(x, pd.Interval) for x in level):
        try:
            return pd.IntervalIndex(list(level))
        except (TypeError, ValueError):  # bands closed on different sides
            return None
    return None


def _bottom_k(hashes: np.ndarray) -> np.ndarray:
    """The SKETCH_K smallest distinct hashes, sorted (a partial sort for large row sets)."""
    if len(hashes) > 4 * SKETCH_K:
        smallest = np.unique(np.partition(hashes, 4 * SKETCH_K)[: 4 * SKETCH_K])
        if len(smallest) >= SKETCH_K:
            return smallest[:SKETCH_K]
    return np.unique(hashes)[:SKETCH_K]


def _interval_edges(index: pd.IntervalIndex) -> tuple[float, ...]:
    ordered = index.sort_values()
    return tuple(float(x) for x in [ordered[0].left, *[iv.right for iv in ordered]])


def check_differencing(items: Sequence[tuple[str, Fingerprint]], *, threshold: int,
                       zeros: bool = True,
                       stats: dict[str, int] | None = None) -> list[DifferencingFinding]:
    """Every pair of outputs whose combination implies a cell below ``threshold``.

    ``stats`` (a dict, filled in) says what was done, for the checker summary: outputs,
    pairs compared (same dataset and grouping), nested pairs and re-banded pairs found.
    """
    if not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ValueError("threshold must be a positive integer (the minimum cell count N)")
    buckets: dict[tuple, list[tuple[str, Fingerprint]]] = defaultdict(list)
    for uid, fp in items:
        if not isinstance(fp, Fingerprint):
            raise ValueError(f"items must be (uid, Fingerprint) pairs; {uid!r} is not")
        buckets[(fp.dataset_key, fp.group_vars)].append((uid, fp))
    findings: list[DifferencingFinding] = []
    seen = {"outputs": len(items), "pairs_compared": 0, "nested_pairs": 0, "rebanded_pairs": 0}
    for group in buckets.values():
        group.sort(key=lambda item: item[1].n_rows)
        for i, (uid_small, small) in enumerate(group):
            for uid_big, big in group[i + 1:]:
                seen["pairs_compared"] += 1
                known = small.rows_known and big.rows_known
                if big.n_rows > small.n_rows and small.band_edges == big.band_edges:
                    if not known or _inside(small, big):
                        seen["nested_pairs"] += 1
                        found = _nested(uid_big, big, uid_small, small, threshold, zeros)
                        findings += [_possible(found, known)] if found else []
                elif big.n_rows == small.n_rows and small.band_edges != big.band_edges:
                    if not known or np.array_equal(small.sketch, big.sketch):
                        seen["rebanded_pairs"] += 1
                        findings += [_possible(f, known) for f in
                                     _rebanded(uid_small, small, uid_big, big, threshold)]
    if stats is not None:
        stats.update(seen)
    return findings


#: what a reason ends with: a differencing found, or one the counts allow but the rows of an
#: engine's table cannot confirm (then the verdict is review whatever the rule says)
FOUND = " (differencing)"
POSSIBLE = (" (possible differencing: the table was computed in Polars, DuckDB or Spark, "
            "whose rows cannot be compared with another table's; a checker confirms whether "
            "one population is part of the other)")


def _possible(finding: DifferencingFinding, known: bool) -> DifferencingFinding:
    """``finding`` as a possibility where the rows behind a table are not known."""
    from dataclasses import replace

    return finding if known else replace(finding, kind="possible-" + finding.kind)


def status_of(reasons: Sequence[str], rule: str) -> str:
    """The differencing verdict of an output's differencing reasons under ``rule``."""
    if any(r.endswith(FOUND) for r in reasons):
        return rule
    return "review" if reasons else "pass"


def _inside(small: Fingerprint, big: Fingerprint) -> bool:
    """Is small's row set inside big's? Exact for small sets, a sample test otherwise."""
    cut = min(small.sketch[-1] if not small.complete else np.iinfo(np.uint64).max,
              big.sketch[-1] if not big.complete else np.iinfo(np.uint64).max)
    sample = small.sketch[small.sketch <= cut]
    if len(sample) == 0:
        return False
    pos = np.searchsorted(big.sketch, sample)
    pos[pos == len(big.sketch)] = 0
    return bool(np.all(big.sketch[pos] == sample))


def _name(uid: str, fp: Fingerprint) -> str:
    return fp.label or f"output {uid}"


def _axis_names(fp: Fingerprint) -> tuple[str, str]:
    gv = fp.group_vars + ("", "")
    row = fp.counts.index.name if fp.counts.index.name is not None else gv[0]
    col = fp.counts.columns.name if fp.counts.columns.name is not None else gv[1]
    return str(row), str(col)


def _summary(parts: list[str]) -> str:
    more = f"; and {len(parts) - 3} more cell(s)" if len(parts) > 3 else ""
    return "; ".join(parts[:3]) + more + "."


def _nested(uid_big, big, uid_small, small, threshold, zeros) -> DifferencingFinding | None:
    if big.counts.index.equals(small.counts.index) and \
            big.counts.columns.equals(small.counts.columns):
        rows, cols, av, bv = big.counts.index, big.counts.columns, big.values, small.values
    else:
        rows = big.counts.index.union(small.counts.index, sort=False)
        cols = big.counts.columns.union(small.counts.columns, sort=False)
        av = big.counts.reindex(index=rows, columns=cols, fill_value=0).to_numpy(dtype=float)
        bv = small.counts.reindex(index=rows, columns=cols, fill_value=0).to_numpy(dtype=float)
    d = av - bv
    if (d < 0).any():  # not a true subset (or counted differently): no inference
        return None
    bad = (d > 0) & (d < threshold)
    if zeros:
        bad |= (d == 0) & (av > 0) & ~_structural(d, bv)
    if not bad.any():
        return None
    diff = pd.DataFrame(d.astype(int) if np.all(d == np.round(d)) else d, index=rows,
                        columns=cols)
    one_dim = big.counts.shape[1] == 1 and small.counts.shape[1] == 1
    implied = diff.iloc[:, 0] if one_dim else diff
    cells, parts = [], []
    row_name, col_name = _axis_names(big)
    for i, j in zip(*np.nonzero(bad), strict=True):
        cell = f"{row_name}={rows[i]}" + ("" if one_dim else f", {col_name}={cols[j]}")
        cells.append(cell)
        n = int(d[i, j]) if float(d[i, j]).is_integer() else float(d[i, j])
        why = f"{n} < {threshold}" if n > 0 else "0, a zero cell"
        parts.append(f"{n} record(s) with {cell} in {_name(uid_big, big)} but not in "
                     f"{_name(uid_small, small)} (implied count {why})")
    names = (_name(uid_big, big), _name(uid_small, small))
    detail = "the difference gives " + _summary(parts)
    reason = f"{names[0]} minus {names[1]} (a subset of its rows): {detail}"
    return DifferencingFinding(uid_big, uid_small, "nested-population", implied, cells, reason,
                               names, detail)


def _structural(d: np.ndarray, small: np.ndarray) -> np.ndarray:
    """Zero differences that only restate the filter (e.g. region == R1 tabulated by region):
    whole rows (columns) of zeros, when the smaller table lives only in those rows (columns)."""
    out = np.zeros(d.shape, dtype=bool)
    for axis in (1, 0):
        empty = ~(d != 0).any(axis=axis)
        used = (small != 0).any(axis=axis)
        if used.any() and empty[used].all():
            out |= empty[:, None] if axis == 1 else empty[None, :]
    return out


def _rebanded(uid_a, a, uid_b, b, threshold) -> list[DifferencingFinding]:
    changed = [v for v in set(a.band_edges) | set(b.band_edges)
               if a.band_edges.get(v) != b.band_edges.get(v)]
    if len(changed) != 1 or changed[0] not in a.band_edges or changed[0] not in b.band_edges:
        return []
    var = changed[0]
    ta, tb = _banded_rows(a, var), _banded_rows(b, var)
    if ta is None or tb is None or not ta.columns.equals(tb.columns):
        return []
    ea, eb = np.array(a.band_edges[var]), np.array(b.band_edges[var])
    if ea[0] != eb[0] or ea[-1] != eb[-1]:
        return []  # different coverage: cumulative counts are not comparable
    edges = np.union1d(ea, eb)
    # cumulative count below each edge, known from whichever table has that edge
    cum = np.zeros((len(edges), ta.shape[1]))
    for e_arr, t in ((ea, ta), (eb, tb)):
        c = np.vstack([np.zeros(t.shape[1]), np.cumsum(t.to_numpy(dtype=float), axis=0)])
        cum[np.searchsorted(edges, e_arr)] = c
    refined = np.diff(cum, axis=0)
    labels = [f"[{_num(lo)}, {_num(hi)})" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    implied = pd.DataFrame(refined, index=pd.Index(labels, name=var), columns=ta.columns)
    # a refined band that is a band of either table is published already; the others are new
    in_a = np.isin(edges[:-1], ea) & np.isin(edges[1:], ea)
    in_b = np.isin(edges[:-1], eb) & np.isin(edges[1:], eb)
    new = ~in_a & ~in_b
    bad = (refined > 0) & (refined < threshold) & new[:, None]
    if (refined < 0).any() or not bad.any():
        return []
    one_dim = ta.shape[1] == 1
    cells, parts = [], []
    for i, j in zip(*np.nonzero(bad), strict=True):
        cell = f"{var} in {labels[i]}" + ("" if one_dim else f", {ta.columns.name}="
                                          f"{ta.columns[j]}")
        cells.append(cell)
        n = int(refined[i, j]) if float(refined[i, j]).is_integer() else refined[i, j]
        parts.append(f"{n} record(s) with {cell} (implied count {n} < {threshold})")
    names = (_name(uid_a, a), _name(uid_b, b))
    detail = "the two sets of bands give " + _summary(parts)
    reason = f"{names[0]} and {names[1]} band {var} differently: {detail}"
    return [DifferencingFinding(uid_a, uid_b, "band-refinement",
                                implied.iloc[:, 0] if one_dim else implied, cells, reason,
                                names, detail)]


def _banded_rows(fp: Fingerprint, var: str) -> pd.DataFrame | None:
    """Counts with the banded variable on the rows, bands in order; None if it is not there."""
    t = fp.counts
    if t.columns.name == var and t.index.name != var:
        t = t.T
    elif t.index.name != var and not (t.shape[1] == 1 and fp.group_vars == (var,)):
        return None
    edges = np.array(fp.band_edges[var])
    if len(t) and all(isinstance(x, pd.Interval) for x in t.index):
        # pd.cut bands: place each by its left edge; bands not observed count 0
        pos = np.searchsorted(edges, [iv.left for iv in t.index])
        if not np.array_equal(edges[pos], [iv.left for iv in t.index]):
            return None
        full = np.zeros((len(edges) - 1, t.shape[1]))
        np.add.at(full, pos, t.to_numpy(dtype=float))
        return pd.DataFrame(full, columns=t.columns)
    if len(t) != len(edges) - 1:
        return None
    return t


def _num(x: float) -> str:
    return "-inf" if x == -np.inf else "inf" if x == np.inf else f"{x:g}"


def reasons_by_output(items: Sequence[tuple[str, Fingerprint]], *, threshold: int,
                      zeros: bool = True, stats: dict[str, int] | None = None
                      ) -> dict[str, list[str]]:
    """Per output (uid): the differencing reasons it gets, each naming the other output."""
    findings = check_differencing(items, threshold=threshold, zeros=zeros, stats=stats)
    found: dict[str, list[str]] = {uid: [] for uid, _fp in items}
    for finding in findings:
        end = POSSIBLE if finding.kind.startswith("possible-") else FOUND
        for uid in (finding.uid_a, finding.uid_b):
            found[uid].append(finding.reason_for(uid) + end)
    return found


def replace_reasons(reasons: list[str], old: list[str], new: list[str]) -> list[str]:
    """An output's reasons with its earlier differencing reasons replaced by ``new``."""
    return [r for r in reasons if r not in old] + list(new)
