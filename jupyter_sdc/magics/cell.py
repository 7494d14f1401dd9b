"""One checked cell from start to end: capture, run, decide what to record, show the badges.

Used by ``%%sdc_check`` (which runs the body itself) and by auto mode (where IPython runs the
cell between ``pre_run_cell`` and ``post_run_cell``). A cell that raises records nothing.
Showing the badges is the end of the cell run's (``hooks.CellRuns``).
"""

from __future__ import annotations

import ast
import hashlib
import sys
from typing import Any

from jupyter_sdc.capture.capturing import Capture, active
from jupyter_sdc.capture.patches import patch_table
from jupyter_sdc.capture.recorder import (
    CellOptions,
    Recorder,
    assigned,
    candidates,
    namespace_ids,
)
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.resolve import resolve_rules
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.magics import display


def cell_key(cell_id: str | None, source: str) -> str:
    """The key a cell's records are filed under: its notebook cell id, else a source hash."""
    if cell_id:
        return str(cell_id)
    return hashlib.sha1(source.encode("utf-8")).hexdigest()


class CheckedCell:
    """Capture state for one cell. ``start()`` then ``finish(error)`` (always, even on error).

    It runs inside a cell run (``jupyter_sdc.core.session.CellRun``): its records are filed
    under the cell there, with the cell's options, and shown when the run ends.
    ``shown_only`` (auto mode): record what the cell displayed, not what it only assigned.
    """

    def __init__(
        self, shell: Any, session: Any, options: CellOptions, key: str, code: str,
        config_layer: dict | None = None, *, shown_only: bool = False,
    ) -> None:
        self.shell = shell
        self.session = session
        self.options = options
        self.key = key
        self.code = code
        self.config_layer = config_layer or {}
        self.shown_only = shown_only
        self.capture = Capture(patch_table)
        self._before: dict[str, int] = {}
        self._figures: set[int] = set()
        self._started = False

    def start(self, known: dict[str, tuple[Any, Any]] | None = None) -> None:
        """Patch and watch; ``known``: names of earlier cells' traced results (auto mode), whose
        lineage still holds while the name holds the same object."""
        if active() is not None:
            raise RuntimeError("another checked cell is still running")
        self._before = namespace_ids(self.shell.user_ns)
        self._figures = set(_open_figures())
        for name, (obj, node) in (known or {}).items():
            if self.shell.user_ns.get(name) is obj:
                self.capture.note(obj, node)
        self.capture.__enter__()
        self.capture.watch_display(self.shell.display_formatter)
        self._started = True

    def stop(self) -> None:
        if self._started:
            self._started = False
            self.capture.__exit__(None, None, None)

    def finish(self, error: bool) -> list[Output]:
        """Undo the patches; unless the cell raised, record what it showed (or assigned).

        A cell that raised records nothing of its own: its output area now holds a traceback,
        and the end of the cell run drops the records it made before."""
        self.stop()
        if error:
            return []
        figures = [f for num, f in _open_figures().items() if num not in self._figures]
        namespace = None if self.shown_only else self.shell.user_ns
        found = candidates(self.capture, namespace, self._before, figures)
        if not found:
            return []
        recorder = Recorder(self.rules(), self.session.new_uid, self._source())
        result = recorder.record(self.capture, found, self.shell.user_ns)
        for output in result.outputs:
            self.session.add(output)
        for message in result.notes:
            display.note(f"capture problem (results not affected): {message}")
        return result.outputs

    def traced(self) -> dict[str, tuple[Any, Any]]:
        """Names the cell bound to traced results: ``name -> (result, lineage node)``."""
        cap = self.capture
        bound = assigned(cap, self.shell.user_ns, self._before)
        return {name: (value, cap.node_of(value)) for name, value in bound.items()
                if cap.node_of(value) is not None}

    def rules(self) -> RuleValues:
        """The session's rules as this cell's options change them."""
        return self.change_rules(self.session.rules)

    def change_rules(self, rules: RuleValues) -> RuleValues:
        """``--profile``, ``--unit``, ``--suppress`` and ``--round`` applied to ``rules``
        (for the cell's captured results and for every ``sdc.*`` call in it)."""
        opts = self.options
        if opts.profile:
            rules = resolve_rules(profile=opts.profile, layers=(self.config_layer,))
        changes: dict[str, Any] = {}
        if opts.unit:
            changes["unit"] = opts.unit
        mitigation = list(rules.mitigation)
        if opts.suppress and "suppress" not in mitigation:
            mitigation.append("suppress")
        if opts.round_base:
            changes["round_base"] = opts.round_base
            if "round" not in mitigation:
                mitigation.append("round")
        if mitigation:
            changes["mitigation"] = tuple(mitigation)
        return rules.replace(**changes) if changes else rules

    def fields(self) -> dict[str, Any]:
        """The record fields the cell's options give each output it makes."""
        opts = self.options
        return {"label": opts.label, "title": opts.title, "explanation": opts.explanation,
                "dataset": opts.dataset}

    def _source(self) -> dict[str, Any]:
        return {"code": self.code, "cell_id": self.key, "notebook": None}


def run_body(shell: Any, body: str) -> tuple[Any, bool]:
    """Run ``body`` in the user namespace; return the last value and whether to show it."""
    __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
    code = shell.transform_cell(body)
    tree = ast.parse(code)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    filename = shell.compile.cache(code, shell.execution_count, raw_code=body)
    glob, loc = shell.user_global_ns, shell.user_ns
    # The shell's compiler keeps the session's __future__ flags, as an unchecked cell would.
    exec(shell.compile(tree, filename, "exec"), glob, loc)  # noqa: S102 - the user's cell
    if last is None:
        return None, False
    value = eval(shell.compile(last, filename, "eval"), glob, loc)  # noqa: S307
    quiet = code.rstrip().endswith(";")
    return value, value is not None and not quiet


def _open_figures() -> dict[int, Any]:
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is None:
        return {}
    # Read pyplot's registry directly: plt.figure(num) would change the current figure.
    return {m.num: m.canvas.figure for m in helpers.Gcf.get_all_fig_managers()}


def flush_inline_figures() -> None:
    """Show figures now (inline backend) so they appear above the badges, not below them."""
    backend = sys.modules.get("matplotlib_inline.backend_inline")
    plt = sys.modules.get("matplotlib.pyplot")
    if backend is None or plt is None or "inline" not in str(plt.get_backend()):
        return
    backend.flush_figures()
