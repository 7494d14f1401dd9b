"""The display bundle under a checked cell, and every other piece of text the magics show.

One bundle per record: ``text/html`` (the badge), ``text/plain`` (a summary) and the record
itself as ``application/vnd.jupyter-sdc.output+json``, so the saved notebook holds every
record. Each bundle has a ``display_id`` (the record's uid) so an edit updates it in place.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable
from typing import Any

from jupyter_sdc.core.record import MIME_TYPE, Output
from jupyter_sdc.core.session import running_cell
from jupyter_sdc.views import badge_html, badge_text

_SHOWN: dict[str, str] = {}  # record uid -> display id of its latest bundle
_COUNTER = itertools.count(1)
#: sessions whose edits update their shown bundles (weakly: a dropped session is forgotten)
_WATCHED: weakref.WeakSet[Any] = weakref.WeakSet()


def bundle(output: Output) -> dict[str, Any]:
    record = output.to_dict()
    return {"text/html": badge_html(record), "text/plain": badge_text(record), MIME_TYPE: record}


def show(output: Output) -> None:
    """Display the record's bundle under the running cell."""
    from IPython.display import display

    # A fresh display id per showing: a re-run's bundle must not update the previous run's
    # output (already cleared from the cell), only edits made after it is shown.
    display_id = f"sdc-{output.uid}-{next(_COUNTER)}"
    display(bundle(output), raw=True, display_id=display_id)
    _SHOWN[output.uid] = display_id


def show_made(made: Iterable[tuple[Any, Output]]) -> None:
    """Show each record a cell made, and keep its bundle in step with later edits of its
    session (``(session, output)`` pairs, in the order made)."""
    for session, output in made:
        watch(session)
        show(output)


def watch(session: Any) -> None:
    """Update shown bundles in place when the session reports an edit (panel, API)."""
    if session not in _WATCHED:
        session.subscribe(_on_change)
        _WATCHED.add(session)


def _on_change(event: str, output: Output | None) -> None:
    run = running_cell()
    if event == "update" and output is not None and not (run and run.makes(output)):
        refresh(output)  # (one the running cell makes again is shown at its end)


def unwatch() -> None:
    for session in list(_WATCHED):
        session.unsubscribe(_on_change)
    _WATCHED.clear()


def refresh(output: Output) -> None:
    """Update the record's bundle in place (after an edit in the panel)."""
    display_id = _SHOWN.get(output.uid)
    if display_id is None:
        return
    from IPython.display import update_display

    update_display(bundle(output), raw=True, display_id=display_id)


def forget() -> None:
    _SHOWN.clear()
    unwatch()


def status_text(session: Any, auto: bool) -> str:
    """The ``%sdc_status`` summary: the session's summary, its rules and the checking mode."""
    rules = session.rules
    return "\n".join([
        session.summary(),
        f"Rules: profile {rules.profile}, threshold {rules.threshold}, nk {rules.nk_n}/"
        f"{rules.nk_k}, p% {rules.p_percent}, dof {rules.dof}"
        + (f", unit {rules.unit}" if rules.unit else "") + ".",
        f"Automatic checking is {'on' if auto else 'off'} (%sdc_check on|off).",
    ])


def export_text(result: Any) -> str:
    """What an export wrote, for ``%sdc_export``."""
    lines = [f"jupyter_sdc: request written to {result.folder}",
             f"  included: {len(result.included)} outputs"]
    lines += [f"  left out {uid}: {why}" for uid, why in result.left_out]
    lines += [f"  warning: {w}" for w in result.warnings]
    findings = result.preflight.get("findings", [])
    state = "ok" if result.preflight.get("ok") else "problems found"
    lines.append(f"  preflight: {state} ({len(findings)} findings)")
    lines += [f"    [{f.get('severity')}] {f.get('message')}" for f in findings]
    return "\n".join(lines)


def note(message: str) -> None:
    """A short notice under the cell (for problems that are not the user's code)."""
    from IPython.display import display

    display({"text/plain": f"jupyter_sdc: {message}"}, raw=True)
