"""A request folder read back from disk, for the audit: what was written, not what was meant.

Everything is read lazily and once: the file list, results.json, each CSV, the documents'
tables (under the output label they sit below) and their text, the text of every file.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from lxml import etree

from jupyter_sdc.export import results_json
from jupyter_sdc.export.inspect import W, document_blocks, element_text
from jupyter_sdc.export.request_names import OUTPUTS_DOCX, RELEASE_DOCX

DOCUMENTS = (OUTPUTS_DOCX, RELEASE_DOCX)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_MAX_TEXT = 50 << 20  # a text file larger than this is not one the exporter writes
#: attributes that hold words rather than formatting: alt text, names, captions, link targets
_WORDY_ATTRIBUTES = re.compile(rb' (?:descr|title|name|alt|href|source)="([^"]*)"')
_CAPTION = re.compile(rb'<w:tbl(?:Caption|Description) w:val="([^"]*)"')
_XML_TEXT = re.compile(rb">([^<]+)<")
_EXTERNAL_TARGET = re.compile(rb'<Relationship [^>]*TargetMode="External"[^>]*>')
_TARGET = re.compile(rb'\bTarget="([^"]*)"')

@dataclass
class DocumentTable:
    """One table of a .docx: its rows of cell texts, and the output label it sits under."""

    label: str | None
    rows: list[list[str]]


@dataclass
class Staged:
    """The request folder at ``folder`` as it is on disk."""

    folder: Path
    _bytes: dict[str, bytes] = field(default_factory=dict)
    _csv: dict[str, list[list[str]] | None] = field(default_factory=dict)
    _json: dict[str, Any] = field(default_factory=dict)
    _parts: dict[str, dict[str, bytes] | None] = field(default_factory=dict)
    _blocks: dict[str, list[tuple[str | None, etree._Element]]] = field(default_factory=dict)
    _tables: dict[str, list[DocumentTable]] = field(default_factory=dict)
    _package: dict[str, dict[str, str]] = field(default_factory=dict)
    _roots: dict[tuple[str, str], etree._Element | None] = field(default_factory=dict)

    @cached_property
    def entries(self) -> tuple[list[str], list[str]]:
        """(files, links): every regular file and every symbolic link, relative names."""
        files, links = [], []
        for top, dirs, names in os.walk(self.folder, followlinks=False):
            here = Path(top)
            for name in dirs + names:
                path = here / name
                relative = path.relative_to(self.folder).as_posix()
                if path.is_symlink():
                    links.append(relative)
                elif name in names and path.is_file():
                    files.append(relative)
        return sorted(files), sorted(links)

    @property
    def files(self) -> list[str]:
        return self.entries[0]

    @cached_property
    def results(self) -> dict[str, Any] | None:
        """results.json, or None when it is missing or not a JSON object."""
        data = self.json(results_json.RESULTS_NAME)
        return data if isinstance(data, dict) else None

    @cached_property
    def listed(self) -> dict[str, list[str]]:
        """uid -> the file names results.json lists for it."""
        entries = (self.results or {}).get("results") or {}
        if not isinstance(entries, dict):
            return {}
        return {str(uid): [str(f.get("name")) for f in entry.get("files") or []
                           if isinstance(f, dict) and f.get("name")]
                for uid, entry in entries.items() if isinstance(entry, dict)}

    def read(self, name: str) -> bytes:
        """A file's bytes (read once; b"" when it cannot be read)."""
        if name not in self._bytes:
            try:
                with open(self.folder / name, "rb") as handle:
                    self._bytes[name] = handle.read(_MAX_TEXT)
            except OSError:
                self._bytes[name] = b""
        return self._bytes[name]

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8", "replace")

    def json(self, name: str) -> Any:
        """A JSON file's value (read once), or None when it is missing or not JSON."""
        if name not in self._json:
            try:
                self._json[name] = json.loads(self.read(name))
            except ValueError:
                self._json[name] = None
        return self._json[name]

    def csv(self, name: str) -> list[list[str]] | None:
        """A CSV file's rows, or None when it is missing or not text."""
        if name not in self._csv:
            raw = self.read(name)
            try:
                self._csv[name] = list(csv.reader(io.StringIO(raw.decode("utf-8")))) if raw \
                    else None
            except (UnicodeDecodeError, csv.Error):
                self._csv[name] = None
        return self._csv[name]

    def parts(self, name: str) -> dict[str, bytes] | None:
        """The parts of a .docx (a zip package), or None when it is not one."""
        if name not in self._parts:
            try:
                with zipfile.ZipFile(self.folder / name) as package:
                    self._parts[name] = {n: package.read(n) for n in package.namelist()}
            except (OSError, zipfile.BadZipFile, RuntimeError, ValueError):
                self._parts[name] = None
        return self._parts[name]

    def root(self, name: str, part: str) -> etree._Element | None:
        """One XML part of a .docx, parsed once (None when missing or not XML)."""
        if (name, part) not in self._roots:
            blob = (self.parts(name) or {}).get(part)
            try:
                self._roots[(name, part)] = etree.fromstring(blob, _PARSER) if blob else None
            except etree.XMLSyntaxError:
                self._roots[(name, part)] = None
        return self._roots[(name, part)]

    def blocks(self, name: str) -> list[tuple[str | None, etree._Element]]:
        if name not in self._blocks:
            parts, root = self.parts(name), self.root(name, "word/document.xml")
            self._blocks[name] = document_blocks(parts, root) if parts and root is not None \
                else []
        return self._blocks[name]

    def tables(self, name: str) -> list[DocumentTable]:
        """Every table of a document, with the output label it sits under."""
        if name not in self._tables:
            self._tables[name] = [DocumentTable(label, table_rows(item))
                                  for label, item in self.blocks(name) if item.tag == f"{W}tbl"]
        return self._tables[name]

    def paragraphs(self, name: str) -> list[tuple[str | None, str]]:
        """Every paragraph of a document outside tables: (output label or None, text)."""
        return [(label, element_text(item)) for label, item in self.blocks(name)
                if item.tag == f"{W}p"]

    def package_texts(self, name: str) -> dict[str, str]:
        """Part name -> the text of that XML part of a .docx, with the attributes that can
        hold words (alt text, names, captions, external link targets): document properties
        and relationships too. Read from the XML as it is, without parsing it again."""
        if name not in self._package:
            self._package[name] = {part: _xml_words(blob)
                                   for part, blob in (self.parts(name) or {}).items()
                                   if part.endswith((".xml", ".rels"))}
        return self._package[name]


def _xml_words(blob: bytes) -> str:
    values = _XML_TEXT.findall(blob) + _WORDY_ATTRIBUTES.findall(blob) + _CAPTION.findall(blob)
    values += [t for link in _EXTERNAL_TARGET.findall(blob) for t in _TARGET.findall(link)]
    return html.unescape("\n".join(v.decode("utf-8", "replace") for v in values if v.strip()))


def table_rows(table: etree._Element) -> list[list[str]]:
    """A docx table as rows of cell texts (merged header cells count once)."""
    return [[element_text(cell).strip() for cell in row.iter(f"{W}tc")]
            for row in table.iter(f"{W}tr")]
