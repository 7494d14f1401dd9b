"""outputs.docx and release_request.docx, opened again with python-docx and as a zip."""

from __future__ import annotations

import base64
import copy
import datetime
import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from docx_samples import CONFIG, records
from PIL import Image

from jupyter_sdc.export.document import figure_jpeg, format_value, write_outputs_docx
from jupyter_sdc.export.numbering import assign_labels
from jupyter_sdc.export.release_form import output_size, write_release_request_docx
from jupyter_sdc.export.template import clean_document

DAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> docx.document.Document:
    path = tmp_path_factory.mktemp("doc") / "outputs.docx"
    write_outputs_docx(records(), CONFIG, path, exported_on=DAY)
    return docx.Document(str(path))


def _headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == "Heading 2"
            and p.text.startswith(("Table ", "Figure ", "Model "))]


def _plain(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _table_after(document, heading: str) -> list[list[str]]:
    """The first table after the paragraph whose text is ``heading``."""
    body = document.element.body
    seen = False
    for child in body.iterchildren():
        if child.tag.endswith("}p") and _plain(child) == heading:
            seen = True
        elif seen and child.tag.endswith("}tbl"):
            table = docx.table.Table(child, document)
            return [[cell.text for cell in row.cells] for row in table.rows]
    raise AssertionError(f"no table after {heading!r}")


def _all_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs) + "\n" + "\n".join(
        cell.text for t in document.tables for row in t.rows for cell in row.cells)


# --- the clean template --------------------------------------------------------------------
def test_clean_template_has_no_metadata_thumbnail_or_custom_xml():
    buffer = io.BytesIO()
    clean_document().save(buffer)
    package = zipfile.ZipFile(buffer)
    names = package.namelist()
    assert not [n for n in names if n.startswith(("customXml/", "docProps/thumbnail"))]
    assert "word/stylesWithEffects.xml" not in names
    core = package.read("docProps/core.xml").decode()
    assert "<dc:creator/>" in core and "<cp:lastModifiedBy/>" in core
    assert "python-docx" not in core and "<dc:description/>" in core
    app = package.read("docProps/app.xml").decode()
    for element in ("Company", "Manager", "Template", "Microsoft"):
        assert element not in app
    assert b"thumbnail" not in package.read("_rels/.rels")
    settings = package.read("word/settings.xml").decode()
    assert "rsid" not in settings and "savePreviewPicture" not in settings


def test_clean_template_copies_are_independent():
    first = clean_document()
    first.add_paragraph("only in the first")
    assert "only in the first" not in [p.text for p in clean_document().paragraphs]


# --- outputs.docx --------------------------------------------------------------------------
def test_outputs_are_numbered_and_titled_by_kind_in_record_order(outputs):
    assert _headings(outputs)[:6] == [
        "Table 1: Employment status by age band",
        "Table 2: Mean weekly pay by region and sex",
        "Table 3: Share working from home by sector",
        "Model 1: Weekly pay regressed on age and region",
        "Figure 1: Distribution of usual weekly hours",
        "Table 4: Highest weekly pay by region",
    ]


def test_record_with_include_false_is_left_out(outputs):
    assert "postcode" not in _all_text(outputs)


def test_cover_describes_project_data_and_citation(outputs):
    text = _all_text(outputs)
    dataset = CONFIG["datasets"][0]
    for expected in ("P-1234", CONFIG["project"]["title"], "A. Researcher", "B. Colleague",
                     "Working paper", "2026-11-25", dataset["source"], dataset["sample"],
                     dataset["methodology"], dataset["citation"]):
        assert expected in text


def test_frequency_table_values_are_unweighted_counts(outputs):
    rows = _table_after(outputs, "Table 1: Employment status by age band")
    assert rows[0][-1] == "Employment status: unweighted count"
    assert rows[1] == ["Age band", "Employed", "Not employed"]
    assert rows[2:] == [["16-29", "41", "17"], ["30-49", "103", "22"], ["50-64", "70", "23"]]


def test_mean_table_has_a_count_beside_every_mean_and_hides_suppressed_counts(outputs):
    rows = _table_after(outputs, "Table 2: Mean weekly pay by region and sex")
    assert rows[2][1:] == ["Mean (unweighted)", "N (unweighted)"] * 2
    # The suppressed cell's count (6) must not be printed beside its hidden mean.
    assert rows[3] == ["North", "512.50", "14", "*", "*"]
    assert rows[4] == ["South", "498.25", "31", "611.75", "30"]
    assert any("Suppressed to protect confidentiality" in p.text for p in outputs.paragraphs)


def test_weighted_percentages_say_so_in_the_header(outputs):
    rows = _table_after(outputs, "Table 3: Share working from home by sector")
    assert rows[2][1:] == ["% (weighted)", "N (unweighted)"] * 2
    assert rows[3] == ["Public", "38.4", "33", "61.6", "52"]


def test_model_has_counts_per_parameter_n_and_residual_dof(outputs):
    rows = _table_after(outputs, "Model 1: Weekly pay regressed on age and region")
    assert rows[1] == ["Parameter", "Coefficient", "Standard error", "p-value", "N (unweighted)"]
    assert rows[2] == ["Intercept", "402.118", "25.310", "<0.001", "200"]
    assert rows[3] == ["Region: South", "-14.207", "9.842", "0.151", "95"]
    assert rows[4][0] == "Age (years)"
    note = next(p.text for p in outputs.paragraphs if p.text.startswith("Model:"))
    assert "N = 200" in note and "residual degrees of freedom = 197" in note
    assert "dependent variable: Weekly pay" in note


def test_figure_is_a_metadata_free_jpeg_followed_by_its_counts(outputs):
    images = [rel.target_part for rel in outputs.part.rels.values() if "image" in rel.reltype]
    assert [part.content_type for part in images] == ["image/jpeg"]
    with Image.open(io.BytesIO(images[0].blob)) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert not image.getexif() and "icc_profile" not in image.info
        assert min(image.getpixel((2, 2))) >= 250  # transparent corner flattened onto white
    rows = _table_after(outputs, "Figure 1: Distribution of usual weekly hours")
    assert rows[0] == ["Usual weekly hours", "Unweighted count"]
    assert rows[1:] == [["(0, 20]", "30"], ["(20, 35]", "70"], ["(35, 45]", "55"],
                        ["(45, 60]", "20"]]
    assert any("rounded to the nearest 5" in p.text for p in outputs.paragraphs)


def test_renamed_variables_replace_dataset_names(outputs):
    cells = {cell.text for t in outputs.tables[1:-1] for row in t.rows for cell in row.cells}
    assert {"Region", "Age band", "Industry sector"} <= cells
    assert not {"rgn", "ageband", "sector", "age", "C(rgn)[T.South]"} & cells


def test_checker_summary_lists_every_output_rule_and_exception(outputs):
    rows = _table_after(outputs, "Checker summary")
    assert [r[0] for r in rows[1:]] == ["Table 1", "Table 2", "Table 3", "Model 1", "Figure 1",
                                        "Table 4"]
    table4 = rows[-1]
    assert table4[1] == "fail" and "min_max: fail" in table4[2]
    assert "single record's value" in table4[3] and "top-coded" in table4[4]
    assert any(p.text.startswith("Table 4 (min_max): Weekly pay is top-coded")
               for p in outputs.paragraphs)


def test_given_figure_file_is_used_as_is(tmp_path):
    jpeg = tmp_path / "ee55-1.jpg"
    Image.new("RGB", (40, 30), "red").save(jpeg, "JPEG")
    path = tmp_path / "outputs.docx"
    write_outputs_docx(records(), CONFIG, path, figures={"ee55-1": jpeg})
    blobs = [rel.target_part.blob for rel in docx.Document(str(path)).part.rels.values()
             if "image" in rel.reltype]
    assert blobs == [jpeg.read_bytes()]


def test_rounded_output_rounds_counts_too(tmp_path):
    mean = copy.deepcopy(records()[1])
    mean["mitigation"]["round_base"] = 5
    path = tmp_path / "outputs.docx"
    write_outputs_docx([mean], CONFIG, path)
    rows = _table_after(docx.Document(str(path)), "Table 1: Mean weekly pay by region and sex")
    assert rows[3][2] == "15" and rows[4][2::2] == ["30", "30"]


def test_missing_explanation_is_not_invented(tmp_path):
    record = copy.deepcopy(records()[0])
    record["explanation"] = ""
    path = tmp_path / "outputs.docx"
    write_outputs_docx([record], CONFIG, path)
    body = list(docx.Document(str(path)).element.body.iterchildren())
    heading = next(i for i, child in enumerate(body)
                   if _plain(child) == "Table 1: Employment status by age band")
    assert body[heading + 1].tag.endswith("}tbl")  # straight to the table: no filler text


# --- bad input -----------------------------------------------------------------------------
def test_bad_arguments_get_errors_that_name_them(tmp_path):
    path = tmp_path / "outputs.docx"
    with pytest.raises(TypeError, match="records"):
        write_outputs_docx({"uid": "x"}, CONFIG, path)
    with pytest.raises(TypeError, match=r"records\[1\]"):
        write_outputs_docx([records()[0], "Table 2"], CONFIG, path)
    with pytest.raises(TypeError, match="config"):
        write_outputs_docx(records(), "sdc.toml", path)
    no_counts = copy.deepcopy(records()[1])
    no_counts["counts"] = None
    with pytest.raises(ValueError, match="bb22-1.*counts"):
        write_outputs_docx([no_counts], CONFIG, path)
    no_image = copy.deepcopy(records()[4])
    no_image["figure"] = None
    with pytest.raises(ValueError, match="ee55-1.*no image"):
        write_outputs_docx([no_image], CONFIG, path)
    assert not path.exists()


def test_figure_jpeg_flattens_alpha_and_strips_text_chunks():
    record = copy.deepcopy(records()[4])
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "A. Researcher")
    png = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(png, "PNG", pnginfo=info)
    record["figure"]["png"] = base64.b64encode(png.getvalue()).decode()
    jpeg = figure_jpeg(record)
    assert jpeg.startswith(b"\xff\xd8") and b"A. Researcher" not in jpeg
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (1234, 2, "1,234"), (512.5, 2, "512.50"), (38.44, 1, "38.4"), (0.0004, 3, "4.00e-04"),
    (0.0, 3, "0.000"), (None, 2, "–"), (float("nan"), 2, "–"), (14.0, 0, "14"), ("N/A", 2, "N/A"),
])
def test_format_value(value, decimals, text):
    assert format_value(value, decimals) == text


# --- numbering -----------------------------------------------------------------------------
def test_labels_keep_researchers_labels_and_number_the_rest():
    given = [{"kind": "table"}, {"kind": "table", "label": "Table 1"}, {"kind": "figure"},
             {"kind": "table", "label": "Income by region"}, {"kind": "model", "label": "3"},
             {"kind": "custom"}]
    assert assign_labels(given) == ["Table 2", "Table 1", "Figure 1", "Table 3", "Model 3",
                                    "Table 4"]


def test_a_document_written_without_the_exporter_prints_a_repeated_label_once():
    """The exporter refuses two outputs with one label (tests/release/test_8_export.py);
    a document written directly still never prints one label twice."""
    given = [{"kind": "table", "label": "Table 1"}, {"kind": "table", "label": "Table 1"},
             {"kind": "table", "label": "Table 2"}]
    assert assign_labels(given) == ["Table 1", "Table 3", "Table 2"]


# --- release_request.docx ------------------------------------------------------------------
@pytest.fixture(scope="module")
def release(tmp_path_factory) -> docx.document.Document:
    path = tmp_path_factory.mktemp("form") / "release_request.docx"
    write_release_request_docx(records(), CONFIG, path, exported_on=DAY,
                               left_out=[("Respondents by postcode district",
                                          "fails the threshold rule (3 respondents)")])
    return docx.Document(str(path))


def test_release_form_is_prefilled(release):
    text = _all_text(release)
    for expected in ("P-1234", CONFIG["project"]["title"], "A. Researcher", "Working paper",
                     "2026-11-25", CONFIG["datasets"][0]["citation"],
                     "Respondents by postcode district: fails the threshold rule",
                     "Reason: Weekly pay is top-coded", "Signature"):
        assert expected in text
    assert sum("☐" in p.text for p in release.paragraphs) == 5


def test_release_form_lists_outputs_with_n_and_smallest_shown_count(release):
    rows = _table_after(release, "Outputs requested for release")
    assert rows[0] == ["Output", "Title and description", "N (unweighted)",
                       "Smallest cell count", "Status"]
    got = {row[0]: (row[2], row[3], row[4]) for row in rows[1:]}
    assert got == {"Table 1": ("276", "17", "pass"), "Table 2": ("75", "14", "pass"),
                   "Table 3": ("276", "33", "pass"), "Model 1": ("200", "95", "pass"),
                   "Figure 1": ("175", "20", "pass"),
                   "Table 4": ("81", "20", "fail: exception requested")}


def test_output_size_leaves_out_margins_and_suppressed_cells():
    record = {"statistic": "frequency", "counts": [[3, 12, 15], [20, 30, 50], [23, 42, 65]],
              "table": {"index": [["a"], ["b"], ["All"]], "columns": [["x"], ["y"], ["All"]],
                        "data": [[None, 12, 15], [20, 30, 50], [23, 42, 65]]},
              "flags": {"threshold": [[True, False, False], [False] * 3, [False] * 3]},
              "mitigation": {"suppressed": True}}
    assert output_size(record) == (62, 12)
    record["mitigation"]["suppressed"] = False
    assert output_size(record) == (65, 3)


def test_release_form_needs_a_date(tmp_path):
    with pytest.raises(TypeError, match="exported_on"):
        write_release_request_docx(records(), CONFIG, tmp_path / "r.docx",
                                   exported_on="2026-11-25")


def test_two_hundred_outputs_write_and_open(tmp_path):
    from docx_samples import many_records
    path = tmp_path / "outputs.docx"
    write_outputs_docx(many_records(200), CONFIG, path)
    headings = _headings(docx.Document(str(path)))
    # Each cycle of six samples holds four tables, a model and a figure: 33 cycles and 2 tables.
    assert sum(h.startswith("Model ") for h in headings) == 33
    assert sum(h.startswith("Figure ") for h in headings) == 33
    assert headings[-1] == "Table 134: Mean weekly pay by region and sex"


def test_wide_multilevel_table_says_weighting_once_and_pairs_short_headers(tmp_path):
    record = copy.deepcopy(records()[1])
    record["rename"] = {"rgn": "Region", "sex": "Sex", "year": "Year", "All": "Total",
                        "pay": "Weekly pay"}
    record["mitigation"] = {"suppressed": False, "round_base": None, "notes": []}
    record["table"] = {
        "index": [["North", "F"], ["North", "M"], ["All", ""]], "index_names": ["rgn", "sex"],
        "columns": [[2019, "pay"], [2020, "pay"], ["All", "pay"]],
        "column_names": ["year", None],
        "data": [[500.0, 510.0, 505.0], [600.0, None, 600.0], [520.0, 530.0, 525.0]]}
    record["counts"] = [[12, 13, 25], [20, 0, 20], [32, 13, 45]]
    path = tmp_path / "outputs.docx"
    write_outputs_docx([record], CONFIG, path)
    rows = _table_after(docx.Document(str(path)), "Table 1: Mean weekly pay by region and sex")
    assert rows[0][-1] == "Year: mean (unweighted) and N (unweighted count)"
    assert rows[1][2::2] == ["2019", "2020", "Total"]
    assert rows[2][:3] == ["Region", "Sex", "Weekly pay"]
    assert rows[3][2:] == ["Mean", "N"] * 3
    assert rows[5] == ["North", "M", "600.00", "20", "–", "0", "600.00", "20"]
    assert rows[6][:2] == ["Total", ""]


def test_control_characters_in_record_text_do_not_stop_the_export(tmp_path):
    record = copy.deepcopy(records()[0])
    record["title"] = "Employment\x0b status"
    record["explanation"] = "Counts by age band\x00."
    record["table"]["index"][0] = ["16-29\x1f"]
    path = tmp_path / "outputs.docx"
    write_outputs_docx([record], CONFIG, path)
    document = docx.Document(str(path))
    assert "Table 1: Employment status" in _headings(document)
    assert _table_after(document, "Table 1: Employment status")[2][0] == "16-29"


def test_shares_of_one_are_called_proportions_not_per_cent(tmp_path):
    record = copy.deepcopy(records()[2])  # pandas' normalize= gives 0.384, not 38.4
    record["table"]["data"] = [[0.384, 0.616], [0.279, 0.721]]
    path = tmp_path / "outputs.docx"
    write_outputs_docx([record], CONFIG, path)
    rows = _table_after(docx.Document(str(path)), "Table 1: Share working from home by sector")
    assert rows[2][1:] == ["Proportion (weighted)", "N (unweighted)"] * 2
    assert rows[3] == ["Public", "0.384", "33", "0.616", "52"]
