"""The request folder: what an export writes, what goes in and what it refuses.

The safety of the folder itself (kills, full disks, two exports at once) is in
test_request_safety.py."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from docx import Document
from PIL import Image
from record_kit import with_evidence
from sdc_folders import requests_in

from jupyter_sdc.export.config import load_config
from jupyter_sdc.export.notebook import MIME_TYPE, records_from_notebook
from jupyter_sdc.export.preflight import inspect_request
from jupyter_sdc.export.request import (
    ExportRefused,
    export_notebooks,
    export_records,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = "P-1234_2026_11_25"
F, T = False, True
SDC_TOML = """
[project]
id = "P-1234"
title = "Earnings and hours after the pandemic"
researchers = ["A. Researcher <a.researcher@example.ac.uk>"]
output_type = "Working paper"

[[datasets]]
name = "Quarterly Labour Force Survey"
citation = "Office for National Statistics (2020). QLFS. DOI: 10.5255/UKDA-SN-0000-1"
source = "ONS Secure Research Service"
sample = "Adults aged 16 to 64, 2019 to 2021"
methodology = "Cross-tabulations of weighted survey responses"

[export]
sdc_folder = "SDC"
on_problems = "{on_problems}"
include_code = {include_code}
"""


# -- records, as Output.to_dict() writes them ---------------------------------------------
def table(uid: str, *, status: str = "pass", **changes: object) -> dict:
    small = status == "fail"
    record = {
        "schema_version": 1, "uid": uid, "kind": "table", "statistic": "frequency",
        "status": status, "label": None, "title": f"People by region and sex ({uid})",
        "explanation": "Counts of people in the survey by region and sex.",
        "exception": None, "comments": [], "include": True,
        "rename": {"rgn": "Region", "sex": "Sex"},
        "checks": {"threshold": status, "zeros": "pass"},
        "reasons": ["1 cell has fewer than 10 contributing records (threshold)."] if small else [],
        "table": {"index": [["North"], ["South"]], "index_names": ["rgn"],
                  "columns": [["F"], ["M"]], "column_names": ["sex"],
                  "data": [[12, 15], [30, 3 if small else 22]]},
        "counts": [[12, 15], [30, 3 if small else 22]],
        "flags": {"threshold": [[F, F], [F, small]], "zeros": [[F, F], [F, F]]},
        "rules": {"threshold": 10, "zeros": True, "profile": "acro-default"},
        "mitigation": {"suppressed": False, "round_base": None, "notes": []},
        "summary": {"n": 60}, "figure": None,
        "source": {"call": "crosstab", "code": "sdc.crosstab(df.rgn, df.sex)", "cell_id": uid,
                   "notebook": None},
        "created": "2026-11-25T11:00:00+00:00",
        "tool": {"name": "jupyter_sdc", "version": "0.1.0"},
    }
    record.update(changes)
    return with_evidence(record)


def figure(uid: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGBA", (240, 120), (30, 90, 200, 255)).save(buffer, "PNG")
    return table(uid, kind="figure", statistic="histogram",
                 explanation="Bars show the number of people in each region and sex.",
                 figure={"png": base64.b64encode(buffer.getvalue()).decode()})


def model(uid: str) -> dict:
    return table(uid, kind="model", statistic="model", checks={"dof": "pass"}, flags={},
                 title="Hours worked on age", summary={"nobs": 55, "df_resid": 53},
                 explanation="Ordinary least squares of weekly hours on age in years.",
                 table={"index": [["Intercept"], ["age"]], "index_names": [None],
                        "columns": [["coef"], ["std err"]], "column_names": [None],
                        "data": [[30.1, 1.2], [0.05, 0.01]]},
                 counts=[[55, 55], [55, 55]])


def records() -> list[dict]:
    return [table("t1-1"), figure("f1-1"), model("m1-1")]


# -- a project ----------------------------------------------------------------------------
def make_project(root: Path, *, on_problems: str = "refuse", include_code: bool = False):
    root.mkdir(parents=True, exist_ok=True)
    text = SDC_TOML.replace("{on_problems}", on_problems)
    text = text.replace("{include_code}", str(include_code).lower())
    (root / "sdc.toml").write_text(text, encoding="utf-8")
    return load_config(root / "sdc.toml")


@pytest.fixture
def config(tmp_path: Path):
    return make_project(tmp_path / "project")


def sdc_entries(config) -> list[str]:
    return [p.name for p in requests_in(config.sdc_folder)] if config.sdc_folder.exists() \
        else []


def staging_left(config) -> list[str]:
    """Staging folders beside the SDC folder (their lock files are not counted)."""
    return [p.name for p in config.root.iterdir() if ".staging-" in p.name and p.is_dir()]


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def notebook(path: Path, outputs: list[dict], code: str = "sdc.crosstab(df.rgn, df.sex)"):
    cells = [nbformat.v4.new_code_cell(
        code, outputs=[nbformat.v4.new_output("display_data", data={
            "text/plain": "<sdc output>", MIME_TYPE: record}) for record in outputs])]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


# -- what an export writes ----------------------------------------------------------------
def test_export_writes_the_whole_request(config) -> None:
    result = export_records(records(), config, now=NOW)
    assert result.folder == config.sdc_folder / DAY
    assert result.included == ["t1-1", "f1-1", "m1-1"] and result.left_out == []
    files = set(tree(result.folder))
    assert {"outputs.docx", "release_request.docx", "results.json", "config.json",
            "preflight.json", "tables/t1-1.csv", "tables/f1-1.csv", "tables/m1-1.csv",
            "figures/f1-1.jpg", "checksums/results.json.txt", "checksums/tables/t1-1.csv.txt",
            "checksums/figures/f1-1.jpg.txt", "checksums/outputs.docx.txt"} <= files
    assert not [f for f in files if f.startswith("code/")]  # include_code is off
    assert (result.folder / "figures/f1-1.jpg").read_bytes()[:2] == b"\xff\xd8"
    results = json.loads((result.folder / "results.json").read_text())
    assert list(results["results"]) == ["t1-1", "f1-1", "m1-1", "document"]
    assert results["request"]["project"] == "P-1234"
    preflight = json.loads((result.folder / "preflight.json").read_text())
    assert preflight == result.preflight and preflight["ok"], preflight["findings"]
    assert "results" not in preflight  # never mistaken for a second results file
    assert [o["label"] for o in preflight["included"]] == ["Table 1", "Figure 1", "Model 1"]
    text = " ".join(p.text for p in Document(str(result.folder / "outputs.docx")).paragraphs)
    assert "Table 1" in text and "Figure 1" in text and "Model 1" in text
    # the request folder is as readable as the SDC folder it sits in (mkdtemp makes 0700),
    # and never group- or world-writable
    assert (result.folder.stat().st_mode & 0o777) == (
        config.sdc_folder.stat().st_mode & 0o777 & ~0o022)
    assert staging_left(config) == []


def test_a_second_export_the_same_day_gets_a_new_folder_and_leaves_the_first(config) -> None:
    first = export_records(records(), config, now=NOW)
    before = tree(first.folder)
    second = export_records(records(), config, now=NOW)
    third = export_records(records(), config, now=NOW)
    assert [second.folder.name, third.folder.name] == [f"{DAY}_2", f"{DAY}_3"]
    assert tree(first.folder) == before


def test_a_record_saved_by_the_core_exports(config) -> None:
    """What a check saves (Output.to_dict()) is the shape this exporter reads."""
    import pandas as pd

    import jupyter_sdc as sdc

    people = pd.DataFrame({"rgn": ["North"] * 27 + ["South"] * 52,
                           "sex": ["F"] * 12 + ["M"] * 15 + ["F"] * 30 + ["M"] * 22})
    session = sdc.Session()
    session.crosstab(people.rgn, people.sex, title="People by region and sex",
                     explanation="Counts of people in the survey by region and sex.")
    (output,) = session.outputs
    output.uid = "core-1"
    result = export_records([output.to_dict()], config, now=NOW)
    assert result.included == ["core-1"] and result.preflight["ok"]


# -- the rules of what goes in ------------------------------------------------------------
def test_a_failing_output_without_exception_refuses_the_export(config) -> None:
    with pytest.raises(ExportRefused) as refused:
        export_records([table("t1-1"), table("bad-1", status="fail")], config, now=NOW)
    assert len(refused.value.problems) == 1
    assert "bad-1" in refused.value.problems[0] and "fails threshold" in str(refused.value)
    assert "exception" in str(refused.value)
    assert sdc_entries(config) == [] and staging_left(config) == []


def test_a_failing_output_with_an_exception_reason_goes_in(config) -> None:
    failing = table("bad-1", status="fail", exception="South/M is published in ONS table A01.")
    result = export_records([failing], config, now=NOW)
    entry = json.loads((result.folder / "results.json").read_text())["results"]["bad-1"]
    assert entry["status"] == "fail" and entry["exception"].startswith("South/M")
    assert entry["files"][0]["sdc"]["cells"]["MinimumThresholdCheck"] == [[1, 1]]


def test_an_output_to_review_needs_an_explanation(config) -> None:
    with pytest.raises(ExportRefused, match="review-1.*[Ee]xplain"):
        export_records([table("review-1", status="review", explanation="")], config, now=NOW)
    assert sdc_entries(config) == []


def test_problems_are_all_listed_at_once(config) -> None:
    bad = [table("bad-1", status="fail"), table("bad-2", title=""),
           table("bad-3", counts=None, summary={})]
    with pytest.raises(ExportRefused) as refused:
        export_records(bad, config, now=NOW)
    text = "\n".join(refused.value.problems)
    assert "bad-1" in text and "bad-2" in text and "title" in text and "bad-3" in text
    assert "counts" in text


def test_warn_mode_leaves_problem_outputs_out_and_says_so(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", on_problems="warn")
    result = export_records([table("t1-1"), table("bad-1", status="fail")], config, now=NOW)
    assert result.included == ["t1-1"]
    assert [uid for uid, _ in result.left_out] == ["bad-1"]
    assert "fails threshold" in result.left_out[0][1]  # what to fix, said once (not a warning)
    assert "bad-1" not in json.loads((result.folder / "results.json").read_text())["results"]
    assert result.preflight["left_out"][0]["uid"] == "bad-1"


def test_a_document_failing_preflight_is_not_written(config) -> None:
    # a non-empty explanation passes selection, but three words explain nothing (inspector)
    with pytest.raises(ExportRefused, match="outputs.docx: Table 1.*not explained"):
        export_records([table("t1-1", explanation="See the text.")], config, now=NOW)
    assert sdc_entries(config) == [] and staging_left(config) == []


def test_warn_mode_writes_a_document_failing_preflight_and_says_so(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", on_problems="warn")
    result = export_records([table("t1-1", explanation="See the text.")], config, now=NOW)
    assert result.preflight["ok"] is False
    assert any(f["where"].startswith("outputs.docx") and f["severity"] == "error"
               for f in result.preflight["findings"])  # said once: not repeated as a warning
    assert json.loads((result.folder / "preflight.json").read_text())["ok"] is False


def test_include_false_is_left_out_without_a_problem(config) -> None:
    config.sdc_folder.mkdir()
    result = export_records([table("t1-1"), table("bad-1", status="fail", include=False)],
                            config, now=NOW)
    assert result.left_out == [("bad-1", "include is false")] and result.warnings == []


def test_nothing_to_export_is_refused(config) -> None:
    with pytest.raises(ExportRefused, match="no jupyter_sdc outputs"):
        export_records([], config, now=NOW)
    with pytest.raises(ExportRefused, match="No output is left"):
        export_records([table("t1-1", include=False)], config, now=NOW)


def test_a_record_with_a_newer_schema_says_to_upgrade(config) -> None:
    with pytest.raises(ExportRefused, match="schema version 99.*Upgrade jupyter_sdc"):
        export_records([table("t1-1", schema_version=99)], config, now=NOW)
    assert sdc_entries(config) == []


def test_two_records_with_one_uid_are_refused(config) -> None:
    with pytest.raises(ExportRefused, match="output t1-1 appears 2 times"):
        export_records([table("t1-1"), table("t1-1")], config, now=NOW)


def test_a_malformed_record_is_refused(config) -> None:
    with pytest.raises(ExportRefused, match="counts is not the shape"):
        export_records([table("t1-1", counts=[[1, 2]])], config, now=NOW)


# -- notebooks ----------------------------------------------------------------------------
def test_several_notebooks_make_one_request(config) -> None:
    first = notebook(config.root / "a.ipynb", [table("a-1")])
    second = notebook(config.root / "b.ipynb", [figure("b-1"), model("b-2")])
    result = export_notebooks([first, second], now=NOW)
    assert result.included == ["a-1", "b-1", "b-2"]
    entry = json.loads((result.folder / "results.json").read_text())["results"]["b-2"]
    assert entry["properties"]["notebook"] == "b.ipynb"


def test_a_display_updated_in_place_exports_its_last_version(config) -> None:
    old, new = table("t1-1", status="fail"), table("t1-1", exception=None)
    path = notebook(config.root / "a.ipynb", [old, table("t2-1"), new])
    found = records_from_notebook(path)
    assert [r["uid"] for r in found] == ["t1-1", "t2-1"] and found[0]["status"] == "pass"


def test_records_saved_as_json_text_are_read(config) -> None:
    path = notebook(config.root / "a.ipynb", [table("t1-1")])
    saved = json.loads(path.read_text())
    output = saved["cells"][0]["outputs"][0]
    output["data"][MIME_TYPE] = json.dumps(output["data"][MIME_TYPE])
    path.write_text(json.dumps(saved))
    assert [r["uid"] for r in records_from_notebook(path)] == ["t1-1"]


def test_notebooks_of_two_projects_are_refused(tmp_path: Path) -> None:
    first = make_project(tmp_path / "one")
    second = make_project(tmp_path / "two")
    paths = [notebook(first.root / "a.ipynb", [table("a-1")]),
             notebook(second.root / "b.ipynb", [table("b-1")])]
    with pytest.raises(ExportRefused, match="belong to different projects"):
        export_notebooks(paths, now=NOW)
    assert sdc_entries(first) == [] and sdc_entries(second) == []


def test_one_uid_in_two_notebooks_is_refused(config) -> None:
    first = notebook(config.root / "a.ipynb", [table("t1-1")])
    second = notebook(config.root / "b.ipynb", [table("t1-1")])
    with pytest.raises(ExportRefused, match="t1-1 is in both .*a.ipynb and .*b.ipynb"):
        export_notebooks([first, second], now=NOW)


def test_a_notebook_without_records_is_refused(config) -> None:
    path = notebook(config.root / "plain.ipynb", [])
    with pytest.raises(ExportRefused, match="plain.ipynb holds no jupyter_sdc outputs"):
        export_notebooks([path], now=NOW)
    assert sdc_entries(config) == []


def test_no_sdc_toml_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = notebook(tmp_path / "a.ipynb", [table("t1-1")])
    with pytest.raises(ExportRefused, match="No sdc.toml found.*jupyter sdc init"):
        export_notebooks([path], now=NOW)


def test_code_is_included_stripped_of_outputs(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", include_code=True)
    path = notebook(config.root / "analysis.ipynb", [table("t1-1")],
                    code="%load_ext jupyter_sdc\nsdc.crosstab(df.rgn, df.sex)")
    result = export_notebooks([path], now=NOW)
    code = (result.folder / "code" / "analysis.py").read_text()
    assert "sdc.crosstab(df.rgn, df.sex)" in code and "# %load_ext jupyter_sdc" in code
    assert MIME_TYPE not in code and "<sdc output>" not in code
    assert result.preflight["ok"]


def test_code_naming_a_server_refuses_the_export(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", include_code=True)
    path = notebook(config.root / "analysis.ipynb", [table("t1-1")],
                    code='df = read("\\\\\\\\fileserver01\\\\share\\\\lfs.dta")')
    unc = r"code/analysis.py line \d+: A network \(UNC\) path names a server"
    with pytest.raises(ExportRefused, match=unc):
        export_notebooks([path], now=NOW)
    assert sdc_entries(config) == []


def test_preflight_of_a_request_finds_a_planted_data_file_and_an_edited_table(config) -> None:
    folder = export_records(records(), config, now=NOW).folder
    assert inspect_request(folder)["ok"]
    planted = copy.deepcopy(tree(folder))
    (folder / "extract.dta").write_bytes(b"stata")
    (folder / "tables" / "secret.csv").write_text("id,income\n1,52000\n")
    with open(folder / "tables" / "t1-1.csv", "a") as handle:
        handle.write("Total,42,37\n")
    report = inspect_request(folder)
    codes = {(f["code"], f["where"]) for f in report["findings"]}
    assert ("data-file", "extract.dta") in codes and ("data-file", "tables/secret.csv") in codes
    assert ("checksum-mismatch", "tables/t1-1.csv") in codes
    assert not any(w == "tables/f1-1.csv" for _, w in codes)  # a listed table is allowed
    assert not report["ok"] and len(planted) > 10
    os.remove(folder / "extract.dta")
