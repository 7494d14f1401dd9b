"""results.json in ACRO 1.0.x layout: what SACRO-Viewer reads, cell positions, checksums."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
from pathlib import Path

import pytest

from jupyter_sdc.export import results_json
from jupyter_sdc.export.results_json import (
    check_name,
    safe_name,
    sdc_block,
    write_checksums,
    write_results,
)

F, T = False, True
RULES = {"threshold": 10, "nk_n": 2, "nk_k": 0.9, "p_percent": 0.1, "dof": 10, "zeros": True,
         "missing": False, "class_disclosure": True, "min_max": "fail", "round_base": 5,
         "unit": None, "profile": "acro-default"}


def crosstab(uid: str = "c1-1") -> dict:
    """Region x sex counts; South/M has 3 people: fails the threshold of 10."""
    return {
        "schema_version": 1, "uid": uid, "kind": "table", "statistic": "frequency",
        "status": "fail", "label": "Table 1", "title": "People by region and sex",
        "explanation": "Counts of people by region and sex.", "exception": None,
        "comments": ["first draft"],
        "include": True, "rename": {"rgn": "Region"},
        "checks": {"threshold": "fail", "zeros": "pass"},
        "reasons": ["1 cell has fewer than 10 contributing records (threshold)."],
        "table": {"index": [["North"], ["South"]], "index_names": ["rgn"],
                  "columns": [["F"], ["M"]], "column_names": ["sex"],
                  "data": [[12, 15], [30, 3]]},
        "counts": [[12, 15], [30, 3]],
        "flags": {"threshold": [[F, F], [F, T]], "zeros": [[F, F], [F, F]],
                  "secondary": [[F, T], [F, F]]},
        "rules": RULES, "mitigation": {"suppressed": False, "round_base": None, "notes": []},
        "summary": {"n": 60}, "figure": None,
        "source": {"call": "crosstab", "code": "sdc.crosstab(df.rgn, df.sex)", "cell_id": "c1",
                   "notebook": "analysis.ipynb"},
        "created": "2026-11-25T12:00:00+00:00",
        "tool": {"name": "jupyter_sdc", "version": "0.1.0"},
    }


def mean_by_two_levels() -> dict:
    """Mean income by (region, year) x sex: a MultiIndex row index, an NK failure at [1, 1]."""
    record = crosstab("c2-1")
    record.update(statistic="mean", status="fail", label="Table 2", title="Mean income")
    record["checks"] = {"threshold": "pass", "nk": "fail", "p_percent": "pass"}
    record["table"] = {"index": [["North", 2020], ["North", 2021], ["South", 2020]],
                       "index_names": ["rgn", "year"], "columns": [["F"], ["M"]],
                       "column_names": ["sex"],
                       "data": [[21000.5, 23000.0], [22000.0, 99000.0], [20000.0, None]]}
    record["counts"] = [[40, 38], [41, 12], [39, 0]]
    record["flags"] = {"threshold": [[F, F], [F, F], [F, F]],
                       "nk": [[F, F], [F, T], [F, F]],
                       "p_percent": [[F, F], [F, F], [F, F]]}
    return record


def write(tmp_path: Path, records: list[dict], figures: dict | None = None) -> dict:
    return write_results(tmp_path, records, figures=figures or {},
                         created="2026-11-25T12:00:00+00:00", request={"project": "P-1"})


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_top_level_follows_acro_and_names_our_tool(tmp_path: Path) -> None:
    data = write(tmp_path, [crosstab()])
    assert data["version"] == "1.0.2"  # the ACRO layout version, not ours
    assert data["tool"]["name"] == "jupyter_sdc"
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert on_disk == data
    entry = on_disk["results"]["c1-1"]
    assert {"uid", "status", "type", "properties", "files", "outcome", "command", "summary",
            "timestamp", "comments", "exception"} <= set(entry)
    assert entry["status"] == "fail" and entry["type"] == "table"
    assert entry["exception"] == "" and entry["comments"] == ["first draft"]
    assert entry["command"] == "crosstab"  # the call, never its code (issue 9, class 5)
    assert entry["properties"]["method"] == "crosstab"
    assert entry["properties"]["label"] == "Table 1"


def test_failing_cells_are_listed_per_check_at_their_data_position(tmp_path: Path) -> None:
    data = write(tmp_path, [crosstab()])
    (file,) = data["results"]["c1-1"]["files"]
    assert file["name"] == "tables/c1-1.csv"
    assert file["sdc"]["summary"] == {"MinimumThresholdCheck": 1, "PresenceOfZeroCheck": 0}
    assert file["sdc"]["cells"] == {"MinimumThresholdCheck": [[1, 1]], "PresenceOfZeroCheck": []}
    rows = read_csv(tmp_path / file["name"])
    # one header row, one index column: [row, col] indexes the data block, as in ACRO's files
    assert rows == [["Region", "F", "M"], ["North", "12", "15"], ["South", "30", "3"]]
    row, col = file["sdc"]["cells"]["MinimumThresholdCheck"][0]
    assert rows[1 + row][1 + col] == "3"


def test_secondary_suppression_marks_are_not_failing_checks(tmp_path: Path) -> None:
    block = sdc_block(crosstab())
    assert "secondary" not in json.dumps(block) and "SecondaryCheck" not in block["cells"]


def test_multiindex_rows_fold_into_one_index_column(tmp_path: Path) -> None:
    data = write(tmp_path, [mean_by_two_levels()])
    files = data["results"]["c2-1"]["files"]
    assert [f["name"] for f in files] == ["tables/c2-1.csv", "tables/c2-1.counts.csv"]
    rows = read_csv(tmp_path / "tables/c2-1.csv")
    assert rows[0] == ["Region / year", "F", "M"]
    assert rows[2] == ["North / 2021", "22000.0", "99000.0"]
    assert rows[3][2] == ""  # a missing value stays empty, never "None" or "nan"
    ((row, col),) = files[0]["sdc"]["cells"]["NKCheck"]
    assert rows[1 + row][1 + col] == "99000.0"
    counts = read_csv(tmp_path / "tables/c2-1.counts.csv")
    assert counts[1 + row][1 + col] == "12"  # the count behind the flagged mean


def test_outcome_names_the_failing_checks_per_cell(tmp_path: Path) -> None:
    entry = write(tmp_path, [crosstab()])["results"]["c1-1"]
    assert entry["outcome"] == {"F": {"North": "ok", "South": "ok"},
                                "M": {"North": "ok", "South": "MinimumThresholdCheck; "}}


def test_figures_are_listed_with_their_jpg_and_the_counts_behind_them(tmp_path: Path) -> None:
    figure = crosstab("f1-1")
    figure.update(kind="figure", statistic="histogram", label="Figure 1")
    data = write(tmp_path, [figure], figures={"f1-1": "figures/f1-1.jpg"})
    entry = data["results"]["f1-1"]
    assert entry["type"] == "histogram"
    assert [f["name"] for f in entry["files"]] == ["figures/f1-1.jpg", "tables/f1-1.csv"]
    assert entry["files"][0]["sdc"]["cells"]["MinimumThresholdCheck"] == [[1, 1]]


def test_models_are_regressions_with_their_dof(tmp_path: Path) -> None:
    model = crosstab("m1-1")
    model.update(kind="model", statistic="model", status="pass", checks={"dof": "pass"},
                 flags={}, summary={"nobs": 55, "df_resid": 52, "model": "OLS"})
    entry = write(tmp_path, [model])["results"]["m1-1"]
    assert entry["type"] == "regression" and entry["properties"]["dof"] == 52
    assert "MinimumDoFCheck: pass" in entry["summary"]


def test_an_exception_reason_is_carried(tmp_path: Path) -> None:
    record = crosstab()
    record["exception"] = "South/M is a published total (ONS table A01)."
    entry = write(tmp_path, [record])["results"]["c1-1"]
    assert entry["exception"] == record["exception"]


def test_config_json_uses_acro_key_names(tmp_path: Path) -> None:
    write(tmp_path, [crosstab()])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["safe_threshold"] == 10 and config["safe_nk_k"] == 0.9
    assert config["zeros_are_disclosive"] is True and config["suppress"] is False
    assert "results" not in config and "version" not in config  # never a second results file


def test_config_json_says_when_outputs_used_different_rules(tmp_path: Path) -> None:
    other = crosstab("c3-1")
    other["rules"] = dict(RULES, threshold=8)
    write(tmp_path, [crosstab(), other])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["safe_threshold"].startswith("varies")


def test_checksums_hold_the_bare_sha256_of_each_file(tmp_path: Path) -> None:
    write(tmp_path, [crosstab(), mean_by_two_levels()])
    names = write_checksums(tmp_path)
    assert "tables/c1-1.csv" in names and "results.json" in names
    for name in names:
        text = (tmp_path / "checksums" / f"{name}.txt").read_text()
        assert text == hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()  # no newline


@pytest.mark.parametrize(
    ("rule", "name"),
    [("threshold", "MinimumThresholdCheck"), ("zeros", "PresenceOfZeroCheck"),
     ("nk", "NKCheck"), ("p_percent", "PPercentCheck"), ("dof", "MinimumDoFCheck"),
     ("class_disclosure", "ClassDisclosureCheck"), ("some_new_rule", "SomeNewRuleCheck")],
)
def test_check_names(rule: str, name: str) -> None:
    assert check_name(rule) == name


def test_uids_become_safe_file_names() -> None:
    assert safe_name("a1/b2:c 3") == "a1_b2_c_3"
    assert safe_name("../x") == "_x"


@pytest.mark.acro
def test_layout_matches_what_acro_itself_writes(tmp_path: Path) -> None:
    """Run ACRO 1.0.2's own finalise() and compare the layout (runs in the ACRO environment)."""
    acro = pytest.importorskip("acro", reason="ACRO runs in the pandas-2 environment (make test)")
    import pandas as pd

    session = acro.ACRO(suppress=False)
    df = pd.DataFrame({"rgn": ["N"] * 15 + ["S"] * 3, "sex": ["F", "M"] * 9})
    session.crosstab(df.rgn, df.sex)
    session.finalise(str(tmp_path / "acro"), "json")
    theirs = json.loads((tmp_path / "acro" / "results.json").read_text())
    ours = write(tmp_path, [copy.deepcopy(crosstab())])
    assert ours["version"] == theirs["version"]
    their_entry = next(iter(theirs["results"].values()))
    our_entry = ours["results"]["c1-1"]
    assert set(their_entry) - {"fair"} <= set(our_entry)
    assert set(their_entry["files"][0]["sdc"]) == set(our_entry["files"][0]["sdc"])
    (cell,) = their_entry["files"][0]["sdc"]["cells"]["MinimumThresholdCheck"][:1]
    assert len(cell) == 2  # [row, col], as ours
    checksum = tmp_path / "acro" / "checksums" / f"{their_entry['files'][0]['name']}.txt"
    assert len(checksum.read_text()) == 64  # a bare sha256, as ours
    assert results_json.ACRO_LAYOUT_VERSION == theirs["version"]
