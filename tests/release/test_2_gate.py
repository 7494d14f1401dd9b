"""Issue 9, class 2: saved verdicts are trusted (DESIGN, "The gate (7)").

The exporter must judge every record again from the evidence saved in it. A record whose saved
verdict, flags or mitigation disagree with that re-judgement is refused by name ("edited or
stale: re-run the cell"); a project rule stricter than the one a record was judged under
re-judges it and says why ("judged with threshold 5; the project requires 10"). Every case
below exported with exit 0 before the fix.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest
from release_kit import (
    balanced,
    cli,
    notebook_of,
    people,
    saved,
    snapshot,
    write_project,
)
from sdc_folders import requests_in

import jupyter_sdc as sdc

EXPLAIN = "Annual earnings in each region of the survey, for the checkers."


def as_passing(record: dict) -> dict:
    """The edit of the issue: a failing record's status, checks, flags and reasons set to pass."""
    record = copy.deepcopy(record)
    record["status"] = "pass"
    record["checks"] = {rule: "pass" for rule in record["checks"]}
    record["flags"] = {rule: [[False] * len(row) for row in grid]
                       for rule, grid in record["flags"].items()}
    record["reasons"] = []
    return record


def highest_earnings() -> dict:
    """A real failing record: the maximum earnings by region, each held by one person."""
    session = sdc.Session()
    session.pivot_table(people(), values="income", index="rgn", aggfunc="max",
                        label="Table 5", title="Highest earnings by region", explanation=EXPLAIN)
    [output] = session.outputs
    assert output.status == "fail" and output.checks["min_max"] == "fail"
    return saved(output)


def people_by_region(session: sdc.Session, frame: pd.DataFrame, **fields) -> dict:
    session.crosstab(frame.rgn, frame.sex, label="Table 2", title="People by region and sex",
                     explanation="Number of people in the survey by region and sex.", **fields)
    return saved(session.outputs[-1])


def refused(project, notebook) -> str:
    before = snapshot(project)
    done = cli("export", notebook.name, cwd=project)
    text = done.stdout + done.stderr
    assert done.returncode == 1, f"exit {done.returncode}, expected 1 (refused):\n{text}"
    assert snapshot(project) == before, "a refused export wrote something"
    assert "Traceback" not in text
    return text


def edited_or_stale(text: str, label: str) -> None:
    assert label in text, text
    assert re.search(r"edited or stale", text, re.IGNORECASE), text
    assert re.search(r"re-run the cell", text, re.IGNORECASE), text


def test_a_failing_maximum_edited_to_pass_is_refused_by_name(tmp_path):
    project = write_project(tmp_path / "p")
    path = notebook_of(project / "a.ipynb", [as_passing(highest_earnings())])
    edited_or_stale(refused(project, path), "Table 5")


def test_flags_edited_to_hide_the_failing_cell_of_an_excepted_output_are_refused(tmp_path):
    """An exception was asked for, and the flags edited so the checkers see no failing cell."""
    project = write_project(tmp_path / "p")
    record = highest_earnings()
    record["exception"] = "The maxima are published in the ONS annual earnings bulletin."
    record["flags"] = {rule: [[False] * len(row) for row in grid]
                       for rule, grid in record["flags"].items()}
    path = notebook_of(project / "a.ipynb", [record])
    edited_or_stale(refused(project, path), "Table 5")


def test_edited_counts_are_refused(tmp_path):
    """A passing mean table whose saved counts were edited: one cell now holds 4 people."""
    project = write_project(tmp_path / "p")
    session = sdc.Session()
    session.pivot_table(balanced(), values="income", index="rgn", columns="sex",
                        aggfunc="mean", label="Table 3", title="Mean earnings by region and sex",
                        explanation="Mean annual earnings by region and sex.")
    record = saved(session.outputs[-1])
    assert record["status"] == "pass"
    record["counts"][0][0] = 4
    path = notebook_of(project / "a.ipynb", [record])
    edited_or_stale(refused(project, path), "Table 3")


def test_an_edited_suppression_mask_is_refused(tmp_path):
    """The suppressed South x M cell put back (4 people) in the saved table and mask."""
    project = write_project(tmp_path / "p")
    record = people_by_region(sdc.Session(), people(), suppress=True)
    mask = record["flags"]["suppressed"]
    row, col = next((r, c) for r, line in enumerate(mask) for c, hidden in enumerate(line)
                    if hidden)
    mask[row][col] = False
    record["table"]["data"][row][col] = record["counts"][row][col]
    path = notebook_of(project / "a.ipynb", [record])
    edited_or_stale(refused(project, path), "Table 2")


def test_an_edited_rule_value_is_re_judged_under_the_project_rules(tmp_path):
    """rules.threshold edited to 3 (and the verdict with it): the project requires 10."""
    project = write_project(tmp_path / "p", rules="threshold = 10")
    record = as_passing(people_by_region(sdc.Session(), people()))
    record["rules"]["threshold"] = 3
    path = notebook_of(project / "a.ipynb", [record])
    text = refused(project, path)
    assert "Table 2" in text
    assert re.search(r"judged with threshold 3", text), text
    assert re.search(r"requires 10", text), text


def test_an_edited_model_df_resid_is_refused(tmp_path):
    """A model with 5 residual degrees of freedom (fails dof), df_resid edited to 60."""
    project = write_project(tmp_path / "p")
    rng = np.random.default_rng(4)
    small = pd.DataFrame({"age": rng.integers(20, 60, 8), "hours": rng.normal(35, 5, 8)})
    small["income"] = 500 * small.age + rng.normal(0, 1000, 8)
    session = sdc.Session()
    session.olsr("income ~ age + hours", data=small, label="Model 1",
                 title="Earnings on age and hours",
                 explanation="Ordinary least squares of annual earnings on age and hours.")
    record = saved(session.outputs[-1])
    assert record["status"] == "fail" and record["checks"]["dof"] == "fail"
    record = as_passing(record)
    record["summary"]["df_resid"] = 60
    path = notebook_of(project / "a.ipynb", [record])
    edited_or_stale(refused(project, path), "Model 1")


@pytest.mark.parametrize("on_problems", ["refuse", "warn"])
def test_a_stricter_sdc_toml_after_the_run_re_judges_and_says_why(tmp_path, on_problems):
    """Judged with threshold 5 (a cell of 7 passes); the project now requires 10."""
    frame = balanced()
    frame = pd.concat([frame[~((frame.rgn == "South") & (frame.sex == "M"))],
                       frame[(frame.rgn == "South") & (frame.sex == "M")].head(7)])
    session = sdc.Session(threshold=5)
    record = people_by_region(session, frame)
    assert record["status"] == "pass"
    # another output that passes either way, so a warn-mode export has something to write
    session.crosstab(balanced().rgn, balanced().sex, label="Table 3", title="Everybody",
                     explanation="Everybody in the survey by region and sex.")
    other = saved(session.outputs[-1])
    project = write_project(tmp_path / "p", rules="threshold = 10", on_problems=on_problems)
    path = notebook_of(project / "a.ipynb", [record, other])
    if on_problems == "refuse":
        text = refused(project, path)
    else:  # written without the output, and the reason given
        done = cli("export", path.name, cwd=project)
        text = done.stdout + done.stderr
        assert done.returncode == 0, text
        [folder] = requests_in(project / "SDC")
        assert record["uid"] not in (folder / "results.json").read_text()
    assert "Table 2" in text
    assert re.search(r"judged with threshold 5", text), text
    assert re.search(r"requires 10", text), text
    assert not re.search(r"\bverified\b", text, re.IGNORECASE)  # consistency, not authenticity


def test_a_weighted_table_is_not_taken_for_an_edited_one(tmp_path):
    # weighted estimates differ from the unweighted counts beside them by design
    frame = balanced()
    frame["w"] = 1.5
    session = sdc.Session()
    session.crosstab(frame.rgn, frame.sex, weights=frame.w, label="Table 2",
                     title="People by region and sex (weighted)",
                     explanation="Weighted number of people by region and sex.")
    record = saved(session.outputs[-1])
    project = write_project(tmp_path / "p")
    notebook_of(project / "a.ipynb", [record])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
