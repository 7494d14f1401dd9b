"""Issue 9, class 8 (Build 6): declared structural zeros pass the threshold and class
disclosure, and their reasons are printed under the table for the checker."""

from __future__ import annotations

import pandas as pd
import pytest
from release_kit import (
    cli,
    docx_text,
    notebook_of,
    only_request,
    saved,
    write_project,
)

import jupyter_sdc as sdc

LFS, FRS = "Quarterly Labour Force Survey", "Family Resources Survey"


# -- structural zeros --------------------------------------------------------------------------
def pregnancy() -> pd.DataFrame:
    rows = [("F", "yes")] * 15 + [("F", "no")] * 40 + [("M", "no")] * 50
    return pd.DataFrame(rows, columns=["sex", "pregnant"])


REASON = "Men cannot be pregnant in this survey."
DECLARED = {
    "dict with reasons": dict(structural_zeros={("M", "yes"): REASON}),
    "list plus structural_reason": dict(structural_zeros=[("M", "yes")],
                                        structural_reason=REASON),
}


@pytest.mark.parametrize("form", list(DECLARED))
def test_declared_structural_zeros_pass_threshold_and_class_disclosure(form):
    df = pregnancy()
    session = sdc.Session()
    session.crosstab(df.sex, df.pregnant, **DECLARED[form])
    [output] = session.outputs
    assert output.checks["threshold"] == "pass", output.reasons
    assert output.checks.get("class_disclosure", "pass") == "pass", output.reasons
    assert output.status == "pass", output.reasons


def test_the_structural_reason_is_printed_under_the_table(tmp_path):
    df = pregnancy()
    session = sdc.Session()
    session.crosstab(df.sex, df.pregnant, label="Table 1", title="People by sex and pregnancy",
                     explanation="Number of people by sex and whether they are pregnant.",
                     **DECLARED["dict with reasons"])
    project = write_project(tmp_path / "p")
    notebook_of(project / "a.ipynb", [saved(session.outputs[0])])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    text = "\n".join(docx_text(only_request(project / "SDC") / "outputs.docx"))
    assert REASON in text


