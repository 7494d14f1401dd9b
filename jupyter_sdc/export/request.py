"""The one exporter: records → a new request folder ``SDC/<project id>_<YYYY_MM_DD>[_n]/``.

Every entry point (``%sdc_export``, ``session.export()``, ``jupyter sdc export``, nbconvert, the
lab button) ends here. Nothing is written until every record is usable, judged again and
numbered; the request is then staged beside the SDC folder and renamed into place
(``staging.py``). Messages cite outputs by uid until the request's one numbering is known,
then by label and title (``numbering.py``), and name files relative to the scope's base.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jupyter_sdc.core.differencing_records import check_records
from jupyter_sdc.core.policy import PolicyError, active_policy
from jupyter_sdc.export import preflight, results_json
from jupyter_sdc.export.audit import audit_export
from jupyter_sdc.export.checker import earlier_fingerprints, write_checker_folder
from jupyter_sdc.export.config import Config, ConfigError, find_config, load_config
from jupyter_sdc.export.datasets import dataset_findings
from jupyter_sdc.export.figures import figure_problem
from jupyter_sdc.export.gate import GateResult, judge_again
from jupyter_sdc.export.notebook import (
    NotebookError,
    check_path,
    check_record,
    notebook_code,
    records_from_notebooks,
)
from jupyter_sdc.export.numbering import Numbering, number_outputs, ref
from jupyter_sdc.export.rules_applied import RULES_APPLIED, rules_applied_document
from jupyter_sdc.export.run_order import run_order_findings
from jupyter_sdc.export.scope import Scope
from jupyter_sdc.export.scrub import scan_code
from jupyter_sdc.export.staging import ExportError, checker_of, publish, sdc_folder, staged
from jupyter_sdc.export.superseded import in_request, superseded
from jupyter_sdc.export.table_layout import EXPORT_CELL_LIMIT, table_cells, too_large_to_export

__all__ = ["ExportError", "ExportRefused", "ExportResult", "export_notebooks", "export_records",
           "select_outputs"]


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
    #: each output's name in this request, by uid: ``Table 1 "People by region"``
    names: dict[str, str] = field(default_factory=dict)

    def to_dict(self, folder: str | None = None) -> dict[str, Any]:
        """As JSON for the CLI's ``--json`` and the server (``folder`` as it should be shown)."""
        return {"folder": folder if folder is not None else str(self.folder),
                "included": list(self.included),
                "left_out": [list(item) for item in self.left_out],
                "names": dict(self.names),
                "warnings": list(self.warnings), "preflight": self.preflight}


def export_notebooks(
    paths: list[Path], *, config_path: Path | None = None, now: datetime | None = None,
    scope: Scope | None = None,
) -> ExportResult:
    """Export the records saved in one or several notebooks as one request (no kernel needed)."""
    scope = scope or Scope()
    paths = [Path(p) for p in paths]
    if not paths:
        raise ExportRefused(["No notebook given. Name the .ipynb files to export."])
    try:
        for path in paths:
            check_path(path, scope)
        if config_path is None:
            found = {find_config(path, scope) for path in paths}
            if len(found) > 1:
                shown = ", ".join(sorted(scope.show(p) for p in found))
                raise ConfigError(
                    f"The notebooks belong to different projects ({shown}). Export each "
                    f"project's notebooks separately, or pass --config.")
            config_path = found.pop()
        config = load_config(config_path, scope)
        records = records_from_notebooks(paths, scope)
    except (ConfigError, NotebookError) as exc:
        raise ExportRefused([str(exc)]) from exc
    return export_records(records, config, notebooks=paths, now=now, scope=scope)


def export_records(
    records: list[dict],
    config: Config,
    *,
    notebooks: list[Path] | tuple[Path, ...] = (),
    now: datetime | None = None,
    scope: Scope | None = None,
) -> ExportResult:
    """Write a new request folder for ``records`` (record dicts, as saved in notebooks)."""
    scope = scope or Scope()
    now = now or datetime.now().astimezone()
    _refuse_unusable(records)
    numbering = number_outputs(records)
    if numbering.clashes:  # two outputs with one label: refused in every mode, naming both
        raise ExportRefused(numbering.clashes)
    refused, notes = dataset_findings(_candidates(records), config)
    judged = _judged(records, config)
    sdc = sdc_folder(config, _with_policy(scope))
    # compared with what earlier requests from this SDC folder released, too
    records = _differenced(judged.records, earlier_fingerprints(sdc) if sdc.is_dir() else [])
    included, left_out, problems, found = select_outputs(records, numbering)
    code, code_problems = _code_files(config, notebooks, scope)
    order = run_order_findings(list(notebooks), scope)
    # an edited or stale record is refused in every mode: what it says cannot be trusted
    refused += judged.problems
    if refused or ((problems or code_problems) and config.on_problems == "refuse"):
        raise ExportRefused(_rendered(numbering, refused + problems + code_problems
                                      + judged.notes))
    warnings = list(config.warnings) + _rendered(numbering, judged.notes + notes + found)
    warnings += [f"Left out: {p}" for p in code_problems]
    warnings += [f"Preflight: {f['where']}: {f['message']}" for f in order]
    if not included:
        raise ExportRefused(["No output is left to export:"]
                            + [f"{numbering.name(uid)}: {why}" for uid, why in left_out])
    included = [_final(r, numbering) for r in included]
    if not sdc.is_dir():
        warnings.append(f"The SDC folder {scope.show(sdc)} did not exist; it was created.")
    reports: list[dict[str, Any]] = []

    def write(folder: Path) -> None:
        report = _write_request(folder, included, left_out, numbering, code, config, now,
                                order)
        # the files read back: a leak refuses the export in every mode (warn too)
        leaks = audit_export(folder, included, config, notebooks)
        if leaks:
            raise ExportRefused(leaks)
        errors = [f"{f['where']}: {f['message']}" for f in report["findings"]
                  if f["severity"] == "error"]
        if errors and config.on_problems == "refuse":
            raise ExportRefused(errors)
        warnings.extend(f"Preflight: {e}" for e in errors)
        reports.append(report)
        write_checker_folder(checker_of(folder), included,
                             [(numbering.name(uid), why) for uid, why in left_out])

    staging = staged(sdc, scope, write)
    folder = publish(staging, sdc, f"{config.project_id}_{now:%Y_%m_%d}", scope)
    return ExportResult(
        folder=folder,
        preflight=reports[0],
        included=[r["uid"] for r in included],
        left_out=left_out,
        warnings=warnings,
        names={r["uid"]: numbering.name(r["uid"]) for r in records},
    )


def _with_policy(scope: Scope) -> Scope:
    """The scope with the TRE policy's ``[export] allowed_sdc_folders`` allowed too."""
    try:
        policy = active_policy()
    except PolicyError:  # the gate has refused the export already, saying why
        return scope
    return scope if policy is None else scope.allowing(policy.allowed_sdc_folders)


def _refuse_unusable(records: list[dict]) -> None:
    """Refuse (in every mode) records that cannot be read: bad shape, repeated uid, bad image."""
    if not records:
        raise ExportRefused(["There are no jupyter_sdc outputs to export: check some outputs "
                             "(%%sdc_check or the sdc.* functions) first."])
    unusable = [p for i, r in enumerate(records) for p in check_record(r, _where(r, i))]
    uids = [r.get("uid") for r in records if isinstance(r, dict)]
    unusable += [f"output {uid} appears {uids.count(uid)} times; each output needs its own uid."
                 for uid in dict.fromkeys(uids) if uid and uids.count(uid) > 1]
    if not unusable:
        unusable = [problem for r in records if (problem := figure_problem(r))]
    if unusable:
        raise ExportRefused(unusable)


def _judged(records: list[dict], config: Config) -> GateResult:
    """Every record judged again from its evidence, under its own and the project's rules.

    A record without counts, or too large to export, is not judged: it goes on as it is, and
    the selection leaves it out (saying why), so it is never published."""
    judged = judge_again([r for r in records if not _unpublishable(r)], config.required_rules)
    by_uid = {r["uid"]: r for r in judged.records}  # uids are unique: checked before
    ordered = [r if _unpublishable(r) else by_uid[r["uid"]] for r in records
               if _unpublishable(r) or r["uid"] in by_uid]
    return GateResult(records=ordered, problems=judged.problems, notes=judged.notes)


def _unpublishable(record: dict) -> bool:
    return record.get("counts") is None or too_large_to_export(record)


def _differenced(records: list[dict], earlier: list) -> list[dict]:
    """Differencing across every output of the request, whichever notebook it came from, and
    against the outputs ``earlier`` requests released; its reasons cite the request's own
    outputs by uid (``output <uid>``), rendered with labels last."""
    cited = check_records([dict(r, label=None) for r in records], earlier=earlier)
    return [dict(new, label=old.get("label")) for new, old in zip(cited, records, strict=True)]


def _candidates(records: list[dict]) -> list[dict]:
    """The records the request numbers: all but those marked ``include = false`` and those a
    remedy superseded."""
    replaced = superseded(records)
    return [r for r in records if in_request(r, replaced)]


def _final(record: dict, numbering: Numbering) -> dict:
    """A record as the request publishes it: its final label, its reasons naming labels."""
    return dict(record, label=numbering.label(record["uid"]),
                reasons=[numbering.render(str(r)) for r in record.get("reasons") or []])


def _rendered(numbering: Numbering, messages: list[str]) -> list[str]:
    return [numbering.render(m, titled=True) for m in messages]


def select_outputs(
    records: list[dict], numbering: Numbering | None = None,
) -> tuple[list[dict], list[tuple[str, str]], list[str], list[str]]:
    """Split records into included and left out, naming outputs as ``numbering`` does.

    Returns ``(included, left_out, problems, notes)``: a problem (a failing output without an
    exception reason, an output to review or a figure without explanation, no title, no
    counts) keeps its output out and, under ``on_problems = "refuse"``, stops the export.
    ``left_out`` is ``(uid, why)``; each problem is ``<label> "<title>": why``, once.
    """
    candidates = _candidates(records)
    numbering = numbering or number_outputs(records)
    replaced = superseded(records)
    left_out = [(r["uid"], replaced.get(r["uid"], "include is false")) for r in records
                if r not in candidates]
    included, problems, notes = [], [], []
    for record in candidates:
        uid = record["uid"]
        summary = preflight.output_summary(dict(record, label=numbering.label(uid)))
        findings = preflight.check_outputs([summary])
        errors = [f for f in findings if f["severity"] == "error"]
        if record.get("counts") is None:  # nothing to judge it by (not re-judged): never out
            findings = [f for f in findings if f["code"] != "output-no-counts"]
            errors = [f for f in errors if f["code"] != "output-no-counts"]
            errors.append(preflight.finding(
                "output-no-counts", "No unweighted counts (counts is null): checkers need "
                "the count behind every statistic.", ref(uid)))
        if too_large_to_export(record):
            errors.append(preflight.finding("output-too-large", _too_large(record), ref(uid)))
        if record.get("kind") == "figure" and not (record.get("figure") or {}).get("png"):
            errors.append(preflight.finding("figure-no-image", "The figure has no image; "
                                            "re-run its cell.", ref(uid)))
        notes += [f"{ref(uid)}: {f['message']}" for f in findings if f not in errors]
        if errors:
            why = " ".join(f"{f['message']}{_advice(f['code'])}" for f in errors)
            problems.append(f"{ref(uid)}: {why}")
            left_out.append((uid, numbering.render(why)))
        else:
            included.append(record)
    return included, left_out, problems, notes


def _too_large(record: dict) -> str:
    return (f"It has {table_cells(record):,} cells: more than an output checker can check "
            f"(an export takes tables of up to {EXPORT_CELL_LIMIT:,} cells). Aggregate it into "
            f"fewer categories (bands, groups) or split it into several tables, then export "
            f"again.")


def _advice(code: str) -> str:
    return {
        "output-fails": " Mitigate it (suppress or round), request an exception with a reason, "
                        "or leave it out (include = false).",
        "output-no-counts": " Re-run it through an sdc check so its counts are recorded.",
    }.get(code, "")


def _where(record: Any, position: int) -> str:
    uid = record.get("uid") if isinstance(record, dict) else None
    return ref(uid) if isinstance(uid, str) and uid else f"record {position + 1}"


def _code_files(config: Config, notebooks: Any,
                scope: Scope) -> tuple[dict[str, str], list[str]]:
    """``code/<notebook>.py`` for each notebook, when asked for and clean."""
    if not config.include_code:
        return {}, []
    files, problems = {}, []
    for path in notebooks:
        name = f"code/{results_json.safe_name(Path(path).stem)}.py"
        try:
            text = notebook_code(Path(path), scope)
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
    numbering: Numbering,
    code: dict[str, str],
    config: Config,
    now: datetime,
    order: list[dict[str, Any]],
) -> dict[str, Any]:
    from jupyter_sdc.export.document import write_outputs_docx
    from jupyter_sdc.export.figures import figure_jpeg
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
                               exported_on=now.date(),
                               left_out=[(numbering.name(uid), why) for uid, why in left_out])
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
    applied = rules_applied_document(included, config.required_rules)
    (folder / RULES_APPLIED).write_text(json.dumps(applied, indent=2), encoding="utf-8")
    results_json.write_results(folder, included, figures=figures,
                               created=now.isoformat(timespec="seconds"), request=request,
                               links={"rules_applied": RULES_APPLIED})
    results_json.write_checksums(folder)
    summaries = [preflight.output_summary(r) for r in included]
    return preflight.run_preflight(folder, summaries, left_out, config.citations, order)
