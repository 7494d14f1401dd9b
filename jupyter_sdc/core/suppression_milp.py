"""Optimal secondary suppression: the Fischetti & Salazar-Gonzalez model by cut generation.

Master: min sum_i w_i x_i over binaries x (x_i = 1 suppresses cell i; primaries fixed to 1)
subject to covering cuts. For each primary p the attacker's LPs U_p(x) = max d_p and
L_p(x) = max -d_p over deviations d that keep every published sum (M d = 0) with
-a_i x_i <= d_i <= u_i x_i must give U_p + L_p >= need_p (sliding protection). By LP duality
each of U_p, L_p is the minimum of linear functions of x, so each shortfall at a master solution
gives a valid cut (Fischetti & Salazar-Gonzalez 1999, Math. Programming 84:283-312; 2001,
Management Science 47:1008-1027). In 2-D the attacker's LPs are max flows on the row/column
network and the cuts are minimum cuts; otherwise they come from LP duals.
The master starts from the cuts of single lines, is strengthened at its LP relaxation for
``LP_ROUNDS`` rounds, then solved with ``scipy.optimize.milp`` (HiGHS) until no primary falls
short. Unfinished master patterns are completed with hypercubes (upper bounds); if one matches
the master's lower bound it is optimal too.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, linprog, milp

from .audit import Network2D, components, extremes
from .hypercube import cube_width

LP_ROUNDS = 2  # LP-relaxation rounds of cuts before the integer master (fewer rounds)


def solve(prim: np.ndarray, need: np.ndarray, weights: np.ndarray, up: np.ndarray,
          down: np.ndarray, lines: sparse.csr_matrix, flat: np.ndarray, deadline: float,
          tol: float, shape: tuple[int, int] | None = None,
          repair: Callable[[np.ndarray, list[int]], np.ndarray | None] = lambda x, v: None,
          ) -> tuple[np.ndarray | None, bool, list[str]]:
    """Cut generation; returns (mask or None on timeout, proved optimal, notes).

    ``repair(x, violated)`` completes an unprotected master pattern (upper bounds).
    """
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
    if shape is not None:  # strengthen the master at its LP relaxation first (cutting planes)
        for _ in range(LP_ROUNDS):
            if time.monotonic() > deadline or not cuts.rhs:
                break
            lp = linprog(weights, A_ub=-cuts.constraint().A, b_ub=-np.array(cuts.rhs),
                         bounds=np.column_stack([prim.astype(float), np.ones(n)]),
                         method="highs")
            if lp.status != 0:
                break
            found = _separate_flow(lp.x, need, up, down, shape, tol)
            if not found:
                break
            for _, coef, level in found:
                idx = np.flatnonzero(coef)
                cuts.add(idx, coef[idx], level)
    sec_weights = np.where(prim, 0.0, weights)  # primaries are fixed: no cost
    best, best_cost, lower_bound, rounds, proved = None, np.inf, 0.0, 0, True
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        cons = [cuts.constraint()] if cuts.rhs else []
        res = _master(sec_weights, prim, cons, deadline, lower_bound)
        if res.x is None:
            if res.status == 2:
                return None, False, ["MILP found no pattern (infeasible); hypercube used."]
            break
        x = res.x > 0.5
        rounds += 1
        proved = proved and res.status == 0 and res.fun - res.mip_dual_bound < 0.4
        lower_bound = max(lower_bound, float(res.mip_dual_bound))
        if shape is not None:
            found = _separate_flow(x, need, up, down, shape, tol)
        else:
            found = _separate(x, need, up, down, lines, flat, tol)
        if not found:
            return x, proved, [f"MILP: {rounds} round(s), {len(cuts.rhs)} cuts."]
        repaired = repair(x, [p for p, _, _ in found])
        if repaired is not None and sec_weights @ repaired < best_cost:
            best, best_cost = repaired, float(sec_weights @ repaired)
            if proved and _same_cost(best_cost, lower_bound):
                return best, True, [f"MILP: {rounds} round(s), {len(cuts.rhs)} cuts; pattern "
                                    "completed by cubes at the lower bound."]
        for _, coef, level in found:
            idx = np.flatnonzero(coef)
            cuts.add(idx, coef[idx], level)
    if best is not None:
        return best, False, [f"MILP hit the time limit after {rounds} round(s); its pattern was "
                             "completed with hypercubes (not proved optimal)."]
    return None, False, [TIMEOUT_NOTE]


def _master(weights, prim, cons, deadline, lower_bound):
    """Solve the master to within 0.4 of its optimum: costs carry a tie-break below 0.5, so
    that fixes the number of cells (or, for integer values, their total)."""
    estimate = lower_bound + 1.0
    res = OptimizeResult(x=None, status=1, fun=np.inf, mip_dual_bound=lower_bound)
    for _ in range(4):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        res = milp(weights, integrality=np.ones(len(weights)), bounds=Bounds(prim.astype(float), 1),
                   constraints=cons, options={"time_limit": remaining,
                                              "mip_rel_gap": 0.39 / estimate})
        if res.x is None or res.status != 0 or res.fun - res.mip_dual_bound < 0.4:
            return res
        estimate = max(estimate, res.fun)
    return res


def _same_cost(cost: float, bound: float) -> bool:
    """Costs carry a tie-break below 0.5: equal whole parts mean an optimal count/total."""
    return np.floor(cost + 1e-9) <= np.floor(bound + 1e-9)


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


TIMEOUT_NOTE = "MILP hit the time limit before finding a protected pattern; hypercube used."


def _separate_flow(x, need, up, down, shape, tol):
    """2-D tables: attacker's shifts as max flows, cuts from minimum cuts.

    ``x`` may be fractional (the master's LP relaxation): capacities are then scaled to
    integers for the flow. Cuts come from a second network in which published cells carry a
    tiny capacity, so the minimum cut crosses as few of them as possible (a stronger cut);
    each cut is checked exactly at ``x``.
    """
    x = np.asarray(x, dtype=float)
    binary = bool(np.all((x == 0) | (x == 1)))
    total = float(((up + down) * x).sum()) + 2.0 * x.size
    scale = 1.0 if binary else min(1e4, (2**31 - 1) / (4.0 * total))
    net = Network2D(shape, np.flatnonzero(x > 1e-9), np.floor(up * x * scale),
                    np.floor(down * x * scale))
    big = min(1e3, (2**31 - 1) / (4.0 * total))
    tiny = (1.0 - x) * (x < 1)  # published cells: 1 unit, i.e. 1/big of a count
    strong = Network2D(shape, np.arange(x.size), np.floor(up * x * big) + tiny * (up > 0),
                       np.floor(down * x * big) + tiny * (down > 0))
    up2d, down2d = up.reshape(shape), down.reshape(shape)
    x2d, up_x, down_x = x.reshape(shape) > 1e-9, (up * x).reshape(shape), (down * x).reshape(shape)
    cuts = []
    for p in np.flatnonzero((need > 0) & (x > 0.5)):
        if cube_width(divmod(int(p), shape[1]), x2d, up_x, down_x) >= need[p] - tol:
            continue  # a fully suppressed 2x2 cube already gives the width: no flow needed
        flows = {r: net.shift(p, r)[0] / scale for r in (True, False)}
        if min(up[p], flows[True]) + min(down[p], flows[False]) >= need[p] - tol:
            continue
        for network in (strong, net):
            coef, level = np.zeros(shape), float(need[p])
            for raise_, cap in ((True, up[p]), (False, down[p])):
                if cap <= flows[raise_]:  # the cell's own room binds: a constant, not a cut
                    level -= cap
                    continue
                rows_in, cols_in = network.shift(p, raise_, want_cut=True)[1]
                coef += (up2d * (rows_in[:, None] & ~cols_in[None, :])
                         + down2d * (cols_in[None, :] & ~rows_in[:, None]))
            coef = coef.ravel()
            coef[p] = 0.0
            if float(np.minimum(coef, level) @ x) < level - tol:
                cuts.append((int(p), coef, level))
                break
    return cuts


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
            level = float(need[p])
            weak = _dual_cut(p, ext.dual_max[i], ext.dual_min[i], sub_t, up, down)
            # the same LPs with published cells given a tiny room: duals that cross few of them
            room = np.where(x, 1.0, _EPSILON)
            full = extremes(lines, np.arange(flat.size), flat, flat - down * room,
                            flat + up * room, np.array([p]))
            strong = _dual_cut(p, full.dual_max[0], full.dual_min[0],
                               lines[full.lines].T.tocsr(), up, down)
            violated = float(np.minimum(strong, level) @ x) < level - tol
            cuts.append((int(p), strong if violated else weak, level))
    return cuts


_EPSILON = 1e-3


def _dual_cut(p, dual_max, dual_min, lines_t, up, down) -> np.ndarray:
    """Cut coefficients from the duals of both attacker LPs: r = +-e_p + M' lambda."""
    e_p = np.zeros(len(up))
    e_p[p] = 1.0
    coef = np.zeros(len(up))
    for sign, dual in ((1.0, dual_max), (-1.0, dual_min)):
        r = sign * e_p + lines_t @ dual
        coef += np.maximum(r, 0) * up + np.maximum(-r, 0) * down
    return coef
