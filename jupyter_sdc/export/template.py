"""A clean Word document to start from, and the few building blocks our documents share.

python-docx's default template names a creator, carries a thumbnail, custom XML and an Office
version; Word's *Inspect Document* reports all of them. ``clean_document()`` strips them once and
hands out copies, so every document we write starts with no personal metadata.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NOTE_STYLE = "Note"  # small print under a table: symbols, rounding, source; not an explanation
TEXT_WIDTH_TWIPS = 9412  # A4 (21 cm) less two 2.2 cm margins, in twentieths of a point

_NEUTRAL_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>jupyter_sdc</Application><DocSecurity>0</DocSecurity>"
    b"<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    b"<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    b"</Properties>"
)
# Settings that record who edited the file, or ask Word to save a preview picture.
_SETTINGS_TO_DROP = ("savePreviewPicture", "rsids", "attachedTemplate")
_clean_bytes: bytes | None = None


def clean_document() -> DocumentObject:
    """A new, empty python-docx Document with no personal metadata, thumbnail or custom XML."""
    global _clean_bytes
    if _clean_bytes is None:
        buffer = io.BytesIO()
        _build_clean().save(buffer)
        _clean_bytes = buffer.getvalue()
    return Document(io.BytesIO(_clean_bytes))


def _build_clean() -> DocumentObject:
    doc = Document()
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _NEUTRAL_APP_XML
    for rid, rel in list(doc.part.rels.items()):
        # customXml carries a bibliography item; stylesWithEffects is an optional 440 kB
        # duplicate of the styles that only Word 2010 reads.
        if rel.reltype in (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"):
            del doc.part.rels[rid]
    settings = doc.settings.element
    for child in list(settings):
        if child.tag.rsplit("}", 1)[-1] in _SETTINGS_TO_DROP or child.tag.endswith("}docId"):
            settings.remove(child)
    _blank_core_properties(doc)
    _page_setup(doc)
    _prune_table_styles(doc)
    _add_styles(doc)
    return doc


def _prune_table_styles(doc: DocumentObject) -> None:
    """Drop the ~100 unused table styles: 300 kB of styles.xml, and slow style look-ups."""
    styles = doc.styles.element
    for style in styles.findall(f"{{{W_NS}}}style"):
        if style.get(f"{{{W_NS}}}type") == "table" and style.get(f"{{{W_NS}}}styleId") not in (
                "TableNormal", "TableGrid"):
            styles.remove(style)


def _blank_core_properties(doc: DocumentObject) -> None:
    props = doc.core_properties
    for name in ("author", "last_modified_by", "comments", "keywords", "subject", "title",
                 "category", "content_status", "identifier", "language", "version"):
        setattr(props, name, "")
    props.revision = 1
    core = props._element
    # Dates say when python-docx's template was made, not ours: leave none rather than a wrong one.
    for child in list(core):
        if child.tag.endswith("}created") or child.tag.endswith("}modified"):
            core.remove(child)


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))


def _add_styles(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    note = doc.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(8.5)
    note.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    note.paragraph_format.space_after = Pt(2)


# --- tables ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """One cell of a table we write: text, and how it is set."""

    text: str
    bold: bool = False
    italic: bool = False
    numeric: bool = False  # right-aligned
    span: int = 1  # columns this cell covers


def add_table(doc: DocumentObject, rows: Sequence[Sequence[Cell]], *, header_rows: int = 1,
              alt_text: str | None = None, widths: Sequence[int] | None = None,
              font_half_points: int = 18, row_height: int | None = None) -> None:
    """Append a ruled table (rules above, below the header and at the bottom; no grid).

    The XML is written in one piece: python-docx's cell-by-cell API is slow for many tables.
    ``alt_text`` is the table's accessible title; we give it to layout tables (cover, summary).
    """
    n_cols = sum(cell.span for cell in rows[0])
    grid = list(widths or [])
    if not grid:  # a wide table steps down to 8 then 7 pt before anything is squeezed
        for size in dict.fromkeys((font_half_points, min(font_half_points, 16),
                                   min(font_half_points, 14))):
            font_half_points, grid = size, _column_widths(rows, n_cols, size, header_rows)
            if sum(grid) < TEXT_WIDTH_TWIPS:
                break
    parts = [f'<w:tbl xmlns:w="{W_NS}"><w:tblPr><w:tblW w:w="{sum(grid)}" w:type="dxa"/>',
             '<w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>',
             '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>',
             '<w:insideH w:val="single" w:sz="2" w:space="0" w:color="BFBFBF"/></w:tblBorders>',
             '<w:tblLayout w:type="fixed"/>',
             '<w:tblCellMar><w:left w:w="70" w:type="dxa"/><w:right w:w="70" w:type="dxa"/>',
             "</w:tblCellMar>"]
    if alt_text:
        parts.append(f'<w:tblCaption w:val="{escape(xml_text(alt_text), {chr(34): "&quot;"})}"/>')
    parts.append("</w:tblPr><w:tblGrid>")
    parts.extend(f'<w:gridCol w:w="{w}"/>' for w in grid)
    parts.append("</w:tblGrid>")
    for r, row in enumerate(rows):
        is_header = r < header_rows
        parts.append("<w:tr><w:trPr><w:cantSplit/>")
        if row_height:  # room to write by hand (the signature block)
            parts.append(f'<w:trHeight w:val="{row_height}" w:hRule="atLeast"/>')
        parts.append("<w:tblHeader/></w:trPr>" if is_header else "</w:trPr>")
        col = 0
        for cell in row:
            width = sum(grid[col:col + cell.span])
            col += cell.span
            parts.append(_cell_xml(cell, width, is_header and r == header_rows - 1,
                                   font_half_points))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    doc.element.body.append(parse_xml("".join(parts)))
    # Move the sectPr back to the end of the body, where Word requires it.
    sect = doc.element.body.sectPr
    if sect is not None:
        doc.element.body.append(sect)


def _cell_xml(cell: Cell, width: int, rule_below: bool, size: int) -> str:
    props = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if cell.span > 1:
        props.append(f'<w:gridSpan w:val="{cell.span}"/>')
    if rule_below:
        props.append('<w:tcBorders><w:bottom w:val="single" w:sz="6" w:space="0" '
                     'w:color="000000"/></w:tcBorders>')
    align = "right" if cell.numeric else ("center" if cell.span > 1 else "left")
    run_props = ("<w:b/>" if cell.bold else "") + ("<w:i/>" if cell.italic else "")
    run_props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    paragraph = (f'<w:p><w:pPr><w:spacing w:before="20" w:after="20"/><w:jc w:val="{align}"/>'
                 f"</w:pPr>")
    if cell.text:
        paragraph += (f'<w:r><w:rPr>{run_props}</w:rPr><w:t xml:space="preserve">'
                      f"{escape(xml_text(cell.text))}</w:t></w:r>")
    return f"<w:tc><w:tcPr>{''.join(props)}</w:tcPr>{paragraph}</w:p></w:tc>"


def _column_widths(rows: Sequence[Sequence[Cell]], n_cols: int, size: int,
                   header_rows: int) -> list[int]:
    """Widths from the text in each column: the whole text if the table fits the page, else
    body cells whole and header cells wrapped at their spaces; shrunk only as a last resort."""
    char = size * 13 // 2  # twips per character, generous: LibreOffice may substitute a wider font
    whole, least = [3] * n_cols, [3] * n_cols
    spans = []
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            if cell.span > 1:
                spans.append((col, cell.span, min(len(cell.text), 60)))
            else:
                size_whole = min(len(cell.text), 36)
                size_least = max((len(w) for w in cell.text.split()), default=0) \
                    if r < header_rows else size_whole
                whole[col] = max(whole[col], size_whole)
                least[col] = max(least[col], min(size_least, 36))
            col += cell.span
    for chars in (whole, least):
        for col, span, length in spans:  # a spanning header cell must fit across its columns
            short = length - sum(chars[col:col + span])
            for i in range(col, col + span):
                chars[i] += max(0, short) // span + (short > 0)
    widths = [n * char + 220 for n in whole]
    if sum(widths) > TEXT_WIDTH_TWIPS * 1.1:  # more than a little over: wrap the headers
        widths = [n * char + 220 for n in least]
    if sum(widths) > TEXT_WIDTH_TWIPS:
        widths = [w * TEXT_WIDTH_TWIPS // sum(widths) for w in widths]
    return widths


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: object) -> str:
    """``text`` without the control characters XML cannot hold (a stray one in a label or an
    explanation would otherwise stop the whole export)."""
    return _NOT_XML.sub("", str(text))


def add_paragraph(doc: DocumentObject, text: str = "", style_id: str | None = None) -> Paragraph:
    """``doc.add_paragraph`` with the style given by id: python-docx's look-up by name scans
    every style for each paragraph, which dominated the time of a 200-output document."""
    paragraph = doc.add_paragraph(xml_text(text))
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def add_heading(doc: DocumentObject, text: str, level: int) -> Paragraph:
    return add_paragraph(doc, text, "Title" if level == 0 else f"Heading{level}")


def add_labelled(doc: DocumentObject, label: str, text: object,
                 style_id: str | None = None) -> Paragraph:
    """A paragraph that starts with a bold ``label`` ("Source:", "Table 4:")."""
    paragraph = add_paragraph(doc, style_id=style_id)
    paragraph.add_run(xml_text(label) + " ").bold = True
    paragraph.add_run(xml_text(text))
    return paragraph


def add_note(doc: DocumentObject, text: str, *, label: str | None = None) -> None:
    """A small-print note under an output; ``label`` (e.g. "Source:") is set in bold."""
    if label:
        add_labelled(doc, label, text, NOTE_STYLE)
    else:
        add_paragraph(doc, text, NOTE_STYLE)
