"""Confine a notebook path from a web request to the server root (no tornado here)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from jupyter_sdc.export.scope import shorten

_NAME_MAX, _PATH_MAX = 255, 4096  # bytes, as Linux file systems allow


class PathRefused(ValueError):
    """A requested path is unusable; ``status`` is the HTTP status the handler answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def notebook_path(root: Path | str, requested: object) -> Path:
    """The notebook file ``requested`` names, relative to ``root``, resolved and checked.

    Refuses (400) a missing, absolute, ``..``, too long, NUL-holding or non-``.ipynb`` path,
    (403) one whose real location (symlinks followed) is outside the root, (404) a file that
    does not exist, and (400) a folder.
    """
    if not isinstance(requested, str) or not requested.strip():
        raise PathRefused(400, 'Give "path": the notebook path relative to the server root.')
    shown = shorten(requested.replace("\x00", "\\0"))
    if "\x00" in requested:
        raise PathRefused(400, f"{shown!r} holds a NUL character; give a plain notebook path.")
    encoded = requested.encode("utf-8", "surrogatepass")
    if len(encoded) > _PATH_MAX or any(len(p) > _NAME_MAX for p in encoded.split(b"/")):
        raise PathRefused(400, f"{shown!r} is too long for a file name; give a shorter path.")
    text = requested.replace("\\", "/")
    if text.startswith("/") or os.path.isabs(requested) or PureWindowsPath(requested).drive:
        raise PathRefused(
            400, f"{shown!r} is an absolute path; give the path relative to the server root.")
    parts = PurePosixPath(text).parts
    if ".." in parts:
        raise PathRefused(400, f"{shown!r} contains '..'; give a path inside the server root.")
    if PurePosixPath(text).suffix != ".ipynb":
        raise PathRefused(400, f"{shown!r} is not a notebook; give an .ipynb file.")
    root_real = Path(root).resolve()
    target = root_real.joinpath(*parts).resolve()
    if not target.is_relative_to(root_real):
        raise PathRefused(403, f"{shown!r} leads outside the server root; it is refused. Give a "
                               f"notebook inside the server root.")
    if target.is_dir():
        raise PathRefused(400, f"{shown!r} is a folder, not a notebook file; give the .ipynb "
                               f"file.")
    if not target.is_file():
        raise PathRefused(404, f"{shown!r} does not exist. Save the notebook first.")
    return target


def relative_to_root(root: Path | str, path: Path | str) -> str:
    """``path`` relative to the server root with forward slashes (its name when outside it)."""
    root_real = Path(root).resolve()
    real = Path(path).resolve()
    if real.is_relative_to(root_real):
        return real.relative_to(root_real).as_posix()
    return real.name
