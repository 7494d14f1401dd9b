"""A real IPython shell with ``%load_ext jupyter_sdc``, driven only through public interfaces.

Between tests the shell is reset with ``sdc.set_session(None)``, ``%unload_ext`` /
``%load_ext`` (which turns auto mode off and forgets displays) and a fresh user namespace.
A cell's displayed MIME bundles are captured, so a test can save them into a notebook exactly
as the front end would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from IPython.utils.capture import capture_output

import jupyter_sdc as sdc

MIME = sdc.MIME_TYPE


def shell() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from IPython.terminal.interactiveshell import TerminalInteractiveShell
    from IPython.testing.globalipapp import start_ipython

    start_ipython()  # once per process
    ip = TerminalInteractiveShell.instance()
    if "jupyter_sdc" not in ip.extension_manager.loaded:
        ip.run_line_magic("load_ext", "jupyter_sdc")
    return ip


def reset(ip: Any) -> None:
    import matplotlib.pyplot as plt

    sdc.set_session(None)
    ip.config.pop("SDC", None)
    if "jupyter_sdc" in ip.extension_manager.loaded:
        ip.run_line_magic("unload_ext", "jupyter_sdc")
    ip.run_line_magic("load_ext", "jupyter_sdc")
    ip.user_ns.clear()
    ip.init_user_ns()
    plt.close("all")


@dataclass
class Ran:
    """One executed cell: IPython's result, every displayed bundle, and the printed text."""

    code: str
    result: Any
    bundles: list[dict] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def records(self) -> list[dict]:
        return [b[MIME] for b in self.bundles if MIME in b]

    @property
    def cell(self) -> tuple[str, list[dict]]:
        """``(source, bundles)`` for ``release_kit.write_notebook``."""
        return self.code, [b for b in self.bundles if b]


def run(ip: Any, code: str, *, ok: bool = True, cell_id: str | None = None) -> Ran:
    with capture_output() as cap:
        result = ip.run_cell(code, store_history=True, cell_id=cell_id)
    if ok and not result.success:
        error = result.error_in_exec or result.error_before_exec
        raise AssertionError(f"cell failed: {error!r}\n{cap.stdout}{cap.stderr}")
    ran = Ran(code, result, stdout=cap.stdout, stderr=cap.stderr)
    for out in cap.outputs:
        ran.bundles.append({k: v for k, v in out.data.items()})
    return ran
