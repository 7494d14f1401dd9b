"""The audit: every file of a request read back before it is published, and refused on a leak.

An independent pass over what was actually written (the files, not the records): a suppressed
cell blank in every file that shows it, every published count allowed, no small count stated
in words, no file but those results.json lists (plus the request's own), no notebook, record
or evidence, no path, login, home, host or data file name, and no cell one output suppresses
given back by another (linked tables). The records only say what the rules are (threshold,
zeros, rounding, exceptions) and which cells the researcher declared suppressed or excepted.

Findings are leaks: they block the export in every mode (DESIGN, "The gate"). The same audit
runs on any folder for ``jupyter sdc inspect FOLDER``, with the rules read from its
results.json and config.json. Findings have the shape of ``preflight.finding``.
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jupyter_sdc.core.rule_table import MITIGATION_MARKS, check_name
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.export import results_json
from jupyter_sdc.export.audit_context import (
    _COUNT_RULES,
    _SHARED_LOGINS,
    COUNT_STATISTICS,
    Cells,
    Context,
    OutputRules,
)
from jupyter_sdc.export.config import Config
from jupyter_sdc.export.staged import Staged
from jupyter_sdc.export.table_layout import suppressed_mask


def audit_request(folder: Path, context: Context) -> list[dict[str, Any]]:
    """Every finding of the audit of the request folder at ``folder``."""
    from jupyter_sdc.export import audit_files, audit_tables, audit_text

    staged = Staged(Path(folder))
    findings = audit_files.findings(staged, context)
    findings += audit_tables.findings(staged, context)
    findings += audit_text.findings(staged, context)
    return findings


def audit_export(folder: Path, records: list[dict], config: Config,
                 notebooks: Iterable[Path] = ()) -> list[str]:
    """The audit of a request just staged at ``folder`` for ``records`` (as written, with
    their final labels): the problems that refuse it, or an empty list."""
    from jupyter_sdc.export.audit_text import data_names_in_code, data_names_in_folder

    code = [str((r.get("source") or {}).get("code") or "") for r in records]
    code += [_notebook_code(path) for path in notebooks]
    names = data_names_in_code(code) + data_names_in_folder(config.root,
                                                            skip=config.sdc_folder)
    context = context_of_export(records, config.required_rules,
                                allow_code=config.include_code,
                                written=_written(config),
                                data_names=dict.fromkeys(names))
    return refusal(audit_request(folder, context))


def audit_folder(folder: Path) -> list[dict[str, Any]]:
    """The audit of any request folder on disk (``jupyter sdc inspect FOLDER``), under the
    rules its files state and, when it sits in a project, the project's."""
    from jupyter_sdc.core import project
    from jupyter_sdc.export.config import ConfigError, load_config

    found = project.find_config(Path(folder).parent)
    try:
        config = load_config(found) if found else None
    except (ConfigError, ValueError):
        config = None
    return audit_request(Path(folder), context_of_folder(Staged(Path(folder)), config))


def refusal(findings: Iterable[dict[str, Any]]) -> list[str]:
    """The findings as the problems of an ``ExportRefused``: each names the file (relative
    to the request folder) and the output."""
    return [f"Audit: {f['where']}: {f['message']}" for f in findings]


def _written(config: Config) -> tuple[str, ...]:
    """The texts of sdc.toml written for the release form and the document's cover."""
    texts = [config.project_title, *config.researchers]
    texts += [str(value) for dataset in config.datasets for value in vars(dataset).values()]
    return tuple(t for t in texts if t)


def _notebook_code(path: Path) -> str:
    from jupyter_sdc.export.notebook import NotebookError, notebook_code

    try:
        return notebook_code(Path(path))
    except (NotebookError, OSError):
        return ""


# -- the context of an export: the records' rules -------------------------------------------
def context_of_export(records: list[dict], required: RuleValues, *, allow_code: bool,
                      written: Iterable[str], data_names: Iterable[str]) -> Context:
    """The audit's rules for records about to be published under the project's rules."""
    outputs = {str(r["uid"]): rules_of_record(r, required) for r in records}
    return Context(outputs=outputs,
                   threshold=max([required.threshold, *(o.threshold for o in outputs.values())]),
                   zeros=required.zeros or any(o.zeros for o in outputs.values()),
                   allow_code=allow_code, written=tuple(written),
                   data_names=tuple(data_names), **private_names())


def rules_of_record(record: dict, required: RuleValues) -> OutputRules:
    own = record.get("rules") or {}
    mitigation = record.get("mitigation") or {}
    table = record.get("table") or {}
    data = table.get("data") or []
    shape = (len(data), max((len(row) for row in data), default=0))
    hidden = _cells(suppressed_mask(record, *shape))
    flags = {k: v for k, v in (record.get("flags") or {}).items() if isinstance(v, list)}
    flagged = _union(_cells(g) for k, g in flags.items() if k not in MITIGATION_MARKS)
    grids = ((record.get("evidence") or {}).get("grids") or {})
    statistic = str(record.get("statistic") or "")
    protected = hidden if statistic in COUNT_STATISTICS else hidden & _union(
        _cells(flags[k]) for k in _COUNT_RULES if k in flags)
    rounding = "round" in (own.get("mitigation") or ()) or "round" in required.mitigation
    base = mitigation.get("round_base") or (
        own.get("round_base") or required.round_base if rounding else None)
    index = table.get("index") or []
    return OutputRules(
        uid=str(record["uid"]), label=str(record.get("label") or ""),
        title=str(record.get("title") or ""), statistic=statistic,
        threshold=max(int(own.get("threshold") or 0), required.threshold),
        zeros=bool(own.get("zeros", True)) or required.zeros,
        round_base=int(base) if base else None, exception=bool(record.get("exception")),
        hidden=hidden, flagged=flagged, structural=_cells(grids.get("structural_zero")),
        protected=protected, index_levels=len(index[0]) if index and index[0] else None)


# -- the context of a folder on disk: results.json and config.json --------------------------
def context_of_folder(staged: Staged, project: Config | None = None) -> Context:
    """The audit's rules for a request folder, read from its own files (and the rules and
    release texts of the project it sits in, if any)."""
    required = project.required_rules if project else None
    found = staged.json(results_json.CONFIG_NAME)
    config: dict[str, Any] = found if isinstance(found, dict) else {}
    base = required or RuleValues()
    stated = config.get("safe_threshold")
    threshold = max(int(stated) if isinstance(stated, int | float) and not isinstance(
        stated, bool) else base.threshold,
                    required.threshold if required else 0)
    disclosive = config.get("zeros_are_disclosive")
    zeros = (disclosive if isinstance(disclosive, bool) else True) or bool(
        required and required.zeros)
    results: dict[str, Any] = staged.results or {}
    entries = results.get("results") if isinstance(results.get("results"), dict) else {}
    outputs = {str(uid): rules_of_entry(str(uid), entry, threshold, zeros)
               for uid, entry in (entries or {}).items()
               if isinstance(entry, dict) and uid != results_json.DOCUMENT_UID}
    request = results.get("request")
    request = request if isinstance(request, dict) else {}
    written = [request.get("title"), *(request.get("researchers") or []),
               *(request.get("citations") or []), *(_written(project) if project else ())]
    return Context(outputs=outputs, threshold=threshold, zeros=zeros, allow_code=True,
                   written=tuple(str(t) for t in written if isinstance(t, str) and t),
                   data_names=tuple(data_names_of_folder(staged)), **private_names())


def rules_of_entry(uid: str, entry: dict, threshold: int, zeros: bool) -> OutputRules:
    """An output's rules from its results.json entry (ACRO's layout, as we write it)."""
    found = entry.get("properties")
    props: dict[str, Any] = found if isinstance(found, dict) else {}
    cells: dict[str, Cells] = {}
    for file in entry.get("files") or []:
        sdc = file.get("sdc") if isinstance(file, dict) else None
        for check, positions in ((sdc or {}).get("cells") or {}).items():
            cells[check] = cells.get(check, frozenset()) | _positions(positions)
    hidden = cells.pop(check_name("suppressed"), frozenset())
    statistic = str(props.get("statistic") or "")
    protected = hidden if statistic in COUNT_STATISTICS else hidden & _union(
        cells.get(check_name(rule), frozenset()) for rule in _COUNT_RULES)
    return OutputRules(
        uid=uid, label=str(props.get("label") or ""), title=str(props.get("title") or ""),
        statistic=statistic, threshold=threshold, zeros=zeros,
        round_base=_round_base(str(props.get("mitigation") or "")),
        exception=bool(entry.get("exception")), hidden=hidden, flagged=_union(cells.values()),
        structural=_positions(props.get("structural_zeros")), protected=protected)


def data_names_of_folder(staged: Staged) -> list[str]:
    """Data file names a request folder reveals it was made from: those its code reads
    (results.json's commands, code/*.py) and those in the project folder around it."""
    from jupyter_sdc.export.audit_text import data_names_in_code, data_names_in_folder

    code = [str(e.get("command") or "") for e in ((staged.results or {}).get("results")
                                                  or {}).values() if isinstance(e, dict)]
    code += [staged.text(n) for n in staged.files if n.startswith("code/")]
    names = data_names_in_code(code)
    project = _project_root(staged.folder)
    if project is not None:
        names += data_names_in_folder(project, skip=staged.folder)
    return list(dict.fromkeys(names))


def _project_root(folder: Path) -> Path | None:
    from jupyter_sdc.core import project

    found = project.find_config(folder.parent)
    return found.parent if found is not None else None


# -- who and where: the names that must not leave -------------------------------------------
def private_names() -> dict[str, tuple[str, ...]]:
    """The login names, host names and home folders of the account running the export."""
    logins = {os.environ.get(k, "") for k in ("USER", "LOGNAME", "USERNAME")}
    try:
        logins.add(getpass.getuser())
    except (KeyError, OSError):
        pass
    home = {os.environ.get("HOME", ""), str(Path.home())}
    host = socket.gethostname()
    hosts = {host, host.split(".")[0]}
    return {"logins": _distinctive(logins - _SHARED_LOGINS),
            "hosts": _distinctive(hosts - {"localhost"}),
            "homes": tuple(sorted(h.rstrip("/") for h in home if len(h.rstrip("/")) > 1))}


def _distinctive(names: set[str]) -> tuple[str, ...]:
    return tuple(sorted(n for n in names if len(n) >= 3))


# -- small helpers ---------------------------------------------------------------------------
def _cells(grid: Any) -> Cells:
    if not isinstance(grid, list):
        return frozenset()
    return frozenset((r, c) for r, row in enumerate(grid) if isinstance(row, list)
                     for c, flag in enumerate(row) if flag is True)


def _positions(value: Any) -> Cells:
    if not isinstance(value, list):
        return frozenset()
    return frozenset((int(p[0]), int(p[1])) for p in value
                     if isinstance(p, list | tuple) and len(p) == 2
                     and all(isinstance(v, int) and not isinstance(v, bool) for v in p))


def _union(sets: Iterable[Cells]) -> Cells:
    out: frozenset[tuple[int, int]] = frozenset()
    for cells in sets:
        out |= cells
    return out


def _round_base(mitigation: str) -> int | None:
    words = mitigation.split("rounding to base ", 1)
    digits = words[1].split(",")[0].strip() if len(words) == 2 else ""
    return int(digits) if digits.isdigit() and int(digits) > 0 else None
