"""jupyter_sdc: statistical disclosure control while you analyse.

``import jupyter_sdc as sdc`` gives the checked calls (``sdc.crosstab``, ``sdc.pivot_table``,
``sdc.ols``, …) on the default session (``sdc.session()``), and ``sdc.Session`` for sessions of
your own. Importing has no side effects: the IPython magics are registered only by
``%load_ext jupyter_sdc``.
"""

from __future__ import annotations

from typing import Any

from jupyter_sdc._version import __version__
from jupyter_sdc.api import (
    WRAPPERS,
    Session,
    apply_remedy,
    boxplot,
    corr,
    coxph,
    crosstab,
    custom_output,
    describe,
    hist,
    logit,
    logitr,
    merge_levels,
    ols,
    olsr,
    phreg,
    pie,
    pivot_table,
    probit,
    probitr,
    rebin,
    remedies,
    safe_extremes,
    session,
    set_session,
    stat,
    surv_func,
    topcode,
)
from jupyter_sdc.core.record import MIME_TYPE, Output
from jupyter_sdc.core.rules import RuleValues, available_profiles, load_profile
from jupyter_sdc.core.status import Status


def attach_counts(result: Any, counts: Any, **fields: Any) -> Any:
    """Attach the unweighted counts behind a result that jupyter_sdc could not trace."""
    from jupyter_sdc.capture.attach import attach_counts as attach

    return attach(result, counts, **fields)


def panel(session: Session | None = None) -> Any:
    """A live ipywidgets panel of the session's outputs (default session if none given)."""
    from jupyter_sdc.widgets import panel as build

    return build(session if session is not None else globals()["session"]())


# -- Jupyter's hooks: looked up on the top-level package --------------------------------------
def load_ipython_extension(ip: Any) -> None:
    """``%load_ext jupyter_sdc``: register the magics (nothing happens at import)."""
    from jupyter_sdc.ipython import load_ipython_extension as load

    load(ip)


def unload_ipython_extension(ip: Any) -> None:
    from jupyter_sdc.ipython import unload_ipython_extension as unload

    unload(ip)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    from jupyter_sdc.server import _jupyter_labextension_paths as paths

    return paths()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    from jupyter_sdc.server import _jupyter_server_extension_points as points

    return points()


__all__ = ["MIME_TYPE", "WRAPPERS", "Output", "RuleValues", "Session", "Status", "__version__",
           "apply_remedy", "attach_counts", "available_profiles", "boxplot", "corr", "coxph",
           "crosstab", "custom_output", "describe", "hist", "load_profile", "logit", "logitr",
           "merge_levels", "ols", "olsr", "panel", "phreg", "pie", "pivot_table", "probit",
           "probitr", "rebin", "remedies", "safe_extremes", "session", "set_session", "stat",
           "surv_func", "topcode"]
