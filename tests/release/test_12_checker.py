"""Issue 12, Build 6: what the checkers get beside a request, rules_applied.json inside it,
differencing against earlier requests, and the run-order warning (DESIGN "Statistics (10)")."""

from __future__ import annotations

import csv
import json

import nbformat
import pandas as pd
from release_kit import (
    balanced,
    bundle,
    notebook_of,
    saved,
    snapshot,
    write_notebook,
    write_project,
)

import jupyter_sdc as sdc
from jupyter_sdc.cli import main
from jupyter_sdc.core.rules import available_profiles
from jupyter_sdc.export.request import ExportRefused, export_notebooks

TITLES = {"Table 1": "People by region and sex", "Table 2": "People by region"}


def table(frame: pd.DataFrame, label: str, by=("rgn", "sex")) -> dict:
    session = sdc.Session()
    columns = [frame[b] for b in by]
    if len(columns) == 1:
        session.crosstab(columns[0], pd.Series("All", index=frame.index, name="all"),
                         label=label, title=TITLES[label],
                         explanation=f"Number of people, {label}.")
    else:
        session.crosstab(*columns, label=label, title=TITLES[label],
                         explanation=f"Number of people, {label}.")
    return saved(session.outputs[-1])


def exported(project, records, name="a.ipynb"):
    notebook_of(project / name, records)
    return export_notebooks([project / name])


def test_checker_files_are_beside_the_request_and_never_inside(tmp_path):
    project = write_project(tmp_path / "p")
    result = exported(project, [table(balanced(), "Table 1")])
    checker = result.folder.with_name(result.folder.name + ".checker")
    assert sorted(p.name for p in checker.iterdir()) == [
        "checker_summary.csv", "checker_summary.json", "fingerprints.json"]
    summary = json.loads((checker / "checker_summary.json").read_text())
    assert summary["notice"].startswith("DO NOT RELEASE")
    [row] = summary["outputs"]
    assert (row["label"], row["status"], row["variables"]) == ("Table 1", "pass", ["rgn", "sex"])
    assert row["population"] == 240 and row["checks"]["threshold"] == "pass"
    with open(checker / "checker_summary.csv", newline="") as f:
        first, header, line = list(csv.reader(f))[:3]
    assert first[0].startswith("DO NOT RELEASE") and header[0] == "label" and line[0] == "Table 1"
    inside = {p.name for p in result.folder.rglob("*")}
    assert not inside & {"checker_summary.json", "checker_summary.csv", "fingerprints.json"}


def test_rules_applied_is_inside_and_linked_from_results_json(tmp_path):
    project = write_project(tmp_path / "p", rules="threshold = 12")
    result = exported(project, [table(balanced(), "Table 1")])
    results = json.loads((result.folder / "results.json").read_text())
    assert results["rules_applied"] == "rules_applied.json"
    listed = {f["name"] for e in results["results"].values() for f in e["files"]}
    assert "rules_applied.json" not in listed  # a link, not an output SACRO-Viewer would show
    applied = json.loads((result.folder / "rules_applied.json").read_text())
    [output] = applied["outputs"]
    assert output["label"] == "Table 1"
    assert output["profile"]["name"] == "acro-default" and output["profile"]["version"]
    assert output["profile"]["urls"], "the profile cites its source"
    assert output["values"]["threshold"] == 10  # checked in the notebook under acro-default
    again = output["judged_again_under"]  # and judged again at export under the project's
    assert again["stricter"] == ["threshold"] and again["values"]["threshold"] == 12
    assert applied["project"]["values"]["threshold"] == 12
    assert applied["tool"]["name"] == "jupyter_sdc" and "pandas" in applied["tool"]["dependencies"]
    assert applied["policy"] is None


def test_a_table_differing_from_an_earlier_request_by_a_few_people_is_found(tmp_path):
    """Last month: people by region (all 240). Now: the same less 4 people of the South; the
    new table alone passes, but with the earlier one it gives the 4 away."""
    project = write_project(tmp_path / "p")
    everyone = balanced()
    first = exported(project, [table(everyone, "Table 2", by=("rgn",))])
    before = snapshot(first.folder)
    fewer = everyone.drop(everyone.index[(everyone.rgn == "South")][:4])
    second = exported(project, [table(fewer, "Table 2", by=("rgn",))], name="b.ipynb")
    summary = json.loads((second.folder.with_name(second.folder.name + ".checker")
                          / "checker_summary.json").read_text())
    [row] = summary["outputs"]
    assert row["checks"]["differencing"] in ("review", "fail"), row
    assert any(first.folder.name in w for w in second.warnings + _reasons(second)), (
        second.warnings)
    assert snapshot(first.folder) == before  # an earlier request is never changed


def _reasons(result) -> list[str]:
    results = json.loads((result.folder / "results.json").read_text())["results"]
    return [str(r) for e in results.values() for r in e.get("reason", []) or []] + [
        json.dumps(results)]


def test_a_refused_export_leaves_no_checker_folder(tmp_path):
    project = write_project(tmp_path / "p")
    record = table(balanced(), "Table 1")
    record["status"] = "pass"
    record["counts"] = None  # no unweighted counts: refused
    notebook_of(project / "a.ipynb", [record])
    try:
        export_notebooks([project / "a.ipynb"])
    except ExportRefused:
        pass
    sdc_folder = project / "SDC"
    assert not sdc_folder.is_dir() or not any(sdc_folder.iterdir())
    assert not [p for p in project.iterdir() if p.name.startswith(".SDC")]


def _ordered(path, counts):
    record = table(balanced(), "Table 1")
    nb_path = write_notebook(path, [("sdc.crosstab(df.rgn, df.sex)", [bundle(record)]),
                                    ("x = 1", []), ("y = 2", [])])
    nb = nbformat.read(nb_path, as_version=4)
    for cell, count in zip(nb.cells, counts, strict=True):
        cell.execution_count = count
    nbformat.write(nb, nb_path)
    return nb_path


def test_preflight_warns_when_the_notebook_was_not_run_top_to_bottom(tmp_path):
    project = write_project(tmp_path / "p")
    for counts, expected in [((1, 2, 3), None), ((1, 4, 9), None), ((3, 2, 4), "cell 2"),
                             ((1, None, 3), "cell 2 was not run")]:
        path = _ordered(project / f"n{counts[0]}{counts[1]}{counts[2]}.ipynb", counts)
        result = export_notebooks([path])
        report = json.loads((result.folder / "preflight.json").read_text())
        order = [f for f in report["findings"] if f["code"] == "run-order"]
        if expected is None:
            assert not order, order
        else:
            [finding] = order
            assert finding["severity"] == "warning" and expected in finding["message"]
            assert "Restart the kernel and run all cells" in finding["message"]
            assert report["ok"], "a warning does not stop the request"
            assert any("top to bottom" in w for w in result.warnings)


def test_jupyter_sdc_profiles_lists_every_profile_with_its_source(capsys):
    assert main(["profiles"]) == 0
    text = capsys.readouterr().out
    for name in available_profiles():
        assert name in text
    for name in ("nhs-england-sde", "ons-10-5", "uk-llc", "abs-datalab", "bundesbank-rdsc",
                 "datashield", "opensafely", "acro-default"):
        assert f"{name} (version" in text
    assert "(1, 50%) and (2, 67%)" in text  # ABS DataLab's two dominance rules
    assert main(["profiles", "--json"]) == 0
    catalogue = json.loads(capsys.readouterr().out)
    assert all(p["urls"] and p["source"] for p in catalogue)




def test_a_name_whose_checker_folder_is_taken_is_skipped_and_nothing_is_changed(tmp_path):
    project = write_project(tmp_path / "p")
    first = exported(project, [table(balanced(), "Table 1")])
    stray = first.folder.with_name(first.folder.name + "_2.checker")
    stray.mkdir()
    (stray / "note.txt").write_text("someone's", encoding="utf-8")
    second = exported(project, [table(balanced(), "Table 1")], name="b.ipynb")
    assert second.folder.name == first.folder.name + "_3"
    assert (stray / "note.txt").read_text(encoding="utf-8") == "someone's"
    assert second.folder.with_name(second.folder.name + ".checker").is_dir()


def test_an_unreadable_earlier_fingerprint_file_is_skipped_not_fatal(tmp_path):
    project = write_project(tmp_path / "p")
    first = exported(project, [table(balanced(), "Table 1")])
    fingerprints = first.folder.with_name(first.folder.name + ".checker") / "fingerprints.json"
    fingerprints.chmod(0o644)
    fingerprints.write_text("{not json", encoding="utf-8")
    second = exported(project, [table(balanced(), "Table 1")], name="b.ipynb")
    assert (second.folder / "results.json").is_file()


def test_profiles_takes_no_other_argument():
    import pytest

    with pytest.raises(SystemExit) as exited:
        main(["profiles", "nhs-england-sde"])
    assert exited.value.code == 2
