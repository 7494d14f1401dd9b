"""Typed statuses for checks and outputs."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum


class Status(str, Enum):
    """Verdict of one check or of a whole output. Compares equal to its string value."""

    PASS = "pass"
    REVIEW = "review"
    FAIL = "fail"

    def __str__(self) -> str:
        return self.value

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Status.PASS: 0, Status.REVIEW: 1, Status.FAIL: 2}


def worst(statuses: Iterable[Status | str]) -> Status:
    """Any fail -> fail; else any review -> review; else pass (an empty set passes)."""
    result = Status.PASS
    for status in statuses:
        status = Status(status)
        if status.severity > result.severity:
            result = status
    return result
