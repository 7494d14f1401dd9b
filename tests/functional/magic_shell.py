"""A real IPython shell with ``%load_ext jupyter_sdc``, reset between tests (imported by tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from IPython.terminal.interactiveshell import TerminalInteractiveShell
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

import jupyter_sdc
from jupyter_sdc.core.record import MIME_TYPE

EXTENSION = "jupyter_sdc"


def shell() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    start_ipython()  # once per process; later calls return None
    ip = TerminalInteractiveShell.instance()
    ip.run_line_magic("load_ext", EXTENSION)
    return ip


def reset(ip: Any) -> None:
    """Fresh default session, auto mode off, %config values cleared, user namespace emptied."""
    from jupyter_sdc.capture import attach
    from jupyter_sdc.ipython import loaded_magics
    from jupyter_sdc.magics import display
    from jupyter_sdc.magics.magic import RULE_TRAITS

    jupyter_sdc.set_session(None)
    ip.config.pop("SDC", None)  # %config values live on in the shell's config
    magics = loaded_magics(ip)
    magics.auto.disable()
    for name in RULE_TRAITS:
        setattr(magics, name, None)
    display.forget()
    attach.clear()
    ip.user_ns.clear()
    ip.init_user_ns()
    import matplotlib.pyplot as plt

    plt.close("all")


@dataclass
class Ran:
    """One executed cell: IPython's result, the records displayed, and the printed text."""

    result: Any
    bundles: list[dict] = field(default_factory=list)
    display_ids: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def records(self) -> list[dict]:
        return [b[MIME_TYPE] for b in self.bundles]


def run(ip: Any, code: str, *, ok: bool = True, cell_id: str | None = None) -> Ran:
    with capture_output() as cap:
        result = ip.run_cell(code, cell_id=cell_id)
    if ok and not result.success:
        raise AssertionError(f"cell failed: {result.error_in_exec!r}\n{cap.stdout}{cap.stderr}")
    ran = Ran(result, stdout=cap.stdout, stderr=cap.stderr)
    for out in cap.outputs:
        if MIME_TYPE in out.data:
            ran.bundles.append(out.data)
            ran.display_ids.append((out.transient or {}).get("display_id"))
    return ran


def people(seed: int = 0) -> pd.DataFrame:
    """300 synthetic people; South x M has 4 people (under any threshold of 5 or more)."""
    rng = np.random.default_rng(seed)
    rows = (["North"] * 120 + ["South"] * 60 + ["East"] * 120)
    sex = (["F"] * 60 + ["M"] * 60 + ["F"] * 56 + ["M"] * 4 + ["F"] * 60 + ["M"] * 60)
    return pd.DataFrame({
        "person_id": np.arange(300),
        "rgn": rows,
        "sex": sex,
        "age": rng.integers(18, 80, 300),
        "income": rng.gamma(2.0, 15_000, 300).round(2),
        "hours": rng.normal(35, 8, 300).round(1),
    })
