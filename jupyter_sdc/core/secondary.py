"""Secondary (complementary) cell suppression for tables published with their true margins.

API
---
``protect(values, primary, *, protection=None, cost="cells", method="auto", time_limit=5.0,
margins=True) -> SuppressionResult``

``values`` is the interior table (no margins; 1-D, 2-D or 3-D); every sum along one axis (row,
column and grand totals in 2-D) is assumed published as the TRUE total. ``primary`` marks the
cells that failed a rule. ``protection`` is the interval width each primary cell needs (the
threshold N for a frequency cell, p % of the largest contribution for a dominance cell; default:
just "not exact"). ``secondary`` in the result are the complementary cells to suppress too;
``audit`` is the attacker's audit of primary | secondary (:mod:`jupyter_sdc.core.audit`).
``interior(table)`` strips the last row/column of a table that carries its margins.

Methods
-------
``"milp"``: the optimal model of Fischetti & Salazar-Gonzalez (1999, Math. Programming
84:283-312; 2001, Management Science 47:1008-1027), solved by Benders-style cut generation with
``scipy.optimize.milp`` (HiGHS). Binary x_i = 1 suppresses cell i. For each primary cell p the
attacker's LPs U_p(x) = max d_p and L_p(x) = max -d_p over deviations d that keep every published
sum (M d = 0) with -a_i x_i <= d_i <= u_i x_i (u_i: the room left under the cell's smallest line
total) must give U_p + L_p >= protection (their sliding protection). By LP duality U_p(x) is the
minimum of linear functions of x, so each attacker LP that falls short at the master's solution
yields a valid cut sum_i (r_i^+ u_i + r_i^- a_i) x_i >= level from its duals r = +-e_p + M'lambda.
The master starts from the cuts of single lines (a row/column through p) and is re-solved until
no primary falls short: the pattern is then optimal for the configured cost.
``"hypercube"``: the heuristic of Repsilber (1994) as used in tau-ARGUS (Giessing & Repsilber
2002): each primary cell gets the cheapest 2x2 (2x2x2 in 3-D) cube of cells whose joint shift
keeps every total and gives the cell the required width; cubes are combined if one is not enough.
``"auto"``: MILP within ``time_limit`` seconds, else hypercube (said in ``notes``).

Afterwards secondary cells the attacker can recover exactly are published again (the feasible
region does not change, so no interval changes) and the pattern is audited.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from .audit import (
    AuditResult,
    Network2D,
    _as_mask,
    _as_table,
    audit,
    cell_name,
    components,
    extremes,
    integral,
    line_matrix,
    protection_levels,
    room,
    verdict,
)

_METHODS = ("auto", "milp", "hypercube")
_COSTS = ("cells", "value")


@dataclass(frozen=True)
class SuppressionResult:
    primary: np.ndarray  # bool, shape of the interior table
    secondary: np.ndarray  # bool, complementary cells chosen
    method: str  # "milp" | "hypercube" | "none"
    optimal: bool  # proved optimal by the solver
    cost: float  # information loss: secondary cells, or their total value (per `cost`)
    notes: list[str] = field(default_factory=list)
    audit: AuditResult | None = None

    @property
    def suppressed(self) -> np.ndarray:
        return self.primary | self.secondary


def interior(table: np.ndarray) -> np.ndarray:
    """The interior of a 2-D table whose last row and column are its margins (e.g. 'All')."""
    arr = _as_table(table, "table")
    if arr.ndim != 2 or min(arr.shape) < 2:
        raise ValueError("table must be 2-D with a margins row and column (e.g. margins=True)")
    inner = arr[:-1, :-1]
    tol = 1e-9 * max(1.0, float(np.abs(arr).max()))
    if not (np.allclose(inner.sum(axis=1), arr[:-1, -1], atol=tol)
            and np.allclose(inner.sum(axis=0), arr[-1, :-1], atol=tol)
            and np.isclose(inner.sum(), arr[-1, -1], atol=tol)):
        raise ValueError("table has no margins: its last row/column are not the sums of the "
                         "others; pass the interior table to protect() directly")
    return inner


def protect(values: np.ndarray, primary: np.ndarray, *,
            protection: np.ndarray | float | None = None, cost: str = "cells",
            method: str = "auto", time_limit: float = 5.0,
            margins: bool = True) -> SuppressionResult:
    """Choose complementary cells so that no primary cell can be recovered from the margins."""
    vals = _as_table(values)
    shape = vals.shape
    prim = _as_mask(primary, shape, "primary")
    prot = protection_levels(protection, shape)
    if np.any(vals < 0):
        raise ValueError("values must be non-negative for secondary suppression (the attacker's "
                         "bounds assume it); shift or split negative magnitudes first")
    if cost not in _COSTS:
        raise ValueError(f"cost must be one of {_COSTS}, got {cost!r}")
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if not (time_limit > 0):
        raise ValueError("time_limit must be a positive number of seconds")
    empty = np.zeros(shape, dtype=bool)
    if not margins:
        note = "No margins published: primary suppression alone hides each cell."
        return SuppressionResult(prim.copy(), empty, "none", True, 0.0, [note],
                                 audit(vals, prim, protection=prot, margins=False))
    if prim.any() and min(shape) < 2:
        raise ValueError(f"values has an axis of length 1 (shape {shape}): its published totals "
                         "equal the cells, so no suppressed cell can be hidden; squeeze that "
                         "axis or merge categories first")
    if not prim.any():
        return SuppressionResult(prim.copy(), empty, "none", True, 0.0, [],
                                 audit(vals, prim, protection=prot))
    notes: list[str] = []
    flat = vals.ravel()
    tol = 1e-7 * max(1.0, float(flat.max()))
    lines = line_matrix(shape)
    # room under the smallest line total through each cell (implied by the published margins)
    up = room(lines, flat)
    down = flat.copy()
    need = _requirements(vals, prim, prot, tol, notes)
    weights = _weights(flat, cost)
    x, used, optimal = None, method, False
    if method in ("auto", "milp"):
        flow_2d = shape if vals.ndim == 2 and integral(flat, up) else None
        x, optimal, milp_notes = _milp(prim.ravel(), need, weights, up, down, lines, flat,
                                       time.monotonic() + time_limit, tol, flow_2d)
        notes += milp_notes
        used = "milp"
    if x is None:
        x = _hypercube(vals, prim, need.reshape(shape), weights.reshape(shape),
                       up.reshape(shape), down.reshape(shape), tol, notes).ravel()
        used, optimal = "hypercube", False
    supp = x.reshape(shape)
    result = audit(vals, supp, protection=prot, primary=prim)
    exact_secondary = result.exact & ~prim
    if exact_secondary.any():  # publishing them changes nothing the attacker can infer
        supp = supp & ~exact_secondary
        lower, upper = result.lower.copy(), result.upper.copy()
        lower[exact_secondary] = upper[exact_secondary] = np.nan
        result = verdict(vals, supp, prim, prot, lower, upper)
        notes.append(f"{int(exact_secondary.sum())} secondary cell(s) were recoverable exactly "
                     "and are published again.")
    secondary = supp & ~prim
    loss = float(secondary.sum()) if cost == "cells" else float(vals[secondary].sum())
    return SuppressionResult(prim.copy(), secondary, used, optimal, loss, notes, result)


def _weights(flat: np.ndarray, cost: str) -> np.ndarray:
    n, top = flat.size, max(1.0, float(flat.max()))
    if cost == "cells":  # tie-break towards small values without changing the cell count
        return 1.0 + flat / (2.0 * n * top)
    # tie-break towards fewer cells; for integer tables the value optimum is unchanged
    return flat + 0.5 / n


def _requirements(vals: np.ndarray, prim: np.ndarray, prot: np.ndarray, tol: float,
                  notes: list[str]) -> np.ndarray:
    """Width each primary cell needs, capped at the most that margins allow."""
    best = _widest(vals, prim)
    need = np.where(prim, np.maximum(prot, 2 * tol), 0.0)
    for pos in zip(*np.nonzero(prim), strict=True):
        name = cell_name(pos, None)
        if best[pos] <= tol:
            notes.append(f"Cell {name} cannot be protected: the published totals alone fix it "
                         f"(e.g. an all-zero row or a total equal to the cell); merge categories "
                         f"or suppress the total.")
            need[pos] = 0.0
        elif need[pos] > best[pos] + tol:
            notes.append(f"Cell {name} needs width {prot[pos]:.6g} but the totals allow at most "
                         f"{best[pos]:.6g}; it is protected as far as possible.")
            need[pos] = best[pos]
    return need.ravel()


def _widest(vals: np.ndarray, prim: np.ndarray) -> np.ndarray:
    """Interval width of each cell when every cell is suppressed (only margins published)."""
    if vals.ndim == 1:
        return np.full(vals.shape, vals.sum())
    if vals.ndim == 2:  # Frechet bounds of the transportation polytope
        r, c, t = vals.sum(axis=1)[:, None], vals.sum(axis=0)[None, :], vals.sum()
        return np.minimum(r, c) - np.maximum(0.0, r + c - t)
    flat = vals.ravel()
    lines = line_matrix(vals.shape)
    every = np.arange(flat.size)
    targets = np.flatnonzero(prim.ravel())
    ext = extremes(lines, every, flat, np.zeros(flat.size), np.full(flat.size, np.inf), targets)
    out = np.zeros(flat.size)
    out[targets] = ext.high - ext.low
    return out.reshape(vals.shape)


def _milp(prim, need, weights, up, down, lines, flat, deadline, tol, shape=None):
    """Cut generation; returns (mask or None on timeout, proved optimal, notes)."""
    n = flat.size
    cuts = _Cuts(n, tol)
    lines_csc = lines.tocsc()
    for p in np.flatnonzero(need > 0):
        up_terms = [(np.empty(0, int), np.empty(0), up[p])]
        down_terms = [(np.empty(0, int), np.empty(0), down[p])]
        for ell in lines_csc[:, [p]].indices:
            others = lines.indices[lines.indptr[ell]:lines.indptr[ell + 1]]
            others = others[others != p]
            up_terms.append((others, down[others], 0.0))  # raising p lowers the line's others
            down_terms.append((others, up[others], 0.0))
        for (iu, cu, ku), (il, cl, kl) in itertools.product(up_terms, down_terms):
            if len(iu) or len(il):
                cuts.add(np.concatenate([iu, il]), np.concatenate([cu, cl]), need[p] - ku - kl)
    optimal, rounds = True, 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, False, [_timeout_note(deadline)]
        cons = [cuts.constraint()] if cuts.rhs else []
        res = milp(weights, integrality=np.ones(n), bounds=Bounds(prim.astype(float), 1.0),
                   constraints=cons, options={"time_limit": remaining, "mip_rel_gap": 0.0})
        if res.x is None:
            if res.status == 2:
                return None, False, ["MILP found no pattern (infeasible); hypercube used."]
            return None, False, [_timeout_note(deadline)]
        if res.status != 0:
            optimal = False
        x = res.x > 0.5
        rounds += 1
        if shape is not None:
                found = _separate_flow(x, need, up, down, shape, tol)
        else:
            found = _separate(x, need, up, down, lines, flat, tol)
        if not found:
            return x, optimal, [f"MILP: {rounds} round(s), {len(cuts.rhs)} cuts."]
        for coef, level in found:
            idx = np.flatnonzero(coef)
            cuts.add(idx, coef[idx], level)


class _Cuts:
    """Covering cuts sum_i coef_i x_i >= level, kept sparse."""

    def __init__(self, n: int, tol: float) -> None:
        self.n, self.tol = n, tol
        self.idx: list[np.ndarray] = []
        self.coef: list[np.ndarray] = []
        self.rhs: list[float] = []

    def add(self, idx: np.ndarray, coef: np.ndarray, level: float) -> None:
        if level <= self.tol:
            return
        # duplicates of a cell add up; clipping at the level stays valid for binaries
        merged = np.bincount(idx, weights=coef, minlength=self.n)
        keep = np.flatnonzero(merged)
        self.idx.append(keep)
        self.coef.append(np.minimum(merged[keep], level))
        self.rhs.append(float(level))

    def constraint(self) -> LinearConstraint:
        row = np.repeat(np.arange(len(self.idx)), [len(i) for i in self.idx])
        mat = sparse.csr_array((np.concatenate(self.coef), (row, np.concatenate(self.idx))),
                               shape=(len(self.idx), self.n))
        return LinearConstraint(mat, np.array(self.rhs), np.inf)


def _timeout_note(deadline: float) -> str:
    return "MILP hit the time limit before proving a protected pattern; hypercube fallback used."


def _separate_flow(x, need, up, down, shape, tol):
    """2-D integer tables: attacker's shifts as max flows, cuts from minimum cuts."""
    cuts = []
    net = Network2D(shape, np.flatnonzero(x), up, down)
    up2d, down2d = up.reshape(shape), down.reshape(shape)
    x2d = x.reshape(shape)
    for p in np.flatnonzero((need > 0) & x):
        if _cube_width(divmod(int(p), shape[1]), x2d, up2d, down2d) >= need[p] - tol:
            continue  # a fully suppressed 2x2 cube already gives the width: no flow needed
        rise = min(up[p], net.shift(p, True)[0])
        fall = min(down[p], net.shift(p, False)[0])
        if rise + fall >= need[p] - tol:
            continue
        coef = np.zeros(shape)
        level = float(need[p])
        for raise_, cap in ((True, up[p]), (False, down[p])):
            flow, (rows_in, cols_in) = net.shift(p, raise_, want_cut=True)
            if cap <= flow:  # the cell's own room binds: a constant, not a cut
                level -= cap
                continue
            crossing_up = rows_in[:, None] & ~cols_in[None, :]
            crossing_down = cols_in[None, :] & ~rows_in[:, None]
            coef += up2d * crossing_up + down2d * crossing_down
        coef = coef.ravel()
        coef[p] = 0.0
        cuts.append((coef, level))
    return cuts


def _cube_width(p, x2d, up2d, down2d) -> float:
    """Widest interval any fully suppressed 2x2 cube through p gives (a lower bound)."""
    i, j = p
    rows = np.flatnonzero(x2d[:, j])
    cols = np.flatnonzero(x2d[i, :])
    rows, cols = rows[rows != i], cols[cols != j]
    if len(rows) == 0 or len(cols) == 0:
        return 0.0
    full = x2d[np.ix_(rows, cols)]
    if not full.any():
        return 0.0
    rise = np.minimum.reduce([np.broadcast_to(up2d[i, j], full.shape),
                              np.broadcast_to(down2d[rows, j][:, None], full.shape),
                              np.broadcast_to(down2d[i, cols][None, :], full.shape),
                              up2d[np.ix_(rows, cols)]])
    fall = np.minimum.reduce([np.broadcast_to(down2d[i, j], full.shape),
                              np.broadcast_to(up2d[rows, j][:, None], full.shape),
                              np.broadcast_to(up2d[i, cols][None, :], full.shape),
                              down2d[np.ix_(rows, cols)]])
    return float(np.max(np.where(full, rise + fall, 0.0)))


def _separate(x, need, up, down, lines, flat, tol):
    """Attacker LPs at the master's pattern; a Benders cut for each primary that falls short."""
    cuts = []
    cells = np.flatnonzero(x)
    targets_all = set(np.flatnonzero(need > 0).tolist())
    for comp in components(lines, cells):
        targets = np.array([c for c in comp if int(c) in targets_all], dtype=int)
        if len(targets) == 0:
            continue
        ext = extremes(lines, comp, flat, np.zeros(flat.size), flat + up, targets)
        sub_t = lines[ext.lines].T.tocsr()
        for i, p in enumerate(targets):
            width = ext.high[i] - ext.low[i]
            if width >= need[p] - tol:
                continue
            e_p = np.zeros(flat.size)
            e_p[p] = 1.0
            coef = np.zeros(flat.size)
            for sign, dual in ((1.0, ext.dual_max[i]), (-1.0, ext.dual_min[i])):
                r = sign * e_p + sub_t @ dual
                coef += np.maximum(r, 0) * up + np.maximum(-r, 0) * down
            cuts.append((coef, float(need[p])))
    return cuts


def _hypercube(vals, prim, need, weights, up, down, tol, notes):
    """Repsilber's hypercube heuristic: one (or more) cheapest protecting cube per primary."""
    shape = vals.shape
    x = prim.copy()
    order = sorted(zip(*np.nonzero(prim & (need > 0)), strict=True),
                   key=lambda p: (-need[p], p))
    for p in order:
        if not _cover(p, shape, x, need[p], weights, up, down, tol):
            notes.append(f"Hypercube could not give cell {cell_name(p, None)} the width it "
                         "needs.")
    return x


def _cover(p, shape, x, need, weights, up, down, tol) -> bool:
    """Suppress the cheapest cube protecting p, else combine cubes; True when enough."""
    d = len(shape)
    used: list[set[int]] = [set() for _ in range(d)]
    acc_up = acc_down = 0.0
    while min(up[p], acc_up) + min(down[p], acc_down) < need - tol:
        grids = [np.array([i for i in range(shape[k]) if i != p[k] and i not in used[k]],
                          dtype=int) for k in range(d)]
        if any(len(g) == 0 for g in grids):
            return False
        cube_up, cube_down, cost, corners = _cubes(p, grids, x, weights, up, down)
        if acc_up == 0 and acc_down == 0:  # one cube that is enough, cheapest first
            ok = np.minimum(up[p], cube_up) + np.minimum(down[p], cube_down) >= need - tol
            if ok.any():
                _mark(x, corners, np.unravel_index(np.argmin(np.where(ok, cost, np.inf)),
                                                   cost.shape))
                return True
        gain = (np.minimum(up[p], acc_up + cube_up) + np.minimum(down[p], acc_down + cube_down)
                - min(up[p], acc_up) - min(down[p], acc_down))
        if gain.max() <= tol:
            return False
        pick = np.unravel_index(np.argmax(gain / (cost + 1e-9)), cost.shape)
        _mark(x, corners, pick)
        acc_up, acc_down = acc_up + cube_up[pick], acc_down + cube_down[pick]
        for k in range(d):
            used[k].add(int(grids[k][pick[k]]))
    return True


def _cubes(p, grids, x, weights, up, down):
    """Shift capacities and cost of every cube with corner p and far corner from ``grids``."""
    d = len(p)
    cube_up = cube_down = None
    cost = 0.0
    corners = []
    for pattern in itertools.product((0, 1), repeat=d):
        if not any(pattern):
            continue
        index = tuple(
            grids[k].reshape([-1 if j == k else 1 for j in range(d)]) if pattern[k] else p[k]
            for k in range(d)
        )
        shape = tuple(len(g) for g in grids)
        same_way = sum(pattern) % 2 == 0  # moves with p
        u = np.broadcast_to(up[index] if same_way else down[index], shape)
        dn = np.broadcast_to(down[index] if same_way else up[index], shape)
        cube_up = u if cube_up is None else np.minimum(cube_up, u)
        cube_down = dn if cube_down is None else np.minimum(cube_down, dn)
        cost = cost + np.broadcast_to(np.where(x[index], 0.0, weights[index]), shape)
        corners.append(index)
    return cube_up, cube_down, cost, corners


def _mark(x, corners, pick):
    for index in corners:
        pos = tuple(int(np.asarray(ix).ravel()[pick[k]]) if np.ndim(ix) else int(ix)
                    for k, ix in enumerate(index))
        x[pos] = True
