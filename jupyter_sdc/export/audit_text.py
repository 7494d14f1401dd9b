"""The audit's text checks: no small count stated in words, no path or name that points home.

Text is read from every written file: the strings of the JSON files (key by key), the
documents' paragraphs and tables (and their package: properties, relationships), the CSV and
code files, a JPEG's metadata. What the researcher wrote in sdc.toml for the release form (the
researchers, the project's title, the datasets' descriptions) is theirs to publish: it is left
out of the name checks, though never out of the check for absolute paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from jupyter_sdc.export import count_text, results_json
from jupyter_sdc.export.audit_context import Context, OutputRules
from jupyter_sdc.export.request_names import FORBIDDEN_SUFFIXES, finding
from jupyter_sdc.export.staged import DOCUMENTS, Staged

#: data files by their names (the formats preflight refuses, less the request's own)
DATA_SUFFIXES = tuple(sorted(FORBIDDEN_SUFFIXES - {
    ".json", ".xml", ".ipynb", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".rar",
    ".do", ".ado", ".sps", ".r", ".rmd", ".sas", ".txt"}))
_DATA_PATH = re.compile(
    r"[\w.~:/\\-]*?([\w-][\w.-]*)(" + "|".join(re.escape(s) for s in DATA_SUFFIXES) + r")\b",
    re.IGNORECASE)
# Absolute paths, each form found from its first character (fast), then its context checked:
# /home/me/data (two parts at least), C:\Users or C:/data, \\server\share, ~/data, file:/.
_POSIX = re.compile(r"/[A-Za-z_.~$][\w.~$-]*/[\w.~$-]")
_DRIVE = re.compile(r":[\\/]+[\w$.-]")
_UNC_OR_HOME = re.compile(r"\\\\[A-Za-z0-9][\w.$-]*\\|~[/\\][\w.]")
_NOT_BEFORE_PATH = re.compile(r"[\w.:/~\\-]")
_SKIP_KEYS = frozenset({"outcome", "files", "uid", "timestamp", "created", "checked",
                        "exported", "status", "type", "version", "tool", "researchers"})
_SKIP_FOLDERS = {"node_modules", "__pycache__", "site-packages"}
_MAX_WALK = 20_000  # entries of a project folder looked at for data file names
_NOT_SHOWN = re.compile(r"\d[\d,]*")


def findings(staged: Staged, context: Context) -> list[dict[str, Any]]:
    return stated_counts(staged, context) + names(staged, context)


# -- counts stated in words ------------------------------------------------------------------
def stated_counts(staged: Staged, context: Context) -> list[dict[str, Any]]:
    """No reason, note or summary states a count below its output's threshold."""
    labels = table_labels(staged)
    by_label = {o.label: o for o in context.outputs.values() if o.label}
    found = []
    for where, owner, text in released_texts(staged, context, by_label):
        if owner is not None and owner.exception:
            continue  # the output publishes its small cells by exception, with a reason
        threshold = owner.threshold if owner else context.threshold
        zeros = owner.zeros if owner else context.zeros
        small = count_text.small_counts(text, threshold, zeros=zeros, labels=labels)
        if small:
            phrase = _NOT_SHOWN.sub("n", small[0].phrase, count=1)
            about = f" about {owner.name}" if owner else ""
            found.append(finding(
                "audit-count-in-text", f"A text{about} states a count below the threshold "
                f"({threshold}): \"{phrase}\". Counts below the threshold stay in the "
                f"notebook: say \"fewer than {threshold}\", and export again.", where))
    return found


def released_texts(staged: Staged, context: Context,
                   by_label: dict[str, OutputRules]) -> Iterator[tuple[str, Any, str]]:
    """(where, the output it is about or None, text) for every free text of the request."""
    for name in staged.files:
        if name.endswith(".json"):
            data = staged.json(name)
            entries = data.get("results") if isinstance(data, dict) else None
            for path, text in json_strings(data):
                owner = None
                if name == results_json.RESULTS_NAME and isinstance(entries, dict) and \
                        len(path) > 1 and path[0] == "results":
                    owner = context.outputs.get(path[1])
                yield f"{name}: {'.'.join(path)}", owner, text
    for name in DOCUMENTS:
        for label, text in staged.paragraphs(name):
            yield f"{name}: {label or 'text'}", by_label.get(label or ""), text
        for table in staged.tables(name):
            if table.label:
                continue  # an output's own table: labels and numbers, checked as cells
            for row in table.rows:
                owner = by_label.get(row[0]) if row else None
                for text in row[1:]:
                    yield f"{name}: {row[0] if owner else 'a table'}", owner, text


def json_strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                                          str]]:
    """Every free-text string of a JSON value, with its key path (keys and cells skipped)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key) not in _SKIP_KEYS:
                yield from json_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item, path)
    elif isinstance(value, str) and value.strip():
        yield path, value


def table_labels(staged: Staged) -> tuple[str, ...]:
    """The row and column labels of every table CSV, lower case (category names)."""
    labels: set[str] = set()
    for names in staged.listed.values():
        for name in names:
            rows = staged.csv(name) if name.endswith(".csv") else None
            for row in rows or []:
                labels.add(row[0].lower() if row else "")
            labels.update(t.lower() for t in (rows[0] if rows else []))
    return tuple(sorted(labels - {""}))


# -- paths and names -------------------------------------------------------------------------
def names(staged: Staged, context: Context) -> list[dict[str, Any]]:
    """No absolute path, login, home or host name, or data file name in any written file."""
    private = Private(context)
    found = []
    for name in staged.files:
        if name.startswith(f"{results_json.CHECKSUMS_DIR}/"):
            continue
        code = name.startswith("code/")
        if not private.any_in(_whole_text(staged, name), code=code):
            continue  # most files: one pass, nothing to locate
        for where, text in file_texts(staged, name):
            for what in private.found(text, _without(text, context.written), code=code):
                found.append(finding("audit-private-name", f"It holds {what}, which must not "
                                     "leave the TRE. Remove it from what you wrote, or export "
                                     "again.", where))
    return found


class Private:
    """The names of the account, the machine and the data, as patterns."""

    def __init__(self, context: Context) -> None:
        self.homes = context.homes
        self.login = _words(context.logins)
        self.host = _words(context.hosts)
        self.data = _words(context.data_names)
        self.data_names = context.data_names

    def any_in(self, text: str, *, code: bool = False) -> bool:
        return bool(absolute_path_in(text) or any(h in text for h in self.homes)
                    or (self.login and self.login.search(text))
                    or (self.host and self.host.search(text))
                    or (not code and self.data and self.data.search(text)))

    def found(self, text: str, theirs_left_out: str, *, code: bool = False) -> list[str]:
        """What of the account, the machine and the data ``text`` gives away (names looked
        for in ``theirs_left_out``: the text without what the researcher wrote for release)."""
        found = []
        if absolute_path_in(text) or any(home in text for home in self.homes):
            found.append("an absolute path")
        text = theirs_left_out
        if self.login and self.login.search(text):
            found.append("the login name of the account that ran the export")
        if self.host and self.host.search(text):
            found.append("the name of this computer")
        hit = self.data.search(text) if self.data and not code else None
        if hit:  # a syntax file reads its data by name; the scrubber checks its paths
            found.append(f"the name of a data file the analysis read ({hit.group(0)})")
        return found


def absolute_path_in(text: str) -> bool:
    """Whether ``text`` holds an absolute path (not a URL, a DOI, "and/or" or "1/2")."""
    if "file:/" in text.lower():
        return True
    for match in _POSIX.finditer(text):
        if match.start() == 0 or not _NOT_BEFORE_PATH.match(text, match.start() - 1):
            return True
    for match in _DRIVE.finditer(text):
        drive = match.start() - 1
        if drive >= 0 and text[drive].isalpha() and text[drive].isascii() and (
                drive == 0 or not (text[drive - 1].isalnum() or text[drive - 1] == "_")):
            return True
    for match in _UNC_OR_HOME.finditer(text):
        if match.start() == 0 or not _NOT_BEFORE_PATH.match(text, match.start() - 1):
            return True
    return False


def _words(names: Iterable[str]) -> re.Pattern | None:
    """One pattern for whole-word, case-blind occurrences of any of ``names``."""
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(rf"(?<![\w])(?:{'|'.join(re.escape(n) for n in names)})(?![\w])",
                      re.IGNORECASE)


def _whole_text(staged: Staged, name: str) -> str:
    lower = name.lower()
    if lower.endswith(".docx"):
        return "\n".join(staged.package_texts(name).values())
    if lower.endswith((".jpg", ".jpeg")):
        return jpeg_metadata(staged.read(name))
    return staged.text(name)


def file_texts(staged: Staged, name: str) -> list[tuple[str, str]]:
    """(where, text) for one file: JSON key by key, a document part by part, else whole."""
    lower = name.lower()
    if lower.endswith(".json"):
        data = staged.json(name)
        if data is not None:
            return [(f"{name}: {'.'.join(path) or 'top level'}", text)
                    for path, text in _all_strings(data)]
    if lower.endswith(".docx"):
        return [(f"{name}: {_part(part)}", text)
                for part, text in staged.package_texts(name).items()]
    if lower.endswith((".jpg", ".jpeg")):
        return [(name, jpeg_metadata(staged.read(name)))]
    return [(name, staged.text(name))]


def _all_strings(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...],
                                                                           str]]:
    """Every key and string of a JSON value, with its key path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, str(key)), str(key)
            yield from _all_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _all_strings(item, path)
    elif isinstance(value, str):
        yield path, value


def jpeg_metadata(raw: bytes) -> str:
    """The text a JPEG carries besides its picture: its APPn and COM segments."""
    out, i = [], 2
    while i + 4 <= len(raw) and raw[i] == 0xFF:
        marker, size = raw[i + 1], int.from_bytes(raw[i + 2:i + 4], "big")
        if marker == 0xDA:  # start of scan: the picture itself follows
            break
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            out.append(raw[i + 4:i + 2 + size].decode("latin-1"))
        i += 2 + size
    return "\n".join(out)


def _part(part: str) -> str:
    return "document properties" if part.startswith("docProps/") else part


def _without(text: str, exempt: Iterable[str]) -> str:
    for item in exempt:
        if item:
            text = text.replace(item, " ")
    return text


# -- which data files the analysis read ----------------------------------------------------
def data_names_in_code(code: Iterable[str]) -> list[str]:
    """Data file names in code: each file's name, a distinctive stem, distinctive folders."""
    found: list[str] = []
    for text in code:
        for match in _DATA_PATH.finditer(text or ""):
            path = match.group(0).replace("\\", "/")
            found += _names_of(path)
    return list(dict.fromkeys(found))


def data_names_in_folder(root: Path, *, skip: Path | None = None) -> list[str]:
    """Data files in a project folder (hidden folders, the SDC folder and ``skip`` left out)."""
    found: list[str] = []
    seen = 0
    skip_real = os.path.realpath(skip) if skip else None
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_FOLDERS
                   and os.path.realpath(os.path.join(top, d)) != skip_real
                   and not os.path.exists(os.path.join(top, d, results_json.RESULTS_NAME))]
        seen += len(dirs) + len(files)
        found += [n for f in files if f.lower().endswith(DATA_SUFFIXES)
                  for n in _names_of(f)]
        if seen > _MAX_WALK:
            break
    return list(dict.fromkeys(found))


def _names_of(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p and p not in (".", "..", "~")]
    if not parts:
        return []
    base = parts[-1]
    stem = base.rsplit(".", 1)[0]
    found = [base] + ([stem] if _distinctive(stem) else [])
    return found + [p for p in parts[:-1] if _distinctive(p) and ":" not in p]


def _distinctive(word: str) -> bool:
    """A name that is not an everyday word: it has a digit, an underscore or a hyphen."""
    return len(word) >= 4 and bool(re.search(r"[\d_-]", word)) and bool(re.search(r"[A-Za-z]",
                                                                                  word))
