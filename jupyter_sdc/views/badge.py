"""The compact badge shown under each checked cell (``text/html`` and ``text/plain``).

Inline styles only, no script and no external CSS, so it renders the same in classic Notebook,
JupyterLab, VS Code and nbconvert. Every piece of text from the record is escaped: labels and
values come from the researcher's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

from jupyter_sdc.core.numbers import format_count, format_value
from jupyter_sdc.core.status import Status
from jupyter_sdc.views.look import (
    CELL_FAIL,
    CELL_REVIEW,
    LINE,
    MUTED,
    PANEL_BG,
    STATUS_LOOK,
    TEXT,
    as_record,
    status_of,
)
from jupyter_sdc.views.remedies_view import remedies_html
from jupyter_sdc.views.table_view import TableView, corner_of, render_table

_SUMMARY_NAMES = {
    "n": "N",
    "nobs": "N",
    "df_resid": "residual df",
    "model": "model",
    "formula": "formula",
}
_BOX = (
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:13px;"
    f"line-height:1.4;color:{TEXT};background:{PANEL_BG};border:1px solid {LINE};"
    "border-radius:6px;padding:8px 12px;margin:6px 0;max-width:100%;overflow-x:auto;"
    "box-sizing:border-box;"
)
_SMALL = f"color:{MUTED};font-size:12px;"
_NOTE = "margin:4px 0;padding:4px 8px;border-radius:4px;font-size:12px;"


def status_pill(status: Status) -> str:
    """The status as a coloured pill with a symbol and a word (never colour alone)."""
    symbol, word, fg, bg, border = STATUS_LOOK[status]
    return (
        f'<span role="status" aria-label="Disclosure check: {word}" '
        f'style="display:inline-block;padding:1px 8px;border-radius:10px;font-weight:700;'
        f"font-size:12px;letter-spacing:0.04em;color:{fg};background:{bg};"
        f'border:1px solid {border};">{symbol} {word}</span>'
    )


def _title_line(record: Mapping[str, Any], status: Status) -> str:
    label = str(record.get("label") or "").strip()
    title = str(record.get("title") or "").strip()
    parts = [status_pill(status)]
    if label:
        parts.append(f"<strong>{escape(label)}</strong>")
    else:
        parts.append(f'<span style="{_SMALL}font-style:italic;">unlabelled output</span>')
    if title:
        parts.append(escape(title))
    facts = list(dict.fromkeys(str(record[k]) for k in ("kind", "statistic") if record.get(k)))
    facts += _summary_facts(record.get("summary"))
    if facts:
        parts.append(f'<span style="{_SMALL}">{escape(" · ".join(facts))}</span>')
    return '<div style="margin-bottom:2px;">' + " ".join(parts) + "</div>"


def _summary_facts(summary: Any) -> list[str]:
    if not isinstance(summary, Mapping):
        return []
    facts = []
    for key, name in _SUMMARY_NAMES.items():
        if key == "nobs" and "n" in summary:
            continue
        value = summary.get(key)
        if value is None:
            continue
        text = format_count(value) if key in ("n", "nobs", "df_resid") else str(value)
        facts.append(f"{name} = {text}" if name != key else text)
    return facts


def _reasons(record: Mapping[str, Any], status: Status) -> str:
    reasons = [str(r) for r in record.get("reasons") or [] if str(r).strip()]
    if not reasons:
        if status is Status.PASS:
            return f'<div style="{_SMALL}">All checks passed.</div>'
        reasons = ["This output needs a check by hand; no reason was recorded."]
    items = "".join(f'<li style="margin:1px 0;">{escape(r)}</li>' for r in reasons)
    return f'<ul style="margin:2px 0 4px 0;padding-left:20px;">{items}</ul>'


def _notes(record: Mapping[str, Any]) -> list[str]:
    notes = []
    explanation = str(record.get("explanation") or "").strip()
    if explanation:
        notes.append(f'<div style="{_SMALL}font-style:italic;">{escape(explanation)}</div>')
    exception = record.get("exception")
    if exception:
        notes.append(
            f'<div style="{_NOTE}background:#ddf4ff;border:1px solid #54aeff;color:{TEXT};">'
            f"<strong>Exception requested:</strong> {escape(str(exception))}</div>"
        )
    if record.get("include") is False:
        notes.append(
            f'<div style="{_NOTE}background:#f6f8fa;border:1px solid {LINE};color:{TEXT};">'
            "Excluded from the release request.</div>"
        )
    if record.get("superseded_by"):
        notes.append(
            f'<div style="{_NOTE}background:#f6f8fa;border:1px solid {LINE};color:{TEXT};">'
            f"Superseded by output {escape(str(record['superseded_by']))} (a remedy applied): "
            "left out of exports.</div>"
        )
    mitigation = record.get("mitigation") or {}
    words = []
    if mitigation.get("suppressed"):
        words.append("Cells that fail the checks are suppressed (shown as \u2014).")
    if mitigation.get("round_base"):
        words.append(f"Values are rounded to base {format_value(mitigation['round_base'])}.")
    words += [str(n) for n in mitigation.get("notes") or [] if str(n).strip()]
    if words:
        items = " ".join(escape(w) for w in words)
        notes.append(
            f'<div style="{_NOTE}background:#f6f8fa;border:1px solid {LINE};color:{TEXT};">'
            f"<strong>Mitigation:</strong> {items}</div>"
        )
    comments = [str(c) for c in record.get("comments") or [] if str(c).strip()]
    if comments:
        items = "".join(f"<li>{escape(c)}</li>" for c in comments)
        notes.append(
            f'<div style="{_SMALL}">Comments:<ul style="margin:0;padding-left:20px;">'
            f"{items}</ul></div>"
        )
    return notes


def _swatch(colours: tuple[str, str], words: str) -> str:
    background, border = colours
    return (
        f'<span style="display:inline-block;width:10px;height:10px;background:{background};'
        f'border:2px solid {border};vertical-align:middle;margin-right:3px;"></span>{words}'
    )


def _table_notes(view: TableView, record: Mapping[str, Any]) -> str:
    unit = (record.get("rules") or {}).get("unit")
    counted = f"distinct {unit}" if unit else "contributing records"
    parts = [f"n = unweighted count of {escape(counted)}"]
    if view.failing_cells:
        cells = "cell" if view.failing_cells == 1 else "cells"
        parts.append(_swatch(CELL_FAIL, f"{view.failing_cells:,} failing {cells}"))
    if view.review_cells:
        cells = "cell" if view.review_cells == 1 else "cells"
        parts.append(_swatch(CELL_REVIEW, f"{view.review_cells:,} {cells} to review"))
    if view.failing_cells or view.review_cells:
        parts.append("hover a cell for its rules")
    lines = [" · ".join(parts)]
    if view.hidden_cells:
        hidden = "1 cell is" if view.hidden_cells == 1 else f"{view.hidden_cells:,} cells are"
        lines.append(
            f"Showing {view.rows_shown:,} of {view.rows:,} rows and {view.columns_shown:,} of "
            f"{view.columns:,} columns; {hidden} hidden here (the cell totals above include them)."
        )
    lines += [f"Note: {escape(p)}." for p in view.problems]
    return "".join(f'<div style="{_SMALL}">{line}</div>' for line in lines)


def _prepared(record: Any, max_cells: int) -> tuple[Mapping[str, Any], TableView | None]:
    whole = None
    if isinstance(getattr(record, "table", None), pd.DataFrame):
        record, whole = corner_of(record, max_cells)  # skip serialising a huge table
    record = as_record(record)
    return record, render_table(record, max_cells=max_cells, whole=whole)


def badge_html(record: Any, *, max_cells: int = 400) -> str:
    """Compact HTML for one record (an ``Output`` or its dict form): status, reasons, counts."""
    record, view = _prepared(record, max_cells)
    status = status_of(record)
    border = STATUS_LOOK[status][4]
    label = str(record.get("label") or "unlabelled output")
    parts = [
        f'<div class="jupyter-sdc-badge" role="group" '
        f'aria-label="{escape(f"Disclosure check of {label}", quote=True)}" '
        f'style="{_BOX}border-left:5px solid {border};">',
        _title_line(record, status),
        _reasons(record, status),
        *_notes(record),
        remedies_html(record),
    ]
    if view is not None:
        parts += [view.html, _table_notes(view, record)]
    parts.append("</div>")
    return "".join(parts)


def table_html(record: Any, *, max_cells: int = 400) -> str:
    """Only the table with its counts and notes (the panel shows status and reasons itself)."""
    record, view = _prepared(record, max_cells)
    if view is None:
        return f'<div style="{_SMALL}">This output has no table.</div>'
    notes = _table_notes(view, record)
    return f'<div style="color:{TEXT};line-height:1.4;">{view.html}{notes}</div>'


def badge_text(record: Any) -> str:
    """Plain-text fallback: status and label on one line, the first reason on the next."""
    record = as_record(record)
    status = status_of(record)
    label = str(record.get("label") or "unlabelled output")
    title = str(record.get("title") or "").strip()
    first = f"[SDC {STATUS_LOOK[status][1]}] {label}" + (f": {title}" if title else "")
    if record.get("exception"):
        first += " (exception requested)"
    if record.get("include") is False:
        first += " (excluded)"
    if record.get("superseded_by"):
        first += f" (superseded by {record['superseded_by']})"
    reasons = [str(r) for r in record.get("reasons") or [] if str(r).strip()]
    if not reasons:
        return first if status is Status.PASS else first + "\nNeeds a check by hand."
    second = reasons[0]
    if len(reasons) > 1:
        second += f" (+{len(reasons) - 1} more)"
    remedies = [r for r in record.get("remedies") or [] if isinstance(r, Mapping)]
    if remedies and not record.get("superseded_by"):
        name = record.get("label") or record.get("uid")
        second += (f"\nRemedy: {remedies[0].get('description', '')} "
                   f"(sdc.apply_remedy({name!r}) puts its code in the next cell)")
    return f"{first}\n{second}"
