"""The extension's view of IPython's cell runs, and auto mode (``%sdc_check on``).

``%load_ext`` registers :class:`CellRuns` on ``pre_run_cell`` / ``post_run_cell``: each cell runs
inside a core :class:`~jupyter_sdc.core.session.CellRun`, so every output a session makes in it
(``sdc.*`` calls, ``%%sdc_check``, auto mode) is filed under the cell, and at its end each one is
shown once: the badge and the record saved in the cell's outputs. The API itself knows nothing
of IPython. Patching happens only while auto mode is on, and only during each cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jupyter_sdc.capture.recorder import CellOptions
from jupyter_sdc.core.session import CellRun, close_cell, open_cell
from jupyter_sdc.magics import display
from jupyter_sdc.magics.cell import CheckedCell, cell_key

# Cells that manage checking themselves, or that only configure it, are never auto-checked.
_SKIP_PREFIXES = ("%%sdc_check", "%sdc_", "%load_ext", "%reload_ext", "%config", "%unload_ext")
#: names of traced results whose lineage auto mode keeps for later cells (the latest ones)
_KEEP_NAMES = 200


class AutoCheck:
    """Checks every cell while enabled (started and finished by :class:`CellRuns`).

    A cell's records are what it showed. A result it only assigned keeps its lineage while its
    name holds it, so the cell that shows it later records it as checked (not untraceable).
    """

    def __init__(self, shell: Any, session_of: Any, layer_of: Any) -> None:
        self.shell = shell
        self.session_of = session_of
        self.layer_of = layer_of
        self.enabled = False
        self._cell: CheckedCell | None = None
        self._lineage: dict[str, tuple[Any, Any]] = {}

    def enable(self) -> None:
        self.enabled = True

    def disable(self) -> None:
        self.enabled = False
        self._lineage = {}
        self._abandon()

    def start(self, info: Any, key: str) -> None:
        raw = (getattr(info, "raw_cell", "") or "").lstrip()
        if not self.enabled or raw.startswith(_SKIP_PREFIXES):
            return
        self._abandon()
        cell = CheckedCell(self.shell, self.session_of(), CellOptions(), key, raw,
                           self.layer_of(), shown_only=True)
        try:
            cell.start(self._lineage)
        except RuntimeError:
            return  # a checked cell is already capturing
        self._cell = cell

    def finish(self, result: Any) -> None:
        cell, self._cell = self._cell, None
        if cell is None:
            return
        failed = result is not None and not getattr(result, "success", True)
        try:
            cell.finish(error=failed)
        except Exception as err:  # noqa: BLE001 - never break the user's session
            display.note(f"the automatic check of this cell failed: {err}")
            return
        namespace = self.shell.user_ns
        kept = {name: entry for name, entry in self._lineage.items()
                if namespace.get(name) is entry[0]}
        if not failed:
            kept.update(cell.traced())
        self._lineage = dict(list(kept.items())[-_KEEP_NAMES:])

    def _abandon(self) -> None:
        if self._cell is not None:
            self._cell.stop()
            self._cell = None


class CellRuns:
    """Opens a cell run at ``pre_run_cell`` and shows what the cell made at ``post_run_cell``."""

    def __init__(self, auto: AutoCheck) -> None:
        self.auto = auto
        self.cell_id: str | None = None
        self._depth = 0

    def pre_run_cell(self, info: Any) -> None:
        self.cell_id = getattr(info, "cell_id", None)
        raw = getattr(info, "raw_cell", "") or ""
        run = open_cell(cell_key(self.cell_id, raw))
        run.code = run.code or raw  # for remedies: the code they edit
        self._depth += 1
        if self._depth == 1:  # a cell run from inside a cell belongs to the outer one
            self.auto.start(info, run.key)

    def post_run_cell(self, result: Any) -> None:
        if self._depth == 0:
            return  # the cell that loaded the extension
        self._depth -= 1
        try:
            if self._depth == 0:
                self.auto.finish(result)
                self.cell_id = None
        finally:
            self._end()

    @contextmanager
    def cell(self, code: str) -> Iterator[CellRun]:
        """The running cell (a magic inside IPython's run), or a run of its own."""
        run = open_cell(cell_key(self.cell_id, code))
        try:
            yield run
        finally:
            self._end()

    def close(self) -> None:
        """The extension is unloaded: end the open runs (their outputs are not shown)."""
        self.auto.disable()
        while self._depth:
            self._depth -= 1
            close_cell()

    def _end(self) -> None:
        made = close_cell()  # None until the outermost run ends
        if made:
            display.show_made(made)
