"""The largest contributions per group on many records, where ``group_stats`` first looks
among likely candidates (a sample's bounds, one threshold for all groups when it is
selective): the same top two, and the same count at the maximum, as sorting every group."""

from __future__ import annotations

import numpy as np
import pytest

from jupyter_sdc.core.evidence import group_stats


def _sorted_top(groups: np.ndarray, values: np.ndarray, n: int, k: int):
    top = np.zeros((n, k))
    at_max = np.zeros(n, dtype=np.int64)
    for g in range(n):
        mine = np.sort(values[groups == g])[::-1]
        top[g, : min(k, len(mine))] = mine[:k]
        at_max[g] = int((mine == mine[0]).sum()) if len(mine) else 0
    return top, at_max


def _layout(kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    records = 300_000  # above the size where candidates are looked for first
    if kind == "few groups":
        n = 6
        groups = rng.integers(0, n, records)
    elif kind == "many groups":
        n = 900
        groups = rng.integers(0, n, records)
    else:  # groups of very different sizes and scales: one threshold would keep too much
        n = 40
        groups = np.minimum(rng.geometric(0.12, records) - 1, n - 1)
    values = rng.lognormal(5, 1.5, records) * (1 + groups % 7) ** 3
    if kind == "uneven groups":  # and a group of three records, left out of the sample
        groups[groups == n - 1] = n - 2
        groups[[1, 18, 35]] = n - 1
        values[[1, 18, 35]] = [2.0, 2.0, 1.0]
    values[10:14] = values.max() * 2  # ties at the top of some groups
    values[20:40] = -rng.lognormal(3, 1, 20)
    return groups.astype(np.int64), values, n


@pytest.mark.parametrize("kind", ["few groups", "many groups", "uneven groups"])
@pytest.mark.parametrize("top_k", [2, 3])
def test_the_top_contributions_of_many_records_are_exact(kind, top_k):
    groups, values, n = _layout(kind, np.random.default_rng(11))
    stats = group_stats(groups, n, values, top_k=top_k)
    keep = groups >= 0
    want_top, want_at_max = _sorted_top(groups[keep], values[keep], n, top_k)
    np.testing.assert_array_equal(stats.top, want_top)
    np.testing.assert_array_equal(stats.at_max, want_at_max)
