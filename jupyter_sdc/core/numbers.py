"""Numbers as people read them: one formatter for the badge, the panel and the documents.

``format_value(v)`` keeps four significant digits (the badge and panel); ``format_value(v,
decimals)`` gives fixed decimals (the documents, where a column lines up). Both separate
thousands and never print float noise.
"""

from __future__ import annotations

import math
from typing import Any

NO_VALUE = "\u2014"


def format_value(value: Any, decimals: int | None = None, *, missing: str = NO_VALUE) -> str:
    """A table value as short text; ``missing`` for no value (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if decimals is not None:
        if isinstance(value, int) or decimals == 0:
            return f"{round(value):,}"
        if value != 0 and abs(value) < 10 ** -decimals:
            return f"{value:.2e}"
        return f"{value:,.{decimals}f}"
    if isinstance(value, int):
        return f"{value:,}"
    if math.isinf(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.4g}"


def format_count(count: Any) -> str:
    """An unweighted count; unknown counts say so rather than look like zero."""
    if count is None or (isinstance(count, float) and count != count):
        return "?"
    try:
        return f"{int(count):,}"
    except (TypeError, ValueError):
        return str(count)
