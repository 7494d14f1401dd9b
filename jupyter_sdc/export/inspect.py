"""Inspect a .docx before release: what Word's *Inspect Document* finds, and what checkers ask.

``inspect_docx(path)`` opens the package as a zip and reads its XML once. Two kinds of finding:
- the package: comments, tracked changes, hidden or invisible text, embedded objects, altChunk,
  macros, custom XML, personal metadata, a thumbnail, vector images;
- the content (the minimum requirements of output checking): every output numbered ("Table N",
  "Figure N", "Model N"), titled, explained and given its unweighted counts; the data citation
  present; variable names that look like raw dataset codes (a warning).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from jupyter_sdc.export.config import DOI_PATTERN

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
O_OLE = "{urn:schemas-microsoft-com:office:office}OLEObject"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_CONTENT_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_TRACKED = {f"{W}{t}" for t in ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange",
                                "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange",
                                "cellIns", "cellDel", "numberingChange")}
_HIDDEN = {f"{W}vanish", f"{W}specVanish"}
_EMBEDDED = {f"{W}object", f"{W}control", O_OLE}
_VECTOR_SUFFIXES = {".emf", ".wmf", ".emz", ".wmz", ".svg", ".svgz", ".eps", ".pict", ".pct"}
_VECTOR_TYPES = ("image/svg", "image/x-emf", "image/x-wmf", "image/emf", "image/wmf")
MIN_HALF_POINTS = 6  # text below 3 pt cannot be read on screen or paper: invisible
MIN_COLOUR_DIFFERENCE = 16  # every RGB channel within 16 of the background: invisible
_HIGHLIGHT = {"white": "FFFFFF", "black": "000000", "yellow": "FFFF00", "green": "00FF00",
              "cyan": "00FFFF", "magenta": "FF00FF", "blue": "0000FF", "red": "FF0000",
              "lightGray": "C0C0C0", "darkGray": "808080"}
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


@dataclass(frozen=True)
class Finding:
    """One problem found: a stable ``code``, ``error`` or ``warning``, what and where."""

    code: str
    severity: str
    message: str
    where: str


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
    findings = _package_findings(parts)
    styles = _style_names(parts.get("word/styles.xml"), findings)
    for name in sorted(n for n in parts if _CONTENT_PART.match(n)):
        root = _parse(parts[name])
        if root is None:
            findings.append(Finding("unreadable", "error", "This part is not well-formed XML.",
                                    name))
            continue
        findings += _markup_findings(root, name)
        if name == "word/document.xml":
            findings += _content_findings(root, styles, citations)
    return findings


def _parse(blob: bytes | None) -> etree._Element | None:
    try:
        return etree.fromstring(blob, _PARSER) if blob else None
    except etree.XMLSyntaxError:
        return None


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    return default if element is None else element.get(f"{W}val", default)


# --- the package: parts, relationships, properties ------------------------------------------
def _package_findings(parts: dict[str, bytes]) -> list[Finding]:
    found: list[Finding] = []
    names = list(parts)
    types = parts.get("[Content_Types].xml", b"").decode("utf-8", "replace")
    rels = parts.get("_rels/.rels", b"").decode("utf-8", "replace")
    if "word/comments.xml" in parts:
        found.append(Finding("comments", "error", "The document has comments; delete them.",
                             "word/comments.xml"))
    for name in names:
        lower = name.lower()
        if lower.startswith(("word/embeddings/", "word/activex/")):
            found.append(Finding("embedded_object", "error", "An embedded document or control "
                                 "is packed inside; paste its content as text or a picture.",
                                 name))
        elif lower.endswith(("vbaproject.bin", "vbadata.xml")):
            found.append(Finding("macros", "error", "The document carries macros; save it as "
                                 "a plain .docx.", name))
        elif lower.startswith("customxml/") and not lower.endswith(".rels"):
            found.append(Finding("custom_xml", "error", "Custom XML data is stored in the "
                                 "package; Word's Inspect Document removes it.", name))
        elif lower.startswith("docprops/thumbnail"):
            found.append(Finding("thumbnail", "error", "A preview picture of the first page is "
                                 "saved in the file.", name))
        elif lower.startswith("word/media/") and PurePosixPath(lower).suffix in _VECTOR_SUFFIXES:
            found.append(Finding("non_raster_image", "error", "A vector image (EMF, WMF or SVG) "
                                 "keeps the data behind a chart; insert figures as JPEG or PNG.",
                                 name))
    if "macroenabled" in types.lower():
        found.append(Finding("macros", "error", "The package declares a macro-enabled document.",
                             "[Content_Types].xml"))
    if any(t in types for t in _VECTOR_TYPES) and not any(f.code == "non_raster_image"
                                                          for f in found):
        found.append(Finding("non_raster_image", "error", "The package declares vector image "
                             "types; insert figures as JPEG or PNG.", "[Content_Types].xml"))
    if "/metadata/thumbnail" in rels and not any(f.code == "thumbnail" for f in found):
        found.append(Finding("thumbnail", "error", "The package links a thumbnail picture.",
                             "_rels/.rels"))
    found += _metadata_findings(parts)
    return found


def _metadata_findings(parts: dict[str, bytes]) -> list[Finding]:
    found = []
    checks = (("docProps/core.xml", ("creator", "lastModifiedBy")),
              ("docProps/app.xml", ("Company", "Manager")))
    for name, fields in checks:
        root = _parse(parts.get(name))
        if root is None:
            continue
        for element in root.iter():
            local = etree.QName(element).localname if isinstance(element.tag, str) else ""
            if local in fields and (element.text or "").strip():
                found.append(Finding("personal_metadata", "error",
                                     f"Document property {local} names someone "
                                     f"({element.text.strip()!r}); clear it.", name))
    if "docProps/custom.xml" in parts:
        found.append(Finding("personal_metadata", "warning", "Custom document properties are "
                             "stored; check they hold nothing personal.", "docProps/custom.xml"))
    settings = _parse(parts.get("word/settings.xml"))
    if settings is not None and settings.find(f"{W}attachedTemplate") is not None:
        found.append(Finding("personal_metadata", "warning", "The settings name an attached "
                             "template, whose path may show a user name.", "word/settings.xml"))
    return found


def _style_names(blob: bytes | None, found: list[Finding]) -> dict[str, str]:
    """styleId -> lower-case style name; hidden or tiny text set by a style is a finding."""
    root = _parse(blob)
    names: dict[str, str] = {}
    if root is None:
        return names
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId", "")
        names[style_id] = (_val(style.find(f"{W}name")) or style_id).lower()
        run = style.find(f"{W}rPr")
        if run is None:
            continue
        if any(_on(run.find(tag)) for tag in _HIDDEN):
            found.append(Finding("hidden_text", "error", f"Style {style_id!r} hides its text.",
                                 "word/styles.xml"))
        size = _val(run.find(f"{W}sz"))
        if size and size.isdigit() and int(size) < MIN_HALF_POINTS:
            found.append(Finding("invisible_text", "error", f"Style {style_id!r} sets text "
                                 f"smaller than {MIN_HALF_POINTS / 2:g} pt.", "word/styles.xml"))
    return names


def _on(element: etree._Element | None) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return element is not None and _val(element, "true") not in ("0", "false", "off")


# --- markup inside a content part ----------------------------------------------------------
def _markup_findings(root: etree._Element, name: str) -> list[Finding]:
    counts = {"comments": 0, "tracked_changes": 0, "hidden_text": 0, "embedded_object": 0,
              "alt_chunk": 0}
    for element in root.iter():
        tag = element.tag
        if tag in _TRACKED:
            counts["tracked_changes"] += 1
        elif tag in _HIDDEN and _on(element):
            counts["hidden_text"] += 1
        elif tag in _EMBEDDED:
            counts["embedded_object"] += 1
        elif tag == f"{W}altChunk":
            counts["alt_chunk"] += 1
        elif tag in (f"{W}commentReference", f"{W}commentRangeStart"):
            counts["comments"] += 1
    advice = {
        "comments": "comment marks: delete the comments",
        "tracked_changes": "tracked changes: accept or reject them all and stop tracking",
        "hidden_text": "runs of hidden text: delete them or make them visible",
        "embedded_object": "embedded objects (OLE or controls): paste their content instead",
        "alt_chunk": "imported chunks (altChunk) of another document: paste the content instead",
    }
    found = [Finding(code, "error", f"{n} {advice[code]}.", name)
             for code, n in counts.items() if n]
    invisible = sum(1 for _ in _invisible_runs(root))
    if invisible:
        found.append(Finding("invisible_text", "error", f"{invisible} runs of text cannot be "
                             "seen (font colour like the background, or below "
                             f"{MIN_HALF_POINTS / 2:g} pt).", name))
    return found


def _invisible_runs(root: etree._Element) -> Iterator[etree._Element]:
    background = root.find(f"{W}background")
    page = _rgb(background.get(f"{W}color") if background is not None else None) or "FFFFFF"
    for run in root.iter(f"{W}r"):
        props = run.find(f"{W}rPr")
        if props is None or not "".join(t.text or "" for t in run.iter(f"{W}t")).strip():
            continue
        size = _val(props.find(f"{W}sz"))
        if size and size.isdigit() and int(size) < MIN_HALF_POINTS:
            yield run
            continue
        colour = _rgb(_val(props.find(f"{W}color")))
        if colour and _close(colour, _background(run, props) or page):
            yield run


def _background(run: etree._Element, props: etree._Element) -> str | None:
    highlight = _val(props.find(f"{W}highlight"))
    if highlight in _HIGHLIGHT:
        return _HIGHLIGHT[highlight]
    own = _rgb(_shading(props))
    if own:
        return own
    for ancestor in run.iterancestors(f"{W}p", f"{W}tc"):
        holder = ancestor.find(f"{W}pPr" if ancestor.tag == f"{W}p" else f"{W}tcPr")
        fill = _rgb(_shading(holder)) if holder is not None else None
        if fill:
            return fill
    return None


def _shading(props: etree._Element) -> str | None:
    shd = props.find(f"{W}shd")
    return None if shd is None else shd.get(f"{W}fill")


def _rgb(value: str | None) -> str | None:
    return value.upper() if value and re.fullmatch(r"[0-9A-Fa-f]{6}", value) else None


def _close(a: str, b: str) -> bool:
    return all(abs(int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) < MIN_COLOUR_DIFFERENCE
               for i in (0, 2, 4))


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
            alt = _val(item.find(f"{W}tblPr/{W}tblCaption"))
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
    return styles.get(_val(item.find(f"{W}pPr/{W}pStyle")) or "", "")


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
    root = _parse(parts.get("word/document.xml")) if root is None else root
    body = root.find(f"{W}body") if root is not None else None
    if body is None:
        return []
    styles = _style_names(parts.get("word/styles.xml"), [])
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
