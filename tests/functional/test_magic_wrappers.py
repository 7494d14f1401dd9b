"""``sdc.*`` calls in IPython: each output shown once under the cell that made it, with the
options of a ``%%sdc_check`` cell around it; re-runs replace; auto mode too."""

from __future__ import annotations

from magic_shell import run

import jupyter_sdc

CROSSTAB = "sdc.crosstab(df.rgn, df.sex)"


def outputs():
    return jupyter_sdc.session().outputs


def setup(ip) -> None:
    run(ip, "import jupyter_sdc as sdc")


def test_several_outputs_of_a_checked_cell_take_lettered_labels(ip):
    setup(ip)
    ran = run(ip, '%%sdc_check --label "Table 4" --title "Region by sex"\n'
                  f"{CROSSTAB}\nsdc.crosstab(df.sex, df.rgn)\ndf.groupby('rgn').size()")
    assert [r["label"] for r in ran.records] == ["Table 4a", "Table 4b", "Table 4c"]
    assert [o.label for o in outputs()] == ["Table 4a", "Table 4b", "Table 4c"]
    assert {r["title"] for r in ran.records} == {"Region by sex"}
    again = run(ip, '%%sdc_check --label "Table 4" --title "Region by sex"\n'
                    f"{CROSSTAB}\nsdc.crosstab(df.sex, df.rgn)\ndf.groupby('rgn').size()")
    assert [r["uid"] for r in again.records] == [r["uid"] for r in ran.records]
    assert len(outputs()) == 3


def test_a_calls_own_label_wins_over_the_cells(ip):
    setup(ip)
    ran = run(ip, '%%sdc_check --label "Table 4" --explain "People by region and sex."\n'
                  "sdc.crosstab(df.rgn, df.sex, label='Table 7')\ndf.groupby('rgn').size()")
    assert [r["label"] for r in ran.records] == ["Table 7", "Table 4"]
    assert {r["explanation"] for r in ran.records} == {"People by region and sex."}


def test_the_cells_mitigation_unit_and_dataset_apply_to_a_wrapper_call(ip):
    setup(ip)
    ran = run(ip, '%%sdc_check --suppress --dataset "Quarterly Labour Force Survey"\n'
                  f"{CROSSTAB}")
    [record] = ran.records
    assert record["mitigation"]["suppressed"] is True
    assert record["dataset"] == "Quarterly Labour Force Survey"
    ip.user_ns["twice"] = __import__("pandas").concat([ip.user_ns["df"]] * 2)
    ran = run(ip, "%%sdc_check --unit person_id\n"
                  "sdc.pivot_table(twice, values='income', index='rgn', aggfunc='mean')")
    [record] = ran.records
    assert [row[0] for row in record["counts"]] == [120, 120, 60]  # people, not rows


def test_the_cells_rounding_and_profile_apply_to_a_wrapper_call(ip):
    setup(ip)
    [record] = run(ip, f"%%sdc_check --round 5\n{CROSSTAB}").records
    assert record["mitigation"]["round_base"] == 5
    assert all(v % 5 == 0 for row in record["table"]["data"] for v in row)
    [record] = run(ip, f"%%sdc_check --profile opensafely\n{CROSSTAB}").records
    assert record["rules"]["profile"] == "opensafely"
    [record] = run(ip, CROSSTAB).records  # a plain cell again: the session's own rules
    assert record["rules"]["profile"] == "acro-default" and not record["mitigation"]["round_base"]


def test_a_histogram_and_a_model_made_by_wrappers_are_recorded_once(ip):
    setup(ip)
    ran = run(ip, "%%sdc_check\nsdc.hist(df, 'hours', bins=range(0, 80, 10))")
    assert len(ran.records) == 1 and ran.records[0]["kind"] == "figure"
    ran = run(ip, "%%sdc_check\nres = sdc.olsr('income ~ age', data=df)\nres.summary()")
    assert len(ran.records) == 1 and ran.records[0]["kind"] == "model"
    ran = run(ip, "%%sdc_check\nres = sdc.olsr('income ~ age', data=df)\nres.params")
    assert len(ran.records) == 1
    assert len(outputs()) == 3


def test_rerunning_a_wrapper_cell_replaces_its_record_in_place(ip):
    setup(ip)
    first = run(ip, CROSSTAB, cell_id="cell-a")
    run(ip, "sdc.crosstab(df.sex, df.rgn)", cell_id="cell-b")
    again = run(ip, CROSSTAB, cell_id="cell-a")
    assert first.records[0]["uid"] == again.records[0]["uid"] == outputs()[0].uid
    assert len(outputs()) == 2
    run(ip, "x = 1", cell_id="cell-a")  # the cell no longer makes an output
    assert [o.source["call"] for o in outputs()] == ["crosstab"] and len(outputs()) == 1


def test_a_sessions_own_methods_show_their_records_too(ip):
    setup(ip)
    ran = run(ip, "mine = sdc.Session(threshold=3)\nmine.crosstab(df.rgn, df.sex)\n"
                  f"{CROSSTAB}")
    assert len(ran.records) == 2
    assert ran.records[0]["uid"] != ran.records[1]["uid"]
    assert ran.records[0]["status"] == "pass" and ran.records[1]["status"] == "fail"


def test_an_edit_after_the_cell_updates_the_shown_record(ip):
    setup(ip)
    ran = run(ip, CROSSTAB)
    uid = ran.records[0]["uid"]
    edit = run(ip, f"sdc.session().update({uid!r}, title='People by region and sex')")
    [updated] = edit.records  # the bundle under the first cell, updated in place
    assert updated["title"] == "People by region and sex"
    assert edit.display_ids == ran.display_ids


def test_wrapper_calls_in_auto_mode_are_shown_once(ip):
    setup(ip)
    run(ip, "%sdc_check on")
    ran = run(ip, f"t = {CROSSTAB}\nt")
    run(ip, "%sdc_check off")
    assert len(ran.records) == 1 and len(outputs()) == 1


def test_a_cell_that_raises_keeps_the_records_its_calls_made(ip):
    setup(ip)
    ran = run(ip, f"{CROSSTAB}\nraise ValueError('later')", ok=False)
    assert len(ran.records) == 1 and len(outputs()) == 1  # the notebook holds what the
    # session holds, so the export of either has the same outputs


def test_without_the_extension_nothing_is_shown(ip):
    setup(ip)
    run(ip, "%unload_ext jupyter_sdc")
    try:
        ran = run(ip, CROSSTAB)
        assert ran.records == [] and len(outputs()) == 1  # registered, not displayed
    finally:
        run(ip, "%load_ext jupyter_sdc")
