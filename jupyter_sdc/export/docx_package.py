"""What Word's *Inspect Document* finds in a .docx package: comments, tracked changes, hidden
or invisible text, embedded objects, altChunk, macros, custom XML, personal metadata, a
thumbnail, vector images. ``export.inspect`` adds the content checks of output checking.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
O_OLE = "{urn:schemas-microsoft-com:office:office}OLEObject"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
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


@dataclass(frozen=True)
class Finding:
    """One problem found: a stable ``code``, ``error`` or ``warning``, what and where."""

    code: str
    severity: str
    message: str
    where: str


def parse_xml(blob: bytes | None) -> etree._Element | None:
    try:
        return etree.fromstring(blob, _PARSER) if blob else None
    except etree.XMLSyntaxError:
        return None


def attr_val(element: etree._Element | None, default: str | None = None) -> str | None:
    return default if element is None else element.get(f"{W}val", default)


# --- the package: parts, relationships, properties ------------------------------------------
def package_findings(parts: dict[str, bytes]) -> list[Finding]:
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
    found += metadata_findings(parts)
    return found


def metadata_findings(parts: dict[str, bytes]) -> list[Finding]:
    found = []
    checks = (("docProps/core.xml", ("creator", "lastModifiedBy")),
              ("docProps/app.xml", ("Company", "Manager")))
    for name, fields in checks:
        root = parse_xml(parts.get(name))
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
    settings = parse_xml(parts.get("word/settings.xml"))
    if settings is not None and settings.find(f"{W}attachedTemplate") is not None:
        found.append(Finding("personal_metadata", "warning", "The settings name an attached "
                             "template, whose path may show a user name.", "word/settings.xml"))
    return found


def style_names(blob: bytes | None, found: list[Finding]) -> dict[str, str]:
    """styleId -> lower-case style name; hidden or tiny text set by a style is a finding."""
    root = parse_xml(blob)
    names: dict[str, str] = {}
    if root is None:
        return names
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId", "")
        names[style_id] = (attr_val(style.find(f"{W}name")) or style_id).lower()
        run = style.find(f"{W}rPr")
        if run is None:
            continue
        if any(is_on(run.find(tag)) for tag in _HIDDEN):
            found.append(Finding("hidden_text", "error", f"Style {style_id!r} hides its text.",
                                 "word/styles.xml"))
        size = attr_val(run.find(f"{W}sz"))
        if size and size.isdigit() and int(size) < MIN_HALF_POINTS:
            found.append(Finding("invisible_text", "error", f"Style {style_id!r} sets text "
                                 f"smaller than {MIN_HALF_POINTS / 2:g} pt.", "word/styles.xml"))
    return names


def is_on(element: etree._Element | None) -> bool:
    """A WordprocessingML on/off property: present and not switched off."""
    return element is not None and attr_val(element, "true") not in ("0", "false", "off")


# --- markup inside a content part ----------------------------------------------------------
def markup_findings(root: etree._Element, name: str) -> list[Finding]:
    counts = {"comments": 0, "tracked_changes": 0, "hidden_text": 0, "embedded_object": 0,
              "alt_chunk": 0}
    for element in root.iter():
        tag = element.tag
        if tag in _TRACKED:
            counts["tracked_changes"] += 1
        elif tag in _HIDDEN and is_on(element):
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
        size = attr_val(props.find(f"{W}sz"))
        if size and size.isdigit() and int(size) < MIN_HALF_POINTS:
            yield run
            continue
        colour = _rgb(attr_val(props.find(f"{W}color")))
        if colour and _close(colour, _background(run, props) or page):
            yield run


def _background(run: etree._Element, props: etree._Element) -> str | None:
    highlight = attr_val(props.find(f"{W}highlight"))
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
