"""The remedies section of the badge: each remedy's description, status and loss, its code, and
the original and remedied tables side by side with the changed cells marked.

HTML only (no script), so it reads the same in classic Notebook, VS Code and nbconvert; there
the code is copied into a new cell (or inserted with ``sdc.apply_remedy``). In JupyterLab and
Notebook 7 the lab extension renders the record itself, with an Apply button.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from jupyter_sdc.core.numbers import format_value
from jupyter_sdc.core.status import Status
from jupyter_sdc.views.look import LINE, MUTED, STATUS_LOOK, TEXT

#: rows and columns of a preview table shown in the badge
PREVIEW_ROWS, PREVIEW_COLUMNS = 25, 10
_SMALL = f"color:{MUTED};font-size:12px;"
_CHANGED = "background:#fff4cc;outline:2px solid #bf8700;"
_CELL = f"border:1px solid {LINE};padding:1px 6px;text-align:right;"
_HEAD = f"border:1px solid {LINE};padding:1px 6px;background:#f6f8fa;text-align:left;"
#: loss figures worth a word, in the order shown
_LOSS_WORDS = {
    "categories_merged": "categories merged",
    "records_moved": "records moved",
    "cells_suppressed": "cells suppressed",
    "suppressed_share": "share suppressed",
    "records_coded": "records top/bottom-coded",
    "bins_merged": "bins merged",
    "rounding_error": "rounding error",
    "relative_change": "change of the value",
}


def loss_text(loss: Mapping[str, Any]) -> str:
    """``"1 categories merged · 6 records moved · loss 0.017"``."""
    parts = []
    for key, words in _LOSS_WORDS.items():
        value = loss.get(key)
        if value is None or value == 0:
            continue
        shown = f"{float(value):.1%}" if key in ("suppressed_share", "rounding_error",
                                                 "relative_change") else format_value(value)
        parts.append(f"{shown} {words}")
    parts.append(f"loss {float(loss.get('score', 0)):.3g}")
    return " · ".join(parts)


def _label(labels: Sequence[Any]) -> str:
    return " / ".join("" if v is None else str(v) for v in labels)


def preview_table(table: Mapping[str, Any], counts: Any = None, changed: Any = None,
                  caption: str = "") -> str:
    """A small HTML table from a record's table JSON, counts beside values, changes marked."""
    rows = table.get("index") or []
    columns = table.get("columns") or []
    data = table.get("data") or []
    head = "".join(f'<th style="{_HEAD}">{escape(_label(c))}</th>'
                   for c in columns[:PREVIEW_COLUMNS])
    body = []
    for r, labels in enumerate(rows[:PREVIEW_ROWS]):
        cells = []
        for c in range(min(len(columns), PREVIEW_COLUMNS)):
            value = data[r][c] if r < len(data) and c < len(data[r]) else None
            count = counts[r][c] if counts and r < len(counts) and c < len(counts[r]) else None
            mark = changed and r < len(changed) and c < len(changed[r]) and changed[r][c]
            text = "\u2014" if value is None else escape(format_value(value))
            n = f' <span style="{_SMALL}">(n={escape(format_value(count))})</span>' \
                if count is not None else ""
            title = ' title="changed"' if mark else ""
            cells.append(f'<td style="{_CELL}{_CHANGED if mark else ""}"{title}>{text}{n}</td>')
        body.append(f'<tr><th style="{_HEAD}">{escape(_label(labels))}</th>{"".join(cells)}</tr>')
    more = "" if len(rows) <= PREVIEW_ROWS and len(columns) <= PREVIEW_COLUMNS else \
        f'<div style="{_SMALL}">Showing part of the table.</div>'
    return (f'<div style="display:inline-block;vertical-align:top;margin:4px 12px 4px 0;">'
            f'<div style="{_SMALL}font-weight:600;">{escape(caption)}</div>'
            f'<table style="border-collapse:collapse;font-size:12px;color:{TEXT};">'
            f'<tr><th style="{_HEAD}"></th>{head}</tr>{"".join(body)}</table>{more}</div>')


def _one(record: Mapping[str, Any], remedy: Mapping[str, Any], index: int) -> str:
    try:
        status = Status(remedy.get("status"))
    except ValueError:
        status = Status.REVIEW
    symbol, word, fg, bg, border = STATUS_LOOK[status]
    pill = (f'<span style="padding:0 6px;border-radius:8px;font-size:11px;font-weight:700;'
            f'color:{fg};background:{bg};border:1px solid {border};">{symbol} {word}</span>')
    preview = remedy.get("preview") or {}
    tables = ""
    if preview.get("table"):
        tables = (preview_table(record.get("table") or {}, record.get("counts"), None,
                                "Original")
                  + preview_table(preview["table"], preview.get("counts"),
                                  preview.get("changed"), "With this remedy (changes marked)"))
    name = record.get("label") or record.get("uid")
    return (f'<details style="margin:2px 0;"><summary style="cursor:pointer;">{pill} '
            f'{escape(str(remedy.get("description", "")))} '
            f'<span style="{_SMALL}">{escape(loss_text(remedy.get("loss") or {}))}</span>'
            f'</summary><div style="margin:4px 0 4px 16px;">{tables}'
            f'<div style="{_SMALL}">Run this as a new cell below (or '
            f'<code>sdc.apply_remedy({escape(repr(name))}, {index})</code>):</div>'
            f'<pre style="background:#f6f8fa;border:1px solid {LINE};padding:4px 8px;'
            f'white-space:pre-wrap;font-size:12px;margin:2px 0;">'
            f'{escape(str(remedy.get("code", "")))}</pre></div></details>')


def remedies_html(record: Mapping[str, Any]) -> str:
    """The remedies section, or "" when the record has none."""
    found = [r for r in record.get("remedies") or [] if isinstance(r, Mapping)]
    if not found:
        return ""
    noun = "remedy" if len(found) == 1 else "remedies"
    items = "".join(_one(record, r, i) for i, r in enumerate(found))
    return (f'<div style="margin:4px 0;padding:4px 8px;border:1px solid {LINE};'
            f'border-radius:4px;"><strong>{len(found)} {noun}</strong> '
            f'<span style="{_SMALL}">each already checked; open one to see its table and '
            f'code</span>{items}</div>')
