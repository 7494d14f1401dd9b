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
84:283-312; 2001, Management Science 47:1008-1027) with sliding protection, solved by cut
generation with ``scipy.optimize.milp`` (HiGHS); see :mod:`jupyter_sdc.core.suppression_milp`.
``optimal`` is True when the solver proved the fewest cells (or, for integer values, the
smallest total). ``"hypercube"``: Repsilber's heuristic as in tau-ARGUS
(:mod:`jupyter_sdc.core.hypercube`). ``"auto"``: MILP within ``time_limit`` seconds; if it does
not finish, its pattern completed with hypercubes or, failing that, the hypercube pattern
(said in ``notes``).

Afterwards secondary cells the attacker can recover exactly are published again (the feasible
region does not change, so no interval changes) and the pattern is audited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import suppression_milp
from .audit import (
    AuditResult,
    _as_mask,
    _as_table,
    audit,
    cell_name,
    extremes,
    integral,
    line_matrix,
    protection_levels,
    room,
    verdict,
)
from .hypercube import cover, hypercube

_METHODS = ("auto", "milp", "hypercube")
_COSTS = ("cells", "value")


@dataclass(frozen=True)
class SuppressionResult:
    primary: np.ndarray  # bool, shape of the interior table
    secondary: np.ndarray  # bool, complementary cells chosen
    method: str  # "milp" | "hypercube" | "none"
    optimal: bool  # proved optimal by the solver
    cost: float  # information loss: secondary cells, or their total value (per `cost`)
    notes: list[str]  # e.g. "MILP hit the time limit ...; hypercube fallback used"
    audit: AuditResult  # the attacker's audit of primary | secondary

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

        def repair(x, violated):
            done = x.reshape(shape).copy()
            for p in violated:
                pos = np.unravel_index(p, shape)
                if not cover(pos, shape, done, need.reshape(shape)[pos], weights.reshape(shape),
                              up.reshape(shape), down.reshape(shape), tol):
                    return None
            return done.ravel()

        x, optimal, milp_notes = suppression_milp.solve(
            prim.ravel(), need, weights, up, down, lines, flat, time.monotonic() + time_limit,
            tol, flow_2d, repair)
        notes += milp_notes
        used = "milp"
    if x is None or not optimal:
        cube_notes: list[str] = []
        cubes = hypercube(prim, need.reshape(shape), weights.reshape(shape), up.reshape(shape),
                          down.reshape(shape), tol, cube_notes).ravel()
        if x is None or weights @ cubes < weights @ x:
            if x is not None:
                notes.append("The plain hypercube pattern was cheaper and is used instead.")
            x, used, optimal = cubes, "hypercube", False
            notes += cube_notes
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
    # "not exactly recoverable" needs a width the solver can see: 1 for counts, else a small
    # share of the largest value (a width of a few tolerances makes cuts the MILP ignores)
    floor = 1.0 if integral(vals) else max(2 * tol, 1e-4 * max(1.0, float(np.abs(vals).max())))
    need = np.where(prim, np.maximum(prot, floor), 0.0)
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
