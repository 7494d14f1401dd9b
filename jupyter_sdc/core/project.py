"""Locate and read the project's ``sdc.toml`` (found by walking up from a notebook's folder)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CONFIG_NAME = "sdc.toml"


def find_config(start: Path | str | None = None) -> Path | None:
    """The nearest ``sdc.toml`` in ``start`` or one of its parents, or None."""
    here = Path(start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the file and the line to fix."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{path} is not valid TOML: {err}. Fix that line and try again.") from err
