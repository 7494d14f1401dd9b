"""Outputs a remedy replaced: ``superseded_by`` names another output of the same export.

They are not in the request (no number, no label clash with the remedy that keeps their
label), are listed as left out with why, and still count for differencing, which runs
before the selection."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def superseded(records: Iterable[Mapping]) -> dict[str, str]:
    """uid → why, for each record superseded by another record of ``records``."""
    records = [r for r in records if isinstance(r, Mapping)]
    by_uid = {r.get("uid"): r for r in records}
    found = {}
    for record in records:
        new = by_uid.get(record.get("superseded_by") or "")
        if new is not None and new is not record:
            found[str(record.get("uid"))] = (
                f"superseded by {new.get('label') or new.get('uid')} (a remedy applied)")
    return found


def in_request(record: Mapping, replaced: Mapping[str, str]) -> bool:
    """Whether ``record`` is one the request numbers and may publish."""
    return record.get("include", True) is not False and str(record.get("uid")) not in replaced
