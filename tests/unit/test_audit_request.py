"""The audit of a staged request (issue 9, Build 2): what was written is read back, and a leak
refuses the export (nothing published, in ``warn`` mode too).

Each test exports a real project with the real exporter; a leak is planted into the staged
folder through a hook on the writer (``_write_request``), so the audit sees exactly what a
bug in a writer would leave there. ``jupyter sdc inspect FOLDER`` runs the same audit.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.export import request
from jupyter_sdc.export.audit import audit_folder
from jupyter_sdc.export.config import load_config
from jupyter_sdc.export.preflight import inspect_request
from jupyter_sdc.export.request import ExportRefused, export_records

matplotlib.use("Agg")

TOML = """[project]
id = "P-1"
title = "Audit of a request"
researchers = ["A. Researcher <a.researcher@example.ac.uk>"]
output_type = "Working paper"
[[datasets]]
name = "Synthetic survey"
citation = "Someone (2026). Synthetic survey. DOI: 10.0000/audit"
source = "Generated for the tests, 2019 to 2021."
sample = "300 synthetic people aged 18 to 79, fewer than 10 of them in one cell."
methodology = "Counts and means by region and sex."
[rules]
profile = "acro-default"
{rules}
[export]
on_problems = "warn"
include_code = {code}
"""
EXPLAIN = "The number of people in each region of the survey, by sex."


def people(seed: int = 0) -> pd.DataFrame:
    """300 people; South x M has 4 of them, every other region x sex cell 56-60."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "rgn": ["North"] * 120 + ["South"] * 60 + ["East"] * 120,
        "sex": ["F"] * 60 + ["M"] * 60 + ["F"] * 56 + ["M"] * 4 + ["F"] * 60 + ["M"] * 60,
        "age": rng.integers(18, 80, 300),
        "income": rng.gamma(2.0, 15_000, 300).round(2),
        "hours": rng.normal(35, 8, 300).round(1),
    })


def balanced(seed: int = 1, drop: int = 0) -> pd.DataFrame:
    """240 people, 40 in every region x sex cell (``drop`` fewer in North x F)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"rgn": np.repeat(["North", "South", "East"], 80),
                          "sex": np.tile(np.repeat(["F", "M"], 40), 3),
                          "income": rng.normal(30_000, 4_000, 240).round(2)})
    return frame.iloc[drop:]


def records(session: sdc.Session) -> list[dict]:
    return [json.loads(json.dumps(o.to_dict())) for o in session.outputs]


def counts_table(session: sdc.Session, df: pd.DataFrame, **kw) -> None:
    session.crosstab(df.rgn, df.sex, label=kw.pop("label", "Table 1"),
                     title=kw.pop("title", "People by region and sex"),
                     explanation=kw.pop("explanation", EXPLAIN), **kw)


def means_table(session: sdc.Session, df: pd.DataFrame, **kw) -> None:
    session.crosstab(df.rgn, df.sex, values=df.income, aggfunc="mean", label="Table 2",
                     title="Mean income by region and sex",
                     explanation="Mean annual income in each region, by sex.", **kw)


def project(root: Path, *, rules: str = "", code: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "sdc.toml").write_text(TOML.format(rules=rules, code=str(code).lower()))
    return root


def export(root: Path, recs: list[dict], **options) -> request.ExportResult:
    if not (root / "sdc.toml").exists():
        project(root, **options)
    return export_records(recs, load_config(root / "sdc.toml"))


def refused(root: Path, recs: list[dict], **options) -> list[str]:
    """The audit's problems; nothing was published and no staging folder is left."""
    before = set((root / "SDC").iterdir()) if (root / "SDC").is_dir() else set()
    with pytest.raises(ExportRefused) as caught:
        export(root, recs, **options)
    after = set((root / "SDC").iterdir()) if (root / "SDC").is_dir() else set()
    assert after == before, "a refused request was published"
    assert not [p for p in root.iterdir() if ".staging-" in p.name], "staging left behind"
    problems = [p for p in caught.value.problems if p.startswith("Audit:")]
    assert problems, caught.value.problems
    for problem in problems:  # relative names only, never the folder it was staged in
        assert str(root) not in problem and "/tmp/" not in problem, problem
    return problems


@pytest.fixture
def plant(monkeypatch) -> Callable[[Callable[[Path], None]], None]:
    """Change what the exporter staged, after it was written and before the audit reads it."""
    def install(change: Callable[[Path], None]) -> None:
        original = request._write_request

        def written(folder: Path, *args, **kwargs):
            report = original(folder, *args, **kwargs)
            change(folder)
            return report

        monkeypatch.setattr(request, "_write_request", written)
    return install


# -- file editing helpers ------------------------------------------------------------------
def only(folder: Path, pattern: str) -> Path:
    [path] = sorted(folder.glob(pattern))
    return path


def edit_csv_cell(path: Path, row: str, column: str, value: str) -> None:
    """Set the cell at row label ``row`` and column label ``column`` of a table CSV."""
    lines = [line.split(",") for line in path.read_text().splitlines()]
    [r] = [i for i, line in enumerate(lines) if line[0] == row]
    lines[r][lines[0].index(column)] = value
    path.write_text("\n".join(",".join(line) for line in lines) + "\n")


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def edit_docx(path: Path, change: Callable[[str], str], part: str = "word/document.xml") -> None:
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts[part] = change(parts[part].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, blob in parts.items():
            package.writestr(name, blob)


def cell_text(xml: str, old: str, new: str) -> str:
    """The document's XML with the first run of text ``old`` reading ``new``."""
    changed = re.sub(rf"(<w:t(?: [^>]*)?>){re.escape(old)}</w:t>", rf"\g<1>{new}</w:t>", xml,
                     count=1)
    assert changed != xml, f"no run of text {old!r}"
    return changed


def results_entry(data: dict, label: str) -> dict:
    return next(e for e in data["results"].values()
                if e.get("properties", {}).get("label") == label)


# -- a clean request passes ----------------------------------------------------------------
def test_a_real_request_passes_the_audit_and_inspect_agrees(tmp_path):
    session = sdc.Session()
    counts_table(session, people(), margins=True, suppress=True)
    session.olsr("income ~ age + hours", data=people(), label="Model 1",
                 title="Income by age and hours", explanation="OLS of income on age and hours.")
    session.hist(people(), "age", bins=4, range=(10, 90), label="Figure 1",
                 title="Age of the people", explanation="Histogram of age in four bands.")
    result = export(tmp_path, records(session))
    assert len(result.included) == 3
    assert audit_folder(result.folder) == []
    report = inspect_request(result.folder)
    assert not [f for f in report["findings"] if f["code"].startswith("audit-")], report


def test_a_rounded_request_passes_its_release_form_counts_are_rounded_too(tmp_path):
    # before the fix the release form gave the unrounded N and smallest cell count
    session = sdc.Session()
    counts_table(session, balanced(drop=3), round=5)
    result = export(tmp_path, records(session))
    assert audit_folder(result.folder) == []


def test_an_exception_allows_its_flagged_small_counts(tmp_path):
    session = sdc.Session()
    counts_table(session, people())
    [record] = records(session)
    assert record["status"] == "fail"
    record["exception"] = "South x M is published by the ONS already (table 4, 2021)."
    result = export(tmp_path, [record])
    assert audit_folder(result.folder) == []


def test_zeros_that_are_not_disclosive_may_be_published(tmp_path):
    df = balanced()
    df = df[~((df.rgn == "East") & (df.sex == "M"))]
    session = sdc.Session(zeros=False, class_disclosure=False)
    counts_table(session, df)
    result = export(tmp_path, records(session),
                    rules="zeros = false\nclass_disclosure = false")
    assert "0" in (only(result.folder, "tables/*.csv").read_text())
    assert audit_folder(result.folder) == []


def test_a_declared_structural_zero_may_be_published_and_inspect_agrees(tmp_path):
    df = balanced()
    df = df[~((df.rgn == "East") & (df.sex == "M"))]
    session = sdc.Session()
    counts_table(session, df, structural_zeros={("East", "M"): "No men were sampled there."})
    result = export(tmp_path, records(session))
    assert audit_folder(result.folder) == []  # the folder says which zeros were declared


# -- suppressed cells are blank in every file ------------------------------------------------
def suppressed_counts() -> list[dict]:
    session = sdc.Session()
    counts_table(session, people(), margins=True, suppress=True)
    return records(session)


def test_a_suppressed_cell_shown_in_the_table_file_is_refused(tmp_path, plant):
    plant(lambda f: edit_csv_cell(only(f, "tables/*.csv"), "South", "M", "4"))
    [problem] = refused(tmp_path, suppressed_counts())
    assert "tables/" in problem and ".csv" in problem
    assert "Table 1 (People by region and sex)" in problem and "South × M" in problem
    assert "suppressed" in problem


def test_a_suppressed_count_shown_in_the_counts_file_is_refused(tmp_path, plant):
    session = sdc.Session()
    means_table(session, people(), suppress=True)
    plant(lambda f: edit_csv_cell(only(f, "tables/*.counts.csv"), "South", "M", "4"))
    [problem] = refused(tmp_path, records(session))
    assert ".counts.csv" in problem and "Table 2" in problem and "South × M" in problem


def test_a_suppressed_cell_shown_in_the_document_is_refused(tmp_path, plant):
    def show(folder: Path) -> None:
        edit_docx(folder / "outputs.docx", lambda xml: cell_text(xml, "*", "4"))
    plant(show)
    [problem] = refused(tmp_path, suppressed_counts())
    assert problem.startswith("Audit: outputs.docx: Table 1:")
    assert "suppressed cell" in problem and "East × F" in problem  # the first '*' shown


def test_a_document_table_that_cannot_be_laid_over_the_output_is_refused(tmp_path, plant):
    from lxml import etree

    def drop_a_cell(folder: Path) -> None:
        def change(xml: str) -> str:
            root = etree.fromstring(xml.encode())
            w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
            table = root.findall(f".//{w}tbl")[1]  # the first output's, after the cover's
            row = table.findall(f"{w}tr")[-1]
            row.remove(row.findall(f"{w}tc")[-1])
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                  standalone=True).decode()
        edit_docx(folder / "outputs.docx", change)
    plant(drop_a_cell)
    problems = refused(tmp_path, suppressed_counts())
    assert any(p.startswith("Audit: outputs.docx: Table 1:") and "cannot be checked" in p
               for p in problems), problems


def test_an_outcome_holding_a_value_is_refused(tmp_path, plant):
    def value(folder: Path) -> None:
        def change(data: dict) -> None:
            outcome = results_entry(data, "Table 1")["outcome"]
            outcome["M"]["South"] = "4"
        edit_json(folder / "results.json", change)
    plant(value)
    [problem] = refused(tmp_path, suppressed_counts())
    assert "results.json" in problem and "outcome" in problem


# -- published counts ------------------------------------------------------------------------
def test_a_count_below_the_threshold_in_a_table_file_is_refused(tmp_path, plant):
    session = sdc.Session()
    counts_table(session, balanced())
    plant(lambda f: edit_csv_cell(only(f, "tables/*.csv"), "North", "F", "4"))
    [problem] = refused(tmp_path, records(session))
    assert "below the threshold (10)" in problem and "North × F" in problem


def test_a_count_below_the_threshold_in_the_document_is_refused(tmp_path, plant):
    session = sdc.Session()
    means_table(session, balanced())
    plant(lambda f: edit_docx(f / "outputs.docx", lambda xml: cell_text(xml, "40", "4")))
    problems = refused(tmp_path, records(session))
    assert any(p.startswith("Audit: outputs.docx: Table 2:") and "below the threshold" in p
               for p in problems), problems


def test_an_unrounded_count_under_rounding_is_refused(tmp_path, plant):
    session = sdc.Session()
    counts_table(session, balanced(), round=5)
    plant(lambda f: edit_csv_cell(only(f, "tables/*.csv"), "North", "F", "41"))
    [problem] = refused(tmp_path, records(session))
    assert "not rounded to the base 5" in problem


def test_a_rounded_small_count_is_still_below_the_threshold(tmp_path):
    session = sdc.Session()
    counts_table(session, people(), round=5)  # South x M: 4 -> 5, still fewer than 10
    problems = refused(tmp_path, records(session))
    assert any("tables/" in p and "below the threshold" in p for p in problems), problems


# -- text: no count below the threshold in words ---------------------------------------------
def test_a_summary_stating_a_small_count_is_refused(tmp_path, plant):
    def state(folder: Path) -> None:
        def change(data: dict) -> None:
            entry = results_entry(data, "Table 1")
            entry["summary"] += "\nSouth x M: implied count 4 < 10 (differencing)."
        edit_json(folder / "results.json", change)
    plant(state)
    session = sdc.Session()
    counts_table(session, balanced())
    [problem] = refused(tmp_path, records(session))
    assert "results.json" in problem and "summary" in problem and "Table 1" in problem
    assert "implied count n" in problem and "count 4" not in problem  # not echoed


def test_an_explanation_stating_a_small_count_is_refused(tmp_path):
    session = sdc.Session()
    counts_table(session, balanced(),
                 explanation="People by region and sex; only 3 people in the sample are over 90.")
    problems = refused(tmp_path, records(session))
    assert any("outputs.docx: Table 1" in p and "fewer than 10" in p for p in problems)


def test_legitimate_text_with_numbers_does_not_trip_the_audit(tmp_path):
    session = sdc.Session()
    counts_table(session, balanced(), title="People by region and sex, wave 1 (2019 to 2021)",
                 explanation="Cells with fewer than 10 people would be suppressed; see Table 4 "
                             "of the 2021 report, page 7; 5-year age bands; N = 240 records.")
    result = export(tmp_path, records(session))
    assert audit_folder(result.folder) == []


def test_differencing_reasons_are_released_without_the_implied_count(tmp_path):
    df = people()
    first, second = sdc.Session(), sdc.Session()
    counts_table(first, df.assign(rgn="All"), label="Table 1", title="Everybody by sex")
    men = df[~((df.rgn == "South") & (df.sex == "M"))].assign(rgn="All")
    counts_table(second, men, label="Table 2", title="Everybody but four, by sex")
    recs = records(first) + records(second)
    recs[1]["uid"] = "other-notebook-1"
    result = export(tmp_path, recs)
    reasons = json.dumps(json.loads((result.folder / "results.json").read_text()))
    assert "implied count below 10" in reasons and "implied count 4" not in reasons
    assert audit_folder(result.folder) == []


# -- files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, content", [
    ("notes.txt", "my notes"),
    ("tables/extra.csv", "a,b\n1,2\n"),
    (".hidden", "x"),
])
def test_a_file_that_results_json_does_not_list_is_refused(tmp_path, plant, name, content):
    def add(folder: Path) -> None:
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(content)
    plant(add)
    problems = refused(tmp_path, suppressed_counts())
    assert any(p.startswith(f"Audit: {name}:") and "does not list" in p for p in problems)


def test_a_notebook_in_the_request_is_refused(tmp_path, plant):
    plant(lambda f: (f / "analysis.ipynb").write_text('{"cells": [], "nbformat": 4}'))
    problems = refused(tmp_path, suppressed_counts())
    assert any("analysis.ipynb" in p and "notebook" in p for p in problems)


def test_a_file_holding_the_records_mime_data_is_refused(tmp_path, plant):
    recs = suppressed_counts()

    def add(folder: Path) -> None:
        (folder / "rules_applied.json").write_text(json.dumps({sdc.MIME_TYPE: recs[0]}))
    plant(add)
    problems = refused(tmp_path, recs)
    assert any(p.startswith("Audit: rules_applied.json:") and "record" in p for p in problems)


def test_evidence_in_results_json_is_refused(tmp_path, plant):
    recs = suppressed_counts()

    def add(folder: Path) -> None:
        edit_json(folder / "results.json",
                  lambda d: results_entry(d, "Table 1").update(evidence=recs[0]["evidence"]))
    plant(add)
    problems = refused(tmp_path, recs)
    assert any(p.startswith("Audit: results.json:") and "evidence" in p for p in problems)


def test_a_figure_that_is_not_a_jpeg_is_refused(tmp_path, plant):
    session = sdc.Session()
    session.hist(people(), "age", bins=4, range=(10, 90), label="Figure 1",
                 title="Age of the people", explanation="Histogram of age in four bands.")
    plant(lambda f: only(f, "figures/*.jpg").write_text("person_id,age\n1,34\n"))
    problems = refused(tmp_path, records(session))
    assert any("figures/" in p and "not a JPEG" in p for p in problems)
    assert not any("34" in p for p in problems)


# -- paths and names -------------------------------------------------------------------------
def test_code_in_the_command_field_is_caught_by_the_audit(tmp_path, plant):
    code = "raw = pd.read_csv('/srv/tre/extracts/lfs_person_2024.csv')\nraw.groupby('rgn')"

    def old_behaviour(folder: Path) -> None:  # results.json as it was before the fix
        edit_json(folder / "results.json",
                  lambda d: results_entry(d, "Table 1").update(command=code))
    plant(old_behaviour)
    recs = suppressed_counts()
    recs[0]["source"]["code"] = code
    problems = refused(tmp_path, recs)
    hits = [p for p in problems if p.startswith("Audit: results.json: results.")
            and ".command" in p]
    assert any("absolute path" in p for p in hits), problems
    assert any("lfs_person_2024" in p for p in hits), problems
    assert not any("/srv/tre" in p for p in problems)  # never echoed


def test_results_json_command_holds_the_call_never_the_code(tmp_path):
    recs = suppressed_counts()
    recs[0]["source"]["code"] = "raw = pd.read_csv('/srv/tre/x.csv')\npd.crosstab(raw.a, raw.b)"
    result = export(tmp_path, recs)
    entry = results_entry(json.loads((result.folder / "results.json").read_text()), "Table 1")
    assert entry["command"] == "crosstab"


def test_a_data_file_name_in_a_document_is_refused(tmp_path):
    project(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "lfs_extract_2024.parquet").write_bytes(b"PAR1")
    session = sdc.Session()
    counts_table(session, balanced(), explanation="Counts of the people in lfs_extract_2024, "
                                                  "by region and sex.")
    problems = refused(tmp_path, records(session))
    assert any("outputs.docx" in p and "lfs_extract_2024" in p for p in problems), problems


def test_what_the_researcher_wrote_in_sdc_toml_may_name_the_data_but_no_absolute_path(
        tmp_path):
    root = project(tmp_path)
    (root / "lfs_extract_2024.parquet").write_bytes(b"PAR1")
    toml = (root / "sdc.toml").read_text()
    (root / "sdc.toml").write_text(toml.replace(
        'source = "Generated for the tests, 2019 to 2021."',
        'source = "The ONS extract lfs_extract_2024, 2019 to 2021."'))
    session = sdc.Session()
    counts_table(session, balanced())
    result = export(root, records(session))
    assert audit_folder(result.folder) == []  # inspect reads the project's sdc.toml too
    (root / "sdc.toml").write_text(toml.replace(
        'source = "Generated for the tests, 2019 to 2021."',
        'source = "Read from /srv/tre/extracts/lfs_extract_2024.parquet."'))
    problems = refused(root, records(session))
    assert any("outputs.docx" in p and "absolute path" in p for p in problems), problems


def test_the_login_and_host_name_are_refused_but_the_researchers_field_is_not(
        tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "asmith42")
    monkeypatch.setenv("LOGNAME", "asmith42")
    monkeypatch.setattr("socket.gethostname", lambda: "tre-node-17.internal")
    root = project(tmp_path)
    toml = (root / "sdc.toml").read_text()
    (root / "sdc.toml").write_text(toml.replace("A. Researcher <a.researcher",
                                                "asmith42 <asmith42"))
    session = sdc.Session()
    counts_table(session, balanced(), title="People by region, run by asmith42")
    counts_table(session, balanced(), label="Table 2", title="People, made on tre-node-17")
    problems = refused(tmp_path, records(session))
    assert any("login name" in p for p in problems), problems
    assert any("name of this computer" in p for p in problems), problems
    assert not any("asmith42" in p or "tre-node-17" in p for p in problems)
    # the researchers' field alone is theirs to publish
    session = sdc.Session()
    counts_table(session, balanced())
    result = export(tmp_path, records(session))
    assert "asmith42" in (result.folder / "results.json").read_text()


# -- linked tables ---------------------------------------------------------------------------
def test_a_means_table_giving_back_the_cells_a_counts_table_suppresses_is_refused(tmp_path):
    df = people()
    session = sdc.Session()
    counts_table(session, df, margins=True, suppress=True)
    means_table(session, df, suppress=True)
    [problem] = refused(tmp_path, records(session))
    assert "Table 2 (Mean income by region and sex) gives back cells that Table 1 (People " \
           "by region and sex) suppresses" in problem
    assert problem.startswith("Audit: tables/") and ".counts.csv" in problem
    hidden = re.findall(r"(\w+ × [FM])", problem)
    assert hidden and "South × M" not in hidden  # its own primary cell it suppresses itself
    assert "Suppress the same cells in Table 2, or leave it out" in problem


def test_tables_over_other_people_are_not_linked(tmp_path):
    df = people()
    session = sdc.Session()
    counts_table(session, df, margins=True, suppress=True)
    means_table(session, balanced(), suppress=True)  # same labels, other people
    result = export(tmp_path, records(session))
    assert audit_folder(result.folder) == []


def test_a_linked_table_left_out_is_not_refused(tmp_path):
    df = people()
    session = sdc.Session()
    counts_table(session, df, margins=True, suppress=True)
    means_table(session, df, suppress=True)
    recs = records(session)
    recs[1]["include"] = False
    result = export(tmp_path, recs)
    assert result.included == [recs[0]["uid"]]


# -- inspect: a folder written by hand -------------------------------------------------------
def hand_written(tmp_path: Path, plant_files: dict[str, bytes]) -> Path:
    session = sdc.Session()
    counts_table(session, balanced())
    folder = export(tmp_path, records(session)).folder
    for name, blob in plant_files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(blob)
    return folder


def test_inspect_finds_a_data_file_by_its_content(tmp_path):
    folder = hand_written(tmp_path, {})
    table = only(folder, "tables/*.csv")
    table.write_bytes(b"PAR1\x00\x01rest of a parquet file")
    codes = {f["code"] for f in inspect_request(folder)["findings"]}
    assert "audit-data-file" in codes


def test_inspect_finds_a_document_that_is_not_a_docx(tmp_path):
    folder = hand_written(tmp_path, {"outputs.docx": b"person_id,income\n4471,182000\n"})
    report = inspect_request(folder)
    assert not report["ok"]
    messages = json.dumps(report)
    assert "audit-not-docx" in messages and "182000" not in messages


def test_inspect_finds_the_linked_tables_of_an_old_request(tmp_path, monkeypatch):
    # a request published before the audit existed: the means table's N gives back the cells
    monkeypatch.setattr(request, "audit_export", lambda *a, **k: [])
    df = people()
    session = sdc.Session()
    counts_table(session, df, margins=True, suppress=True)
    means_table(session, df, suppress=True)
    folder = export(tmp_path, records(session)).folder
    findings = [f for f in inspect_request(folder)["findings"]
                if f["code"] == "audit-linked-table"]
    assert len(findings) == 1 and "Table 1" in findings[0]["message"]
