"""Where a request is written before it appears: a staging folder beside the SDC folder.

The SDC folder must be inside the project (or a folder the TRE administrator allows). A request
is written into a hidden staging folder next to the SDC folder, on the same file system and
outside the SDC folder, so checkers never see it half-written, and renamed into place under a
name that does not exist yet. Where that rename cannot be atomic (the SDC folder is a mount
point) the export is refused rather than staged inside it. A lock file beside each staging
folder names the process writing it: a staging folder is removed as stale only when that
process no longer runs. Published folders and files are never group- or world-writable.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from jupyter_sdc.export.checker import CHECKER_SUFFIX
from jupyter_sdc.export.config import Config
from jupyter_sdc.export.scope import Scope

STAGING_PREFIX = "staging-"
LOCK_SUFFIX = ".lock"
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_GROUP_WORLD_WRITE = stat.S_IWGRP | stat.S_IWOTH


class ExportError(Exception):
    """The request could not be written; nothing was left in the SDC folder."""


def sdc_folder(config: Config, scope: Scope) -> Path:
    """The SDC folder, checked: inside the project (or allowed), a folder, writable.

    Nothing is created here: a missing SDC folder is made when the request is published."""
    sdc, shown, toml = config.sdc_folder, scope.show(config.sdc_folder), config.shown
    if not scope.allows(sdc.resolve(), config.root.resolve()):
        raise ExportError(
            f"export.sdc_folder in {toml} leads outside the project (the folder holding "
            f"{Path(toml).name}, through '..', an absolute path or a link): nothing was written. "
            f"Set it to a folder inside the project, such as \"SDC\"; a folder elsewhere must be "
            f"allowed by your TRE administrator.")
    if os.path.lexists(sdc) and not sdc.is_dir():
        raise ExportError(f"The SDC folder {shown} is a file, not a folder. Set "
                          f"export.sdc_folder in {toml} to a folder.")
    if sdc.is_dir() and not os.access(sdc, os.W_OK | os.X_OK):
        raise ExportError(f"The SDC folder {shown} is read-only for you: nothing was written. "
                          f"Ask your TRE support for write access, or set export.sdc_folder "
                          f"in {toml}.")
    return sdc


def staged(sdc: Path, scope: Scope, write: Callable[[Path], None]) -> Path:
    """Stage a request beside ``sdc``, ``write`` it, then strip group and world write bits.

    Returns the staging folder; on any failure it is removed and the error re-raised (an
    ``OSError`` as an :class:`ExportError` saying what to do)."""
    remove_stale_staging(sdc)
    staging, lock = _staging_folder(sdc, scope)
    try:
        # mkdtemp makes a private (0700) folder; checkers read the request as they read the
        # SDC folder, but none of them may change it (os.umask is not thread-safe: chmod)
        os.chmod(staging, _mode_of(sdc) & 0o777 & ~_GROUP_WORLD_WRITE)
        write(staging)
        _strip_write_bits(staging)
        if checker_of(staging).is_dir():
            _strip_write_bits(checker_of(staging))
    except BaseException as exc:
        discard(staging)
        if isinstance(exc, OSError):
            raise os_error(exc, sdc, scope) from exc
        raise
    return staging


def publish(staging: Path, sdc: Path, base: str, scope: Scope) -> Path:
    """Rename the staged request to the first free ``base``, ``base_2``, … name in ``sdc``,
    and its checkers' folder (when staged) to the same name with ``.checker``.

    ``os.rename`` of a folder onto an existing non-empty folder fails, so two exports at the
    same moment cannot take the same name: the loser tries the next number. The checkers'
    folder is moved first and moved back if the request's name is taken meanwhile, so a
    request never appears without it.
    """
    checker = checker_of(staging)
    try:
        sdc.mkdir(exist_ok=True)
        for number in range(1, 10_000):
            target = sdc / (base if number == 1 else f"{base}_{number}")
            if os.path.lexists(target) or os.path.lexists(checker_of(target)):
                continue
            if checker.is_dir() and not _moved(checker, checker_of(target)):
                continue
            if not _moved(staging, target):
                if checker_of(target).is_dir():
                    os.rename(checker_of(target), checker)
                continue
            _lock_of(staging).unlink(missing_ok=True)
            return target
    except OSError as exc:
        discard(staging)
        raise os_error(exc, sdc, scope) from exc
    discard(staging)
    raise ExportError(f"{scope.show(sdc)} already holds 9999 requests named {base}_n; tidy it "
                      f"up.")


def checker_of(folder: Path) -> Path:
    """The checkers' folder beside a request (or beside its staging folder)."""
    return folder.with_name(folder.name + CHECKER_SUFFIX)


def _moved(source: Path, target: Path) -> bool:
    """Rename ``source`` to ``target``; False when ``target`` was taken meanwhile."""
    try:
        os.rename(source, target)
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or os.path.lexists(target):
            return False
        raise
    return True


def discard(staging: Path) -> None:
    """Remove a staging folder, its checkers' folder and its lock."""
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(checker_of(staging), ignore_errors=True)
    _lock_of(staging).unlink(missing_ok=True)


def remove_stale_staging(sdc: Path) -> None:
    """Staging folders left by a killed export: only those whose lock names a gone process."""
    for lock in sdc.parent.glob(f".{sdc.name}.{STAGING_PREFIX}*{LOCK_SUFFIX}"):
        try:
            host, pid = lock.read_text(encoding="utf-8").split()
            gone = host == socket.gethostname() and not _running(int(pid))
        except (OSError, ValueError):
            continue  # unreadable, or another machine's: not ours to judge
        if gone:
            discard(lock.with_name(lock.name.removesuffix(LOCK_SUFFIX)))


def os_error(exc: OSError, sdc: Path, scope: Scope) -> ExportError:
    shown = scope.show(sdc)
    if exc.errno in _NO_SPACE:
        return ExportError(f"The disk holding {shown} is full: nothing was written. Free some "
                           f"space (or ask your TRE support) and export again.")
    if exc.errno == errno.EROFS:
        return ExportError(f"The SDC folder {shown} is on a read-only disk: nothing was "
                           f"written. Ask your TRE support, or set export.sdc_folder.")
    if isinstance(exc, PermissionError):
        where = f" ({scope.show(exc.filename)})" if exc.filename else ""
        return ExportError(f"No permission to write in {shown}{where}: nothing was written. "
                           f"Ask your TRE support for write access.")
    return ExportError(f"Writing the request into {shown} failed ({exc.strerror or 'error'}): "
                       f"nothing was written. Check the folder and export again.")


def _staging_folder(sdc: Path, scope: Scope) -> tuple[Path, Path]:
    """A hidden folder next to the SDC folder, on the same file system so rename is atomic,
    and its lock file naming this process."""
    parent, shown = sdc.parent, scope.show(sdc)
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if sdc.is_dir() and os.stat(parent).st_dev != os.stat(sdc).st_dev:
            raise ExportError(
                f"The SDC folder {shown} is a mount point (another disk than the folder "
                f"holding it), so a request cannot be written beside it and moved in at once: "
                f"nothing was written. Set export.sdc_folder to a folder inside that disk, such "
                f"as \"{shown}/requests\", or ask your TRE support.")
        staging = Path(tempfile.mkdtemp(prefix=f".{sdc.name}.{STAGING_PREFIX}", dir=parent))
    except OSError as exc:
        raise ExportError(
            f"A request is written beside the SDC folder {shown} before it is moved in, but "
            f"the folder holding it cannot be written ({exc.strerror or 'error'}): nothing was "
            f"written. Ask your TRE support for write access there, or set export.sdc_folder "
            f"to a folder one level down.") from exc
    lock = _lock_of(staging)
    try:
        lock.write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise os_error(exc, sdc, scope) from exc
    return staging, lock


def _lock_of(staging: Path) -> Path:
    return staging.with_name(staging.name + LOCK_SUFFIX)


def _mode_of(sdc: Path) -> int:
    """The SDC folder's mode (its parent's while it does not exist yet)."""
    for folder in (sdc, sdc.parent):
        try:
            return os.stat(folder).st_mode
        except OSError:
            continue
    return 0o755


def _strip_write_bits(folder: Path) -> None:
    """No group or world write bit on anything in ``folder`` (other bits left as they are)."""
    for path in [folder, *folder.rglob("*")]:
        mode = os.lstat(path).st_mode
        if not stat.S_ISLNK(mode) and mode & _GROUP_WORLD_WRITE:
            os.chmod(path, stat.S_IMODE(mode) & ~_GROUP_WORLD_WRITE)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's process, alive
        return True
    return True
