"""Hand-written records made real: the evidence a jupyter_sdc check would have saved.

Tests write small records by hand (a table, its counts, the flags they mean to show). The
export judges every record again from its evidence, so ``with_evidence`` adds evidence that
gives exactly those flags (dominance shares where nk or p% is flagged, the residual dof of a
model, review reasons), judges the record with jupyter_sdc's own judge and checks that the
verdict is the one the test meant: a hand-written record that does not add up fails here.
"""

from __future__ import annotations

import copy
from typing import Any

from jupyter_sdc.core.record import SCHEMA_VERSION, Output
from jupyter_sdc.core.rejudge import MARKS, rejudge
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import worst

_MAGNITUDE = {"sum", "mean", "median", "quantile", "std", "var"}


def with_evidence(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` (schema of this package) with the evidence that gives its flags."""
    out = copy.deepcopy(record)
    if out.get("schema_version") != 1:  # a test of another version keeps its own
        return out
    out["schema_version"] = SCHEMA_VERSION
    counts, data = out.get("counts"), (out.get("table") or {}).get("data")
    rows, cols = len(counts or []), len(counts[0]) if counts else 0
    if counts is None or data is None or (rows, cols) != (len(data), len(data[0]) if data
                                                          else 0):
        out["evidence"] = None  # a test of a record without (aligned) counts
        return out
    flags = out.get("flags") or {}

    def grid(value: Any) -> list[list[Any]]:
        return [[value] * cols for _ in range(rows)]

    def flagged(rule: str, yes: Any, no: Any) -> list[list[Any]]:
        given = flags.get(rule) or [[False] * cols for _ in range(rows)]
        return [[yes if cell else no for cell in row] for row in given]

    grids: dict[str, Any] = {"statistic": grid(out.get("statistic") or "custom")}
    if out.get("statistic") in _MAGNITUDE:
        grids["negative"] = grid(0)
        grids["missing"] = grid(0)
        share = flagged("nk", 1.0, 0.5)
        grids["share_1"] = share
        grids["share_2"] = share
        grids["p_ratio"] = flagged("p_percent", 0.0, 1.0)
    summary = out.get("summary") or {}
    if out.get("kind") == "model" and summary.get("df_resid") is not None:
        grids["dof"] = grid(float(summary["df_resid"]))
    review = []
    if out.get("status") == "review":
        review = list(out.get("reasons") or []) or ["A checker must review it (a test)."]
    out["evidence"] = {"unit": "records", "notes": [], "review": review, "grids": grids}
    judged = rejudge(Output.from_dict(out), RuleValues.from_dict(out.get("rules") or {}))
    out["checks"] = {rule: status.value for rule, status in judged.checks.items()}
    marks = {rule: grid for rule, grid in flags.items() if rule in MARKS}
    out["flags"] = {rule: flag.tolist() for rule, flag in judged.flags.items()} | marks
    out["status"] = worst(judged.checks.values()).value
    if record.get("status") is not None:
        assert out["status"] == record["status"], (
            f"record {record.get('uid')}: meant {record['status']}, judged {out['status']}")
    return out
