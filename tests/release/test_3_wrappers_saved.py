"""Issue 9, class 3: ``sdc.*`` wrapper outputs vanish from notebook exports.

In IPython (after ``%load_ext jupyter_sdc``) a wrapper call must show the same badge and save
the same record in the cell's outputs as the magic, so that ``jupyter sdc export NB.ipynb``
includes it; ``%%sdc_check --label/--title/--explain`` around a wrapper call applies to it.
(The same in a real kernel: test_3_kernel_wrappers.py.)
"""

from __future__ import annotations

import pytest
from release_kit import cli, outputs_of, write_notebook, write_project
from sdc_folders import requests_in
from shell_kit import run

import jupyter_sdc as sdc

CALLS = {
    "crosstab": "sdc.crosstab(df.rgn, df.sex)",
    "pivot_table": "sdc.pivot_table(df, values='income', index='rgn', aggfunc='mean')",
    "describe": "sdc.describe(df[['income', 'hours']])",
    "hist": "sdc.hist(df, 'hours', bins=range(0, 80, 10))",
    "olsr": "sdc.olsr('income ~ age + hours', data=df)",
    "logitr": "sdc.logitr('high ~ age + hours', data=df.assign(high=(df.income > 30000)"
              ".astype(int)))",
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_wrapper_call_shows_a_badge_and_saves_its_record(ip, name):
    ran = run(ip, CALLS[name])
    [output] = sdc.session().outputs  # registered, as before the fix
    assert len(ran.records) == 1, f"sdc.{name} displayed {len(ran.records)} records"
    [shown] = [b for b in ran.bundles if sdc.MIME_TYPE in b]
    assert shown[sdc.MIME_TYPE]["uid"] == output.uid
    assert shown[sdc.MIME_TYPE]["status"] == output.status
    assert "text/html" in shown and output.status.upper() in shown["text/html"].upper()


def test_magic_options_apply_to_a_wrapper_call_in_a_checked_cell(ip):
    ran = run(ip, '%%sdc_check --label "Table 9" --title "People by region and sex" '
                  '--explain "Number of people in the survey by region and sex."\n'
                  "sdc.crosstab(df.rgn, df.sex)")
    [output] = sdc.session().outputs
    assert (output.label, output.title) == ("Table 9", "People by region and sex")
    assert output.explanation == "Number of people in the survey by region and sex."
    [record] = ran.records  # one badge: not one from the wrapper and one from the magic
    assert (record["label"], record["title"]) == ("Table 9", "People by region and sex")


def test_wrapper_outputs_saved_in_the_notebook_are_exported_failing_ones_named(ip, tmp_path):
    cells = [
        run(ip, "sdc.pivot_table(df, values='hours', index='rgn', aggfunc='mean', "
                "label='Table 1', title='Mean weekly hours by region', "
                "explanation='Mean usual weekly hours of the people in each region.')"),
        run(ip, "sdc.olsr('income ~ age + hours', data=df, label='Model 1', "
                "title='Earnings on age and hours', "
                "explanation='Ordinary least squares of annual earnings on age and hours.')"),
        run(ip, "sdc.pivot_table(df, values='income', index='rgn', aggfunc='max', "
                "label='Table 2', title='Highest earnings by region', "
                "explanation='The largest annual earnings in each region.')"),
    ]
    assert [o.status for o in sdc.session().outputs] == ["pass", "pass", "fail"]
    warn = write_project(tmp_path / "warn", on_problems="warn")
    write_notebook(warn / "analysis.ipynb", [c.cell for c in cells])
    done = cli("export", "analysis.ipynb", cwd=warn)
    assert done.returncode == 0, done.stdout + done.stderr
    [folder] = requests_in(warn / "SDC")
    labels = {e["properties"]["label"] for e in outputs_of(folder).values()}
    assert labels == {"Table 1", "Model 1"}
    assert "Table 2" in done.stdout + done.stderr  # left out, and said so
    refuse = write_project(tmp_path / "refuse")
    write_notebook(refuse / "analysis.ipynb", [c.cell for c in cells])
    done = cli("export", "analysis.ipynb", cwd=refuse)
    assert done.returncode == 1
    assert "Table 2" in done.stderr and "min_max" in done.stderr
