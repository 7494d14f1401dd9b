"""``%%sdc_check`` on ordinary pandas code in a real IPython shell: what is captured and judged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from magic_shell import run

import jupyter_sdc


def outputs():
    return jupyter_sdc.session().outputs


# -- groupby statistics ----------------------------------------------------------------------
def test_groupby_mean_matches_the_pivot_table_wrapper(ip):
    ran = run(ip, "%%sdc_check\ndf.groupby(['rgn', 'sex'])['income'].mean()")
    assert len(ran.records) == 1
    captured = outputs()[0]
    reference = jupyter_sdc.Session()
    reference.pivot_table(ip.user_ns["df"], values="income", index=["rgn", "sex"],
                          aggfunc="mean")
    ref = reference.outputs[0]
    assert captured.counts.to_numpy().tolist() == ref.counts.to_numpy().tolist()
    assert {k: v.value for k, v in captured.checks.items()} == {
        k: v.value for k, v in ref.checks.items()}
    assert captured.status == ref.status == "fail"  # South x M has 4 people
    pd.testing.assert_frame_equal(captured.table, ref.table, check_names=False)


def test_groupby_count_and_size_match_the_wrappers(ip):
    run(ip, "%%sdc_check\ndf.groupby(['rgn', 'sex'])['hours'].count()")
    reference = jupyter_sdc.Session()
    reference.pivot_table(ip.user_ns["df"], values="hours", index=["rgn", "sex"],
                          aggfunc="count")
    got, ref = outputs()[0], reference.outputs[0]
    assert got.counts.to_numpy().tolist() == ref.counts.to_numpy().tolist()
    assert {k: str(v) for k, v in got.checks.items()} == {
        k: str(v) for k, v in ref.checks.items()}


@pytest.mark.parametrize("method", ["sum", "median", "std", "var", "min", "max", "count"])
def test_each_groupby_statistic_is_captured_with_counts(ip, method):
    run(ip, f"%%sdc_check\nr = df.groupby('rgn')['income'].{method}()\nr")
    [out] = outputs()
    assert out.counts.to_numpy().ravel().tolist() == [120, 120, 60]  # East, North, South
    assert out.source["call"] == f"groupby.{method}"


def test_groupby_size_and_nunique_and_agg(ip):
    run(ip, "%%sdc_check\ndf.groupby('sex').size()")
    run(ip, "%%sdc_check\ndf.groupby('sex')['rgn'].nunique()")
    run(ip, "%%sdc_check\ndf.groupby('sex').agg({'income': 'mean', 'hours': 'max'})")
    run(ip, "%%sdc_check\ndf.groupby('sex')['income'].aggregate(['mean', 'median'])")
    got = outputs()
    assert [o.source["call"] for o in got] == [
        "groupby.size", "groupby.nunique", "groupby.agg", "groupby.aggregate"]
    assert got[0].counts.to_numpy().ravel().tolist() == [176, 124]
    assert got[2].table.shape == (2, 2)
    assert all(o.counts.shape == o.table.shape for o in got)


def test_groupby_value_counts_is_a_frequency_table(ip):
    run(ip, "%%sdc_check\ndf.groupby('rgn')['sex'].value_counts()")
    [out] = outputs()
    assert out.status == "fail"
    assert sorted(out.counts.to_numpy().ravel().tolist()) == [4, 56, 60, 60, 60, 60]
    assert out.flags["threshold"].to_numpy().sum() == 1


def test_crosstab_and_pivot_table_are_captured(ip):
    run(ip, "%%sdc_check\npd.crosstab(df.rgn, df.sex)")
    run(ip, "%%sdc_check\npd.pivot_table(df, values='income', index='rgn', columns='sex')")
    run(ip, "%%sdc_check\ndf.pivot_table(values='hours', index='rgn', aggfunc='median')")
    got = outputs()
    assert [o.source["call"] for o in got] == ["crosstab", "pivot_table", "pivot_table"]
    assert got[0].status == "fail"
    assert int(got[0].counts.loc["South", "M"]) == 4


def test_value_counts_describe_and_column_statistics(ip):
    run(ip, "%%sdc_check\ndf.rgn.value_counts()")
    run(ip, "%%sdc_check\ndf.income.describe()")
    run(ip, "%%sdc_check\ndf[['income', 'hours']].describe()")
    for stat in ("mean", "sum", "median", "min", "max"):
        run(ip, f"%%sdc_check\ndf.income.{stat}()")
    run(ip, "%%sdc_check\ndf.income.quantile(0.9)")
    got = outputs()
    assert got[0].counts.to_numpy().ravel().tolist() == [120, 120, 60]
    assert got[2].table.shape == (8, 2)
    assert [o.statistic for o in got[3:8]] == ["mean", "sum", "median", "min", "max"]
    assert got[6].status == "fail"  # a minimum is one person's value (min_max)
    assert got[3].status == "pass" and int(got[3].counts.iloc[0, 0]) == 300


# -- what gets recorded ----------------------------------------------------------------------
def test_only_what_is_shown_or_assigned_is_recorded(ip):
    run(ip, "%%sdc_check\n"
            "df.groupby('rgn').size()\n"              # neither shown nor assigned
            "kept = df.groupby('sex')['income'].mean()\n"
            "print(df.groupby('rgn')['hours'].mean())\n"
            "display(pd.crosstab(df.rgn, df.sex))\n"
            "None")
    got = outputs()
    calls = sorted(o.source["call"] for o in got)
    assert calls == ["crosstab", "groupby.mean", "groupby.mean"]
    assert any(o.source.get("name") == "kept" for o in got)


def test_results_are_identical_to_an_unchecked_run(ip):
    code = ("res = df.groupby(['rgn', 'sex']).agg(m=('income', 'mean'))\n"
            "ct = pd.crosstab(df.rgn, df.sex, margins=True)\n"
            "vc = df.sex.value_counts()\n")
    ip.run_cell(code)
    plain = {k: ip.user_ns[k] for k in ("res", "ct", "vc")}
    run(ip, "%%sdc_check\n" + code)
    pd.testing.assert_frame_equal(ip.user_ns["res"], plain["res"])
    pd.testing.assert_frame_equal(ip.user_ns["ct"], plain["ct"])
    pd.testing.assert_series_equal(ip.user_ns["vc"], plain["vc"])


def test_suppress_and_round_change_the_record_not_the_result(ip):
    run(ip, "%%sdc_check --suppress --round 5 --label 'Table 3'\n"
            "t = pd.crosstab(df.rgn, df.sex)\nt")
    [out] = outputs()
    assert out.label == "Table 3"
    assert int(ip.user_ns["t"].loc["South", "M"]) == 4  # the user's table is untouched
    assert out.mitigation.get("suppressed") or out.flags.get("suppressed") is not None


def test_raw_records_are_flagged(ip):
    run(ip, "%%sdc_check\ndf.head()")
    run(ip, "%%sdc_check\ndf[df.age > 70][['age', 'income']]")
    got = outputs()
    assert [o.statistic for o in got] == ["records", "records"]
    assert all(o.status == "fail" for o in got)
    assert "individual records" in got[0].reasons[0]


def test_untraceable_results_need_review_with_the_attach_hint(ip):
    run(ip, "%%sdc_check\nc = df.groupby('rgn').size()\n"
            "pd.Series(c.to_numpy() / c.sum() * 100, index=c.index)")
    shown = [o for o in outputs() if o.source.get("name") != "c"]
    assert shown[0].status == "review"
    assert "sdc.attach_counts(result, counts)" in shown[0].reasons[0]


def test_a_table_divided_by_another_table_needs_review(ip):
    run(ip, "%%sdc_check\nc = pd.crosstab(df.rgn, df.sex)\nc / c.sum()")
    shown = [o for o in outputs() if o.source.get("name") != "c"]
    assert shown[0].status == "review" and "attach_counts" in shown[0].reasons[0]


def test_scaling_by_a_number_keeps_the_counts(ip):
    """Shares and percentages of counts (`c / c.sum() * 100`) keep each cell's records."""
    run(ip, "%%sdc_check\n(pd.crosstab(df.rgn, df.sex, normalize='index') * 100).round(1)")
    (shown,) = outputs()
    direct = jupyter_sdc.Session()
    direct.crosstab(ip.user_ns["df"].rgn, ip.user_ns["df"].sex, normalize="index")
    assert shown.statistic == "percentage"
    assert shown.counts.to_numpy().tolist() == direct.outputs[0].counts.to_numpy().tolist()
    assert shown.status == direct.outputs[0].status
    run(ip, "%%sdc_check\nc = df.groupby('rgn').size()\nc / c.sum() * 100")
    shares = outputs()[-1]
    assert shares.statistic == "percentage"
    assert shares.counts.to_numpy().ravel().tolist() == [120, 120, 60]


def test_attach_counts_lets_a_derived_table_be_judged(ip):
    ip.run_cell("from jupyter_sdc.magics import attach_counts")
    run(ip, "%%sdc_check\nc = df.groupby('rgn').size()\n"
            "attach_counts(pd.Series(c.to_numpy() / c.sum() * 100, index=c.index), c)")
    shares = [o for o in outputs() if o.source.get("name") != "c"][0]
    assert shares.statistic == "percentage"
    assert shares.counts.to_numpy().ravel().tolist() == [120, 120, 60]
    assert shares.status == "pass"
    with pytest.raises(ValueError, match="shape"):
        from jupyter_sdc.magics import attach_counts

        attach_counts(pd.Series([1.0, 2.0]), [1, 2, 3])


def test_statistic_of_an_aggregate_is_review(ip):
    run(ip, "%%sdc_check\nt = df.groupby('rgn').size()\nt.sum()")
    shown = [o for o in outputs() if o.source.get("name") != "t"]
    assert shown and shown[0].status == "review"


def test_mixed_dtypes_and_datetime_keys(ip):
    ip.user_ns["df"]["when"] = pd.to_datetime("2024-01-01") + pd.to_timedelta(
        np.arange(300) % 3, unit="D")
    run(ip, "%%sdc_check\ndf.groupby('when')['income'].mean()")
    run(ip, "%%sdc_check\ndf.groupby(['when', 'sex']).size()")
    got = outputs()
    assert got[0].counts.to_numpy().ravel().tolist() == [100, 100, 100]
    assert got[0].to_dict()["table"]["index"][0][0].startswith("2024-01-01")
    assert got[1].counts.to_numpy().sum() == 300


def test_multi_level_columns(ip):
    run(ip, "%%sdc_check\ndf.groupby('rgn')[['income', 'hours']].agg(['mean', 'max'])")
    [out] = outputs()
    assert isinstance(out.table.columns, pd.MultiIndex)
    assert out.counts.shape == (3, 4)
    assert out.status == "fail"  # the maxima are single people's values


def test_huge_table_is_recorded_without_error(ip):
    ip.user_ns["big"] = pd.DataFrame({"k": np.arange(1_000_000) % 100_000, "v": 1.0})
    ran = run(ip, "%%sdc_check\nbig.groupby('k')['v'].sum()")
    [out] = outputs()
    assert out.status == "pass" and out.counts.shape == (100_000, 1)
    html = ran.bundles[0]["text/html"]
    assert "cells are hidden" in html and html.count("<tr") < 1_000  # not every cell rendered


def test_unsupported_objects_are_ignored_and_arrays_need_review(ip):
    ran = run(ip, "%%sdc_check\n{'a': 1}")
    assert ran.records == [] and outputs() == []
    run(ip, "%%sdc_check\nnp.bincount(df.age.to_numpy())")
    [out] = outputs()
    assert out.status == "review" and "numpy array" in out.reasons[0]


def test_user_code_that_patches_pandas_keeps_its_patch(ip):
    run(ip, "%%sdc_check\n"
            "orig = pd.DataFrame.head\n"
            "def my_head(self, n=5):\n    return orig(self, n)\n"
            "pd.DataFrame.head = my_head\n"
            "df.groupby('rgn').size()")
    try:
        assert pd.DataFrame.head is ip.user_ns["my_head"]
    finally:
        pd.DataFrame.head = ip.user_ns["orig"]
    assert len(outputs()) == 1


def test_groupby_describe_and_quantile(ip):
    run(ip, "%%sdc_check\ndf.groupby('rgn')[['income', 'hours']].describe()")
    run(ip, "%%sdc_check\ndf.groupby('rgn')['income'].describe()")
    run(ip, "%%sdc_check\ndf.groupby('rgn')['income'].quantile(0.9)")
    described, one, quantile = outputs()
    assert described.table.shape == (3, 16) and described.counts.shape == (3, 16)
    assert list(described.table.columns[:8].get_level_values(1)) == [
        "count", "mean", "std", "min", "25%", "50%", "75%", "max"]
    assert described.checks["min_max"] == "fail"  # min and max are single people's values
    assert one.counts.to_numpy()[:, 0].tolist() == [120, 120, 60]
    # the 0.9 quantile of the 60 people in the smallest region has only 6 above it
    assert quantile.statistic == "quantile" and quantile.status == "fail"
    assert quantile.flags["quantile_sides"].to_numpy().ravel().tolist() == [False, False, True]


def test_unit_option_counts_people_not_rows(ip):
    ip.user_ns["twice"] = pd.concat([ip.user_ns["df"], ip.user_ns["df"]])
    run(ip, "%%sdc_check\ntwice.groupby('rgn')['income'].mean()")
    run(ip, "%%sdc_check --unit person_id\ntwice.groupby('rgn')['income'].mean()")
    rows, units = outputs()
    assert rows.counts.to_numpy().ravel().tolist() == [240, 240, 120]
    assert units.counts.to_numpy().ravel().tolist() == [120, 120, 60]


def test_crosstab_of_columns_counts_units_of_their_frame(ip):
    ip.user_ns["twice"] = pd.concat([ip.user_ns["df"], ip.user_ns["df"]], ignore_index=True)
    run(ip, "%%sdc_check --unit person_id\nsub = twice[twice.age > 0]\n"
            "pd.crosstab(sub.rgn, sub.sex)")
    [out] = outputs()
    assert int(out.counts.loc["South", "M"]) == 4  # 8 rows, 4 people
    assert not any("without their data frame" in r for r in out.reasons)


def test_column_agg_and_printed_model_summary(ip):
    run(ip, "%%sdc_check\ndf.income.agg(['mean', 'median', 'max'])")
    [out] = outputs()
    assert out.table.shape == (3, 1)
    assert out.checks["min_max"] == "fail"  # the maximum is one person's income
    assert out.counts.to_numpy().ravel().tolist() == [300, 300, 300]
    run(ip, "import statsmodels.formula.api as smf")  # imports first, as notebooks do
    run(ip, "%%sdc_check\nprint(smf.ols('income ~ age', data=df).fit().summary())")
    assert outputs()[-1].kind == "model"


def test_auto_mode_leaves_checked_cells_to_the_magic(ip):
    run(ip, "%sdc_check on")
    ran = run(ip, "%%sdc_check --label 'Table 5'\npd.crosstab(df.rgn, df.sex)")
    run(ip, "%sdc_check off")
    assert len(ran.records) == 1 and outputs()[0].label == "Table 5"


def test_named_aggregation(ip):
    run(ip, "%%sdc_check\n"
            "df.groupby('rgn').agg(people=('income', 'size'), mean_income=('income', 'mean'),"
            " top=('income', 'max'))")
    [out] = outputs()
    assert list(out.table.columns) == ["people", "mean_income", "top"]
    assert out.counts["people"].tolist() == [120, 120, 60]
    assert bool(out.flags["min_max"]["top"].all()) and out.status == "fail"
    assert not out.flags["min_max"]["mean_income"].any()


def test_data_set_metadata_is_not_an_output(ip):
    ran = run(ip, "%%sdc_check\ndf.dtypes")
    assert ran.records == [] and outputs() == []


def test_shares_from_value_counts_need_review_with_a_reason(ip):
    run(ip, "%%sdc_check\ndf.sex.value_counts(normalize=True)")
    [out] = outputs()
    assert out.status == "review" and "normalize=True" in out.reasons[0]


def test_a_cell_that_imports_pandas_itself_is_checked(ip):
    run(ip, "%%sdc_check\nimport pandas\npandas.crosstab(df.rgn, df.sex)")
    assert outputs()[0].status == "fail"


def test_showing_the_whole_data_frame_is_record_level(ip):
    run(ip, "%%sdc_check\ndf")
    [out] = outputs()
    assert out.statistic == "records" and out.status == "fail"
    assert out.table.shape[0] == 20  # the record keeps a few rows, not the data set
    assert "first 20 of 300 rows" in out.comments[0]


def test_dict_agg_judges_each_column_by_its_statistic(ip):
    run(ip, "%%sdc_check\ndf.groupby('rgn').agg({'income': ['mean', 'max'], 'hours': 'median'})")
    [out] = outputs()
    assert out.counts.shape == (3, 3)
    assert out.flags["min_max"].to_numpy().sum(axis=0).tolist() == [0, 3, 0]


def test_describe_of_text_columns_needs_review_with_a_reason(ip):
    run(ip, "%%sdc_check\ndf.describe(include='all')")
    [out] = outputs()
    assert out.status == "review" and "most frequent value" in out.reasons[0]


@pytest.mark.parametrize("cell", [
    "df.rgn.value_counts()",
    "df.income.mean()",
    "df[['income', 'hours']].median()",
    "df.groupby('rgn').income.mean()",
    "df[['rgn', 'income']].groupby('rgn').income.sum()",
    "pd.crosstab(df.rgn, df.sex)",
    "df.groupby(['rgn', 'sex']).size().unstack()",
])
def test_project_units_are_counted_for_columns_taken_from_a_frame(ip, cell):
    ip.user_ns["df"] = pd.concat([ip.user_ns["df"], ip.user_ns["df"]], ignore_index=True)
    run(ip, "%config SDC.unit = 'person_id'")
    run(ip, "%%sdc_check\n" + cell)
    [out] = outputs()
    assert out.summary.get("unit") == "person_id", out.reasons
    assert int(out.counts.to_numpy().max()) <= 300  # people, not the 600 rows


def test_units_that_cannot_be_found_give_a_clear_review(ip):
    ip.user_ns["incomes"] = ip.user_ns["df"].income.copy()
    ip.user_ns["incomes"].index = ip.user_ns["incomes"].index + 10_000  # no frame matches
    run(ip, "%config SDC.unit = 'person_id'")
    run(ip, "%%sdc_check\nincomes.mean()")
    [out] = outputs()
    assert out.status == "review" and "rules count units (person_id)" in out.reasons[0]


def test_sdc_wrappers_inside_a_checked_cell_are_recorded_once(ip):
    ip.run_cell("import jupyter_sdc as sdc")
    run(ip, "%%sdc_check\nt = sdc.crosstab(df.rgn, df.sex, label='Table 7')\nt")
    [out] = outputs()
    assert out.label == "Table 7" and out.status == "fail"
