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


def format_value(value: Any) -> str:
    """A table value as short text: integers with thousands separators, 4 significant digits."""
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "\u2014"
        if value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 1000:
            return f"{value:,.1f}"
        return f"{value:.4g}"
    return str(value)


def format_count(count: Any) -> str:
    """An unweighted count; unknown counts say so rather than look like zero."""
    if count is None or (isinstance(count, float) and count != count):
        return "?"
    try:
        return f"{int(count):,}"
    except (TypeError, ValueError):
        return str(count)
