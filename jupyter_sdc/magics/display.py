"""The display bundle under a checked cell, and every other piece of text the magics show.

One bundle per record: ``text/html`` (the badge), ``text/plain`` (a summary) and the record
itself as ``application/vnd.jupyter-sdc.output+json``, so the saved notebook holds every
record. Each bundle has a ``display_id`` (the record's uid) so an edit updates it in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from jupyter_sdc.core.record import MIME_TYPE, Output

_SHOWN: set[str] = set()


def bundle(output: Output) -> dict[str, Any]:
    record = output.to_dict()
    return {"text/html": _badge_html(record), "text/plain": _badge_text(record), MIME_TYPE: record}


def show(output: Output) -> None:
    """Display the record's bundle under the running cell."""
    from IPython.display import display

    display(bundle(output), raw=True, display_id=output.uid)
    _SHOWN.add(output.uid)


def refresh(output: Output) -> None:
    """Update the record's bundle in place (after an edit in the panel)."""
    if output.uid not in _SHOWN:
        return
    from IPython.display import update_display

    update_display(bundle(output), raw=True, display_id=output.uid)


def forget() -> None:
    _SHOWN.clear()


def status_text(outputs: Iterable[Output], rules: Any, auto: bool) -> str:
    """The ``%sdc_status`` summary: totals by status, then one line per output."""
    outputs = list(outputs)
    totals: dict[str, int] = {}
    for output in outputs:
        totals[output.status.value] = totals.get(output.status.value, 0) + 1
    head = ", ".join(f"{totals.get(s, 0)} {s}" for s in ("pass", "review", "fail"))
    lines = [
        f"jupyter_sdc: {len(outputs)} output(s): {head}.",
        f"Rules: profile {rules.profile}, threshold {rules.threshold}, nk {rules.nk_n}/"
        f"{rules.nk_k}, p% {rules.p_percent}, dof {rules.dof}"
        + (f", unit {rules.unit}" if rules.unit else "") + ".",
        f"Automatic checking is {'on' if auto else 'off'} (%sdc_check on|off).",
    ]
    for output in outputs:
        name = output.label or output.source.get("name") or output.source.get("call") or ""
        first = output.reasons[0] if output.reasons else ""
        lines.append(f"  [{output.status.value:6}] {output.uid}  {name}  {first}".rstrip())
    return "\n".join(lines)


def note(message: str) -> None:
    """A short notice under the cell (for problems that are not the user's code)."""
    from IPython.display import display

    display({"text/plain": f"jupyter_sdc: {message}"}, raw=True)


def _badge_html(record: dict) -> str:
    try:
        from jupyter_sdc.widgets.badge import badge_html
    except ImportError:  # the widgets package is optional for the kernel side
        return _fallback_html(record)
    return badge_html(record)


def _badge_text(record: dict) -> str:
    try:
        from jupyter_sdc.widgets.badge import badge_text
    except ImportError:
        return _fallback_text(record)
    return badge_text(record)


def _fallback_text(record: dict) -> str:
    name = record.get("label") or record.get("uid")
    lines = [f"SDC check {name}: {record['status'].upper()}"]
    lines += [f"  - {reason}" for reason in record.get("reasons", [])]
    return "\n".join(lines)


def _fallback_html(record: dict) -> str:
    colour = {"pass": "#1a7f37", "review": "#9a6700", "fail": "#cf222e"}[record["status"]]
    reasons = "".join(f"<li>{escape(r)}</li>" for r in record.get("reasons", []))
    name = escape(str(record.get("label") or record.get("uid")))
    return (
        f'<div style="border-left:5px solid {colour};padding:4px 8px">'
        f"<b>{name}</b>: {record['status'].upper()}<ul>{reasons}</ul></div>"
    )
