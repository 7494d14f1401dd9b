"""One side of a tabulation (its row keys or its column keys) as one id per record.

An ``Axis`` factorises its keys once (or takes the codes a ``groupby`` already made,
``KeyCodes``) and combines them into an id per record; it locates a result's labels among
its ids and hashes each key combination (for differencing fingerprints). ``adapters.grid``
lays evidence out over a row axis and a column axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

_DENSE_LIMIT = 5_000_000


def mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits of 64-bit integers (wraps around on purpose)."""
    h = h.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def _factorize(key: pd.Series) -> tuple[np.ndarray, pd.Index]:
    if isinstance(key.dtype, pd.CategoricalDtype):
        # the codes in their own small dtype: Axis widens them as it combines them
        return key.cat.codes.to_numpy(), pd.Index(key.cat.categories)
    codes, uniques = pd.factorize(key, use_na_sentinel=True)
    codes = codes.astype(np.int64, copy=False)
    return codes if codes.flags.writeable else codes.copy(), pd.Index(uniques)


@dataclass(frozen=True)
class KeyCodes:
    """Keys a ``groupby`` already factorised (it did so to compute its result): per key,
    codes (-1: missing) and labels; and, where pandas also combined them, each record's group
    (``ids``, -1: a key missing) and the groups' labels (``groups``, a MultiIndex over those
    labels), so that the checks need not combine the codes again."""

    per_key: list[tuple[np.ndarray, pd.Index]]
    ids: np.ndarray | None = None
    groups: pd.Index | None = None
    #: no record left out for a missing key (None: not known, look at the ids)
    complete: bool | None = None

    def combined(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(ids, each group's dense id over the keys' labels), or None where the groups are
        not plainly the keys' combinations (one key, other labels, a group with a missing key)."""
        groups = self.groups
        if self.ids is None or not isinstance(groups, pd.MultiIndex) or \
                groups.nlevels != len(self.per_key) or len(self.per_key) < 2:
            return None
        dense = np.zeros(len(groups), dtype=np.int64)
        stride = 1
        for level in reversed(range(groups.nlevels)):
            uniques = self.per_key[level][1]
            codes = np.asarray(groups.codes[level], dtype=np.int64)
            if not groups.levels[level].equals(uniques) or (len(codes) and codes.min() < 0):
                return None
            dense += codes * stride
            stride *= max(len(uniques), 1)
        return np.asarray(self.ids, dtype=np.int64), dense


class Axis:
    """One side of the table (the row keys or the column keys), as one id per record."""

    def __init__(self, keys: list[pd.Series], n_records: int,
                 factorized: KeyCodes | None = None) -> None:
        self.names = [k.name for k in keys]
        combined = factorized.combined() if factorized is not None else None
        if combined is not None:
            self._from_groups(factorized, *combined)
            return
        made = list(reversed(factorized.per_key)) if factorized is not None else None
        self.uniques: list[pd.Index] = []
        ids = np.zeros(n_records, dtype=np.int64) if not keys else None
        missing = None  # records with a missing key (None: there are none)
        self.strides: list[int] = []
        size = 1
        for i, key in enumerate(reversed(keys)):
            codes, uniques = made[i] if made is not None else _factorize(key)
            owned = made is None and not isinstance(key.dtype, pd.CategoricalDtype)
            self.uniques.insert(0, uniques)
            self.strides.insert(0, size)
            if len(codes) and codes.min() < 0:
                missing = codes < 0 if missing is None else missing | (codes < 0)
            if ids is None:
                # updated in place below: never codes pandas keeps (a categorical's, a groupby's)
                ids = codes.astype(np.int64, copy=not owned)
            else:
                ids += np.multiply(codes, size, dtype=np.int64)
            size *= max(len(uniques), 1)
        if missing is not None:
            ids[missing] = -1
        #: whether every record has all its keys (then no id is -1)
        self.complete = missing is None
        self.lookup: pd.Index | None = None
        if size > _DENSE_LIMIT:
            compact, uniques = pd.factorize(ids)
            self.lookup = pd.Index(uniques)
            ids = compact.astype(np.int64)
            size = len(uniques)
        self.ids = ids
        self.size = max(size, 1)

    def _from_groups(self, codes: KeyCodes, ids: np.ndarray, dense: np.ndarray) -> None:
        """The axis of groups pandas made: their ids as they are, looked up by dense id."""
        self.uniques = [uniques for _, uniques in codes.per_key]
        self.strides = []
        size = 1
        for uniques in reversed(self.uniques):
            self.strides.insert(0, size)
            size *= max(len(uniques), 1)
        self.complete = codes.complete if codes.complete is not None else \
            not (len(ids) and ids.min() < 0)
        self.lookup = pd.Index(dense)
        self.ids = ids
        self.size = max(len(dense), 1)

    def combo_hashes(self) -> np.ndarray:
        """A hash per key combination, from the key values (stable across outputs).

        Banded keys (intervals, e.g. from ``pd.cut``) are left out: the same records banded
        with other edges must still be recognised as the same records."""
        dense = np.arange(self.size, dtype=np.int64)
        if self.lookup is not None:
            dense = self.lookup.to_numpy().astype(np.int64)
        out = np.zeros(len(dense), dtype=np.uint64)
        for level, (uniques, stride) in enumerate(zip(self.uniques, self.strides, strict=True)):
            if len(uniques) == 0 or isinstance(uniques, pd.IntervalIndex):
                continue
            values = pd.util.hash_pandas_object(pd.Series(uniques.astype(object)), index=False)
            codes = (dense // stride) % len(uniques)
            out = mix(out ^ (values.to_numpy()[codes] + np.uint64(level + 1)))
        return out

    def locate(self, labels: pd.Index, margins_name: str | None) -> tuple[np.ndarray, np.ndarray]:
        """Group position of each label (-1: no records) and whether it is a margin."""
        n = len(labels)
        if not self.names:
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        dense = np.zeros(n, dtype=np.int64)
        missing = np.zeros(n, dtype=bool)
        for level, (uniques, stride) in enumerate(zip(self.uniques, self.strides, strict=True)):
            values = labels.get_level_values(level) if labels.nlevels > 1 else labels
            codes = uniques.get_indexer(values)
            missing |= codes < 0
            dense += np.maximum(codes, 0) * stride
        margin = np.zeros(n, dtype=bool)
        if margins_name is not None:
            first = labels.get_level_values(0) if labels.nlevels > 1 else labels
            margin = missing & (first.astype(object) == margins_name)
        if self.lookup is not None:
            dense = self.lookup.get_indexer(dense)
        position = np.where(missing, -1, dense)
        return position, margin
