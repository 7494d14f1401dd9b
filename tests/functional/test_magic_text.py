"""What a checked cell shows as text or as one number is recorded (issue 9, class 7)."""

from __future__ import annotations

import pytest
from magic_shell import run

import jupyter_sdc

TABLE = "u = pd.crosstab(df.rgn, df.sex)\n"


def outputs():
    return jupyter_sdc.session().outputs


@pytest.mark.parametrize("pick", ["u.loc['South', 'M']", "u.iloc[2, 1]", "u.at['South', 'M']",
                                  "u['M']['South']"])
def test_one_cell_of_a_table_keeps_that_cells_count(ip, pick):
    ran = run(ip, "%%sdc_check\n" + TABLE + pick)
    [record] = ran.records
    assert record["counts"] == [[4]] and record["table"]["data"] == [[4]]
    assert record["table"]["index"] == [["South"]] and record["table"]["columns"] == [["M"]]
    assert record["status"] == "fail" and record["checks"]["threshold"] == "fail"


def test_a_passing_cell_says_nothing_of_the_cells_left_out(ip):
    [record] = run(ip, "%%sdc_check\n" + TABLE + "u.loc['North', 'M']").records
    assert record["status"] == "pass" and record["reasons"] == []


@pytest.mark.parametrize("shown", ["print(u.to_latex())", "u.to_string()", "print(u.to_csv())",
                                   "u.style", "print(u.style.to_latex())", "u.style.to_html()"])
def test_a_text_rendering_of_a_table_is_the_tables_record(ip, shown):
    [record] = run(ip, "%%sdc_check\n" + TABLE + shown).records
    assert record["statistic"] == "frequency" and record["counts"][2] == [56, 4]


def test_a_table_written_to_a_file_is_not_shown(ip, tmp_path):
    ip.user_ns["path"] = str(tmp_path / "t.csv")
    run(ip, TABLE)
    assert run(ip, "%%sdc_check\nu.to_csv(path)").records == []


def test_a_statistic_written_in_text_is_recorded_and_plain_text_is_not(ip):
    assert run(ip, "%%sdc_check\nprint('hello')").records == []
    [record] = run(ip, "%%sdc_check\nprint(f'{df.income.mean():.1f} on average')").records
    assert record["statistic"] == "mean" and record["status"] == "pass"
    # written some other way: still recorded (never silently nothing)
    [record] = run(ip, "%%sdc_check\nprint(f'{df.income.max() / 1000:.1f}k at most')").records
    assert record["statistic"] == "max" and record["status"] == "fail"


def test_a_number_that_cannot_be_traced_is_review(ip):
    [record] = run(ip, "%%sdc_check\ndf.income.to_numpy().max()").records
    assert record["status"] == "review"


def test_a_value_of_the_microdata_is_record_level(ip):
    [record] = run(ip, "%%sdc_check\ndf.income.sort_values().iloc[-1]").records
    assert record["statistic"] == "records" and record["status"] == "fail"


def test_a_wrapper_result_rendered_as_text_is_recorded_once(ip):
    run(ip, "import jupyter_sdc as sdc")
    ran = run(ip, "%%sdc_check\nprint(sdc.crosstab(df.rgn, df.sex).to_latex())")
    assert len(ran.records) == 1 and len(outputs()) == 1


def test_auto_mode_records_a_rendering_and_a_number_too(ip):
    run(ip, "%sdc_check on")
    try:
        assert len(run(ip, TABLE + "print(u.to_string())").records) == 1
        assert len(run(ip, "str(df.income.max())").records) == 1
        assert run(ip, "x = str(df.income.max())").records == []  # shown nothing
    finally:
        run(ip, "%sdc_check off")
