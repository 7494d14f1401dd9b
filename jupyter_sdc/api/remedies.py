"""Remedies through the facade: ``sdc.remedies(output)``, ``sdc.apply_remedy``, the recodes
their code uses (``sdc.merge_levels``, ``sdc.rebin``, ``sdc.topcode``) and the checked
``sdc.safe_extremes``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jupyter_sdc.api.calls import register, split
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.session import Session as CoreSession
from jupyter_sdc.remedies import Remedy, found_remedies
from jupyter_sdc.remedies.helpers import merge_levels, rebin, topcode
from jupyter_sdc.remedies.safe import safe_extremes_output


class RemedyCalls(CoreSession):
    """The checked calls remedies propose that pandas has no twin for."""

    def safe_extremes(self, frame: pd.DataFrame, column: str, k: int | None = None,
                      unit: Any = None, *, by: Any = None, **fields: Any) -> pd.DataFrame:
        """The safe minimum and maximum of ``frame[column]``: each the mean of the k most
        extreme units (each unit once, by its own extreme value), k widened from the
        threshold until no unit dominates (sdcLog's rule). ``by=`` gives them per group.

        Returns a DataFrame (rows minimum and maximum, or one row per group) and registers
        its record, judged as a mean of those units.
        """
        rules, record, _rest = split(self, fields, "safe_extremes")
        table, output = safe_extremes_output(frame, column, rules=rules, uid=self.new_uid(),
                                             k=k, unit=unit, by=by)
        register(self, output, record)
        return table

    def remedies(self, output: Output | str) -> list[Remedy]:
        """The remedies of one of this session's outputs (by uid, label or itself)."""
        return found_remedies(self.get(output))


def remedies(output: Any) -> list[Remedy]:
    """Remedies for a failing output, best first: each a description, the code of the cell
    that makes the remedied output (same label, under ``%%sdc_check``), its status (already
    judged by the same checks) and its information loss (``loss["score"]`` orders them).

    ``output`` is an ``Output``, its uid or label in the default session, or a saved record
    (its saved remedies are returned).
    """
    if isinstance(output, dict):
        return [Remedy.from_dict(r) for r in Output.from_dict(output).remedies]
    if isinstance(output, Output):
        return found_remedies(output)
    from jupyter_sdc.api import session

    return session().remedies(output)


def apply_remedy(output: Any, which: int = 0) -> Remedy:
    """Put remedy ``which`` (0: the best) of ``output`` into the next cell, to run it.

    In IPython front ends that take it (JupyterLab, Notebook, VS Code) the code appears as
    the next cell; elsewhere it is printed, to copy.
    """
    found = remedies(output)
    if not found:
        raise ValueError("this output has no remedies (it passes, or none was found that "
                         "passes: see its reasons)")
    if not 0 <= which < len(found):
        raise IndexError(f"which={which}: this output has {len(found)} remedies (0 to "
                         f"{len(found) - 1})")
    remedy = found[which]
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        shell.set_next_input(remedy.code, replace=False)
    else:
        print(remedy.code)
    return remedy


__all__ = ["RemedyCalls", "apply_remedy", "merge_levels", "rebin", "remedies", "topcode"]
