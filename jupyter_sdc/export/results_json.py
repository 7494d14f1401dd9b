"""``results.json`` in ACRO's 1.0.x layout, with ``config.json``, ``checksums/`` and ``tables/``.

The layout is the one ACRO 1.0.2's ``finalise(path, "json")`` writes, so SACRO-Viewer (the
output checkers' tool) opens our requests: ``version`` holds the ACRO layout version, our own
name and version go under ``tool``; each ``files[].name`` is relative to results.json; a file's
failing cells are ``files[].sdc.cells[check] = [[row, col], …]``, positions in the data block
(header row and the one index column not counted), and SACRO-Viewer marks them only when
``checksums/<name>.txt`` holds the file's sha256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

from jupyter_sdc._version import __version__
from jupyter_sdc.core.rule_table import MITIGATION_MARKS, check_name
from jupyter_sdc.export.count_text import released_reason
from jupyter_sdc.export.table_layout import rounded, suppressed_mask

ACRO_LAYOUT_VERSION = "1.0.2"
RESULTS_NAME = "results.json"
CONFIG_NAME = "config.json"
CHECKSUMS_DIR = "checksums"
DOCUMENT_NAME = "outputs.docx"
DOCUMENT_UID = "document"
# ACRO's output types; ours map onto them.
_ACRO_TYPES = {"table": "table", "model": "regression", "figure": "figure", "custom": "custom"}
# ACRO's config.json keys for our rule values.
_ACRO_CONFIG_KEYS = {
    "threshold": "safe_threshold",
    "dof": "safe_dof_threshold",
    "nk_n": "safe_nk_n",
    "nk_k": "safe_nk_k",
    "p_percent": "safe_pratio_p",
    "missing": "check_missing_values",
    "zeros": "zeros_are_disclosive",
    "round_base": "safe_round_base",
}


def safe_name(uid: str) -> str:
    """A file name for a uid: letters, digits, '.', '_' and '-' only."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", uid).lstrip(".")
    return name or "output"


def _label(value: Any, rename: dict[str, str]) -> str:
    text = "" if value is None else str(value)
    return rename.get(text, text)


def _flat(labels: list, rename: dict[str, str]) -> str:
    labels = labels if isinstance(labels, list) else [labels]
    return " / ".join(_label(v, rename) for v in labels)


def table_rows(record: dict, grid: list[list] | None = None) -> list[list[str]]:
    """The record's table (or ``grid`` on its labels) as CSV rows: one header row, one index
    column. MultiIndex levels are joined with " / " so SACRO-Viewer's cell positions hold."""
    table = record["table"]
    rename = record.get("rename") or {}
    grid = table["data"] if grid is None else grid
    corner = " / ".join(_label(n, rename) for n in table.get("index_names") or [] if n is not None)
    header = [corner] + [_flat(c, rename) for c in table.get("columns") or []]
    rows = [header]
    for label, values in zip(table.get("index") or [], grid, strict=False):
        rows.append([_flat(label, rename)] + ["" if v is None else str(v) for v in values])
    return rows


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def sdc_block(record: dict) -> dict[str, Any]:
    """``{"summary": {check: n failing cells}, "cells": {check: [[row, col], …]}}``."""
    summary: dict[str, int] = {}
    cells: dict[str, list[list[int]]] = {}
    for rule, grid in (record.get("flags") or {}).items():
        if rule in MITIGATION_MARKS or not isinstance(grid, list):
            continue
        positions = _positions(grid)
        name = check_name(rule)
        summary[name] = len(positions)
        cells[name] = positions
    return {"summary": summary, "cells": cells}


def outcome(record: dict) -> dict[str, dict[str, str]]:
    """ACRO's per-cell outcome: ``{column: {row: "ok" | "NKCheck; …"}}``."""
    table = record.get("table")
    flags = {k: v for k, v in (record.get("flags") or {}).items() if k not in MITIGATION_MARKS}
    if not table or not flags:
        return {}
    rename = record.get("rename") or {}
    rows = [_flat(label, rename) for label in table.get("index") or []]
    result: dict[str, dict[str, str]] = {}
    for c, column in enumerate(table.get("columns") or []):
        entry = result.setdefault(_flat(column, rename), {})
        for r, row in enumerate(rows):
            failing = [check_name(k) for k, g in flags.items() if _flag(g, r, c)]
            entry[row] = "".join(f"{name}; " for name in failing) or "ok"
    return result


def _flag(grid: Any, r: int, c: int) -> bool:
    try:
        return grid[r][c] is True
    except (IndexError, TypeError):
        return False


def write_tables(folder: Path, record: dict) -> list[dict[str, Any]]:
    """Write ``tables/<uid>.csv`` (and ``tables/<uid>.counts.csv`` when the table holds
    anything but its counts); return their ``files[]`` entries."""
    if not record.get("table"):
        return []
    name = safe_name(record["uid"])
    tables = folder / "tables"
    tables.mkdir(exist_ok=True)
    entries = []
    sdc = sdc_block(record)
    (tables / f"{name}.csv").write_text(csv_text(table_rows(record)), encoding="utf-8")
    entries.append({"name": f"tables/{name}.csv", "sdc": sdc})
    counts = published_counts(record)
    if counts is not None and counts != record["table"].get("data"):
        path = tables / f"{name}.counts.csv"
        path.write_text(csv_text(table_rows(record, counts)), encoding="utf-8")
        entries.append({"name": f"tables/{name}.counts.csv", "sdc": sdc})
    return entries


def published_counts(record: dict) -> list[list] | None:
    """The counts as they may be published: blank where a cell is suppressed (its count would
    give it back), rounded as the values are under a rounding mitigation."""
    counts = record.get("counts")
    if counts is None:
        return None
    hidden = suppressed_mask(record, len(counts), max((len(r) for r in counts), default=0))
    base = (record.get("mitigation") or {}).get("round_base")
    return [[None if hide else rounded(count, base) for count, hide in zip(row, mask, strict=False)]
            for row, mask in zip(counts, hidden, strict=True)]


def result_entry(record: dict, files: list[dict[str, Any]]) -> dict[str, Any]:
    """One ``results[uid]`` entry in ACRO's layout."""
    source = record.get("source") or {}
    properties: dict[str, Any] = {
        "method": source.get("call") or record.get("statistic") or record.get("kind"),
        "mitigation": _mitigation(record),
        "label": record.get("label"),
        "title": record.get("title"),
        "statistic": record.get("statistic"),
        "explanation": record.get("explanation") or "",
        "unweighted_counts": has_counts(record),
    }
    summary = record.get("summary") or {}
    if record.get("kind") == "model" and summary.get("df_resid") is not None:
        properties["dof"] = summary["df_resid"]
    if source.get("notebook"):
        properties["notebook"] = Path(str(source["notebook"])).name
    structural = _positions(((record.get("evidence") or {}).get("grids") or {})
                            .get("structural_zero"))
    if structural:  # declared by the researcher: the audit of the folder allows these zeros
        properties["structural_zeros"] = structural
    kind = record.get("kind", "custom")
    acro_type = "histogram" if record.get("statistic") == "histogram" else _ACRO_TYPES[kind]
    lines = [f"{record.get('label') or ''} {record.get('title') or ''}".strip()]
    checks = record.get("checks") or {}
    lines += [f"{check_name(rule)}: {result}" for rule, result in checks.items()]
    lines += [released_reason(r, record) for r in record.get("reasons") or []]
    if record.get("explanation"):
        lines.append(f"Explanation: {record['explanation']}")
    return {
        "uid": record["uid"],
        "status": record["status"],
        "type": acro_type,
        "properties": properties,
        "files": files,
        "outcome": outcome(record),
        # the call's name, never its code: code names data files, folders and users
        "command": str(source.get("call") or record.get("statistic") or record.get("kind")),
        "summary": "\n".join(line for line in lines if line),
        "timestamp": record.get("created") or "",
        "comments": list(record.get("comments") or []),
        "exception": record.get("exception") or "",
    }


def _positions(grid: Any) -> list[list[int]]:
    """``[[row, col], …]`` of the true cells of a boolean grid."""
    if not isinstance(grid, list):
        return []
    return [[r, c] for r, row in enumerate(grid) if isinstance(row, list)
            for c, flag in enumerate(row) if flag is True]


def has_counts(record: dict) -> bool:
    """Whether a record carries its unweighted counts (a model: its number of observations)."""
    counts = record.get("counts")
    if isinstance(counts, list) and counts and any(
        v is not None for row in counts if isinstance(row, list) for v in row
    ):
        return True
    summary = record.get("summary") or {}
    return any(summary.get(key) is not None for key in ("n", "nobs"))


def _mitigation(record: dict) -> str:
    mitigation = record.get("mitigation") or {}
    parts = []
    if mitigation.get("suppressed"):
        parts.append("suppression")
    if mitigation.get("round_base"):
        parts.append(f"rounding to base {mitigation['round_base']}")
    return ", ".join(parts) or "none"


def document_entry(created: str) -> dict[str, Any]:
    """The SDC-ready document itself, listed as ACRO lists a custom output."""
    return {
        "uid": DOCUMENT_UID,
        "status": "review",
        "type": "custom",
        "properties": {"method": "jupyter sdc export"},
        "files": [{"name": DOCUMENT_NAME}],
        "outcome": {},
        "command": "jupyter sdc export",
        "summary": "The SDC-ready document: every output of this request, numbered, "
        "with its explanation and unweighted counts.",
        "timestamp": created,
        "comments": [],
        "exception": "",
    }


def acro_config(records: list[dict]) -> dict[str, Any]:
    """``config.json``: the rule values used, under ACRO's key names where ACRO has them."""
    merged: dict[str, Any] = {}
    varies: set[str] = set()
    for record in records:
        for key, value in (record.get("rules") or {}).items():
            if key in merged and merged[key] != value:
                varies.add(key)
            merged.setdefault(key, value)
    config: dict[str, Any] = {}
    for key, value in merged.items():
        value = "varies by output (see results.json)" if key in varies else value
        config[_ACRO_CONFIG_KEYS.get(key, key)] = value
    config["suppress"] = any((r.get("mitigation") or {}).get("suppressed") for r in records)
    return config


def write_results(
    folder: Path,
    records: list[dict],
    *,
    figures: dict[str, str],
    created: str,
    request: dict[str, Any] | None = None,
    links: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Write ``tables/``, ``results.json`` and ``config.json`` into ``folder``.

    ``figures`` maps a uid to its JPEG's name relative to ``folder``; ``links``: top-level
    keys naming other files of the request (``rules_applied``), never entries of ``results``
    (SACRO-Viewer shows every result as an output). Returns the results dict.
    """
    results: dict[str, Any] = {}
    for record in records:
        files = []
        if record["uid"] in figures:
            sdc = sdc_block(record)
            files.append({"name": figures[record["uid"]], "sdc": sdc})
        files += write_tables(folder, record)
        if not files:  # a custom output with no table or figure lives in the document only
            files.append({"name": DOCUMENT_NAME})
        results[record["uid"]] = result_entry(record, files)
    if (folder / DOCUMENT_NAME).exists():
        results[DOCUMENT_UID] = document_entry(created)
    data = {
        "version": ACRO_LAYOUT_VERSION,
        "tool": {
            "@type": "SoftwareApplication",
            "name": "jupyter_sdc",
            "version": __version__,
        },
        "request": request or {},
        **(links or {}),
        "results": results,
    }
    (folder / RESULTS_NAME).write_text(json.dumps(data, indent=2), encoding="utf-8")
    (folder / CONFIG_NAME).write_text(json.dumps(acro_config(records), indent=2), encoding="utf-8")
    return data


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path) -> list[str]:
    """``checksums/<relative name>.txt`` with the bare sha256 (no newline, as ACRO writes)
    for every file in ``folder`` outside ``checksums/``; returns the names covered."""
    names = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if relative.parts[0] == CHECKSUMS_DIR:
            continue
        target = folder / CHECKSUMS_DIR / f"{relative.as_posix()}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(sha256(path), encoding="utf-8")
        names.append(relative.as_posix())
    return names
