"""Locate and read the project's ``sdc.toml`` (found by walking up from a notebook's folder)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

CONFIG_NAME = "sdc.toml"


class ConfigFileError(ValueError):
    """``sdc.toml`` cannot be read or parsed; ``reason`` says why without naming the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


def find_config(start: Path | str | None = None, root: Path | str | None = None) -> Path | None:
    """The nearest ``sdc.toml`` in ``start`` or one of its parents, or None.

    The walk stops at ``root`` (a server's root: a config above it is not this server's). An
    entry named ``sdc.toml`` that is not a readable file (a folder, a dangling link) still ends
    the walk, so the project's broken config is reported rather than one further up used.
    """
    given = Path(os.path.abspath(start or Path.cwd()))
    # a notebook belongs to the project of the folder it is in (a link: where the link is)
    here = given.resolve() if given.is_dir() else given.parent.resolve()
    top = Path(root).resolve() if root is not None else None
    if top is not None and not here.is_relative_to(top):
        return None
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if os.path.lexists(candidate):
            return candidate
        if folder == top:
            break
    return None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a :class:`ConfigFileError` says what is wrong (the line to fix)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigFileError(path, "does not exist (a link to a missing file?)") from None
    except IsADirectoryError:
        raise ConfigFileError(path, "is a folder, not a file") from None
    except OSError as err:
        raise ConfigFileError(path, f"cannot be read ({err.strerror or 'unreadable'})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigFileError(path, "is not UTF-8 text (a binary file, or saved in another "
                                    "encoding)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigFileError(path, f"is not valid TOML: {err}. Fix that line and try again"
                              ) from None
