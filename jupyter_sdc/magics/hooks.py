"""Auto mode (``%sdc_check on``): every cell is checked, through IPython's run-cell events.

A light ``pre_run_cell`` listener is always registered by ``%load_ext``: it only remembers the
running cell's id, so ``%%sdc_check`` can file records under it. Patching happens only while
auto mode is on, and only between ``pre_run_cell`` and ``post_run_cell`` of each cell.
"""

from __future__ import annotations

from typing import Any

from jupyter_sdc.capture.recorder import CellOptions
from jupyter_sdc.magics import display
from jupyter_sdc.magics.cell import CheckedCell, cell_key

# Cells that manage checking themselves, or that only configure it, are never auto-checked.
_SKIP_PREFIXES = ("%%sdc_check", "%sdc_", "%load_ext", "%reload_ext", "%config", "%unload_ext")


class CellTracker:
    """Remembers the notebook id of the cell IPython is running (None outside a notebook)."""

    def __init__(self) -> None:
        self.cell_id: str | None = None

    def pre_run_cell(self, info: Any) -> None:
        self.cell_id = getattr(info, "cell_id", None)

    def key_for(self, code: str) -> str:
        return cell_key(self.cell_id, code)


class AutoCheck:
    """Checks every cell while registered on the shell's events."""

    def __init__(self, shell: Any, session_of: Any, tracker: CellTracker, layer_of: Any) -> None:
        self.shell = shell
        self.session_of = session_of
        self.tracker = tracker
        self.layer_of = layer_of
        self.enabled = False
        self._cell: CheckedCell | None = None

    def enable(self) -> None:
        if not self.enabled:
            self.shell.events.register("pre_run_cell", self.pre_run_cell)
            self.shell.events.register("post_run_cell", self.post_run_cell)
            self.enabled = True

    def disable(self) -> None:
        if self.enabled:
            self.shell.events.unregister("pre_run_cell", self.pre_run_cell)
            self.shell.events.unregister("post_run_cell", self.post_run_cell)
            self.enabled = False
        self._abandon()

    def pre_run_cell(self, info: Any) -> None:
        raw = (getattr(info, "raw_cell", "") or "").lstrip()
        if raw.startswith(_SKIP_PREFIXES) or getattr(info, "silent", False):
            return
        self._abandon()
        key = cell_key(getattr(info, "cell_id", None), raw)
        cell = CheckedCell(self.shell, self.session_of(), CellOptions(), key, raw,
                           self.layer_of())
        try:
            cell.start()
        except RuntimeError:
            return  # a checked cell is already capturing (nested run_cell)
        self._cell = cell

    def post_run_cell(self, result: Any) -> None:
        cell, self._cell = self._cell, None
        if cell is None:
            return
        failed = result is not None and not getattr(result, "success", True)
        try:
            outputs = cell.finish(error=failed)
        except Exception as err:  # noqa: BLE001 - never break the user's session
            display.note(f"the automatic check of this cell failed: {err}")
            return
        display.show_all(cell.session, outputs)

    def _abandon(self) -> None:
        if self._cell is not None:
            self._cell.stop()
            self._cell = None
