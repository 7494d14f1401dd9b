"""Numbering outputs: "Table 1", "Figure 1", "Model 1", in record order.

A label the researcher gave ("Table 3", "Figure A2") is kept; the others take the next free
number of their kind, so the two never collide. A repeated label (two notebooks that both
have a "Table 1") is renumbered rather than printed twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

LABEL_PATTERN = re.compile(r"^(Table|Figure|Model)\s+([A-Za-z]?\d+[A-Za-z]?)$")
_SHORT_ID = re.compile(r"^[A-Za-z]?\d+[A-Za-z]?$")  # "3", "A2", "4b": a number without its noun
_NOUN_BY_KIND = {"table": "Table", "figure": "Figure", "model": "Model", "custom": "Table"}


def noun_for(record: Mapping) -> str:
    """The label noun for a record's kind ("custom" outputs are tables)."""
    return _NOUN_BY_KIND.get(str(record.get("kind") or "table"), "Table")


def assign_labels(records: Iterable[Mapping]) -> list[str]:
    """One label per record, in order: kept where given and unique, numbered otherwise."""
    records = list(records)
    wanted: list[str | None] = []
    for record in records:
        given = str(record.get("label") or "").strip()
        if _SHORT_ID.match(given):
            given = f"{noun_for(record)} {given}"
        wanted.append(given if LABEL_PATTERN.match(given) else None)
    taken = {label for label in wanted if label}
    seen: set[str] = set()
    next_number: dict[str, int] = {}
    labels = []
    for record, kept in zip(records, wanted, strict=True):
        if kept and kept not in seen:
            seen.add(kept)
            labels.append(kept)
            continue
        noun = noun_for(record)
        number = next_number.get(noun, 1)
        while f"{noun} {number}" in taken or f"{noun} {number}" in seen:
            number += 1
        next_number[noun] = number + 1
        label = f"{noun} {number}"
        seen.add(label)
        labels.append(label)
    return labels
