"""Colours, words and small helpers shared by the badge and the panel.

Colours are explicit (never inherited) so the badge reads the same in light and dark themes,
classic Notebook, VS Code and nbconvert's HTML. Status is never shown by colour alone: each
status also has a word and a symbol.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_sdc.core.rule_table import STATUS_LOOKS
from jupyter_sdc.core.status import Status

# status -> (symbol, word, text colour, background, border); symbol and word from the rule table
_COLOURS: dict[Status, tuple[str, str, str]] = {
    Status.PASS: ("#ffffff", "#1a7f37", "#1a7f37"),
    Status.REVIEW: ("#3b2300", "#f2c744", "#bf8700"),
    Status.FAIL: ("#ffffff", "#b42318", "#b42318"),
}
STATUS_LOOK: dict[Status, tuple[str, str, str, str, str]] = {
    status: (STATUS_LOOKS[status].symbol, STATUS_LOOKS[status].word, *colours)
    for status, colours in _COLOURS.items()
}

# Highlight of one table cell: (background, border)
CELL_FAIL = ("#fde2e1", "#d1242f")
CELL_REVIEW = ("#fff4cc", "#bf8700")
CELL_SECONDARY = ("#eef1f4", "#8c959f")

TEXT = "#1f2328"
MUTED = "#59636e"
PANEL_BG = "#ffffff"
LINE = "#d0d7de"


def status_of(record: Mapping[str, Any]) -> Status:
    """The record's status; anything unreadable is ``review`` (fail closed, never ``pass``)."""
    try:
        return Status(record.get("status"))
    except ValueError:
        return Status.REVIEW


def as_record(record: Any) -> Mapping[str, Any]:
    """Accept a record dict or anything with ``to_dict()`` (an ``Output``)."""
    if isinstance(record, Mapping):
        return record
    to_dict = getattr(record, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(
        f"record must be an Output or its dict form (Output.to_dict()), not {type(record).__name__}"
    )


def display_name(value: Any, rename: Mapping[str, Any] | None) -> str:
    """The researcher's meaningful name for a variable or label, else its own text."""
    text = "" if value is None else str(value)
    if rename and text in rename:
        return str(rename[text])
    return text
