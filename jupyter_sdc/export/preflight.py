"""Preflight of a request folder: the minimum requirements, checked on the written files.

Each finding is a dict ``{"code", "severity", "message", "where"}`` (the shape of
``inspect.Finding``); severity ``"error"`` makes the request not ok, ``"warning"`` does not.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from jupyter_sdc._version import __version__
from jupyter_sdc.export import results_json
from jupyter_sdc.export.request_names import (  # noqa: F401 - preflight's names, used as preflight.*
    _ERROR,
    _WARNING,
    FORBIDDEN_SUFFIXES,
    OUTPUTS_DOCX,
    PREFLIGHT_NAME,
    RELEASE_DOCX,
    finding,
)

_LABEL = re.compile(r"^(Table|Figure|Model)\s+[A-Za-z]?\d+[A-Za-z]?$")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def output_summary(record: dict) -> dict[str, Any]:
    """What preflight needs to know of one included output."""
    return {
        "uid": record["uid"],
        "kind": record.get("kind"),
        "status": record.get("status"),
        "label": record.get("label") or "",
        "title": record.get("title") or "",
        "explanation": record.get("explanation") or "",
        "exception": record.get("exception") or "",
        "unweighted_counts": results_json.has_counts(record),
        "failing": [rule for rule, result in (record.get("checks") or {}).items()
                    if result == "fail"],
    }


def check_outputs(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every output numbered (uniquely), titled, explained and with its unweighted counts."""
    found = []
    seen: dict[str, str] = {}
    for out in outputs:
        where = f"{out['label'] or 'output'} ({out['uid']})"
        label = out["label"]
        if not _LABEL.match(label):
            found.append(finding("output-not-numbered",
                                 "The output has no number such as \"Table 1\".", where))
        elif label in seen:
            found.append(finding("output-number-repeated",
                                 f"{label} is also the label of {seen[label]}.", where))
        seen.setdefault(label, out["uid"])
        if not out["title"].strip():
            found.append(finding("output-no-title", "The output has no title; add one.", where))
        if not out["explanation"].strip():
            # the document inspector refuses an unexplained output: say so before writing it
            found.append(finding(
                "output-not-explained",
                "Explain this output (what it shows, how it was made): checkers require an "
                "explanation for every output.", where))
        if out["status"] == "fail" and not out["exception"].strip():
            rules = ", ".join(out.get("failing") or []) or "a rule"
            found.append(finding("output-fails",
                                 f"It fails {rules} and has no exception reason.", where))
        if not out["unweighted_counts"]:
            found.append(finding(
                "output-no-counts",
                "No unweighted counts: checkers need the count behind every statistic.", where,
                _WARNING if out["kind"] == "custom" else _ERROR))
    return found


def listed_files(results: dict) -> set[str]:
    """The files results.json names: each output's, and those its top-level keys link."""
    listed = {f["name"] for e in results.get("results", {}).values() for f in e.get("files", [])}
    link = results.get("rules_applied")
    return listed | ({link} if isinstance(link, str) else set())


def check_files(folder: Path, listed: set[str]) -> list[dict[str, Any]]:
    """No data or statistics-package files; the tables listed in results.json excepted."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name in listed or name in (results_json.RESULTS_NAME, results_json.CONFIG_NAME,
                                      PREFLIGHT_NAME):
            continue
        if name.startswith(f"{results_json.CHECKSUMS_DIR}/") and name.endswith(".txt"):
            continue
        suffixes = {s.lower() for s in path.suffixes} | {path.suffix.lower()}
        if suffixes & FORBIDDEN_SUFFIXES:
            found.append(finding(
                "data-file",
                "A data, statistics-package or archive file may not be in a request; "
                "remove it.", name))
    return found


def check_checksums(folder: Path, results: dict) -> list[dict[str, Any]]:
    """Each file results.json lists has its checksum, as SACRO-Viewer needs to mark cells."""
    found = []
    for uid, entry in results.get("results", {}).items():
        for file in entry.get("files", []):
            name = file["name"]
            path = folder / name
            checksum = folder / results_json.CHECKSUMS_DIR / f"{name}.txt"
            if not path.is_file():
                found.append(finding("listed-file-missing",
                                     f"results.json lists {name} for {uid}, but it is missing.",
                                     name))
            elif not checksum.is_file() or checksum.read_text() != results_json.sha256(path):
                found.append(finding("checksum-mismatch",
                                     f"checksums/{name}.txt does not hold the file's sha256.",
                                     name))
    return found


def document_text(path: Path) -> str:
    """All text of a .docx body (paragraphs and table cells), whitespace collapsed.

    Read straight from the package's XML: python-docx's object model is ten times slower on
    documents with hundreds of tables.
    """
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"), _XML_PARSER)
    paragraphs = ("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in root.iter(f"{_W}p"))
    return " ".join(" ".join(paragraphs).split())


def check_document(folder: Path, outputs: list[dict], citations: list[str]) -> list[dict]:
    """Both documents pass inspection (the citations quoted); every output is in outputs.docx."""
    found = []
    for name in (OUTPUTS_DOCX, RELEASE_DOCX):
        path = folder / name
        if not path.is_file():
            found.append(finding("document-missing", f"{name} is missing.", name))
            continue
        found += inspect_file(path, where=name, citations=citations)
    outputs_docx = folder / OUTPUTS_DOCX
    if not outputs_docx.is_file():
        return found
    try:
        text = document_text(outputs_docx)
    except Exception as exc:  # a file python-docx cannot open cannot be checked: fail closed
        return found + [finding("document-unreadable", f"Cannot read it: {exc}", OUTPUTS_DOCX)]
    present = _labels_in(text, [out["label"] for out in outputs if out["label"]])
    for out in outputs:
        if out["label"] and out["label"] not in present:
            found.append(finding("output-not-in-document",
                                 f"{out['label']} ({out['uid']}) is not in the document.",
                                 OUTPUTS_DOCX))
    return found


def _labels_in(text: str, labels: list[str]) -> set[str]:
    """The labels found in ``text``, in one pass: each as a whole ("Table 1" is not found
    inside "Table 10"), the longest tried first where one begins another."""
    if not labels:
        return set()
    ordered = sorted(set(labels), key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
    return set(pattern.findall(text))


def inspect_file(path: Path, where: str | None = None,
                 citations: list[str] | tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Word's *Inspect Document* checks and the content requirements on one .docx."""
    from jupyter_sdc.export.inspect import inspect_docx  # written alongside; imported late

    name = where or Path(path).name
    return [_as_dict(f, name) for f in inspect_docx(Path(path), citations=tuple(citations))]


def _as_dict(item: Any, where: str) -> dict[str, Any]:
    data = asdict(item) if is_dataclass(item) else dict(item)
    data["severity"] = str(getattr(data.get("severity"), "value", data.get("severity")))
    data["where"] = f"{where}: {data['where']}" if data.get("where") else where
    return data


def run_preflight(
    folder: Path,
    outputs: list[dict[str, Any]],
    left_out: list[tuple[str, str]],
    citations: list[str],
    notebook_findings: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Check a written request folder and write ``preflight.json`` into it.

    ``notebook_findings``: what was found in the notebooks themselves (their run order)."""
    results = json.loads((folder / results_json.RESULTS_NAME).read_text(encoding="utf-8"))
    listed = listed_files(results)
    findings = check_outputs(outputs)
    findings += check_document(folder, outputs, citations)
    findings += check_files(folder, listed)
    findings += check_checksums(folder, results)
    findings += notebook_findings or []
    report = {
        "tool": {"name": "jupyter_sdc", "version": __version__},
        "checked": datetime.now(UTC).isoformat(timespec="seconds"),
        "ok": not any(f["severity"] == _ERROR for f in findings),
        "findings": findings,
        "included": [
            {k: out[k] for k in ("uid", "label", "title", "status")} for out in outputs
        ],
        "left_out": [{"uid": uid, "reason": reason} for uid, reason in left_out],
    }
    (folder / PREFLIGHT_NAME).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def inspect_request(folder: Path) -> dict[str, Any]:
    """Preflight of an existing request folder (``jupyter sdc inspect FOLDER``); writes nothing.

    The outputs are read back from results.json, which holds each output's label, title,
    explanation and whether it has counts.
    """
    from jupyter_sdc.export.audit import audit_folder  # the audit reads preflight's names

    folder = Path(folder)
    path = folder / results_json.RESULTS_NAME
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {"ok": False, "findings": [finding(
            "results-missing", "results.json is missing or is not JSON: inspect a request "
            "folder that the exporter wrote (or a .docx file).", results_json.RESULTS_NAME)]}
    outputs = []
    for uid, entry in results.get("results", {}).items():
        if uid == results_json.DOCUMENT_UID:
            continue
        props = entry.get("properties", {})
        outputs.append({
            "uid": uid, "kind": _kind(entry), "status": entry.get("status"),
            "label": props.get("label") or "", "title": props.get("title") or "",
            "explanation": props.get("explanation") or "", "exception": entry.get("exception"),
            "unweighted_counts": bool(props.get("unweighted_counts")),
        })
    citations = list((results.get("request") or {}).get("citations") or [])
    listed = listed_files(results)
    findings = check_outputs(outputs) + check_document(folder, outputs, citations)
    findings += check_files(folder, listed) + check_checksums(folder, results)
    findings += audit_folder(folder)
    return {"ok": not any(f["severity"] == _ERROR for f in findings), "findings": findings}


def _kind(entry: dict) -> str:
    reverse = {"table": "table", "regression": "model", "figure": "figure",
               "histogram": "figure", "custom": "custom"}
    return reverse.get(entry.get("type", "custom"), "custom")
