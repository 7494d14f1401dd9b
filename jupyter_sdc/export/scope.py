"""Where an export may look and write, and how its messages name files.

The server exports within its root: config discovery stops there and every message names
files relative to it. The command line names them relative to the current folder. An SDC
folder outside the project is used only where the TRE administrator allows it: the TRE
policy's ``[export] allowed_sdc_folders``, or a server or command-line setting; never
``sdc.toml``, which the researcher edits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

#: longer paths are shortened in messages (a 100k-character path helps nobody)
_SHOWN_LIMIT = 120


@dataclass(frozen=True)
class Scope:
    #: config discovery stops here (the server root); None: it walks up to the file system root
    root: Path | None = None
    #: messages name files relative to this (default: ``root``, else the current folder)
    base: Path | None = None
    #: folders outside a project where the TRE administrator allows SDC folders
    allowed_sdc_folders: tuple[Path, ...] = ()

    @classmethod
    def of(cls, root: Path | str | None = None, base: Path | str | None = None,
           allowed: Iterable[Path | str] = ()) -> Scope:
        return cls(root=_resolved(root), base=_resolved(base),
                   allowed_sdc_folders=tuple(Path(p).expanduser().resolve() for p in allowed))

    def allowing(self, folders: Iterable[Path | str]) -> Scope:
        """This scope, with ``folders`` allowed as SDC folders too."""
        more = tuple(Path(p).expanduser().resolve() for p in folders)
        return replace(self, allowed_sdc_folders=self.allowed_sdc_folders + more)

    def show(self, path: Path | str) -> str:
        """``path`` as a message names it: relative to the base, never absolute.

        A path outside the server root is named by its last part only."""
        base = self.base or self.root or Path.cwd()
        try:
            real, base = Path(os.path.abspath(path)), Path(os.path.abspath(base))
            shown = Path(os.path.relpath(real, base)).as_posix()
        except (OSError, ValueError):
            shown = Path(str(path)).name
        if self.root is not None and not _inside(Path(os.path.abspath(path)), self.root):
            shown = Path(str(path)).name
        return shorten(shown)

    def allows(self, folder: Path, project: Path) -> bool:
        """Whether ``folder`` (resolved) may be an SDC folder of ``project`` (resolved)."""
        if folder != project and _inside(folder, project):
            return True
        return any(_inside(folder, allowed) for allowed in self.allowed_sdc_folders)


def shorten(text: str, limit: int = _SHOWN_LIMIT) -> str:
    """A name cut to ``limit`` characters, with an ellipsis in the middle."""
    if len(text) <= limit:
        return text
    half = limit // 2 - 1
    return f"{text[:half]}…{text[-half:]}"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _resolved(path: Path | str | None) -> Path | None:
    return None if path is None else Path(path).expanduser().resolve()
