"""The ``sdc.*`` facade: ``Session`` with its checked calls and export, and the default session.

``sdc.Session`` is the core session (outputs, rules, edits; ``jupyter_sdc.core.session``) with
the checked pandas/statsmodels calls (``api.tables``, ``api.models``) and ``export()``. The
module-level ``sdc.crosstab(...)`` and friends call the default session's method.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_sdc.api.models import ModelCalls
from jupyter_sdc.api.remedies import (
    RemedyCalls,
    apply_remedy,
    merge_levels,
    rebin,
    remedies,
    topcode,
)
from jupyter_sdc.api.stats import StatsCalls
from jupyter_sdc.api.tables import TableCalls


class Session(TableCalls, ModelCalls, StatsCalls, RemedyCalls):
    """``Session(profile=None, unit=None, **rule_values)``: later layers win (DESIGN.md).

    Checked calls: ``crosstab``, ``pivot_table``, ``describe``, ``stat``, ``custom_output``,
    ``ols``/``olsr``, ``logit``/``logitr``, ``probit``/``probitr``, ``hist``, ``surv_func``,
    ``phreg``, ``coxph``, ``corr``, ``pie``, ``boxplot``, ``safe_extremes``. A failing output
    gets its remedies as it is added (``session.remedies(output)``).
    """

    def __init__(self, profile: str | None = None, unit: str | None = None, *,
                 project_dir: Path | str | None = None, **rule_values: Any) -> None:
        from jupyter_sdc.remedies import keep_remedies

        super().__init__(profile, unit, project_dir=project_dir, **rule_values)
        self.subscribe(keep_remedies)

    def export(self, project_dir: Path | str | None = None, *,
               config_path: Path | str | None = None) -> Any:
        """Export this session's outputs as a new request in the project's SDC folder.

        Uses the ``sdc.toml`` found by walking up from ``project_dir`` (default: the current
        folder). Returns an ``ExportResult``; raises ``ExportRefused`` listing what to fix.
        """
        from jupyter_sdc.export.config import ConfigError, find_config, load_config
        from jupyter_sdc.export.request import ExportRefused, export_records

        start = Path(project_dir or self._project_dir or Path.cwd())
        try:
            config = load_config(Path(config_path) if config_path else find_config(start))
        except ConfigError as err:
            raise ExportRefused([str(err)]) from err
        return export_records([o.to_dict() for o in self.outputs], config)


#: the checked calls, as methods of a Session and as functions on the default session
WRAPPERS = ("crosstab", "pivot_table", "describe", "stat", "ols", "olsr", "logit", "logitr",
            "probit", "probitr", "hist", "custom_output", "surv_func", "phreg", "coxph", "corr",
            "pie", "boxplot", "safe_extremes")

_default: Session | None = None


def session() -> Session:
    """The default session, used by the magics and the module-level calls."""
    global _default
    if _default is None:
        _default = Session()
    return _default


def set_session(new: Session | None) -> Session | None:
    """Replace the default session (None: a fresh one is made on next use); returns the old."""
    global _default
    old, _default = _default, new
    return old


def _on_default_session(name: str) -> Callable[..., Any]:
    """``sdc.<name>(...)``: the method of the default session, with its signature and help."""
    method = getattr(Session, name)

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        # looked up at call time, so a checked cell's capture sees the call
        return getattr(session(), name)(*args, **kwargs)

    parameters = list(inspect.signature(method).parameters.values())[1:]  # without self
    call.__signature__ = inspect.signature(method).replace(parameters=parameters)  # type: ignore[attr-defined]
    del call.__wrapped__  # the signature above, not the method's (which takes self)
    return call


# the checked calls on the default session, one name each (so editors complete them)
(crosstab, pivot_table, describe, stat, ols, olsr, logit, logitr, probit, probitr, hist,
 custom_output, surv_func, phreg, coxph, corr, pie, boxplot, safe_extremes) = (
    _on_default_session(name) for name in WRAPPERS)


def supersede(old: str, made: list[Any], session_: Session | None = None) -> str:
    """Mark ``old`` superseded by the first output of ``made`` (``%%sdc_check --supersedes``);
    returns what to tell the researcher ("" when done)."""
    from jupyter_sdc.remedies import supersede as mark

    return mark(session_ if session_ is not None else session(), old, made)


__all__ = ["WRAPPERS", "Session", "apply_remedy", "merge_levels", "rebin", "remedies",
           "session", "set_session", "supersede", "topcode", *WRAPPERS]
