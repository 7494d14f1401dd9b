"""Was a notebook run top to bottom in a fresh kernel? (ACRO #239)

Checkers trust a notebook's outputs only when its code ran in the order it is read: the
execution counts of its code cells must increase from top to bottom (gaps are allowed: a cell
re-run before the next one, or a markdown cell in between). Cells never run are fine only when
no later cell ran. A notebook that fails this is still exported; preflight warns, naming the
first cell out of order and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_sdc.export.notebook import read_notebook
from jupyter_sdc.export.preflight import finding
from jupyter_sdc.export.scope import Scope

_FIX = "Restart the kernel and run all cells (Kernel > Restart Kernel and Run All Cells), save, "\
       "then export again."


def out_of_order(notebook: dict[str, Any]) -> str | None:
    """Why the code cells of ``notebook`` did not run top to bottom (None: they did)."""
    last, last_cell, unrun = 0, 0, None
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    for number, cell in enumerate(cells, start=1):
        count = cell.get("execution_count")
        if not isinstance(count, int):
            unrun = unrun or number
            continue
        if count <= last:
            return (f"code cell {number} ran [{count}] after code cell {last_cell} above it "
                    f"[{last}]")
        if unrun is not None:
            return f"code cell {unrun} was not run, but code cell {number} below it was"
        last, last_cell = count, number
    return None


def run_order_findings(paths: list[Path], scope: Scope | None = None) -> list[dict[str, Any]]:
    """A preflight warning for each notebook not run top to bottom."""
    scope = scope or Scope()
    found = []
    for path in paths:
        why = out_of_order(read_notebook(path, scope))
        if why:
            found.append(finding(
                "run-order", f"The notebook was not run top to bottom in a fresh kernel: "
                f"{why}. {_FIX}", Path(path).name, severity="warning"))
    return found
