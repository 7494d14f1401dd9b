"""Evidence for correlation matrices (``DataFrame.corr``): pairwise counts and dof per cell.

Each coefficient rests on the records (or distinct units) where both variables are present
(pandas' pairwise deletion); it is judged by the threshold on that count and by the dof rule
on count − 2 (a correlation of n pairs has n − 2 residual degrees of freedom: with 3 pairs, a
coefficient and the two means come close to giving the values back).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.pandas import unit_series
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic


def pairwise_counts(data: pd.DataFrame, units: np.ndarray | None = None) -> np.ndarray:
    """Records (or distinct units) with both variables present, for every pair of columns."""
    valid = data.notna().to_numpy()
    if units is None:
        as_int = valid.astype(np.int64)
        return as_int.T @ as_int
    k = valid.shape[1]
    out = np.zeros((k, k), dtype=np.int64)
    for i in range(k):
        for j in range(i, k):
            both = valid[:, i] & valid[:, j]
            out[i, j] = out[j, i] = len(np.unique(units[both]))
    return out


def check_corr(data: pd.DataFrame, result: pd.DataFrame, *, rules: RuleValues, uid: str,
               unit: Any = None, source: dict[str, Any] | None = None, **fields: Any) -> Output:
    """The record of ``data.corr(...)`` (``result``: what pandas gave)."""
    if not isinstance(result, pd.DataFrame) or not result.index.equals(result.columns):
        raise ValueError("a correlation matrix has the same variables as rows and columns")
    missing = [c for c in result.columns if c not in data.columns]
    if missing:
        raise KeyError(f"columns {missing[:5]} of the correlation matrix are not in the data")
    unit_s = unit_series(data, unit if unit is not None else rules.unit, len(data))
    units = None
    if unit_s is not None:
        codes, _ = pd.factorize(unit_s, use_na_sentinel=True)
        if (codes < 0).any():
            raise ValueError("unit has missing values: every record needs a unit identifier")
        units = codes.astype(np.int64)
    columns = data[list(result.columns)]
    counts = pairwise_counts(columns, units)
    rows = pairwise_counts(columns)
    evidence = CellEvidence(
        statistic=[Statistic.CORRELATION] * result.shape[1], count=counts,
        dof=(rows - 2).astype(float),
        unit_label="units" if units is not None else "records",
    )
    summary = {"n": int(counts.max(initial=0)), "method": (source or {}).get("method")}
    return assess(result, evidence, rules, uid=uid, statistic=Statistic.CORRELATION,
                  summary=summary, source=source, **fields)
