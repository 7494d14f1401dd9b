"""What every checked call shares: splitting its keywords, and handing its record to a session.

The keywords of a call are rule values (named as ``RuleValues``' fields, e.g. ``threshold=``),
record fields (``label``, ``title``, ``explanation``) or arguments of the pandas/statsmodels
call itself. An unknown keyword is for the library call to refuse, as it would unchecked.
"""

from __future__ import annotations

import difflib
import inspect
from typing import TYPE_CHECKING, Any

import pandas as pd

from jupyter_sdc.core.record import RECORD_FIELDS, Output
from jupyter_sdc.core.rules import RULE_NAMES, RuleValues

if TYPE_CHECKING:
    from jupyter_sdc.core.session import Session

#: rule values a call may set (``unit`` is a named argument of every wrapper)
RULE_KEYWORDS = frozenset(RULE_NAMES - {"unit"})


def _named(session: Session, call: str) -> set[str]:
    """The call's own named parameters (``suppress``, ``margins``, ``bins``…), for the hint."""
    method = getattr(type(session), call, None)
    if method is None:
        return set()
    return {name for name, p in inspect.signature(method).parameters.items()
            if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


def split(session: Session, fields: dict[str, Any], call: str,
          takes: frozenset[str] | None = frozenset()) -> tuple[RuleValues, dict, dict]:
    """The rules of this call, its record fields, and the rest (for pandas/statsmodels).

    ``takes``: the keywords the library call itself accepts (None: it checks its own). A
    keyword that is none of these, or that looks like a misspelt rule value or record field,
    is a TypeError naming the nearest one, before anything is computed or registered.
    """
    rest = {k: v for k, v in fields.items() if k not in RULE_KEYWORDS and k not in RECORD_FIELDS}
    ours = RULE_KEYWORDS | set(RECORD_FIELDS) | _named(session, call)
    for key in rest:
        near = difflib.get_close_matches(key, sorted(ours | (takes or set())), n=1, cutoff=0.75)
        near = [n for n in near if takes is not None or n in ours]
        if (takes is not None and key not in takes) or (near and takes is None):
            hint = f"did you mean {near[0]}=?" if near else (
                "rule values are " + ", ".join(sorted(RULE_KEYWORDS)))
            raise TypeError(f"{call}() got an unexpected keyword argument {key!r}: {hint}")
    rules = session.rules_for(**{k: v for k, v in fields.items() if k in RULE_KEYWORDS})
    record = {k: v for k, v in fields.items() if k in RECORD_FIELDS}
    return rules, record, rest


def register(session: Session, output: Output, record_fields: dict[str, Any]) -> Output:
    """Give the record its label/title/explanation and add it to the session."""
    for name in RECORD_FIELDS:
        if record_fields.get(name) is not None:
            setattr(output, name, record_fields[name])
    return session.add(output)


def published(output: Output, result: Any) -> Any:
    """The result the user gets: the record's table, shaped like what pandas returned."""
    if not (output.mitigation.get("suppressed") or output.mitigation.get("round_base")):
        return result
    if isinstance(result, pd.Series):
        return output.table.iloc[:, 0].rename(result.name)
    return output.table
