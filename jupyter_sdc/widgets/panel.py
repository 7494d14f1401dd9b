"""The live panel (``%sdc_panel`` / ``sdc.panel()``): every output of a session, kept current.

The panel subscribes to the session and follows its events (``add``, ``replace``, ``update``,
``remove``); closing the panel unsubscribes. All logic is Python over synced traits.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import ipywidgets as widgets

from jupyter_sdc.core.status import Status
from jupyter_sdc.views.look import MUTED, TEXT
from jupyter_sdc.widgets.output_card import OutputCard, close_tree, field, status_value, uid_of

_EMPTY = (
    "No checked outputs yet. Run a cell with <code>%%sdc_check</code> or call an "
    "<code>sdc</code> wrapper such as <code>sdc.crosstab</code>."
)


def _outputs(session: Any) -> list[Any]:
    outputs = session.outputs
    if isinstance(outputs, Mapping):
        return list(outputs.values())
    return list(outputs)


def heading_html(outputs: list[Any]) -> str:
    """``"3 outputs: 1 fail, 1 review, 1 pass · 2 in the release request"``."""
    statuses = [status_value(o) for o in outputs]
    counts = [
        f"{statuses.count(s)} {s.value}"
        for s in (Status.FAIL, Status.REVIEW, Status.PASS)
        if statuses.count(s)
    ]
    included = sum(1 for o in outputs if field(o, "include", True) is not False)
    noun = "output" if len(outputs) == 1 else "outputs"
    text = f"{len(outputs)} {noun}"
    if counts:
        text += ": " + ", ".join(counts)
    text += f" · {included} in the release request"
    return (
        f'<div style="color:{TEXT};font-size:14px;"><strong>Disclosure checks</strong> '
        f'<span style="color:{MUTED};">{escape(text)}</span></div>'
    )


class SessionPanel(widgets.VBox):
    """A card per output of ``session``, in the session's order, updated as cells run."""

    def __init__(self, session: Any) -> None:
        for method in ("outputs", "subscribe", "update", "add_exception"):
            if not hasattr(session, method):
                raise TypeError(
                    f"session must be a jupyter_sdc Session (it has no {method!r}); "
                    "use sdc.session() or sdc.Session()"
                )
        self.session = session
        self.cards: dict[str, OutputCard] = {}
        self.heading = widgets.HTML()
        self.empty = widgets.HTML(f'<div style="color:{MUTED};">{_EMPTY}</div>')
        self.list = widgets.VBox()
        self.error = widgets.HTML()
        super().__init__([self.heading, self.error, self.list])
        self.sync()
        self._unsubscribe = session.subscribe(self._on_event)

    def _on_event(self, event: str, output: Any | None) -> None:
        # Never let a display problem break the researcher's cell: report it in the panel.
        try:
            if event == "update" and output is not None and uid_of(output) in self.cards:
                self.cards[uid_of(output)].refresh(output)
                self.heading.value = heading_html(_outputs(self.session))
            else:
                self.sync()
            self.error.value = ""
        except Exception as error:  # noqa: BLE001 - shown to the user instead of raised
            self.error.value = (
                f'<span style="color:#b42318;">The panel could not show the latest change '
                f"({escape(type(error).__name__)}: {escape(str(error))}); "
                "run %sdc_panel again.</span>"
            )

    def sync(self) -> None:
        """Match the cards to ``session.outputs``: add new ones, refresh, drop removed ones."""
        outputs = _outputs(self.session)
        seen = []
        for output in outputs:
            uid = uid_of(output)
            card = self.cards.get(uid)
            if card is None:
                card = self.cards[uid] = OutputCard(self.session, output)
            else:
                card.refresh(output)
            seen.append(uid)
        for uid in set(self.cards) - set(seen):
            self.cards.pop(uid).close()
        self.list.children = [self.cards[uid] for uid in seen] or [self.empty]
        self.heading.value = heading_html(outputs)

    def close(self) -> None:
        """Stop following the session, then close every widget of the panel."""
        unsubscribe, self._unsubscribe = getattr(self, "_unsubscribe", None), None
        if unsubscribe is not None:
            unsubscribe()
        cards = getattr(self, "cards", {})  # absent when __init__ refused the session
        for card in cards.values():
            close_tree(card)
        cards.clear()
        if hasattr(self, "empty"):
            close_tree(self.empty)  # not a child while cards are shown
        close_tree(self)


def panel(session: Any = None) -> SessionPanel:
    """The live panel for ``session`` (default: the session the magics and wrappers use)."""
    if session is None:
        from jupyter_sdc.api import session as default_session

        session = default_session()
    return SessionPanel(session)
