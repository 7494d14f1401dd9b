"""Inspect a .docx before release: what Word's *Inspect Document* finds, and what checkers ask.

``inspect_docx(path)`` opens the package as a zip and reads its XML once. Two kinds of finding:
- the package (``export.docx_package``): comments, tracked changes, hidden or invisible text,
  embedded objects, altChunk, macros, custom XML, personal metadata, a thumbnail, vector images;
- the content (the minimum requirements of output checking): every output numbered ("Table N",
  "Figure N", "Model N"), titled, explained and given its unweighted counts; the data citation
  present; variable names that look like raw dataset codes (a warning).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from jupyter_sdc.export.config import DOI_PATTERN
from jupyter_sdc.export.docx_package import (
    Finding,
    W,
    attr_val,
    markup_findings,
    package_findings,
    parse_xml,
    style_names,
)

_CONTENT_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
LABEL = re.compile(r"^(Table|Figure|Model)\s+([A-Za-z]?\d+[A-Za-z]?)\s*(?:[:.–—-]\s*(.*))?$")
_NOTE_PREFIX = re.compile(r"^\s*(notes?|sources?|citation|model|\*|†|‡)\b", re.IGNORECASE)
_COUNT_HEADER = re.compile(r"\bunweighted\b|\bcounts?\b|\bfrequency\b|^\s*n\s*$|^\s*n\s*\(",
                           re.IGNORECASE)
_COUNT_TEXT = re.compile(r"\bunweighted\b|\b[Nn]\s*=\s*\d")
_CITATION_LINE = re.compile(r"^\s*(data\s+)?citation\s*:\s*\S+(\s+\S+){2,}", re.IGNORECASE)
RAW_NAMES = (  # variable names as a dataset stores them, not as a reader understands them
    re.compile(r"^[a-z]{1,4}\d{1,4}[a-z]?$"),         # q12a, rgn1
    re.compile(r"^[A-Z]{2,}\d+[A-Z]?$"),              # AGE5, GOR9D
    re.compile(r"^var_?\d+$", re.IGNORECASE),          # var_12, VAR3
    re.compile(r"^[A-Z][A-Z0-9]*_[A-Z0-9_]+$"),       # HIQUL_22, INC_GRANTS
    re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$"),   # inc_grants, person_id
    re.compile(r"^[b-df-hj-np-tv-xz]{2,5}$"),          # rgn, hh, gdp: no vowel, not a word
)


def inspect_docx(path: Path, *, citations: Sequence[str] = ()) -> list[Finding]:
    """Every finding in the .docx at ``path``; an empty list means it is ready to submit.

    ``citations``: the data citations the document must quote (from sdc.toml); without them a
    DOI or a "Citation:" line is taken as the citation.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"inspect_docx: no file at {path}")
    try:
        with zipfile.ZipFile(path) as package:
            parts = {name: package.read(name) for name in package.namelist()}
    except zipfile.BadZipFile:
        return [Finding("unreadable", "error", "Not a Word document (.docx is a zip package); "
                        "save it from Word or LibreOffice as .docx.", path.name)]
    findings = package_findings(parts)
    styles = style_names(parts.get("word/styles.xml"), findings)
    for name in sorted(n for n in parts if _CONTENT_PART.match(n)):
        root = parse_xml(parts[name])
        if root is None:
            findings.append(Finding("unreadable", "error", "This part is not well-formed XML.",
                                    name))
            continue
        findings += markup_findings(root, name)
        if name == "word/document.xml":
            findings += _content_findings(root, styles, citations)
    return findings


# --- content: the minimum requirements of output checking ----------------------------------
@dataclass
class _Output:
    label: str
    title: str
    explained: bool = False
    counts: bool = False
    items: int = 0
    raw_names: list[str] = field(default_factory=list)


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


def _body_items(body: etree._Element) -> Iterator[etree._Element]:
    for child in body:
        if child.tag == f"{W}sdt":  # content controls wrap paragraphs and tables
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _body_items(content)
        elif child.tag in (f"{W}p", f"{W}tbl"):
            yield child


def _content_findings(root: etree._Element, styles: dict[str, str],
                      citations: Sequence[str]) -> list[Finding]:
    body = root.find(f"{W}body")
    if body is None:
        return [Finding("unreadable", "error", "The document has no body.", "word/document.xml")]
    found: list[Finding] = []
    outputs: list[_Output] = []
    current: _Output | None = None
    texts: list[str] = []
    tables = images = 0
    for item in _body_items(body):
        if item.tag == f"{W}tbl":
            tables += 1
            texts += [_text(p) for p in item.iter(f"{W}p")]
            alt = attr_val(item.find(f"{W}tblPr/{W}tblCaption"))
            if current is None:
                if not alt:
                    found.append(Finding("unnumbered_output", "error", "A table has no "
                                         "'Table N' label above it.", f"table {tables}"))
                continue
            current.items += 1
            _read_table(item, current)
            continue
        text = _text(item).strip()
        texts.append(text)
        style = paragraph_style(item, styles)
        starts = output_label(item, styles, text)
        if starts:
            match = LABEL.match(text)
            current = _Output(starts, (match.group(3) or "").strip() if match else "")
            outputs.append(current)
            continue
        if starts == "":
            current = None
            continue
        if item.find(f".//{W}drawing") is not None or item.find(f".//{W}pict") is not None:
            images += 1
            if current is None:
                found.append(Finding("unnumbered_output", "error", "An image has no "
                                     "'Figure N' label above it.", f"image {images}"))
            else:
                current.items += 1
        if current is not None and text:
            if _COUNT_TEXT.search(text):
                current.counts = True
            if style not in ("note", "caption") and not _NOTE_PREFIX.match(text) \
                    and len(text.split()) >= 4:
                current.explained = True
    for output in outputs:
        found += _output_findings(output)
    found += _citation_findings(texts, citations)
    return found


def paragraph_style(item: etree._Element, styles: dict[str, str]) -> str:
    """The lower-case style name of a paragraph ("" for the default style)."""
    return styles.get(attr_val(item.find(f"{W}pPr/{W}pStyle")) or "", "")


def output_label(item: etree._Element, styles: dict[str, str], text: str) -> str | None:
    """"Table 1" when this paragraph starts an output; "" when it is a heading that ends
    the current output; None for any other paragraph."""
    style = paragraph_style(item, styles)
    heading = style.startswith("heading") or style == "title" or (
        item.find(f"{W}pPr/{W}outlineLvl") is not None)
    match = LABEL.match(text)
    listed = style.startswith("list") or item.find(f"{W}pPr/{W}numPr") is not None
    if match and (heading or style == "caption" or (
            match.group(3) is not None and not listed and len(text.split()) <= 25)):
        return f"{match.group(1)} {match.group(2)}"
    return "" if heading else None


def document_blocks(parts: dict[str, bytes], root: etree._Element | None = None,
                    ) -> list[tuple[str | None, etree._Element]]:
    """The body's paragraphs and tables, each with the label of the output it sits under
    (None outside any output); ``root``: word/document.xml parsed already."""
    root = parse_xml(parts.get("word/document.xml")) if root is None else root
    body = root.find(f"{W}body") if root is not None else None
    if body is None:
        return []
    styles = style_names(parts.get("word/styles.xml"), [])
    blocks: list[tuple[str | None, etree._Element]] = []
    current: str | None = None
    for item in _body_items(body):
        if item.tag == f"{W}p":
            starts = output_label(item, styles, _text(item).strip())
            if starts is not None:
                current = starts or None
        blocks.append((current, item))
    return blocks


def element_text(element: etree._Element) -> str:
    """The text of a paragraph, cell or table (its ``w:t`` runs joined)."""
    return _text(element)


def _read_table(table: etree._Element, output: _Output) -> None:
    rows = table.findall(f"{W}tr")
    headers = [r for r in rows if r.find(f"{W}trPr/{W}tblHeader") is not None] or rows[:1]
    for row in rows:
        cells = row.findall(f"{W}tc")
        texts = [_text(c).strip() for c in (cells if row in headers else cells[:1])]
        if row in headers and any(_COUNT_HEADER.search(t) for t in texts):
            output.counts = True
        output.raw_names += [t for t in texts if any(p.match(t) for p in RAW_NAMES)]


def _output_findings(output: _Output) -> list[Finding]:
    where = output.label
    found = []
    if not output.title:
        found.append(Finding("untitled_output", "error", f"{where} has no title after its "
                             "label.", where))
    if not output.explained:
        found.append(Finding("unexplained_output", "error", f"{where} is not explained: add a "
                             "sentence saying what it shows.", where))
    if not output.counts:
        found.append(Finding("missing_counts", "error", f"{where} gives no unweighted counts; "
                             "add an 'N (unweighted)' column or the counts behind it.", where))
    for name in dict.fromkeys(output.raw_names):
        found.append(Finding("raw_variable_name", "warning", f"{name!r} in {where} looks like "
                             "a dataset variable code; give it a meaningful name.", where))
    return found


def _citation_findings(texts: list[str], citations: Sequence[str]) -> list[Finding]:
    flat = " ".join(" ".join(texts).split())
    if citations:
        missing = [c for c in citations if " ".join(str(c).split()) not in flat]
        return [Finding("missing_citation", "error", f"The data citation is not quoted: {c!r}.",
                        "document") for c in missing]
    if DOI_PATTERN.search(flat) or any(_CITATION_LINE.match(t) for t in texts):
        return []
    return [Finding("missing_citation", "error", "No data citation found (a DOI or a "
                    "'Citation:' line); add the citation of every dataset used.", "document")]
