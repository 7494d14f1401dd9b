"""Issue 9, class 5: code leaks into results.json.

results.json's ``command`` field held the cell's code verbatim: an absolute data path, the home
folder's name and the data file's name left the TRE, even with ``include_code = false``. No
released file may hold them (DESIGN: "No user or home name" outside the researcher's fields).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from release_kit import (
    cli,
    notebook_of,
    people,
    saved,
    text_files,
    write_notebook,
    write_project,
)
from sdc_folders import requests_in
from shell_kit import run

import jupyter_sdc as sdc


@pytest.mark.parametrize("how", ["%%sdc_check", "sdc.crosstab"])
def test_no_path_home_or_data_file_name_in_any_released_file(ip, tmp_path, how):
    extracts = tmp_path / "tre_extracts"
    extracts.mkdir()
    data = extracts / "lfs_person_level_2024.csv"
    people().to_csv(data, index=False)
    home_copy = Path.home() / "tre_extracts" / "lfs_person_level_2024.csv"
    body = (f"# a copy is kept in {home_copy}\n"
            f"raw = pd.read_csv(r'{data}')\n")
    if how == "%%sdc_check":
        code = ('%%sdc_check --label "Table 1" --title "People by region" '
                '--explain "Number of people in each region of the survey."\n'
                + body + "raw.groupby('rgn').size().rename('People')")
    else:
        code = body + ("sdc.pivot_table(raw, values='income', index='rgn', aggfunc='mean', "
                       "label='Table 1', title='Mean earnings by region', "
                       "explanation='Mean annual earnings of the people in each region.')")
    ran = run(ip, code)
    project = write_project(tmp_path / "project", include_code=False, on_problems="warn")
    if how == "%%sdc_check":
        assert ran.records
        write_notebook(project / "analysis.ipynb", [ran.cell])
    else:  # the session's record, as the cell saves it once wrappers display (class 3)
        [output] = sdc.session().outputs
        notebook_of(project / "analysis.ipynb", [saved(output)], code=code)
    done = cli("export", "analysis.ipynb", cwd=project)
    assert done.returncode in (0, 1), done.stderr  # exit codes: class 8
    [folder] = requests_in(project / "SDC")
    leaks = {
        "the data folder's absolute path": str(extracts),
        "the home folder": str(Path.home()) + "/",
        "the data file's name": "lfs_person_level_2024",
        "the folder name of the extracts": "tre_extracts",
        "the project's absolute path": str(tmp_path),
    }
    found = [f"{name}: {what}" for name, text in text_files(folder).items()
             for what, secret in leaks.items() if secret in text]
    assert not found, "left the TRE:\n" + "\n".join(found)
    assert not (folder / "code").exists()  # include_code = false
