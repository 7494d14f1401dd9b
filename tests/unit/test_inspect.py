"""inspect_docx: each defect planted alone in a document we wrote is found; ours are clean."""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx_samples import CONFIG, records

from jupyter_sdc.export.document import write_outputs_docx
from jupyter_sdc.export.inspect import RAW_NAMES, Finding, inspect_docx
from jupyter_sdc.export.release_form import write_release_request_docx

DOC = "word/document.xml"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("inspect") / "outputs.docx"
    write_outputs_docx(records(), CONFIG, path)
    return path


def plant(clean: Path, tmp_path: Path, *, edit: dict[str, Callable[[str], str]] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """A copy of ``clean`` with parts edited (as text) or added."""
    target = tmp_path / "planted.docx"
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if edit and name in edit:
                changed = edit[name](data.decode())
                assert changed != data.decode(), f"the edit of {name} changed nothing"
                data = changed.encode()
            out.writestr(name, data)
        for name, data in (add or {}).items():
            out.writestr(name, data)
    return target


def in_first_run(snippet: str) -> Callable[[str], str]:
    """Put ``snippet`` into the properties of the explanation run of Table 1."""
    def edit(xml: str) -> str:
        anchor = "<w:r><w:t>Number of survey respondents"
        return xml.replace(anchor, f"<w:r><w:rPr>{snippet}</w:rPr><w:t>Number of survey "
                                   "respondents", 1)
    return edit


def codes(findings: list[Finding], severity: str = "error") -> set[str]:
    return {f.code for f in findings if f.severity == severity}


# --- the documents we write ----------------------------------------------------------------
def test_documents_we_write_are_clean(clean, tmp_path):
    assert inspect_docx(clean) == []
    form = tmp_path / "release_request.docx"
    write_release_request_docx(records(), CONFIG, form, exported_on=datetime.date(2026, 11, 25),
                               left_out=[("Table 9", "failed the threshold rule")])
    assert inspect_docx(form) == []


def test_python_docx_default_document_is_not(tmp_path):
    path = tmp_path / "default.docx"
    docx.Document().save(str(path))
    assert {"custom_xml", "thumbnail", "personal_metadata"} <= codes(inspect_docx(path))


def test_given_citations_must_be_quoted(clean):
    assert inspect_docx(clean, citations=[CONFIG["datasets"][0]["citation"]]) == []
    found = inspect_docx(clean, citations=["Another survey (2021). DOI: 10.1/xyz"])
    assert codes(found) == {"missing_citation"}


# --- package defects, one at a time ---------------------------------------------------------
COMMENTS_XML = (f'<w:comments {W_NS}><w:comment w:id="0" w:author="A. Researcher">'
                "<w:p><w:r><w:t>check this</w:t></w:r></w:p></w:comment></w:comments>").encode()


@pytest.mark.parametrize(("planting", "code"), [
    ({"add": {"word/comments.xml": COMMENTS_XML}}, "comments"),
    ({"edit": {DOC: lambda x: x.replace("<w:r><w:t>Number", '<w:commentReference w:id="0"/>'
                                                           "<w:r><w:t>Number", 1)}}, "comments"),
    ({"add": {"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}}, "embedded_object"),
    ({"add": {"word/activeX/activeX1.xml": b"<x/>"}}, "embedded_object"),
    ({"add": {"word/vbaProject.bin": b"\x00"}}, "macros"),
    ({"edit": {"[Content_Types].xml": lambda x: x.replace(
        "wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml")}},
     "macros"),
    ({"add": {"customXml/item1.xml": b"<b:Sources/>"}}, "custom_xml"),
    ({"add": {"docProps/thumbnail.jpeg": b"\xff\xd8\xff"}}, "thumbnail"),
    ({"edit": {"_rels/.rels": lambda x: x.replace("</Relationships>", (
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/thumbnail" Target="docProps/thumbnail.wmf"/></Relationships>'
    ))}}, "thumbnail"),
    ({"add": {"word/media/image9.emf": b"\x01\x00\x00\x00"}}, "non_raster_image"),
    ({"add": {"word/media/image9.svg": b"<svg/>"}}, "non_raster_image"),
    ({"edit": {"[Content_Types].xml": lambda x: x.replace(
        "</Types>", '<Default Extension="wmf" ContentType="image/x-wmf"/></Types>')}},
     "non_raster_image"),
])
def test_package_defect_is_found(clean, tmp_path, planting, code):
    found = inspect_docx(plant(clean, tmp_path, **planting))
    assert codes(found) == {code}


@pytest.mark.parametrize(("part", "element", "value"), [
    ("docProps/core.xml", "dc:creator", "A. Researcher"),
    ("docProps/core.xml", "cp:lastModifiedBy", "a.researcher"),
])
def test_core_personal_metadata_is_found(clean, tmp_path, part, element, value):
    planted = plant(clean, tmp_path, edit={part: lambda x: x.replace(
        f"<{element}/>", f"<{element}>{value}</{element}>")})
    found = inspect_docx(planted)
    assert codes(found) == {"personal_metadata"}
    assert value in found[0].message and found[0].where == part


@pytest.mark.parametrize("element", ["Company", "Manager"])
def test_app_personal_metadata_is_found(clean, tmp_path, element):
    planted = plant(clean, tmp_path, edit={"docProps/app.xml": lambda x: x.replace(
        "</Properties>", f"<{element}>University of Somewhere</{element}></Properties>")})
    assert codes(inspect_docx(planted)) == {"personal_metadata"}


# --- markup defects in the text -------------------------------------------------------------
@pytest.mark.parametrize("tag", ["ins", "del", "moveFrom", "moveTo"])
def test_tracked_change_is_found(clean, tmp_path, tag):
    text = "delText" if tag in ("del", "moveFrom") else "t"
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        "<w:r><w:t>Number", f'<w:{tag} w:id="9" w:author="A. Researcher" '
        f'w:date="2026-11-20T10:00:00Z"><w:r><w:{text}>old words</w:{text}></w:r></w:{tag}>'
        "<w:r><w:t>Number", 1)})
    assert codes(inspect_docx(planted)) == {"tracked_changes"}


def test_formatting_change_is_a_tracked_change(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: in_first_run(
        '<w:b/><w:rPrChange w:id="3" w:author="A"><w:rPr/></w:rPrChange>')})
    assert codes(inspect_docx(planted)) == {"tracked_changes"}


@pytest.mark.parametrize("snippet", ["<w:vanish/>", "<w:specVanish/>", '<w:vanish w:val="1"/>'])
def test_hidden_text_is_found(clean, tmp_path, snippet):
    assert codes(inspect_docx(plant(clean, tmp_path, edit={DOC: in_first_run(snippet)}))) == {
        "hidden_text"}


def test_vanish_switched_off_is_not_hidden(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: in_first_run('<w:vanish w:val="0"/>')})
    assert inspect_docx(planted) == []


def test_hidden_style_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={"word/styles.xml": lambda x: re.sub(
        r'(<w:style [^>]*w:styleId="Note"[^>]*>.*?<w:rPr>)', r"\1<w:vanish/>", x, count=1,
        flags=re.S)})
    assert codes(inspect_docx(planted)) == {"hidden_text"}


@pytest.mark.parametrize(("snippet", "invisible"), [
    ('<w:color w:val="FFFFFF"/>', True),
    ('<w:color w:val="F0F0F0"/>', True),    # every channel 15 from white: invisible
    ('<w:color w:val="EFEFEF"/>', False),   # 16 from white: faint but there
    ('<w:color w:val="auto"/>', False),
    ('<w:color w:val="1F4E79"/><w:shd w:val="clear" w:color="auto" w:fill="1F4E79"/>', True),
    ('<w:color w:val="FFFFFF"/><w:shd w:val="clear" w:color="auto" w:fill="1F4E79"/>', False),
    ('<w:color w:val="FFFF00"/><w:highlight w:val="yellow"/>', True),
    ('<w:sz w:val="5"/>', True),            # 2.5 pt
    ('<w:sz w:val="6"/>', False),           # 3 pt: the smallest we accept
])
def test_invisible_text_rule(clean, tmp_path, snippet, invisible):
    found = inspect_docx(plant(clean, tmp_path, edit={DOC: in_first_run(snippet)}))
    assert codes(found) == ({"invisible_text"} if invisible else set())


def test_text_coloured_like_its_table_cell_is_invisible(clean, tmp_path):
    def edit(xml: str) -> str:  # shade the cell holding "512.50" and colour its text alike
        return re.sub(r'(<w:tcW w:w="\d+" w:type="dxa"/>)(</w:tcPr><w:p><w:pPr><w:spacing '
                      r'w:before="20" w:after="20"/><w:jc w:val="right"/></w:pPr><w:r><w:rPr>)'
                      r"(<w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr><w:t xml:space="
                      r'"preserve">512\.50)',
                      r'\1<w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/>\2'
                      r'<w:color w:val="D9D9D9"/>\3', xml, count=1)
    assert codes(inspect_docx(plant(clean, tmp_path, edit={DOC: edit}))) == {"invisible_text"}


def test_ole_object_in_text_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        "<w:r><w:t>Number", '<w:r><w:object w:dxaOrig="100" w:dyaOrig="100"/></w:r>'
        "<w:r><w:t>Number", 1)})
    assert codes(inspect_docx(planted)) == {"embedded_object"}


def test_alt_chunk_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        "<w:sectPr", '<w:altChunk xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships" r:id="rId99"/><w:sectPr', 1)})
    assert codes(inspect_docx(planted)) == {"alt_chunk"}


# --- content defects ------------------------------------------------------------------------
def test_output_without_number_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        ">Table 2: Mean weekly pay", ">Mean weekly pay", 1)})
    found = inspect_docx(planted)
    assert codes(found) == {"unnumbered_output"}
    assert [f.where for f in found] == ["table 3"]  # the cover table is table 1


def test_figure_without_number_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        ">Figure 1: Distribution", ">Distribution", 1)})
    found = inspect_docx(planted)
    assert {(f.code, f.where) for f in found} == {("unnumbered_output", "image 1"),
                                                 ("unnumbered_output", "table 6")}


def test_output_without_title_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        ">Model 1: Weekly pay regressed on age and region<", ">Model 1<", 1)})
    found = inspect_docx(planted)
    assert [(f.code, f.where) for f in found] == [("untitled_output", "Model 1")]


def test_output_without_explanation_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        "Number of survey respondents in each age band by employment status.", "", 1)})
    found = inspect_docx(planted)
    assert [(f.code, f.where) for f in found] == [("unexplained_output", "Table 1")]


def test_output_without_counts_is_found(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        "Employment status: unweighted count", "Employment status", 1)})
    found = inspect_docx(planted)
    assert [(f.code, f.where) for f in found] == [("missing_counts", "Table 1")]


def test_missing_citation_is_found(clean, tmp_path):
    def edit(xml: str) -> str:
        return xml.replace("DOI: 10.5255/UKDA-SN-0000-1", "").replace(">Citation: <", ">Ref: <")
    found = inspect_docx(plant(clean, tmp_path, edit={DOC: edit}))
    assert [(f.code, f.where) for f in found] == [("missing_citation", "document")]


def test_raw_variable_code_in_a_header_is_a_warning(clean, tmp_path):
    planted = plant(clean, tmp_path, edit={DOC: lambda x: x.replace(
        ">Industry sector<", ">sector_cd<", 1)})
    found = inspect_docx(planted)
    assert codes(found) == set()
    assert [(f.code, f.where) for f in found] == [("raw_variable_name", "Table 3")]
    assert "'sector_cd'" in found[0].message


@pytest.mark.parametrize("name", ["q12a", "rgn1", "AGE5", "GOR9D", "var_12", "VAR3",
                                  "INC_GRANTS", "inc_grants", "person_id", "rgn", "hhld"])
def test_raw_name_patterns_flag_codes(name):
    assert any(p.match(name) for p in RAW_NAMES)


@pytest.mark.parametrize("name", ["Region", "Age band", "2010", "Intercept", "N (unweighted)",
                                  "16-29", "E12000001", "Q1", "(0, 20]", "Weekly pay", "by",
                                  "sex", "age", "All", "F", "M"])
def test_raw_name_patterns_spare_meaningful_labels(name):
    assert not any(p.match(name) for p in RAW_NAMES)


# --- not a document -------------------------------------------------------------------------
def test_a_file_that_is_not_a_docx_is_one_finding(tmp_path):
    path = tmp_path / "outputs.docx"
    path.write_bytes(b"income,region\n10,North\n")
    assert [f.code for f in inspect_docx(path)] == ["unreadable"]


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.docx"):
        inspect_docx(tmp_path / "nothing.docx")
