"""A session: the ordered outputs of one analysis, the rules they are checked with, and edits.

This is the pure core of ``sdc.Session``: it knows neither the checked calls (``crosstab``,
``ols``, …, in ``jupyter_sdc.api``) nor the export. Listeners (the badge display, the panel)
hear of every change.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_sdc.core.record import CARRIED_FIELDS, EDITABLE_FIELDS, RECORD_FIELDS, Output
from jupyter_sdc.core.rules import RuleValues, resolve_rules
from jupyter_sdc.core.status import Status, worst

Listener = Callable[[str, "Output | None"], None]


class Session:
    """``Session(profile=None, unit=None, **rule_values)``: later layers win (DESIGN.md)."""

    def __init__(self, profile: str | None = None, unit: str | None = None, *,
                 project_dir: Path | str | None = None, **rule_values: Any) -> None:
        self._profile = profile
        self._project_dir = project_dir
        self._keywords = dict(rule_values)
        if unit is not None:
            self._keywords["unit"] = unit
        self._config_layer: dict[str, Any] = {}
        self.rules: RuleValues = self._resolve()
        self._outputs: dict[str, Output] = {}
        self._listeners: list[Listener] = []
        self._cell: str | None = None
        self._cell_counter = itertools.count(1)
        self._counter = itertools.count(1)
        self._cell_outputs: dict[str, list[str]] = {}
        self._carried: dict[str, dict[str, Any]] = {}
        self._stale: list[str] = []
        #: what the differencing checks did, per set of grouping variables
        self.differencing_stats: dict[tuple, dict[str, int]] = {}

    # -- rules ------------------------------------------------------------------------
    def _resolve(self) -> RuleValues:
        return resolve_rules(self._profile, self._project_dir,
                             layers=(self._config_layer,), **self._keywords)

    def configure(self, profile: str | None = None, **values: Any) -> None:
        """Set values of the ``%config SDC.*`` layer (below Session keywords).

        ``profile`` switches the base profile (unless the Session was given one)."""
        if profile is not None:
            self._profile = profile
        self._config_layer.update({k: v for k, v in values.items() if v is not None})
        self.rules = self._resolve()

    def rules_for(self, **call_values: Any) -> RuleValues:
        """The session's rules with the values of one call on top."""
        return self.rules.replace(**{k: v for k, v in call_values.items() if v is not None})

    # -- outputs ----------------------------------------------------------------------
    @property
    def outputs(self) -> list[Output]:
        return list(self._outputs.values())

    def __len__(self) -> int:
        return len(self._outputs)

    def __iter__(self) -> Iterator[Output]:
        return iter(self.outputs)

    def get(self, key: str | Output) -> Output:
        """An output by uid or label."""
        if isinstance(key, Output):
            key = key.uid
        if key in self._outputs:
            return self._outputs[key]
        for output in self._outputs.values():
            if output.label == key:
                return output
        known = ", ".join(o.label or o.uid for o in self._outputs.values()) or "none yet"
        raise KeyError(f"no output {key!r} in this session (outputs: {known})")

    def new_uid(self) -> str:
        if self._cell is not None:
            return f"{self._cell[:8]}-{next(self._cell_counter)}"
        return f"out-{next(self._counter)}"

    def add(self, output: Output) -> Output:
        """Register an output; one with the same uid is replaced where it stood."""
        event = "replace" if output.uid in self._outputs else "add"
        self._carry_edits(output)
        self._outputs[output.uid] = output
        if self._cell is not None:
            self._cell_outputs.setdefault(self._cell, []).append(output.uid)
        self._notify(event, output)
        self._check_differencing(output)
        return output

    def _check_differencing(self, new: Output) -> None:
        """Compare ``new`` with the outputs over the same variables (differencing)."""
        if new.fingerprint is None or self.rules.differencing == "off":
            return
        from dataclasses import replace

        from jupyter_sdc.core.differencing import reasons_by_output, replace_reasons

        group = [o for o in self._outputs.values() if o.fingerprint is not None
                 and o.fingerprint.group_vars == new.fingerprint.group_vars]
        items = [(o.uid, replace(o.fingerprint, label=o.label or f"output {o.uid}"))
                 for o in group]
        stats: dict[str, int] = {}
        found = reasons_by_output(items, threshold=self.rules.threshold,
                                  zeros=self.rules.zeros, stats=stats)
        self.differencing_stats[new.fingerprint.group_vars] = stats
        new.checks.setdefault("differencing", Status.PASS)  # compared: staff see it was done
        for output in group:
            if found[output.uid] == output.differencing:
                continue
            output.reasons = replace_reasons(output.reasons, output.differencing,
                                             found[output.uid])
            output.differencing = found[output.uid]
            output.checks["differencing"] = (Status(self.rules.differencing)
                                             if output.differencing else Status.PASS)
            self._notify("update", output)

    def remove(self, key: str | Output) -> None:
        output = self.get(key)
        del self._outputs[output.uid]
        self._notify("remove", output)

    def update(self, key: str | Output, **fields: Any) -> Output:
        """Edit ``label``, ``title``, ``explanation``, ``include`` or ``rename``."""
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise TypeError(f"cannot edit {sorted(unknown)}; editable: {sorted(EDITABLE_FIELDS)}")
        output = self.get(key)
        for name, value in fields.items():
            if name == "rename":
                value = {str(k): str(v) for k, v in dict(value or {}).items()}
            setattr(output, name, value)
        self._notify("update", output)
        return output

    def rename(self, key: str | Output, label: str) -> Output:
        return self.update(key, label=label)

    def comment(self, key: str | Output, text: str) -> Output:
        output = self.get(key)
        output.comments.append(str(text))
        self._notify("update", output)
        return output

    def add_exception(self, key: str | Output, reason: str) -> Output:
        """Ask the checkers for an exception; the reason is required."""
        if not reason or not str(reason).strip():
            raise ValueError("an exception needs a reason: say why this output should be "
                             "released although it fails a rule")
        output = self.get(key)
        output.exception = str(reason).strip()
        self._notify("update", output)
        return output

    # -- cells (magic and hooks) ------------------------------------------------------
    def begin_cell(self, cell_key: str) -> None:
        """Start a cell: its earlier outputs are dropped, so a re-run replaces them."""
        key = str(cell_key)
        self._cell = key
        self._cell_counter = itertools.count(1)
        self._stale = [uid for uid in self._cell_outputs.pop(key, []) if uid in self._outputs]
        for uid in self._stale:
            self._carried[uid] = _edits(self._outputs[uid])

    def _carry_edits(self, output: Output) -> None:
        """A re-run keeps what the researcher edited (the cell's own options win)."""
        edits = self._carried.pop(output.uid, None)
        if not edits:
            return
        for name in RECORD_FIELDS:
            if getattr(output, name) is None and edits.get(name) is not None:
                setattr(output, name, edits[name])
        output.exception = output.exception or edits.get("exception")
        output.include = edits.get("include", output.include)
        output.rename = {**edits.get("rename", {}), **output.rename}
        output.comments = [*edits.get("comments", []), *output.comments]

    def end_cell(self) -> list[Output]:
        """End the cell: earlier outputs it did not make again are removed."""
        uids = self._cell_outputs.get(self._cell, []) if self._cell else []
        for uid in self._stale:
            if uid not in uids and uid in self._outputs:
                self.remove(uid)
        self._stale = []
        self._carried.clear()
        self._cell = None
        return [self._outputs[u] for u in uids if u in self._outputs]

    @contextmanager
    def cell(self, cell_key: str) -> Iterator[None]:
        self.begin_cell(cell_key)
        try:
            yield
        finally:
            self.end_cell()

    # -- listeners --------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event, output)`` on add/replace/update/remove; returns unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _notify(self, event: str, output: Output | None) -> None:
        for listener in list(self._listeners):
            listener(event, output)

    # -- summary ----------------------------------------------------------------------
    @property
    def status(self) -> Status:
        return worst(o.status for o in self._outputs.values())

    def summary(self) -> str:
        counts = {s: 0 for s in Status}
        for output in self._outputs.values():
            counts[output.status] += 1
        lines = [f"{len(self)} outputs: {counts[Status.PASS]} pass, "
                 f"{counts[Status.REVIEW]} review, {counts[Status.FAIL]} fail"]
        for output in self._outputs.values():
            reason = output.reasons[0] if output.reasons else ""
            lines.append(f"  {output.label or output.uid:<14} {output.status.value:<7} {reason}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Session profile={self.rules.profile} outputs={len(self)}>"


def _edits(output: Output) -> dict[str, Any]:
    edits = {name: getattr(output, name) for name in CARRIED_FIELDS}
    edits["rename"] = dict(output.rename)
    edits["comments"] = list(output.comments)
    return edits
