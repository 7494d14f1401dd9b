"""Repsilber's hypercube heuristic for secondary suppression (Repsilber 1994; Giessing &
Repsilber 2002, as in tau-ARGUS).

Each primary cell p gets the cheapest 2x2 (2x2x2 in 3-D, a pair in 1-D) cube of cells with p as
a corner: shifting the corners by +t / -t in alternation keeps every line total, so once all
corners are suppressed the attacker cannot tell p's value within the cube's shift range. If no
single cube gives the width p needs, cubes sharing only p are combined. Used on its own, to
complete an unfinished MILP pattern, and as a quick test inside the MILP's separation.
"""

from __future__ import annotations

import itertools

import numpy as np

from .audit import cell_name


def hypercube(prim: np.ndarray, need: np.ndarray, weights: np.ndarray, up: np.ndarray,
              down: np.ndarray, tol: float, notes: list[str]) -> np.ndarray:
    """Suppression pattern: ``prim`` plus one (or more) cheapest protecting cube per primary."""
    shape = prim.shape
    x = prim.copy()
    order = sorted(zip(*np.nonzero(prim & (need > 0)), strict=True),
                   key=lambda p: (-need[p], p))
    for p in order:
        if not cover(p, shape, x, need[p], weights, up, down, tol):
            notes.append(f"Hypercube could not give cell {cell_name(p, None)} the width it "
                         "needs.")
    return x


def cover(p: tuple[int, ...], shape: tuple[int, ...], x: np.ndarray, need: float,
          weights: np.ndarray, up: np.ndarray, down: np.ndarray, tol: float) -> bool:
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


def cube_width(p: tuple[int, int], x2d: np.ndarray, up2d: np.ndarray,
               down2d: np.ndarray) -> float:
    """Widest interval any fully suppressed 2x2 cube through p gives (a lower bound).

    ``up2d`` / ``down2d`` are the cells' capacities (times x for a fractional pattern)."""
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
