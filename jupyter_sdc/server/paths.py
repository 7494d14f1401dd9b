"""Confine a notebook path from a web request to the server root (no tornado here)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath


class PathRefused(ValueError):
    """A requested path is unusable; ``status`` is the HTTP status the handler answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def notebook_path(root: Path | str, requested: object) -> Path:
    """The notebook file ``requested`` names, relative to ``root``, resolved and checked.

    Refuses (400) a missing, absolute, ``..`` or non-``.ipynb`` path, (403) one whose real
    location (symlinks followed) is outside the root, and (404) a file that does not exist.
    """
    if not isinstance(requested, str) or not requested.strip():
        raise PathRefused(400, 'Give "path": the notebook path relative to the server root.')
    text = requested.replace("\\", "/")
    if text.startswith("/") or os.path.isabs(requested) or PureWindowsPath(requested).drive:
        raise PathRefused(
            400, f"{requested!r} is an absolute path; give the path relative to the server root."
        )
    parts = PurePosixPath(text).parts
    if ".." in parts:
        raise PathRefused(400, f"{requested!r} contains '..'; give a path inside the server root.")
    if PurePosixPath(text).suffix != ".ipynb":
        raise PathRefused(400, f"{requested!r} is not a notebook; give an .ipynb file.")
    root_real = Path(root).resolve()
    target = root_real.joinpath(*parts).resolve()
    if not target.is_relative_to(root_real):
        raise PathRefused(403, f"{requested!r} leads outside the server root; it is refused.")
    if not target.is_file():
        raise PathRefused(404, f"{requested!r} does not exist. Save the notebook first.")
    return target


def relative_to_root(root: Path | str, path: Path | str) -> str:
    """``path`` relative to the server root with forward slashes; absolute when outside it."""
    root_real = Path(root).resolve()
    real = Path(path).resolve()
    if real.is_relative_to(root_real):
        return real.relative_to(root_real).as_posix()
    return str(real)
