"""A remedy: a plain description, the code of the next cell, the re-judged output and its loss.

``Remedy.to_dict()`` is the form saved in the record's ``remedies`` (schema:
``core/output.schema.json``, ``$defs/remedy``), so the lab shows them without a kernel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.frames import frame_to_json, grid
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.status import Status


@dataclass
class Remedy:
    """One proposed fix. ``output`` is the remedied output, judged by the same checks (kept in
    the kernel only); ``code`` is a cell that makes it, starting with its ``%%sdc_check`` line."""

    kind: str
    description: str
    code: str
    status: Status
    loss: dict[str, float]
    preview: dict[str, Any] | None = None
    output: Output | None = field(default=None, repr=False, compare=False)
    #: how to write the code again when the failing output's label changes
    render: Any = field(default=None, repr=False, compare=False)

    @property
    def score(self) -> float:
        return float(self.loss.get("score", 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "description": self.description, "code": self.code,
                "status": Status(self.status).value,
                "loss": {k: _number(v) for k, v in self.loss.items()},
                "preview": self.preview}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Remedy:
        return cls(kind=str(data.get("kind", "")), description=str(data.get("description", "")),
                   code=str(data.get("code", "")), status=Status(data.get("status", "review")),
                   loss={k: float(v) for k, v in (data.get("loss") or {}).items()},
                   preview=data.get("preview"))

    def __repr__(self) -> str:
        return f"<Remedy {self.kind} ({self.status.value}, loss {self.score:.3g}): " \
               f"{self.description}>"

    def _repr_markdown_(self) -> str:
        return f"**{self.description}** ({self.status.value}, loss {self.score:.3g})\n\n" \
               f"```python\n{self.code}\n```"


def _number(value: Any) -> float | int:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return round(float(value), 6)


def preview(original: Output, remedied: Output) -> dict[str, Any]:
    """The remedied table, its counts and which of its cells are not in the original as they
    were (a new label, another value, or suppressed)."""
    table = remedied.table
    changed = np.zeros(table.shape, dtype=bool)
    old = original.table
    for i, row in enumerate(table.index):
        for j, col in enumerate(table.columns):
            try:
                before = old.loc[row, col]
            except (KeyError, TypeError, ValueError):
                changed[i, j] = True
                continue
            if isinstance(before, pd.Series | pd.DataFrame):
                changed[i, j] = True
                continue
            changed[i, j] = not _same(before, table.iat[i, j])
    if "suppressed" in remedied.flags:
        changed |= remedied.flags["suppressed"].to_numpy(dtype=bool)
    return {"table": frame_to_json(table), "counts": grid(remedied.counts),
            "changed": changed.tolist(), "reasons": list(remedied.reasons)}


def _same(a: Any, b: Any) -> bool:
    try:
        if pd.isna(a) and pd.isna(b):
            return True
    except (TypeError, ValueError):
        pass
    try:
        return bool(np.isclose(float(a), float(b), rtol=1e-9, atol=0))
    except (TypeError, ValueError):
        return a == b
