"""Timings for secondary suppression, the attacker's audit and differencing (issue 6).

``run()`` returns rows {"case", "seconds", "target_seconds", ...}; ``information_loss()``
compares the cells the optimal MILP and the hypercube heuristic suppress. Run this file to
print both.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from jupyter_sdc.core.audit import audit
from jupyter_sdc.core.differencing import check_differencing, dataset_key, fingerprint
from jupyter_sdc.core.secondary import protect

THRESHOLD = 10


def random_table(seed: int, shape: tuple[int, int], low: float, high: float) -> np.ndarray:
    """Counts whose cell means vary between low and high: small cells scattered at random."""
    rng = np.random.default_rng(seed)
    return rng.poisson(rng.uniform(low, high, size=shape))


def _timed(func):
    start = time.perf_counter()
    out = func()
    return out, time.perf_counter() - start


def _session(n_outputs: int = 200, n_rows: int = 50_000):
    """Outputs of a session: tables over a few datasets, filters and re-banded hours."""
    rng = np.random.default_rng(0)
    frames = []
    for d in range(3):
        frames.append(pd.DataFrame({
            "sex": rng.choice(["F", "M"], n_rows),
            "region": rng.choice([f"R{k}" for k in range(8)], n_rows),
            "age": rng.integers(16, 90, n_rows),
            "hours": rng.integers(0, 80, n_rows),
            "ill": rng.choice(["yes", "no"], n_rows, p=[0.1, 0.9]),
        }, index=pd.RangeIndex(d * n_rows, (d + 1) * n_rows)))
    edge_sets = [[0, 20, 40, 60, 80], [0, 25, 40, 60, 80], [0, 30, 50, 80]]
    items = []
    for i in range(n_outputs):
        frame = frames[i % 3]
        key = dataset_key(frame)
        subset = [frame, frame[frame["sex"] == "M"], frame[frame["region"] == "R1"],
                  frame[frame["age"] > 60],
                  frame[frame.index % 1000 != 7]][(i // 3) % 5]  # last: all but 50 people
        if i % 5 == 4:
            edges = edge_sets[(i // 5) % 3]
            banded = pd.cut(subset["hours"], edges, right=False)
            counts = pd.crosstab(banded, subset["ill"]).rename_axis(index="hours")
            group = ("hours", "ill")
        else:
            group = [("region", "ill"), ("sex", "ill"), ("region", "sex")][(i // 12) % 3]
            counts = pd.crosstab(subset[group[0]], subset[group[1]])
        items.append((f"out-{i}", subset.index, key, group, counts, f"Table {i + 1}"))
    return items


def run() -> list[dict]:
    rows = []
    cases = [
        ("secondary suppression 50x50, ~2% primaries (auto)", (0, (50, 50), 8, 120), "auto"),
        ("secondary suppression 50x50, ~13% primaries (auto)", (0, (50, 50), 3, 60), "auto"),
        ("secondary suppression 50x50, ~2% primaries (hypercube)", (0, (50, 50), 8, 120),
         "hypercube"),
    ]
    for name, spec, method in cases:
        values = random_table(*spec)
        primary = values < THRESHOLD
        result, seconds = _timed(lambda v=values, p=primary, m=method: protect(
            v, p, protection=THRESHOLD, method=m))
        rows.append({"case": name, "seconds": round(seconds, 3), "target_seconds": 2.0,
                     "method": result.method, "optimal": result.optimal,
                     "primary_cells": int(primary.sum()), "secondary_cells": int(result.cost),
                     "protected": result.audit.protected})
    values = random_table(0, (50, 50), 8, 120)
    suppressed = protect(values, values < THRESHOLD, protection=THRESHOLD).suppressed
    _, seconds = _timed(lambda: audit(values, suppressed, protection=THRESHOLD))
    rows.append({"case": f"audit 50x50 ({int(suppressed.sum())} suppressed cells)",
                 "seconds": round(seconds, 3), "target_seconds": None})
    outputs = _session()
    items, seconds = _timed(lambda: [(uid, fingerprint(index, key, group, counts, label=label))
                                     for uid, index, key, group, counts, label in outputs])
    rows.append({"case": "fingerprint 200 outputs (50k-row frames)",
                 "seconds": round(seconds, 3), "target_seconds": None})
    findings, seconds = _timed(lambda: check_differencing(items, threshold=THRESHOLD))
    rows.append({"case": "differencing over 200 outputs", "seconds": round(seconds, 3),
                 "target_seconds": 1.0, "findings": len(findings)})
    return rows


def information_loss() -> list[dict]:
    """Secondary cells chosen by the optimal MILP and by the hypercube on a few tables."""
    heart = np.array([[1, 0], [10, 90], [15, 75], [25, 60]])
    heart_primary = np.zeros(heart.shape, bool)
    heart_primary[0, 0] = True
    tables = [("age band x heart disease (21-30 primary)", heart, heart_primary, None)]
    for seed, shape, low, high in [(1, (10, 10), 8, 120), (2, (20, 20), 8, 120),
                                   (3, (30, 30), 8, 120), (0, (30, 30), 3, 60),
                                   (0, (50, 50), 8, 120), (1, (50, 50), 8, 120)]:
        values = random_table(seed, shape, low, high)
        name = f"{shape[0]}x{shape[1]} random counts (seed {seed}, cell means {low}-{high})"
        tables.append((name, values, values < THRESHOLD, THRESHOLD))
    rows = []
    for name, values, primary, protection in tables:
        best = protect(values, primary, protection=protection, method="milp", time_limit=30)
        cube = protect(values, primary, protection=protection, method="hypercube")
        rows.append({"table": name, "primary": int(primary.sum()),
                     "milp_cells": int(best.cost), "milp_optimal": best.optimal,
                     "hypercube_cells": int(cube.cost),
                     "both_protected": best.audit.protected and cube.audit.protected})
    return rows


def main() -> None:
    for row in run():
        target = row["target_seconds"]
        verdict = "" if target is None else ("ok" if row["seconds"] <= target else "SLOW")
        extra = {k: v for k, v in row.items() if k not in ("case", "seconds", "target_seconds")}
        print(f"{row['case']:<58} {row['seconds']:>7.3f} s  target {target} {verdict} {extra}")
    print()
    print(f"{'table':<58} {'primary':>7} {'milp':>5} {'hypercube':>9}")
    for row in information_loss():
        print(f"{row['table']:<58} {row['primary']:>7} {row['milp_cells']:>5} "
              f"{row['hypercube_cells']:>9}  optimal={row['milp_optimal']} "
              f"protected={row['both_protected']}")


if __name__ == "__main__":
    main()
