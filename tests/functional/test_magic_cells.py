"""The checked cell's life: reshaping, re-runs, errors, auto mode, %config, the display bundle."""

from __future__ import annotations

import pandas as pd
from magic_shell import run

import jupyter_sdc
from jupyter_sdc.capture.capturing import is_patch
from jupyter_sdc.core.record import MIME_TYPE


def outputs():
    return jupyter_sdc.session().outputs


# -- reshaping keeps counts aligned ----------------------------------------------------------
def test_unstack_round_and_rename_keep_counts_aligned(ip):
    run(ip, "%%sdc_check\n"
            "df.groupby(['rgn', 'sex'])['income'].mean().unstack().round(0)"
            ".rename(columns={'F': 'Women', 'M': 'Men'})")
    [out] = outputs()
    assert list(out.table.columns) == ["Women", "Men"]
    assert int(out.counts.loc["South", "Men"]) == 4
    assert bool(out.flags["threshold"].loc["South", "Men"])
    assert not out.flags["threshold"].loc["North", "Women"]


def test_sort_values_and_column_selection_follow_labels(ip):
    run(ip, "%%sdc_check\n"
            "t = df.groupby('rgn').agg(n=('income', 'size'), inc=('income', 'mean'))\n"
            "df.groupby('rgn')[['income', 'hours']].mean().sort_values('income')[['hours']]")
    shown = [o for o in outputs() if o.source.get("name") != "t"][0]
    assert list(shown.table.columns) == ["hours"]
    assert shown.counts["hours"].to_dict() == {"East": 120, "North": 120, "South": 60}
    order = list(ip.user_ns["df"].groupby("rgn")["income"].mean().sort_values().index)
    assert list(shown.table.index) == order


def test_reset_index_keeps_the_aggregate_layout(ip):
    run(ip, "%%sdc_check\ndf.groupby(['rgn', 'sex']).size().reset_index(name='n')")
    [out] = outputs()
    assert out.status == "fail"
    assert out.counts.to_numpy().ravel().tolist() == [60, 60, 60, 60, 56, 4]


def test_rename_in_place_is_followed(ip):
    run(ip, "%%sdc_check\nt = df.groupby('rgn')['income'].mean().to_frame()\n"
            "t.columns = ['Mean income']\nt")
    [out] = outputs()
    assert list(out.table.columns) == ["Mean income"]
    assert out.counts["Mean income"].tolist() == [120, 120, 60]


def test_arithmetic_between_two_tables_is_review(ip):
    run(ip, "%%sdc_check\na = df.groupby('rgn')['income'].mean()\n"
            "b = df.groupby('rgn')['hours'].mean()\na.div(b)")
    shown = [o for o in outputs() if o.source.get("name") not in ("a", "b")]
    assert shown[0].status == "review"


# -- re-runs and errors ----------------------------------------------------------------------
def test_rerunning_a_cell_replaces_its_records(ip):
    cell = "%%sdc_check --label 'Table 1'\npd.crosstab(df.rgn, df.sex)"
    first = run(ip, cell)
    second = run(ip, cell)
    assert len(outputs()) == 1
    assert first.records[0]["uid"] == second.records[0]["uid"]


def test_a_cell_id_from_the_frontend_files_records_under_it(ip):
    first = run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)", cell_id="cell-abcdef12")
    edited = run(ip, "%%sdc_check\ndf.groupby('rgn').size()", cell_id="cell-abcdef12")
    assert [o.source["call"] for o in outputs()] == ["groupby.size"]
    assert first.records[0]["uid"] == edited.records[0]["uid"]  # the same cell, re-run
    other = run(ip, "%%sdc_check\ndf.groupby('rgn').size()", cell_id="cell-abcdef123")
    assert other.records[0]["uid"] != edited.records[0]["uid"]
    assert len(outputs()) == 2


def test_a_failing_cell_shows_its_error_and_records_nothing(ip):
    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")
    key_cell = "%%sdc_check\nt = df.groupby('rgn').size()\nraise ValueError('boom')"
    ran = run(ip, key_cell, ok=False)
    assert isinstance(ran.result.error_in_exec, ValueError)
    assert ran.records == []
    assert [o.source["call"] for o in outputs()] == ["crosstab"]
    # no patch is left behind
    assert not is_patch(pd.DataFrame.groupby) and not is_patch(pd.crosstab)
    assert not is_patch(pd.Series.mean)


def test_patches_exist_only_inside_checked_cells(ip):
    before = pd.DataFrame.__dict__["groupby"]
    run(ip, "%%sdc_check\nseen = pd.DataFrame.groupby\nx = 1")
    assert is_patch(ip.user_ns["seen"])
    assert pd.DataFrame.__dict__["groupby"] is before
    run(ip, "t = df.groupby('rgn').size()")  # an unchecked cell records nothing
    assert outputs() == []


def test_syntax_error_and_bad_options_are_clear(ip):
    ran = run(ip, "%%sdc_check\ndf.groupby(", ok=False)
    assert isinstance(ran.result.error_in_exec, SyntaxError)
    ran = run(ip, "%%sdc_check --round 0\n1", ok=False)
    assert "--round" in str(ran.result.error_in_exec)
    ran = run(ip, "%%sdc_check --profile nope\n1", ok=False)
    assert "acro-default" in str(ran.result.error_in_exec)
    ran = run(ip, "%sdc_check maybe", ok=False)
    assert "on" in str(ran.result.error_in_exec)


# -- auto mode ------------------------------------------------------------------------------
def test_auto_mode_checks_every_cell_until_switched_off(ip):
    run(ip, "%sdc_check on")
    ran = run(ip, "df.groupby('rgn')['income'].mean()")
    assert len(ran.records) == 1
    run(ip, "t = pd.crosstab(df.rgn, df.sex)")  # shows nothing: not recorded (issue 9)
    run(ip, "t")  # shown later: recorded with the lineage it was made with
    bad = run(ip, "u = df.groupby('sex').size()\nu\n1/0", ok=False)
    assert bad.records == []
    run(ip, "%sdc_check off")
    run(ip, "df.groupby('sex').size()")
    assert [o.source["call"] for o in outputs()] == ["groupby.mean", "crosstab"]
    assert not is_patch(pd.DataFrame.groupby)


def test_auto_mode_rerun_replaces(ip):
    run(ip, "%sdc_check on")
    run(ip, "df.groupby('rgn')['income'].mean()")
    run(ip, "df.groupby('rgn')['income'].mean()")
    run(ip, "%sdc_check off")
    assert len(outputs()) == 1


# -- configuration and status ----------------------------------------------------------------
def test_config_threshold_changes_the_verdict_at_the_boundary(ip):
    run(ip, "%config SDC.threshold = 4")
    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")
    assert "threshold" not in [r for r, s in outputs()[0].checks.items() if s == "fail"]
    run(ip, "%config SDC.threshold = 5")
    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")
    assert outputs()[0].checks["threshold"] == "fail"  # 4 < 5
    assert jupyter_sdc.session().rules.threshold == 5


def test_config_rejects_a_bad_value_and_keeps_the_old_one(ip):
    ran = run(ip, "%config SDC.nk_k = 3.0")
    assert "SDC.nk_k: rule value nk_k=3.0 is invalid" in ran.stderr
    assert jupyter_sdc.session().rules.nk_k == 0.9
    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")  # later cells still work
    assert len(outputs()) == 1


def test_status_prints_a_summary(ip):
    run(ip, "%%sdc_check --label 'Table 1'\npd.crosstab(df.rgn, df.sex)")
    ran = run(ip, "%sdc_status")
    assert "1 outputs: 0 pass, 0 review, 1 fail" in ran.stdout
    assert "threshold 10" in ran.stdout and "Automatic checking is off" in ran.stdout
    assert "Table 1" in ran.stdout


# -- the display bundle ----------------------------------------------------------------------
def test_one_bundle_per_record_after_the_result(ip):
    ran = run(ip, "%%sdc_check --label 'Table 2' --title 'People'\n"
                  "a = df.groupby('rgn').size()\npd.crosstab(df.rgn, df.sex)")
    assert len(ran.bundles) == 2
    for bundle, display_id in zip(ran.bundles, ran.display_ids, strict=True):
        assert set(bundle) == {"text/html", "text/plain", MIME_TYPE}
        assert display_id.startswith(f"sdc-{bundle[MIME_TYPE]['uid']}-")
        assert "jupyter-sdc-badge" in bundle["text/html"]
    assert ran.records[0]["label"] == "Table 2a" and ran.records[0]["title"] == "People"
    assert "Out[" in ran.stdout  # the original result is displayed as usual


def test_an_edit_updates_the_shown_bundle_in_place(ip):
    from IPython.utils.capture import capture_output

    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")
    uid = outputs()[0].uid
    with capture_output() as cap:
        jupyter_sdc.session().update(uid, label="Table 9")
    [update] = [o for o in cap.outputs if MIME_TYPE in o.data]
    assert update.update and update.transient["display_id"].startswith(f"sdc-{uid}-")
    assert update.data[MIME_TYPE]["label"] == "Table 9"


def test_unstacked_counts_are_judged_like_the_crosstab_wrapper(ip):
    run(ip, "%%sdc_check\ndf.groupby(['rgn', 'sex']).size().unstack()")
    run(ip, "%%sdc_check\ndf.groupby(['rgn', 'sex'])['income'].mean().unstack('sex')")
    captured, captured_mean = outputs()
    reference = jupyter_sdc.Session()
    people_ = ip.user_ns["df"]
    reference.crosstab(people_.rgn, people_.sex)
    reference.pivot_table(people_, values="income", index="rgn", columns="sex", aggfunc="mean")
    for got, ref in zip((captured, captured_mean), reference.outputs, strict=True):
        assert got.counts.to_numpy().tolist() == ref.counts.to_numpy().tolist()
        assert {k: str(v) for k, v in got.checks.items()} == {
            k: str(v) for k, v in ref.checks.items()}
        assert set(got.flags) == set(ref.flags)


def test_an_assigned_table_shown_reshaped_is_one_output(ip):
    run(ip, "%%sdc_check --label 'Table 2'\n"
            "earnings = df.groupby(['rgn', 'sex'])['income'].mean().unstack()\n"
            "earnings.round(0)")
    [out] = outputs()
    assert out.label == "Table 2" and out.source.get("name") == "earnings"
    assert out.table.shape == (3, 2)


def test_loc_and_iloc_selections_of_an_aggregate(ip):
    run(ip, "%%sdc_check\nt = pd.crosstab(df.rgn, df.sex)\nt.loc[['South', 'North']]")
    run(ip, "%%sdc_check\nu = df.groupby('rgn')['income'].mean()\nu.iloc[:2]")
    shown = outputs()  # t and u are recorded in the form the cell shows
    assert [list(o.table.index) for o in shown] == [["South", "North"], ["East", "North"]]
    assert shown[0].counts.to_numpy().tolist() == [[56, 4], [60, 60]]
    assert shown[0].status == "fail" and shown[1].status == "pass"


def test_profile_from_config_and_from_the_cell(ip):
    run(ip, "%config SDC.profile = 'opensafely'")
    assert jupyter_sdc.session().rules.profile == "opensafely"
    assert jupyter_sdc.session().rules.threshold == 8
    run(ip, "%config SDC.profile = 'acro-default'")
    run(ip, "%%sdc_check --profile opensafely\npd.crosstab(df.rgn, df.sex)")
    assert outputs()[0].rules["profile"] == "opensafely"
    assert outputs()[0].rules["threshold"] == 8


def test_a_cell_that_prints_a_lot_stays_fast(ip):
    import time

    start = time.perf_counter()
    run(ip, "%%sdc_check\nfor i in range(20000):\n    print(i)")
    assert time.perf_counter() - start < 5  # no quadratic bookkeeping of printed values


def test_panel_magic_shows_the_default_sessions_panel(ip):
    from jupyter_sdc.widgets.panel import SessionPanel

    run(ip, "%%sdc_check --label 'Table 1'\npd.crosstab(df.rgn, df.sex)")
    ran = run(ip, "p = %sdc_panel\n")
    panel = ip.user_ns["p"]
    assert isinstance(panel, SessionPanel) and ran.result.success
    assert panel.session is jupyter_sdc.session()
    assert len(panel.list.children) == 1  # one card: Table 1


def test_reload_ext_keeps_one_working_set_of_magics(ip):
    run(ip, "%sdc_check on")
    run(ip, "%reload_ext jupyter_sdc")
    from jupyter_sdc.ipython import loaded_magics

    magics = loaded_magics(ip)
    assert sum(1 for c in ip.configurables if type(c).__name__ == "SDC") == 1
    assert not magics.auto.enabled  # unloading switched automatic checking off
    run(ip, "df.groupby('rgn').size()")
    assert outputs() == []
    run(ip, "%%sdc_check\ndf.groupby('rgn').size()")
    assert len(outputs()) == 1


def test_config_values_follow_a_new_default_session(ip):
    run(ip, "%config SDC.threshold = 5")
    jupyter_sdc.set_session(None)
    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")
    assert outputs()[0].rules["threshold"] == 5
