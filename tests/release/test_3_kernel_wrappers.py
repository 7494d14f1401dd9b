"""Issue 9, class 3 in a real kernel: wrapper outputs are saved in the .ipynb and exported.

One notebook, executed once for the module (nbclient), written the way a researcher writes
it: ``%load_ext jupyter_sdc``, then ``sdc.*`` calls, one of them inside ``%%sdc_check`` with
its options, one of them failing.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from release_kit import MIME, cli, outputs_of, write_project
from sdc_folders import requests_in

nbclient = pytest.importorskip("nbclient")
pytestmark = pytest.mark.kernel

SETUP = """\
import numpy as np
import pandas as pd
import jupyter_sdc as sdc
%load_ext jupyter_sdc
rng = np.random.default_rng(7)
df = pd.DataFrame({
    "rgn": np.repeat(["North", "South", "East"], 80),
    "sex": np.tile(np.repeat(["F", "M"], 40), 3),
    "age": rng.integers(18, 80, 240),
    "hours": rng.normal(35, 5, 240).round(1),
    "income": rng.gamma(2.0, 15000, 240).round(2),
})"""

CELLS = {
    "Table 1": "sdc.crosstab(df.rgn, df.sex, label='Table 1', title='People by region and sex', "
               "explanation='Number of people in the survey by region and sex.')",
    "Table 2": '%%sdc_check --label "Table 2" --title "Mean weekly hours by region" '
               '--explain "Mean usual weekly hours of the people in each region."\n'
               "sdc.pivot_table(df, values='hours', index='rgn', aggfunc='mean')",
    "Model 1": "sdc.olsr('hours ~ age', data=df, label='Model 1', title='Hours on age', "
               "explanation='Ordinary least squares of weekly hours on age in years.')",
    "Table 3": "sdc.pivot_table(df, values='income', index='rgn', aggfunc='max', "
               "label='Table 3', title='Highest earnings by region', "
               "explanation='The largest annual earnings in each region.')",
}


def records(cell) -> list[dict]:
    return [o["data"][MIME] for o in cell.get("outputs", []) if MIME in o.get("data", {})]


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> tuple[Path, nbformat.NotebookNode]:
    folder = tmp_path_factory.mktemp("kernel-project")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(SETUP)]
    nb.cells += [nbformat.v4.new_code_cell(code) for code in CELLS.values()]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    return folder, nb


def test_each_wrapper_cell_saves_one_record_with_a_badge(executed):
    _, nb = executed
    for cell, label in zip(nb.cells[1:], CELLS, strict=True):
        found = records(cell)
        assert len(found) == 1, f"{label}: {len(found)} records saved in the cell"
        badges = [o for o in cell.outputs if MIME in o.get("data", {})]
        assert "text/html" in badges[0]["data"], label


def test_the_magic_options_are_on_the_wrapper_record(executed):
    _, nb = executed
    found = records(nb.cells[2])
    assert len(found) == 1, f"{len(found)} records saved in the checked cell"
    [record] = found
    assert record["label"] == "Table 2"
    assert record["title"] == "Mean weekly hours by region"
    assert record["explanation"] == "Mean usual weekly hours of the people in each region."


@pytest.mark.parametrize("on_problems", ["warn", "refuse"])
def test_the_saved_notebook_exports_every_wrapper_output(executed, tmp_path, on_problems):
    _, nb = executed
    project = write_project(tmp_path / "p", on_problems=on_problems)
    nbformat.write(nb, project / "analysis.ipynb")
    done = cli("export", "analysis.ipynb", cwd=project)
    text = done.stdout + done.stderr
    assert "Table 3" in text, text  # the failing one is named, not dropped without a word
    if on_problems == "refuse":
        assert done.returncode == 1, text
        return
    assert done.returncode == 0, text
    [folder] = requests_in(project / "SDC")
    labels = {e["properties"]["label"] for e in outputs_of(folder).values()}
    assert labels == {"Table 1", "Table 2", "Model 1"}
