"""The attacker's audit: what an intruder can infer about suppressed cells.

API
---
``audit(values, suppressed, *, protection=None, primary=None, bounds=None, margins=True,
names=None) -> AuditResult``

``values`` is the interior table (no margins; 1-D, 2-D or 3-D numpy array). The attacker sees
every cell not in ``suppressed``, the true margins (when ``margins``: every sum along one axis,
which implies the lower-order totals) and knows each suppressed cell lies within ``bounds``
(default: non-negative, no upper bound). For each suppressed cell we solve the two linear
programmes min / max of the cell subject to all of that (``scipy.optimize.linprog``, HiGHS) and
report the feasible interval. This is the audit step of the cell suppression problem
(Cox 1980; Fischetti & Salazar-Gonzalez 1999, Math. Programming 84:283-312; the "audit" of
tau-ARGUS and sdcTable).

The table is protected when no suppressed cell is exact and each primary cell's interval width
(upper - lower, the "sliding protection" of Fischetti & Salazar-Gonzalez) is at least its
protection level: for a frequency cell the threshold N, for a dominance cell p % of its largest
contribution (the caller passes an array). ``protection=None`` asks only that no cell be exact.

For tables of counts beyond 2-D (where the LP can be wider than whole numbers allow) components
of up to 60 suppressed cells are solved as integer programs instead (``scipy.optimize.milp``);
in 2-D the row/column constraints are totally unimodular, so the LP bounds are whole numbers.

The LPs are solved per connected component of the suppressed cells (cells linked by a shared
row/column/line), many LPs batched into one block-diagonal LP, so a 50 x 50 table audits in
tens of milliseconds. ``extremes`` is shared with the secondary suppression, which also needs
the LP duals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

# Block LPs larger than this many variables are split into chunks.
_BATCH_VARIABLES = 40_000
# Beyond 2-D, integer programs check components of counts up to this many suppressed cells.
_INTEGER_AUDIT_CELLS = 60


@dataclass(frozen=True)
class AuditResult:
    lower: np.ndarray  # feasible lower bound per cell (nan where published)
    upper: np.ndarray  # feasible upper bound per cell (nan where published)
    exact: np.ndarray  # bool: suppressed cell recoverable exactly
    protected: bool  # no suppressed cell exact, each primary interval wide enough
    failures: list[str] = field(default_factory=list)  # plain-language reasons
    failing_cells: list[tuple[int, ...]] = field(default_factory=list)  # 0-based positions

    def to_dict(self) -> dict:
        """JSON-ready form for the record: intervals of suppressed cells only."""
        cells = []
        for pos in zip(*np.nonzero(~np.isnan(self.lower)), strict=True):
            cells.append({
                "cell": [int(i) for i in pos],
                "lower": _json_number(self.lower[pos]),
                "upper": _json_number(self.upper[pos]),
                "exact": bool(self.exact[pos]),
            })
        return {"protected": self.protected, "failures": list(self.failures), "cells": cells}


def _json_number(x: float) -> float | str:
    return float(x) if np.isfinite(x) else ("inf" if x > 0 else "-inf")


def line_matrix(shape: tuple[int, ...]) -> sparse.csr_matrix:
    """Incidence of the published line sums: one row per line (a sum along one axis)."""
    n = int(np.prod(shape))
    ids = np.arange(n).reshape(shape)
    rows = []
    for axis in range(len(shape)):
        rows.append(np.moveaxis(ids, axis, -1).reshape(-1, shape[axis]))
    cols = np.concatenate([r.ravel() for r in rows])
    line_ids = np.concatenate([np.repeat(np.arange(len(r)), r.shape[1]) for r in rows])
    offsets = np.cumsum([0] + [len(r) for r in rows])[:-1]
    line_ids = line_ids + np.repeat(offsets, [r.size for r in rows])
    data = np.ones(len(cols))
    return sparse.csr_matrix((data, (line_ids, cols)), shape=(int(sum(len(r) for r in rows)), n))


def room(lines: sparse.csr_matrix, flat: np.ndarray, lb: np.ndarray | None = None) -> np.ndarray:
    """How far each cell can rise before a line through it exceeds its published total."""
    floor = np.zeros_like(flat) if lb is None else np.where(np.isfinite(lb), lb, -np.inf)
    slack = lines @ (flat - floor)  # sum of what the other cells could give up, per line
    out = np.full(flat.size, np.inf)
    coo = lines.tocoo()
    np.minimum.at(out, coo.col, slack[coo.row])
    own = flat - floor
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(own), out - own, np.inf)


def components(lines: sparse.csr_matrix, cells: np.ndarray) -> list[np.ndarray]:
    """Groups of the given cell ids that are linked through shared lines."""
    if len(cells) == 0:
        return []
    sub = lines[:, cells]
    touched = np.flatnonzero(sub.getnnz(axis=1) > 0)
    sub = sub[touched]
    k, m = len(cells), len(touched)
    # bipartite graph: cells 0..k-1, lines k..k+m-1
    coo = sub.tocoo()
    graph = sparse.coo_matrix(
        (np.ones(coo.nnz), (coo.col, coo.row + k)), shape=(k + m, k + m)
    )
    _, labels = connected_components(graph, directed=False)
    labels = labels[:k]
    return [cells[labels == lab] for lab in np.unique(labels)]


@dataclass(frozen=True)
class Extremes:
    """Min and max of each target cell, with the equality duals of both LPs (per line)."""

    low: np.ndarray
    high: np.ndarray
    lines: np.ndarray  # ids of the lines in the LPs (the component's lines)
    dual_max: np.ndarray  # (targets, lines) eqlin marginals of "min -y_t"
    dual_min: np.ndarray  # (targets, lines) eqlin marginals of "min +y_t"


def extremes(lines: sparse.csr_matrix, comp: np.ndarray, values: np.ndarray,
             lb: np.ndarray, ub: np.ndarray, targets: np.ndarray) -> Extremes:
    """Solve min/max of each target over one component of suppressed cells.

    ``values``, ``lb``, ``ub`` are flat arrays over the whole table; ``comp`` are the suppressed
    cell ids of the component; ``targets`` a subset of ``comp``. Unbounded -> +-inf.
    """
    sub = lines[:, comp]
    line_ids = np.flatnonzero(sub.getnnz(axis=1) > 0)
    a_eq = sub[line_ids].tocsr()
    b_eq = a_eq @ values[comp]
    k, m = len(comp), len(line_ids)
    pos = {int(c): i for i, c in enumerate(comp)}
    t_idx = np.array([pos[int(t)] for t in targets], dtype=int)
    low = np.full(len(targets), np.nan)
    high = np.full(len(targets), np.nan)
    dmax = np.zeros((len(targets), m))
    dmin = np.zeros((len(targets), m))
    if m == 0:  # no published sums touch these cells: only the bounds constrain them
        low[:], high[:] = lb[targets], ub[targets]
        return Extremes(low, high, line_ids, dmax, dmin)
    chunk = max(1, _BATCH_VARIABLES // (2 * k))
    for start in range(0, len(targets), chunk):
        sel = np.arange(start, min(start + chunk, len(targets)))
        _solve_chunk(a_eq, b_eq, lb[comp], ub[comp], t_idx[sel], sel, low, high, dmax, dmin)
    return Extremes(low, high, line_ids, dmax, dmin)


def _integer_extremes(lines, comp, flat, lb, ub) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each cell of a component over whole-number tables (integer programs)."""
    sub = lines[:, comp]
    a_eq = sub[np.flatnonzero(sub.getnnz(axis=1) > 0)]
    rhs = a_eq @ flat[comp]
    cons = LinearConstraint(a_eq, rhs, rhs)
    low, high = np.empty(len(comp)), np.empty(len(comp))
    for k in range(len(comp)):
        c = np.zeros(len(comp))
        c[k] = 1.0
        for sign, out in ((1.0, low), (-1.0, high)):
            res = milp(sign * c, constraints=cons, integrality=np.ones(len(comp)),
                       bounds=Bounds(lb[comp], ub[comp]))
            out[k] = sign * res.fun if res.status == 0 else (-sign * np.inf)
    return low, high


def _solve_chunk(a_eq, b_eq, lb, ub, t_local, sel, low, high, dmax, dmin) -> None:
    k, m = a_eq.shape[1], a_eq.shape[0]
    blocks = 2 * len(t_local)
    c = np.zeros(blocks * k)
    for b, t in enumerate(t_local):
        c[(2 * b) * k + t] = -1.0  # maximise y_t
        c[(2 * b + 1) * k + t] = 1.0  # minimise y_t
    big = sparse.kron(sparse.identity(blocks, format="csr"), a_eq, format="csr")
    bounds = np.column_stack([np.tile(lb, blocks), np.tile(ub, blocks)])
    res = linprog(c, A_eq=big, b_eq=np.tile(b_eq, blocks), bounds=bounds, method="highs")
    if res.status == 0:
        x = res.x.reshape(blocks, k)
        duals = res.eqlin.marginals.reshape(blocks, m)
        for b, (t, out) in enumerate(zip(t_local, sel, strict=True)):
            high[out], low[out] = x[2 * b, t], x[2 * b + 1, t]
            dmax[out], dmin[out] = duals[2 * b], duals[2 * b + 1]
        return
    if res.status != 3 or blocks == 2:
        if res.status == 3:  # one target, unbounded in some direction: solve each side
            for sign, side in ((-1.0, high), (1.0, low)):
                cc = np.zeros(k)
                cc[t_local[0]] = sign
                r = linprog(cc, A_eq=a_eq, b_eq=b_eq, bounds=np.column_stack([lb, ub]),
                            method="highs")
                side[sel[0]] = r.x[t_local[0]] if r.status == 0 else -sign * np.inf
            return
        raise RuntimeError(f"attacker LP failed: {res.message}")
    for t, out in zip(t_local, sel, strict=True):  # some block unbounded: one target at a time
        _solve_chunk(a_eq, b_eq, lb, ub, np.array([t]), np.array([out]), low, high, dmax, dmin)


class Network2D:
    """A 2-D table with true margins as a flow network (Fischetti & Salazar-Gonzalez 1999).

    Nodes are rows 0..r-1 and columns r..r+c-1. A suppressed cell (i, j) is an arc row->column
    (raising it, capacity ``up``) and an arc column->row (lowering it, capacity ``down``); shifts
    that keep every total are circulations, so the most a cell can rise is the max flow back
    from its column to its row. Integer capacities only (``scipy.sparse.csgraph.maximum_flow``).
    """

    def __init__(self, shape: tuple[int, int], cells: np.ndarray, up: np.ndarray,
                 down: np.ndarray) -> None:
        self.r, self.c = shape
        rows, cols = np.divmod(cells, self.c)
        size = self.r + self.c
        src = np.concatenate([rows, cols + self.r])
        dst = np.concatenate([cols + self.r, rows])
        cap = np.concatenate([up[cells], down[cells]]).astype(np.int64)
        graph = sparse.csr_array((cap, (src, dst)), shape=(size, size))
        graph.sort_indices()
        self.graph = graph

    def _slots(self, cell: int) -> list[int]:
        """Positions of the cell's two arcs in ``graph.data``."""
        i, j = divmod(cell, self.c)
        g = self.graph
        out = []
        for node, target in ((i, j + self.r), (j + self.r, i)):
            lo, hi = g.indptr[node], g.indptr[node + 1]
            pos = lo + int(np.searchsorted(g.indices[lo:hi], target))
            if pos < hi and g.indices[pos] == target:
                out.append(pos)
        return out

    def shift(self, cell: int, raise_: bool, want_cut: bool = False):
        """Largest shift of ``cell`` up (or down) through the other suppressed cells.

        With ``want_cut``, also the source side of a minimum cut (rows, columns as bool masks).
        """
        i, j = divmod(int(cell), self.c)
        data = self.graph.data.copy()
        data[self._slots(int(cell))] = 0
        g = sparse.csr_array((data, self.graph.indices, self.graph.indptr),
                             shape=self.graph.shape)
        source, sink = (j + self.r, i) if raise_ else (i, j + self.r)
        res = maximum_flow(g, source, sink)
        if not want_cut:
            return float(res.flow_value), None
        residual = (g - res.flow).tocsr()
        residual.data = (residual.data > 0).astype(np.int8)
        residual.eliminate_zeros()
        reach = breadth_first_order(residual, source, directed=True, return_predecessors=False)
        side = np.zeros(self.r + self.c, dtype=bool)
        side[reach] = True
        return float(res.flow_value), (side[: self.r], side[self.r:])


def integral(*arrays: np.ndarray) -> bool:
    """True when every entry is a finite whole number, all small enough for int32 flows."""
    total = 0.0
    for arr in arrays:
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            return False
        total += float(np.abs(arr).sum())
    return total < 2**31 - 1


def _as_table(values: np.ndarray, name: str = "values") -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name} must be a numeric array (the interior table), got {arr.dtype}")
    arr = arr.astype(float)
    if arr.ndim == 0 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty table with at least one axis")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite: fill or drop NaN/inf cells before suppression")
    return arr


def _as_mask(mask: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    arr = np.asarray(mask)
    if arr.shape != shape:
        raise ValueError(f"{name} must have the shape of values {shape}, got {arr.shape}")
    if arr.dtype != bool:
        raise ValueError(f"{name} must be a boolean array (True = cell suppressed/flagged)")
    return arr


def protection_levels(protection: np.ndarray | float | None, shape: tuple[int, ...]) -> np.ndarray:
    """Per-cell required interval width; 0 means only 'not exact'."""
    if protection is None:
        return np.zeros(shape)
    prot = np.broadcast_to(np.asarray(protection, dtype=float), shape).copy() \
        if np.ndim(protection) == 0 else np.asarray(protection, dtype=float)
    if prot.shape != shape:
        raise ValueError(f"protection must be a number or an array of shape {shape}, "
                         f"got {prot.shape}")
    if not np.all(np.isfinite(prot)) or np.any(prot < 0):
        raise ValueError("protection must be finite and non-negative (e.g. the threshold N)")
    return prot


def cell_name(pos: tuple[int, ...], names: Sequence[Sequence[str]] | None) -> str:
    if names is None:
        return "(" + ", ".join(str(int(i)) for i in pos) + ")"
    return "(" + ", ".join(str(names[a][int(i)]) for a, i in enumerate(pos)) + ")"


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "unbounded"
    return f"{x:.6g}"


def audit(values: np.ndarray, suppressed: np.ndarray, *,
          protection: np.ndarray | float | None = None, primary: np.ndarray | None = None,
          bounds: tuple[np.ndarray, np.ndarray] | None = None, margins: bool = True,
          names: Sequence[Sequence[str]] | None = None) -> AuditResult:
    """Feasible interval of every suppressed cell, and whether the table is protected.

    ``primary`` (default: every suppressed cell) are the cells that need ``protection``.
    ``names`` (one list of labels per axis) names cells in ``failures``; default 0-based positions.
    """
    vals = _as_table(values)
    shape = vals.shape
    supp = _as_mask(suppressed, shape, "suppressed")
    prim = supp if primary is None else _as_mask(primary, shape, "primary")
    if np.any(prim & ~supp):
        raise ValueError("primary cells must all be suppressed: pass suppressed = primary | "
                         "secondary")
    prot = protection_levels(protection, shape)
    if bounds is None:
        if np.any(vals < 0):
            raise ValueError("values must be non-negative for the audit unless you pass "
                             "bounds=(lower, upper) known to the attacker")
        lb, ub = np.zeros(shape), np.full(shape, np.inf)
    else:
        lb, ub = (np.broadcast_to(np.asarray(b, dtype=float), shape) for b in bounds)
        if np.any(lb > vals) or np.any(ub < vals):
            raise ValueError("bounds must contain the true values (lower <= values <= upper)")
    flat, sflat = vals.ravel(), supp.ravel()
    lower = np.full(vals.size, np.nan)
    upper = np.full(vals.size, np.nan)
    cells = np.flatnonzero(sflat)
    lbf, ubf = lb.ravel(), ub.ravel()
    if not margins:
        lower[cells], upper[cells] = lbf[cells], ubf[cells]
    else:
        lines = line_matrix(shape)
        ubf = np.minimum(ubf, flat + room(lines, flat, lbf))  # implied by the totals
        up, down = ubf - flat, flat - lbf
        if vals.ndim == 2 and integral(flat, up[cells], down[cells]):
            net = Network2D(shape, cells, up, down)
            for cell in cells:
                upper[cell] = flat[cell] + min(up[cell], net.shift(cell, True)[0])
                lower[cell] = flat[cell] - min(down[cell], net.shift(cell, False)[0])
        else:
            for comp in components(lines, cells):
                ext = extremes(lines, comp, flat, lbf, ubf, comp)
                lower[comp], upper[comp] = ext.low, ext.high
                if bounds is None and integral(flat) and len(comp) <= _INTEGER_AUDIT_CELLS:
                    # counts are whole numbers: beyond 2-D the LP can be wider than that allows
                    lower[comp], upper[comp] = _integer_extremes(lines, comp, flat, lbf, ubf)
    lower, upper = lower.reshape(shape) + 0.0, upper.reshape(shape) + 0.0  # no -0.0
    return verdict(vals, supp, prim, prot, lower, upper, names)


def verdict(vals: np.ndarray, supp: np.ndarray, prim: np.ndarray, prot: np.ndarray,
            lower: np.ndarray, upper: np.ndarray,
            names: Sequence[Sequence[str]] | None = None) -> AuditResult:
    """Judge audited intervals: exact cells and primary cells narrower than their protection."""
    scale = max(1.0, float(np.max(np.abs(vals))))
    tol = 1e-7 * scale
    width = upper - lower
    exact = supp & (width <= tol)
    short = prim & ~exact & (width < prot - tol)
    failures: list[str] = []
    failing: list[tuple[int, ...]] = []
    for pos in zip(*np.nonzero(exact | short), strict=True):
        pos = tuple(int(i) for i in pos)
        name = cell_name(pos, names)
        if exact[pos]:
            failures.append(f"Suppressed cell {name} can be recovered exactly from the published "
                            f"cells and totals (value {_fmt(lower[pos])}).")
        else:
            failures.append(f"Suppressed cell {name} is only known to lie between "
                            f"{_fmt(lower[pos])} and {_fmt(upper[pos])} (width "
                            f"{_fmt(width[pos])} < protection {_fmt(prot[pos])}).")
        failing.append(pos)
    return AuditResult(lower, upper, exact, not failures, failures, failing)
