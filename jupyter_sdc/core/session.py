"""A session: the ordered outputs of one analysis, the rules they are checked with, and edits.

This is the pure core of ``sdc.Session``: it knows neither the checked calls (``crosstab``,
``ols``, …, in ``jupyter_sdc.api``) nor the export. Listeners (the badge display, the panel)
hear of every change.

A :class:`CellRun` is one run of a notebook cell (opened by the IPython extension, or by
``Session.cell``): every session that makes outputs while it is open files them under the
cell, so a re-run of the cell replaces them where they stood, with the same uids.
"""

from __future__ import annotations

import hashlib
import itertools
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_sdc.core.record import CARRIED_FIELDS, EDITABLE_FIELDS, RECORD_FIELDS, Output
from jupyter_sdc.core.resolve import resolve_rules
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.status import Status, worst

Listener = Callable[[str, "Output | None"], None]
#: a checked cell's change to the rules of every call in it (``%%sdc_check --suppress``, …)
RulesChange = Callable[[RuleValues], RuleValues]


def cell_tag(cell_key: str) -> str:
    """The uid prefix of a cell's outputs: a short hash of its whole key (the notebook cell id).

    Ids that share their first characters (``cell-10``, ``cell-100``; two UUIDs) get different
    tags; the same cell always gets the same one. Hex digits only: safe in file names.
    """
    return hashlib.sha256(str(cell_key).encode("utf-8")).hexdigest()[:10]


class CellRun:
    """One run of one cell, shared by every session that makes outputs while it is open.

    Uids are numbered in the order the outputs are made (so a re-run gives the same uids);
    ``fields`` (a checked cell's label, title, …) go on each output that has none of its own,
    and ``change_rules`` applies to the rules of every call made in the cell.
    """

    def __init__(self, key: str) -> None:
        self.key = str(key)
        self.tag = cell_tag(self.key)
        #: the cell's source as the researcher wrote it, where the front end gave it
        self.code = ""
        self.fields: dict[str, Any] = {}
        self.change_rules: RulesChange | None = None
        self.made: list[tuple[Session, str]] = []  # (session, uid), in the order filed
        self.sessions: list[Session] = []
        self._labelled: list[tuple[Session, str]] = []
        self._numbers = itertools.count(1)
        self._depth = 1

    def new_uid(self) -> str:
        return f"{self.tag}-{next(self._numbers)}"

    def _filed(self, session: Session, output: Output, own: dict[str, Any]) -> None:
        entry = (session, output.uid)
        if entry not in self.made:
            self.made.append(entry)
        if "label" in self.fields and own.get("label") is None and entry not in self._labelled:
            self._labelled.append(entry)

    @contextmanager
    def options(self, fields: dict[str, Any],
                change_rules: RulesChange | None = None) -> Iterator[CellRun]:
        """The options of a checked cell, for the outputs made inside the block.

        One output takes the label as given; several take lettered labels (Table 2a, 2b, …).
        """
        saved = self.fields, self.change_rules, self._labelled
        self.fields = {k: v for k, v in fields.items() if v is not None}
        self.change_rules, self._labelled = change_rules, []
        try:
            yield self
        finally:
            label, labelled = self.fields.get("label"), self._labelled
            self.fields, self.change_rules, self._labelled = saved
            if label is not None and len(labelled) > 1:
                for i, (session, uid) in enumerate(labelled):
                    if uid in session._outputs:
                        session.update(uid, label=f"{label}{letter(i)}")

    def makes(self, output: Output) -> bool:
        """True for an output this run has filed (shown at its end, not before)."""
        return any(uid == output.uid and s._outputs.get(uid) is output for s, uid in self.made)

    def outputs(self) -> list[tuple[Session, Output]]:
        """What the cell made, in order, as it is now (``(session, output)``)."""
        return [(s, s._outputs[uid]) for s, uid in self.made if uid in s._outputs]


def letter(i: int) -> str:
    """The letter of the ``i``-th of several outputs sharing one label (a, b, …)."""
    return chr(ord("a") + i) if i < 26 else f"-{i + 1}"


_RUN: CellRun | None = None
#: sessions holding outputs filed under a cell: a re-run that makes none drops them
_FILERS: weakref.WeakSet[Session] = weakref.WeakSet()


def running_cell() -> CellRun | None:
    """The cell run that is open, if any."""
    return _RUN


def open_cell(cell_key: str) -> CellRun:
    """Start a run of the cell; inside an open run (a nested cell) the outer one goes on."""
    global _RUN
    if _RUN is not None:
        _RUN._depth += 1
        return _RUN
    _RUN = CellRun(cell_key)
    return _RUN


def close_cell() -> list[tuple[Session, Output]] | None:
    """End the run: outputs the cell made before and not again are removed.

    Returns what the cell made (``(session, output)`` in order) when the outermost run ends,
    else None (nothing open, or a nested cell ended).
    """
    global _RUN
    run = _RUN
    if run is None:
        return None
    run._depth -= 1
    if run._depth > 0:
        return None
    for session in list(_FILERS):
        if run.key in session._cell_outputs:
            session._join(run)
    try:
        for session in run.sessions:
            session._leave(run)
    finally:
        _RUN = None
    return run.outputs()


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
        self._counter = itertools.count(1)
        self._run: CellRun | None = None
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
        """The session's rules (as the running checked cell changes them), one call's on top."""
        rules = self.rules
        if _RUN is not None and _RUN.change_rules is not None:
            rules = _RUN.change_rules(rules)
        return rules.replace(**{k: v for k, v in call_values.items() if v is not None})

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
        """A new output's uid: numbered within the running cell (stable across re-runs)."""
        if _RUN is not None:
            return _RUN.new_uid()
        return f"out-{next(self._counter)}"

    def add(self, output: Output) -> Output:
        """Register an output; one with the same uid is replaced where it stood.

        Inside a cell run it is filed under the cell and takes the cell's options where it
        has none of its own."""
        run = _RUN
        if run is not None:
            self._join(run)
            own = {name: getattr(output, name) for name in run.fields}
            for name, value in run.fields.items():
                if own[name] is None:
                    setattr(output, name, value)
            output.source.setdefault("cell_id", run.key)
        event = "replace" if output.uid in self._outputs else "add"
        self._carry_edits(output)
        self._outputs[output.uid] = output
        if run is not None:
            filed = self._cell_outputs.setdefault(run.key, [])
            if output.uid not in filed:
                filed.append(output.uid)
            run._filed(self, output, own)
        self._notify(event, output)
        self._check_differencing(output)
        return output

    def _check_differencing(self, new: Output) -> None:
        """Compare ``new`` with the outputs over the same variables (differencing)."""
        if new.fingerprint is None or self.rules.differencing == "off":
            return
        from dataclasses import replace

        from jupyter_sdc.core.differencing import reasons_by_output, replace_reasons, status_of

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
            output.checks["differencing"] = Status(status_of(output.differencing,
                                                             self.rules.differencing))
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
    def _join(self, run: CellRun) -> None:
        """Take part in a cell run: this session's earlier outputs of the cell become stale."""
        if self._run is run:
            return
        self._run = run
        run.sessions.append(self)
        _FILERS.add(self)
        self._stale = [uid for uid in self._cell_outputs.pop(run.key, []) if uid in self._outputs]
        self._carried = {uid: _edits(self._outputs[uid]) for uid in self._stale}

    def _carry_edits(self, output: Output) -> None:
        """A re-run keeps what the researcher edited (the cell's own options win)."""
        edits = self._carried.pop(output.uid, None)
        if not edits:
            return
        for name in RECORD_FIELDS:
            if getattr(output, name) is None and edits.get(name) is not None:
                setattr(output, name, edits[name])
        output.exception = output.exception or edits.get("exception")
        output.superseded_by = output.superseded_by or edits.get("superseded_by")
        output.include = edits.get("include", output.include)
        output.rename = {**edits.get("rename", {}), **output.rename}
        output.comments = [*edits.get("comments", []), *output.comments]

    def _leave(self, run: CellRun) -> None:
        """The run ended: earlier outputs the cell did not make again are removed."""
        uids = self._cell_outputs.get(run.key, [])
        for uid in self._stale:
            if uid not in uids and uid in self._outputs:
                self.remove(uid)
        if not uids:
            self._cell_outputs.pop(run.key, None)
        self._stale, self._run = [], None
        self._carried.clear()

    @contextmanager
    def cell(self, cell_key: str) -> Iterator[None]:
        """Run ``cell_key``'s cell: a re-run replaces the outputs it made before."""
        run = open_cell(cell_key)
        self._join(run)
        try:
            yield
        finally:
            close_cell()

    # -- listeners --------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event, output)`` on add/replace/update/remove; returns unsubscribe."""
        self._listeners.append(listener)
        return lambda: self.unsubscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener`` (nothing happens if it was not subscribed)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

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
