"""Meaningful names for raw variable codes, written as ``raw=Meaningful, x2=Age``."""

from __future__ import annotations

import re
from collections.abc import Mapping

_SEPARATORS = re.compile(r"[,;\n]")
EXAMPLE = "raw=Meaningful, x2=Age"


def parse_renames(text: str) -> dict[str, str]:
    """``"raw=Meaningful, x2=Age"`` -> ``{"raw": "Meaningful", "x2": "Age"}``.

    Pairs are separated by commas, semicolons or new lines; an empty text means no renames.
    Raises ``ValueError`` naming the faulty pair and showing the expected form.
    """
    if not isinstance(text, str):
        raise TypeError(f"renames must be text like {EXAMPLE!r}, not {type(text).__name__}")
    mapping: dict[str, str] = {}
    for piece in _SEPARATORS.split(text):
        pair = piece.strip()
        if not pair:
            continue
        if pair.count("=") != 1:
            problem = "has no '='" if "=" not in pair else "has more than one '='"
            raise ValueError(f"rename {pair!r} {problem}; write old=New pairs, e.g. {EXAMPLE}")
        old, new = (part.strip() for part in pair.split("="))
        if not old or not new:
            side = "old name" if not old else "new name"
            raise ValueError(f"rename {pair!r} has an empty {side}; write e.g. {EXAMPLE}")
        if old in mapping and mapping[old] != new:
            raise ValueError(f"{old!r} is renamed twice ({mapping[old]!r} and {new!r}); keep one")
        mapping[old] = new
    return mapping


def format_renames(mapping: Mapping[str, object] | None) -> str:
    """The text form of a mapping, so the panel shows the current names."""
    return ", ".join(f"{old}={new}" for old, new in (mapping or {}).items())
