"""The audit's file checks: which files a request holds, and what each holds by its content.

Only the files results.json lists and the request's own files may be there; no notebook, no
record (the MIME data) and no evidence in any of them; a file is judged by its bytes, not its
name (a CSV renamed .jpg is not a figure); a listed table is an aggregate, not one row per
record.
"""

from __future__ import annotations

import re
from typing import Any

from jupyter_sdc.core.record import MIME_TYPE
from jupyter_sdc.export import results_json
from jupyter_sdc.export.audit_context import Context
from jupyter_sdc.export.request_names import PREFLIGHT_NAME, finding
from jupyter_sdc.export.rules_applied import RULES_APPLIED
from jupyter_sdc.export.scrub import scan_code
from jupyter_sdc.export.staged import DOCUMENTS, Staged

#: the request's own files, allowed beside those results.json lists
OWN_FILES = frozenset({*DOCUMENTS, results_json.RESULTS_NAME, results_json.CONFIG_NAME,
                       PREFLIGHT_NAME, RULES_APPLIED})
#: keys of a record's JSON that never leave the TRE
_RECORD_KEYS = frozenset({"evidence", "fingerprint"})
_MIME = MIME_TYPE.encode()
_JPEG, _PNG, _ZIP = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"
#: how data and archive files begin, whatever they are called
_DATA_MAGIC = (
    (b"PAR1", "Parquet"), (b"<stata_dta>", "Stata"), (b"$FL2", "SPSS"), (b"$FL3", "SPSS"),
    (b"SQLite format 3\x00", "SQLite"), (b"\x89HDF\r\n\x1a\n", "HDF5"), (b"\x93NUMPY", "NumPy"),
    (b"ARROW1", "Arrow"), (b"FEA1", "Feather"), (b"RDX2", "R"), (b"RDX3", "R"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel (OLE)"), (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz"), (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"Rar!", "RAR"),
)
_IDENTIFIER = re.compile(
    r"(?:^|[\s_/.-])(?:id|ids|pid|uid|uuid|serial|nino|nhs(?:[\s_-]?(?:no|number))?|postcode|"
    r"post[\s_-]?code|zip[\s_-]?code|email|e-mail|phone|telephone|dob|date[\s_-]of[\s_-]birth|"
    r"birth[\s_-]?date|address|surname|forename|first[\s_-]name)(?:$|[\s_/.-])",
    re.IGNORECASE)
_DISTINCT_ROWS = 10  # a text column this long with every value distinct lists records


def findings(staged: Staged, context: Context) -> list[dict[str, Any]]:
    found = file_list(staged, context)
    for name in staged.files:
        found += content(staged, name)
    found += records_shape(staged)
    return found


# -- which files -----------------------------------------------------------------------------
def file_list(staged: Staged, context: Context) -> list[dict[str, Any]]:
    """The files on disk are those results.json lists plus the request's own."""
    files, links = staged.entries
    listed = {name for names in staged.listed.values() for name in names}
    allowed = listed | OWN_FILES | {f"{results_json.CHECKSUMS_DIR}/{n}.txt" for n in files}
    found = [finding("audit-link", "A symbolic link may not be in a request; remove it.", name)
             for name in links]
    for name in files:
        if name.lower().endswith(".ipynb"):
            found.append(finding("audit-notebook", "A notebook may not leave the TRE: it holds "
                                 "the records and their evidence. Remove it.", name))
        elif name.startswith("code/") and name.endswith(".py") and context.allow_code:
            continue
        elif name not in allowed:
            found.append(finding("audit-unlisted-file", "results.json does not list this "
                                 "file; only the outputs' tables and figures and the "
                                 "request's own files may be in a request. Remove it.", name))
    for uid, names in staged.listed.items():
        for name in names:
            if name not in own_files(uid):
                owner = context.outputs.get(uid)
                found.append(finding(
                    "audit-foreign-file", f"results.json lists it for "
                    f"{owner.name if owner else uid}, but it is not that output's table or "
                    f"figure. Remove it and its entry from results.json.", _shown(name)))
    return found


def own_files(uid: str) -> set[str]:
    """The names the exporter gives an output's files."""
    name = results_json.safe_name(uid)
    return {f"tables/{name}.csv", f"tables/{name}.counts.csv", f"figures/{name}.jpg",
            results_json.DOCUMENT_NAME}


def _shown(name: str) -> str:
    """A listed name as a message shows it: never a path outside the request."""
    return name if not name.startswith(("/", "\\")) and ".." not in name.split("/") \
        else "a path outside the request"


# -- what is inside ----------------------------------------------------------------------------
def content(staged: Staged, name: str) -> list[dict[str, Any]]:
    """One file judged by its bytes."""
    raw = staged.read(name)
    found = _magic(raw, name)
    lower = name.lower()
    if lower.endswith(".docx"):
        parts = staged.parts(name)
        if parts is None or not {"[Content_Types].xml", "word/document.xml"} <= set(parts):
            found.append(finding("audit-not-docx", "It is not a Word document (a .docx is a "
                                 "zip with the Word parts); export again.", name))
        elif any(_MIME in blob for blob in parts.values()):
            found.append(_record_data(name))
    elif _MIME in raw:
        found.append(_record_data(name))
    if lower.endswith(".json"):
        found += _json_content(staged, name)
    elif lower.endswith((".jpg", ".jpeg")) and not raw.startswith(_JPEG):
        found.append(_not_image(name, "JPEG"))
    elif lower.endswith(".png") and not raw.startswith(_PNG):
        found.append(_not_image(name, "PNG"))
    elif name.startswith(f"{results_json.CHECKSUMS_DIR}/") and not re.fullmatch(
            rb"[0-9a-f]{64}\s*", raw):
        found.append(finding("audit-not-checksum", "A checksum file holds only a sha256; "
                             "export again.", name))
    elif lower.endswith(".csv") and staged.csv(name) is None:
        found.append(finding("audit-not-csv", "It is not a readable CSV table.", name))
    elif name.startswith("code/") and lower.endswith(".py"):
        found += scan_code(raw.decode("utf-8", "replace"), name)
    return found


def _magic(raw: bytes, name: str) -> list[dict[str, Any]]:
    for magic, kind in _DATA_MAGIC:
        if raw.startswith(magic):
            return [finding("audit-data-file", f"It is a {kind} file, whatever its name: data "
                            "files may not leave the TRE. Remove it.", name)]
    if raw.startswith(_ZIP) and not name.lower().endswith(".docx"):
        return [finding("audit-data-file", "It is a zip archive, whatever its name: archives "
                        "hide files. Remove it.", name)]
    if raw.startswith(b"\x80") and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return [finding("audit-data-file", "It is a Python pickle, whatever its name: data "
                        "files may not leave the TRE. Remove it.", name)]
    return []


def _not_image(name: str, kind: str) -> dict[str, Any]:
    return finding("audit-not-image", f"It is not a {kind} image, whatever its name (a "
                   "figure must be the picture itself, not data). Remove it and export again.",
                   name)


def _record_data(name: str) -> dict[str, Any]:
    return finding("audit-record-data", "It holds a jupyter_sdc record (its MIME data): "
                   "records and their evidence stay in the TRE. Remove it.", name)


def _json_content(staged: Staged, name: str) -> list[dict[str, Any]]:
    data = staged.json(name)
    if data is None:
        return [finding("audit-not-json", "It is not readable JSON; export again.", name)]
    if isinstance(data, dict) and "cells" in data and "nbformat" in data:
        return [finding("audit-notebook", "It is a notebook, whatever its name: notebooks "
                        "hold the records and their evidence. Remove it.", name)]
    key = _record_key(data)
    if key:
        return [finding("audit-evidence", f"It holds a record's {key!r}: the evidence behind "
                        "an output stays in the TRE. Export again.", name)]
    return []


def _record_key(value: Any) -> str | None:
    """The first key of a record (its evidence or fingerprint, or a whole record) inside."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            hit = _RECORD_KEYS & item.keys()
            if hit:
                return sorted(hit)[0]
            if {"schema_version", "uid", "kind", "counts"} <= item.keys():
                return "record"
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


# -- a listed table is an aggregate ----------------------------------------------------------
def records_shape(staged: Staged) -> list[dict[str, Any]]:
    """A listed CSV that has the shape of microdata: an identifier column, or a text column
    whose every value is distinct (one row per record)."""
    found = []
    for name in sorted({n for names in staged.listed.values() for n in names}):
        rows = staged.csv(name) if name.lower().endswith(".csv") else None
        if not rows:
            continue
        why = microdata_shape(rows)
        if why:
            found.append(finding("audit-microdata", f"It has the shape of record-level data "
                                 f"({why}): only aggregate tables may leave the TRE. Remove "
                                 "it.", name))
    return found


def microdata_shape(rows: list[list[str]]) -> str | None:
    """Why rows look like one row per record, or None."""
    header, body = rows[0], rows[1:]
    for column, title in enumerate(header):
        if _IDENTIFIER.search(title.strip()):
            return f"column {column + 1} is named like an identifier"
    if len(body) < _DISTINCT_ROWS:
        return None
    for column in range(1, len(header)):
        values = [row[column] for row in body if column < len(row) and row[column].strip()]
        texts = [v for v in values if not _is_number(v)]
        if len(texts) >= _DISTINCT_ROWS and len(set(texts)) == len(values):
            return f"column {column + 1} holds a different text in every row"
    return None


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
