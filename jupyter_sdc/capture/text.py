"""What a checked cell shows as text: renderings of tables, and numbers in printed text.

``print(t.to_latex())`` shows the table ``t``; ``print(f"Top earner: {df.income.max():,.0f}")``
shows a statistic of the data. A string or a plain number has no lineage of its own, so the
rendering is remembered for the string it returns, and a number is found by its written
forms among the numbers of the text the cell showed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

#: DataFrame / Series methods that return the table as text (a path given: a file, not shown)
RENDERINGS = ("to_string", "to_latex", "to_markdown", "to_html", "to_csv", "to_json")
#: the same for a pandas Styler (``df.style``)
STYLER_RENDERINGS = ("to_html", "to_latex", "to_string")
#: plain values kept per cell, and the characters kept of each (a loop may print many)
MAX_TEXTS = 200
MAX_TEXT_CHARS = 100_000
#: scalars looked for in the text, the latest ones (a statistic inside a loop makes many)
MAX_SCALARS = 1_000

_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*)?\.?\d+(?:[eE][-+]?\d+)?%?")
_DIGITS = range(7)


def is_number(value: Any) -> bool:
    """A numpy or Python number (not a boolean)."""
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, int | float | np.number)


def kept(value: Any) -> Any:
    """What is kept of one shown plain value (long text shortened)."""
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        return value[:MAX_TEXT_CHARS]
    return value


def numbers_in(texts: Iterable[Any]) -> dict[str, set[str]]:
    """Every number written in the shown values, as written (``143,780``, ``12.5%``), with the
    ways to read it (``1,2,3`` may be a list of numbers, or one with thousands separators)."""
    found: dict[str, set[str]] = {}
    for text in texts:
        for token in _NUMBER.findall(str(text)):
            readings = {token, token.lstrip("+")}
            if "," in token:
                readings.update(part for part in token.split(",") if part)
            found.setdefault(token, set()).update(readings)
    return found


def forms(value: Any) -> set[str]:
    """How a number is usually written: ``str``, fixed decimals with or without thousands
    separators, rounded, as a percentage, in scientific notation."""
    written = {str(value)}
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return written
    if not np.isfinite(number):
        return written
    written.add(str(number))
    for digits in _DIGITS:
        written.update({f"{number:.{digits}f}", f"{number:,.{digits}f}",
                        str(round(number, digits)), f"{number:.{digits}%}",
                        f"{number:.{digits}e}", f"{number:.{digits + 1}g}"})
    whole = math.trunc(number)
    written.update({str(whole), f"{whole:,}"})
    return written


def shown_in_text(scalars: list[Any], texts: list[Any]) -> list[Any]:
    """The scalars written in the shown text. When the text holds a number that none of them
    accounts for (a value written some other way, ``{x / 1000:.1f}k``), all of them: a value
    taken from the data must not pass unseen."""
    if not texts or not scalars:
        return []
    scalars = scalars[-MAX_SCALARS:]
    written = numbers_in(texts)
    readings = set().union(*written.values()) if written else set()
    their_forms = [forms(value) for value in scalars]
    found = [value for value, f in zip(scalars, their_forms, strict=True) if f & readings]
    accounted = set().union(*their_forms)
    if any(not (reads & accounted) for reads in written.values()):
        return scalars
    return found
