"""The one exporter: records → a new request folder ``SDC/<project id>_<YYYY_MM_DD>[_n]/``.

Every entry point (``%sdc_export``, ``session.export()``, ``jupyter sdc export``, nbconvert, the
lab button) ends here. A request is written into a staging folder next to the SDC folder (same
file system, outside the SDC folder, so checkers never see it half-written) and renamed into
place under a name that does not exist yet; any failure removes the staging folder.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jupyter_sdc.core import differencing
from jupyter_sdc.export import preflight, results_json
from jupyter_sdc.export.audit import audit_export
from jupyter_sdc.export.config import Config, ConfigError, find_config, load_config
from jupyter_sdc.export.gate import judge_again
from jupyter_sdc.export.notebook import (
    NotebookError,
    check_record,
    notebook_code,
    records_from_notebooks,
)
from jupyter_sdc.export.numbering import assign_labels
from jupyter_sdc.export.scrub import scan_code

STAGING_PREFIX = "staging-"
_STALE_STAGING_SECONDS = 24 * 3600
_NO_SPACE = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class ExportError(Exception):
    """The request could not be written; nothing was left in the SDC folder."""


class ExportRefused(ExportError):
    """The request breaks a requirement; ``problems`` lists what to fix. Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Export refused; fix these and export again:\n{lines}")


@dataclass
class ExportResult:
    folder: Path
    preflight: dict[str, Any]
    included: list[str]
    left_out: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self, folder: str | None = None) -> dict[str, Any]:
        """As JSON for the CLI's ``--json`` and the server (``folder`` as it should be shown)."""
        return {"folder": folder if folder is not None else str(self.folder),
                "included": list(self.included),
                "left_out": [list(item) for item in self.left_out],
                "warnings": list(self.warnings), "preflight": self.preflight}


def export_notebooks(
    paths: list[Path], *, config_path: Path | None = None, now: datetime | None = None
) -> ExportResult:
    """Export the records saved in one or several notebooks as one request (no kernel needed)."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ExportRefused(["No notebook given. Name the .ipynb files to export."])
    try:
        if config_path is None:
            found = {find_config(path) for path in paths}
            if len(found) > 1:
                raise ConfigError(
                    f"The notebooks belong to different projects ({', '.join(map(str, found))}). "
                    f"Export each project's notebooks separately, or pass --config.")
            config_path = found.pop()
        config = load_config(config_path)
        records = records_from_notebooks(paths)
    except (ConfigError, NotebookError) as exc:
        raise ExportRefused([str(exc)]) from exc
    return export_records(records, config, notebooks=paths, now=now)


def export_records(
    records: list[dict],
    config: Config,
    *,
    notebooks: list[Path] | tuple[Path, ...] = (),
    now: datetime | None = None,
) -> ExportResult:
    """Write a new request folder for ``records`` (record dicts, as saved in notebooks)."""
    now = now or datetime.now().astimezone()
    warnings = list(config.warnings)
    if not records:
        raise ExportRefused(["There are no jupyter_sdc outputs to export: check some outputs "
                             "(%%sdc_check or the sdc.* functions) first."])
    unusable = [p for i, r in enumerate(records) for p in check_record(r, _where(r, i))]
    uids = [r.get("uid") for r in records if isinstance(r, dict)]
    unusable += [f"output {uid} appears {uids.count(uid)} times; each output needs its own uid."
                 for uid in dict.fromkeys(uids) if uid and uids.count(uid) > 1]
    if unusable:
        raise ExportRefused(unusable)
    # every record judged again from its evidence, under its own and the project's rules
    judged = judge_again(records, config.required_rules)
    warnings += judged.notes
    # differencing across every output of the request, whichever notebook it came from
    records = differencing.check_records(judged.records)
    included, left_out, problems, notes = select_outputs(records)
    code, code_problems = _code_files(config, notebooks)
    problems += code_problems
    # an edited or stale record is refused in every mode: what it says cannot be trusted
    if judged.problems or (problems and config.on_problems == "refuse"):
        raise ExportRefused(judged.problems + problems + judged.notes)
    warnings += notes + [f"Left out: {p}" for p in problems]
    if not included:
        raise ExportRefused(["No output is left to export:"]
                            + [f"{uid}: {reason}" for uid, reason in left_out])
    included = _labelled(included)
    sdc = _sdc_folder(config, warnings)
    _remove_stale_staging(sdc)
    staging = _staging_folder(sdc)
    try:
        # mkdtemp makes a private (0700) folder; checkers must read the request like its SDC
        # folder. Copying the SDC folder's mode avoids os.umask, which is not thread-safe.
        os.chmod(staging, sdc.stat().st_mode & 0o777)
        report = _write_request(staging, included, left_out, code, config, now)
        # the files read back: a leak refuses the export in every mode (warn too)
        leaks = audit_export(staging, included, config, notebooks)
        if leaks:
            raise ExportRefused(leaks)
        if not report["ok"]:
            errors = [f"{f['where']}: {f['message']}" for f in report["findings"]
                      if f["severity"] == "error"]
            if config.on_problems == "refuse":
                raise ExportRefused(errors)
            warnings += [f"Preflight: {e}" for e in errors]
        folder = _publish(staging, sdc, f"{config.project_id}_{now:%Y_%m_%d}")
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _os_error(exc, sdc) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(
        folder=folder,
        preflight=report,
        included=[r["uid"] for r in included],
        left_out=left_out,
        warnings=warnings,
    )


def select_outputs(
    records: list[dict],
) -> tuple[list[dict], list[tuple[str, str]], list[str], list[str]]:
    """Split records into included and left out.

    Returns ``(included, left_out, problems, notes)``: a problem (a failing output without an
    exception reason, an output to review or a figure without explanation, no title, no
    counts) keeps its output out and, under ``on_problems = "refuse"``, stops the export.
    """
    candidates = [r for r in records if r.get("include", True) is not False]
    left_out = [(r["uid"], "include is false") for r in records if r not in candidates]
    included, problems, notes = [], [], []
    for record, label in zip(candidates, _labels(candidates), strict=True):
        findings = preflight.check_outputs([preflight.output_summary(dict(record, label=label))])
        errors = [f for f in findings if f["severity"] == "error"]
        if record.get("kind") == "figure" and not (record.get("figure") or {}).get("png"):
            errors.append(preflight.finding("figure-no-image", "The figure has no image; "
                                            "re-run its cell.", f"{label} ({record['uid']})"))
        notes += [f"{f['where']}: {f['message']}" for f in findings if f not in errors]
        if errors:
            problems += [f"{f['where']}: {f['message']}{_advice(f['code'])}" for f in errors]
            left_out.append((record["uid"], " ".join(f["message"] for f in errors)))
        else:
            included.append(record)
    return included, left_out, problems, notes


def _advice(code: str) -> str:
    return {
        "output-fails": " Mitigate it (suppress or round), request an exception with a reason, "
                        "or leave it out (include = false).",
        "output-no-counts": " Re-run it through an sdc check so its counts are recorded.",
    }.get(code, "")


def _labels(records: list[dict]) -> list[str]:
    return assign_labels(records)


def _labelled(records: list[dict]) -> list[dict]:
    """Copies with their final labels (Table 1, Figure 1, …), numbered in notebook order."""
    return [dict(r, label=label) for r, label in zip(records, _labels(records), strict=True)]


def _where(record: Any, position: int) -> str:
    uid = record.get("uid") if isinstance(record, dict) else None
    return f"output {uid}" if uid else f"record {position + 1}"


def _code_files(config: Config, notebooks: Any) -> tuple[dict[str, str], list[str]]:
    """``code/<notebook>.py`` for each notebook, when asked for and clean."""
    if not config.include_code:
        return {}, []
    files, problems = {}, []
    for path in notebooks:
        name = f"code/{results_json.safe_name(Path(path).stem)}.py"
        try:
            text = notebook_code(Path(path))
        except NotebookError as exc:
            problems.append(str(exc))
            continue
        found = scan_code(text, name)
        if found:
            problems += [f"{f['where']}: {f['message']}" for f in found]
        else:
            files[name] = text
    return files, problems


def _write_request(
    folder: Path,
    included: list[dict],
    left_out: list[tuple[str, str]],
    code: dict[str, str],
    config: Config,
    now: datetime,
) -> dict[str, Any]:
    from jupyter_sdc.export.document import figure_jpeg, write_outputs_docx
    from jupyter_sdc.export.release_form import write_release_request_docx

    figures: dict[str, str] = {}
    for record in included:
        if record.get("kind") == "figure":
            name = f"figures/{results_json.safe_name(record['uid'])}.jpg"
            (folder / "figures").mkdir(exist_ok=True)
            (folder / name).write_bytes(figure_jpeg(record))
            figures[record["uid"]] = name
    settings = config.to_dict()
    write_outputs_docx(included, settings, folder / preflight.OUTPUTS_DOCX,
                       figures={uid: folder / name for uid, name in figures.items()},
                       exported_on=now.date())
    write_release_request_docx(included, settings, folder / preflight.RELEASE_DOCX,
                               exported_on=now.date(), left_out=left_out)
    for name, text in code.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    request = {
        "project": config.project_id,
        "title": config.project_title,
        "output_type": config.output_type,
        "researchers": list(config.researchers),
        "citations": config.citations,
        "exported": now.isoformat(timespec="seconds"),
    }
    results_json.write_results(folder, included, figures=figures,
                               created=now.isoformat(timespec="seconds"), request=request)
    results_json.write_checksums(folder)
    summaries = [preflight.output_summary(r) for r in included]
    return preflight.run_preflight(folder, summaries, left_out, config.citations)


def _sdc_folder(config: Config, warnings: list[str]) -> Path:
    sdc = config.sdc_folder
    if not sdc.is_dir():
        try:
            sdc.mkdir(parents=True)
        except FileExistsError:  # another export created it a moment ago, or it is a file
            pass
        except OSError as exc:
            raise ExportError(f"The SDC folder {sdc} does not exist and cannot be created "
                              f"({exc.strerror}). Create it, or set export.sdc_folder in "
                              f"{config.path}.") from exc
        else:
            warnings.append(f"The SDC folder {sdc} did not exist; it was created.")
        if not sdc.is_dir():
            raise ExportError(f"The SDC folder {sdc} is a file, not a folder. Set "
                              f"export.sdc_folder in {config.path} to a folder.")
    if not os.access(sdc, os.W_OK | os.X_OK):
        raise ExportError(f"The SDC folder {sdc} is read-only for you: nothing was written. "
                          f"Ask your TRE support for write access, or set export.sdc_folder "
                          f"in {config.path}.")
    return sdc


def _staging_folder(sdc: Path) -> Path:
    """A hidden folder next to the SDC folder, on the same file system so rename is atomic."""
    parent = sdc.parent
    try:
        if os.stat(parent).st_dev == os.stat(sdc).st_dev:
            return Path(tempfile.mkdtemp(prefix=f".{sdc.name}.{STAGING_PREFIX}", dir=parent))
    except OSError:
        pass  # the parent is not writable: stage inside, hidden
    # The SDC folder is a mount point (or its parent is read-only): a hidden folder inside it
    # is the only place a rename into it can be atomic.
    try:
        return Path(tempfile.mkdtemp(prefix=f".{STAGING_PREFIX}", dir=sdc))
    except OSError as exc:
        raise _os_error(exc, sdc) from exc


def _remove_stale_staging(sdc: Path) -> None:
    """Staging folders left by an export that was killed (a day old or more)."""
    limit = time.time() - _STALE_STAGING_SECONDS
    candidates = list(sdc.parent.glob(f".{sdc.name}.{STAGING_PREFIX}*"))
    candidates += list(sdc.glob(f".{STAGING_PREFIX}*"))
    for path in candidates:
        try:
            if path.is_dir() and path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _publish(staging: Path, sdc: Path, base: str) -> Path:
    """Rename the staged request to the first free ``base``, ``base_2``, … name in ``sdc``.

    ``os.rename`` of a folder onto an existing non-empty folder fails, so two exports at the
    same moment cannot take the same name: the loser tries the next number.
    """
    for number in range(1, 10_000):
        target = sdc / (base if number == 1 else f"{base}_{number}")
        if os.path.lexists(target):
            continue
        try:
            os.rename(staging, target)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOTEMPTY) or os.path.lexists(target):
                continue
            raise
        return target
    raise ExportError(f"{sdc} already holds 9999 requests named {base}_n; tidy it up.")


def _os_error(exc: OSError, sdc: Path) -> ExportError:
    if exc.errno in _NO_SPACE:
        return ExportError(f"The disk holding {sdc} is full: nothing was written. Free some "
                           f"space (or ask your TRE support) and export again.")
    if exc.errno == errno.EROFS:
        return ExportError(f"The SDC folder {sdc} is on a read-only disk: nothing was written. "
                           f"Ask your TRE support, or set export.sdc_folder.")
    if isinstance(exc, PermissionError):
        return ExportError(f"No permission to write in {sdc} ({exc.filename}): nothing was "
                           f"written. Ask your TRE support for write access.")
    return ExportError(f"Writing the request into {sdc} failed ({exc}): nothing was written.")
