"""What an SDC folder holds, as tests see it: request folders, each with its checkers'
``<request>.checker`` folder beside it (not a request)."""

from __future__ import annotations

from pathlib import Path


def requests_in(sdc_folder: Path) -> list[Path]:
    """Request folders in an SDC folder (hidden entries included, so staging shows up)."""
    if not sdc_folder.is_dir():
        return []
    return sorted(p for p in sdc_folder.iterdir() if not is_checker_folder(p))


def is_checker_folder(path: Path) -> bool:
    return path.name.endswith(".checker") and path.with_name(path.name[:-8]).is_dir()
