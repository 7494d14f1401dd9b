"""From a result and its evidence to an ``Output``: judge, mitigate, lay out as DataFrames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core import mitigation
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.judge import judge
from jupyter_sdc.core.record import Evidence, Output
from jupyter_sdc.core.rules import RuleValues

EMPTY = ("The result is empty: there is nothing to check; say why it is part of the release "
         "or leave it out.")


def assess(
    table: pd.DataFrame,
    evidence: CellEvidence,
    rules: RuleValues,
    *,
    uid: str,
    kind: str = "table",
    statistic: str | None = None,
    suppress: bool = False,
    round_base: int | None = None,
    summary: dict[str, Any] | None = None,
    source: dict[str, Any] | None = None,
    review: list[str] | None = None,
    **fields: Any,
) -> Output:
    """Judge ``table`` on ``evidence`` under ``rules``; the record holds the mitigated table.

    ``review`` lists reasons why the check is incomplete; each makes the output ``review``.
    """
    if evidence.shape != table.shape:
        raise ValueError(f"evidence shape {evidence.shape} does not match table {table.shape}")
    if table.size == 0:  # nothing to judge is not a pass
        evidence.review.append(EMPTY)
    evidence.review.extend(review or [])
    judgement = judge(evidence, rules)
    done = mitigation.apply(table, evidence, judgement, suppress=suppress, round_base=round_base,
                            protection=rules.threshold)
    secondary = done.info.pop("secondary", None)
    mitigation.mitigated_checks(judgement, done.suppressed, bool(round_base),
                                protected=done.info.get("protected", True))

    def frame(grid: np.ndarray, dtype: Any = None) -> pd.DataFrame:
        return pd.DataFrame(grid, index=table.index, columns=table.columns, dtype=dtype)

    flags = {rule: frame(flag, bool) for rule, flag in judgement.flags.items()}
    if done.suppressed.any():
        flags["suppressed"] = frame(done.suppressed, bool)
    if secondary is not None:
        flags["secondary"] = frame(secondary, bool)
    stats = set(np.unique(evidence.statistic_grid))
    info = dict(summary or {})
    info.setdefault("unit", rules.unit)
    return Output(
        uid=uid,
        kind=kind,
        statistic=statistic or (stats.pop() if len(stats) == 1 else "mixed"),
        table=done.table,
        counts=frame(evidence.count.astype(np.int64)),
        flags=flags,
        checks=judgement.checks,
        reasons=judgement.reasons + done.notes,
        rules=rules.to_dict(),
        mitigation=done.info,
        summary=info,
        source=dict(source or {}),
        evidence=Evidence.of(evidence, table),
        **fields,
    )
