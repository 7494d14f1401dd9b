"""One output in the live panel: its status, reasons and counts, and the edits a researcher makes.

Every edit goes through the session's methods (``update``, ``add_exception``), so
the record changes in one place and the session tells the magic to refresh the saved display.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import ipywidgets as widgets
import numpy as np

from jupyter_sdc.core.numbers import format_count
from jupyter_sdc.core.status import Status
from jupyter_sdc.views.badge import status_pill, table_html
from jupyter_sdc.views.look import MUTED, TEXT
from jupyter_sdc.views.remedies_view import remedies_html
from jupyter_sdc.widgets.renames import EXAMPLE, format_renames, parse_renames

# The panel shows a smaller corner of each table than the badge: it lists many outputs.
PANEL_MAX_CELLS = 120
_LABELLED = {"description_width": "90px"}
_ERRORS = (ValueError, TypeError, KeyError, LookupError)


def _wide() -> widgets.Layout:
    # A fresh Layout per widget: a module-level one would open a comm at import time.
    return widgets.Layout(width="auto")


def _growing() -> widgets.Layout:
    """A text box that takes the room its button leaves in a row."""
    return widgets.Layout(flex="1 1 auto", width="auto")


def _button() -> widgets.Layout:
    return widgets.Layout(flex="0 0 auto", width="auto")


def close_tree(root: widgets.Widget) -> None:
    """Close ``root`` and everything inside it. ``Box.close`` leaves children, layouts and
    styles open, and each open widget keeps a comm to the front end for the kernel's life."""
    stack = [root]
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
            if isinstance(part, widgets.Widget):
                part.close()
        # Call the base method so a subclass's close() does not recurse into this function.
        widgets.Widget.close(widget)


def field(output: Any, name: str, default: Any = None) -> Any:
    """A record field from an ``Output`` (attribute) or its dict form (key)."""
    if isinstance(output, Mapping):
        return output.get(name, default)
    return getattr(output, name, default)


def uid_of(output: Any) -> str:
    return str(field(output, "uid"))


def status_value(output: Any) -> Status:
    try:
        return Status(field(output, "status"))
    except ValueError:
        return Status.REVIEW  # unreadable: fail closed


def smallest_count(counts: Any) -> float | None:
    """The smallest unweighted cell count, or ``None`` when there are none."""
    if counts is None:
        return None
    try:
        values = np.asarray(getattr(counts, "values", counts), dtype=float)
    except (TypeError, ValueError):
        return None
    values = values[~np.isnan(values)]
    return float(values.min()) if values.size else None


def summary_html(output: Any) -> str:
    """Status pill, label, title, N and the reasons: what the researcher scans in the list."""
    status = status_value(output)
    label = str(field(output, "label") or "").strip() or "unlabelled output"
    title = str(field(output, "title") or "").strip()
    summary = field(output, "summary") or {}
    facts = []
    n = summary.get("n", summary.get("nobs")) if isinstance(summary, Mapping) else None
    if n is not None:
        facts.append(f"N = {format_count(n)}")
    smallest = smallest_count(field(output, "counts"))
    if smallest is not None:
        facts.append(f"smallest cell n = {format_count(smallest)}")
    elif field(output, "kind") != "model":
        facts.append("no unweighted counts attached")
    if field(output, "exception"):
        facts.append("exception requested")
    if field(output, "include", True) is False:
        facts.append("excluded from the release")
    head = f"{status_pill(status)} <strong>{escape(label)}</strong> {escape(title)}"
    if facts:
        head += f' <span style="color:{MUTED};font-size:12px;">{escape(" · ".join(facts))}</span>'
    reasons = [str(r) for r in field(output, "reasons") or [] if str(r).strip()]
    items = "".join(f"<li>{escape(r)}</li>" for r in reasons)
    body = f'<ul style="margin:2px 0;padding-left:20px;">{items}</ul>' if items else ""
    return f'<div style="color:{TEXT};font-size:13px;line-height:1.4;">{head}{body}</div>'


def _message(text: str, ok: bool) -> str:
    colour = "#1a7f37" if ok else "#b42318"
    return f'<span style="color:{colour};font-size:12px;">{escape(text)}</span>'


class OutputCard(widgets.VBox):
    """Summary, a table-and-counts section (rendered when opened) and the edit form."""

    def __init__(self, session: Any, output: Any) -> None:
        self.session = session
        self.uid = uid_of(output)
        self._output = output
        self._synced: dict[str, Any] = {}
        self._syncing = False

        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.label = widgets.Text(
            description="Label", style=_LABELLED, layout=_wide(), placeholder="e.g. Table 2"
        )
        self.title = widgets.Text(description="Title", style=_LABELLED, layout=_wide())
        self.explanation = widgets.Textarea(
            description="Explanation",
            style=_LABELLED,
            layout=_wide(),
            placeholder="What the output shows and how it was made",
        )
        self.save = widgets.Button(
            description="Save", icon="check", tooltip="Save label, title and explanation"
        )
        self.include = widgets.Checkbox(description="Include in the release request", indent=False)
        self.reason = widgets.Text(
            description="Exception",
            style=_LABELLED,
            layout=_growing(),
            placeholder="Why this output should be released as it is",
        )
        self.request = widgets.Button(description="Request exception", layout=_button())
        self.names = widgets.Text(
            description="Names", style=_LABELLED, layout=_growing(), placeholder=EXAMPLE
        )
        self.apply_names = widgets.Button(description="Apply names", layout=_button())
        self.message = widgets.HTML()

        self.save.on_click(lambda _: self.save_text())
        self.request.on_click(lambda _: self.request_exception())
        self.apply_names.on_click(lambda _: self.apply_renames())
        self.include.observe(self._on_include, names="value")

        reason_row = widgets.HBox([self.reason, self.request], layout=_wide())
        names_row = widgets.HBox([self.names, self.apply_names], layout=_wide())
        form = widgets.VBox(
            [
                self.label,
                self.title,
                self.explanation,
                self.save,
                self.include,
                reason_row,
                names_row,
                self.message,
            ]
        )
        self.remedies = widgets.VBox()
        self.details = widgets.Accordion(
            children=[self.table, form, self.remedies],
            titles=("Table and counts", "Edit", "Remedies"),
        )
        self.details.selected_index = None
        self.details.observe(self._on_open, names="selected_index")
        super().__init__(
            [self.summary, self.details],
            layout=widgets.Layout(border="1px solid #d0d7de", padding="4px 8px", margin="4px 0"),
        )
        self.refresh(output)

    def close(self) -> None:
        close_tree(self)

    # -- showing the record --------------------------------------------------------------
    def refresh(self, output: Any) -> None:
        """Show ``output``'s current record, keeping any text the researcher has not saved."""
        self._output = output
        self.summary.value = summary_html(output)
        self._show_remedies(output)
        if self.details.selected_index == 0:
            self._render_table()
        else:
            self.table.value = ""  # rendered when opened: huge tables cost time
        values = {
            "label": str(field(output, "label") or ""),
            "title": str(field(output, "title") or ""),
            "explanation": str(field(output, "explanation") or ""),
            "names": format_renames(field(output, "rename")),
        }
        self._syncing = True
        try:
            for name, value in values.items():
                box = getattr(self, name)
                if name not in self._synced or box.value == self._synced[name]:
                    box.value = value  # untouched by the researcher: follow the record
                self._synced[name] = value
            self.include.value = bool(field(output, "include", True))
            exception = field(output, "exception")
            self.request.description = "Update exception" if exception else "Request exception"
            if exception and not self.reason.value:
                self.reason.value = str(exception)
        finally:
            self._syncing = False

    def _show_remedies(self, output: Any) -> None:
        """Each remedy with its preview and its code, to copy into a new cell (a widget cannot
        insert cells; ``sdc.apply_remedy`` puts the code in the next cell where it can)."""
        found = list(field(output, "remedies") or [])
        if [box.value for box in self.remedies.children[1:]] == [r.get("code") for r in found]:
            return
        for child in self.remedies.children:
            close_tree(child)
        if not found:
            self.remedies.children = [widgets.HTML(
                f'<span style="color:{MUTED};">No remedies: the output passes, or none was '
                "found that passes.</span>")]
            return
        record = output if isinstance(output, Mapping) else output.to_dict()
        boxes = [widgets.Textarea(value=str(r.get("code", "")), layout=_wide(),
                                  description=f"Code {i + 1}", style=_LABELLED)
                 for i, r in enumerate(found)]
        self.remedies.children = [widgets.HTML(remedies_html(record)), *boxes]

    def _render_table(self) -> None:
        self.table.value = table_html(self._output, max_cells=PANEL_MAX_CELLS)

    def _on_open(self, change: dict[str, Any]) -> None:
        if change["new"] == 0 and not self.table.value:
            self._render_table()

    # -- edits ---------------------------------------------------------------------------
    def _apply(self, done: str, edit: Callable[[], object]) -> bool:
        try:
            edit()
        except _ERRORS as error:
            self.message.value = _message(f"Not saved: {error}", ok=False)
            return False
        self.message.value = _message(done, ok=True)
        return True

    def save_text(self) -> bool:
        """Apply label, title and explanation to the record."""
        label = self.label.value.strip()
        title = self.title.value.strip()
        explanation = self.explanation.value.strip()

        return self._apply(
            "Saved label, title and explanation.",
            lambda: self.session.update(
                self.uid, label=label or None, title=title or None, explanation=explanation or None
            ),
        )

    def _on_include(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        included = bool(change["new"])
        words = "Included in" if included else "Excluded from"
        self._apply(
            f"{words} the release request.", lambda: self.session.update(self.uid, include=included)
        )

    def request_exception(self) -> bool:
        """Ask for an exception; a reason is required because the output checkers need one."""
        reason = self.reason.value.strip()
        if not reason:
            self.message.value = _message(
                "Give a reason for the exception: the output checkers need it to decide.",
                ok=False,
            )
            return False
        return self._apply(
            "Exception requested.", lambda: self.session.add_exception(self.uid, reason)
        )

    def apply_renames(self) -> bool:
        """Parse ``old=New`` pairs and store them as the record's display names."""
        try:
            mapping = parse_renames(self.names.value)
        except ValueError as error:
            self.message.value = _message(str(error), ok=False)
            return False
        return self._apply("Names applied.", lambda: self.session.update(self.uid, rename=mapping))
