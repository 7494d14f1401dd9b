"""Issue 9, class 8, the capture half: auto mode, record uids from cell ids, ``--dataset``.

Brought over from tests9's test_8_wrong_or_unhelpful.py (the auto-mode and cell-id tests,
unchanged); the ``--dataset`` test checks the record the magic saves (the footnotes that cite
it are the export's, tested with the export).
"""

from __future__ import annotations

import pytest
from release_kit import DATASET_A, DATASET_B, write_project
from shell_kit import run

import jupyter_sdc as sdc

LFS, FRS = "Quarterly Labour Force Survey", "Family Resources Survey"


# -- auto mode records only what a cell displays -----------------------------------------------
def test_auto_mode_records_only_what_a_cell_displays(ip):
    run(ip, "%sdc_check on")
    ran = run(ip, "m = df.groupby('rgn')['income'].mean()")
    assert ran.records == [] and sdc.session().outputs == [], \
        "an assignment that displays nothing was recorded"
    shown = run(ip, "m")
    assert len(shown.records) == 1
    assert len(sdc.session().outputs) == 1


# -- record uids from cell ids -----------------------------------------------------------------
@pytest.mark.parametrize("first, second", [
    ("cell-10", "cell-100"),
    ("cell-100", "cell-1000"),
    ("1a2b3c4d-0000-4000-8000-000000000001", "1a2b3c4d-0000-4000-8000-000000000002"),
])
def test_cells_with_similar_ids_keep_their_own_records(ip, first, second):
    a = run(ip, "%%sdc_check\ndf.groupby('rgn').size()", cell_id=first)
    b = run(ip, "%%sdc_check\ndf.groupby('sex').size()", cell_id=second)
    [ra], [rb] = a.records, b.records
    assert ra["uid"] != rb["uid"]
    assert [o.uid for o in sdc.session().outputs] == [ra["uid"], rb["uid"]]


# -- the dataset an output comes from ----------------------------------------------------------
def test_the_magic_names_the_dataset_of_its_output(ip):
    ran = run(ip, f'%%sdc_check --label "Table 1" --title "People by region" '
                  f'--explain "Number of people in each region." --dataset "{FRS}"\n'
                  "df.groupby('rgn').size().rename('People')")
    [record] = ran.records
    assert record["dataset"] == FRS
    [output] = sdc.session().outputs
    assert output.dataset == FRS


def test_a_dataset_the_project_does_not_have_is_a_clear_error(ip, tmp_path):
    write_project(tmp_path, datasets=DATASET_A + DATASET_B)  # the shell's working folder
    ran = run(ip, '%%sdc_check --dataset "Labour Force Survey"\n'
                  "df.groupby('rgn').size()", ok=False)
    message = str(ran.result.error_in_exec)
    assert LFS in message and FRS in message and "use one of" in message
    assert ran.records == [] and sdc.session().outputs == []
    ran = run(ip, f'%%sdc_check --dataset "{FRS}"\ndf.groupby("rgn").size()')
    assert ran.records[0]["dataset"] == FRS


def test_a_wrapper_call_names_its_dataset(ip):
    ran = run(ip, f"sdc.crosstab(df.rgn, df.sex, dataset={LFS!r})")
    [record] = ran.records
    assert record["dataset"] == LFS
    session = sdc.Session()
    session.pivot_table(ip.user_ns["df"], values="income", index="rgn", dataset=FRS)
    assert session.outputs[0].dataset == FRS
