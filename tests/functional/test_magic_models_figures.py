"""``%%sdc_check`` on statsmodels fits and matplotlib / pandas / seaborn figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from magic_shell import people, reset, run

import jupyter_sdc


@pytest.fixture
def ip(_ip):
    reset(_ip)
    df = people()
    df["employed"] = (df.hours > 35).astype(int)
    df["visits"] = np.random.default_rng(1).poisson(2, len(df))
    _ip.user_ns["df"] = df
    _ip.run_cell("import pandas as pd\nimport numpy as np\nimport statsmodels.api as sm\n"
                 "import statsmodels.formula.api as smf\nimport matplotlib.pyplot as plt")
    yield _ip
    reset(_ip)


def outputs():
    return jupyter_sdc.session().outputs


@pytest.mark.parametrize("fit", [
    "smf.ols('income ~ age + hours', data=df).fit()",
    "smf.wls('income ~ age', data=df, weights=df.hours.abs() + 1).fit()",
    "smf.glm('visits ~ age', data=df, family=sm.families.Poisson()).fit()",
    "smf.logit('employed ~ age', data=df).fit(disp=0)",
    "smf.probit('employed ~ age', data=df).fit(disp=0)",
    "smf.poisson('visits ~ age', data=df).fit(disp=0)",
    "sm.OLS(df.income, sm.add_constant(df[['age', 'hours']])).fit()",
    "sm.Logit(df.employed, sm.add_constant(df[['age']])).fit(disp=0)",
])
def test_fitted_models_are_recorded(ip, fit):
    run(ip, f"%%sdc_check\nres = {fit}")
    [out] = outputs()
    assert out.kind == "model"
    assert out.source.get("name") == "res"
    assert out.status in ("pass", "review", "fail")
    assert out.summary.get("n") == 300 or out.summary.get("nobs") == 300


def test_a_shown_summary_leads_back_to_its_model(ip):
    run(ip, "%%sdc_check\nsmf.ols('income ~ age', data=df).fit().summary()")
    [out] = outputs()
    assert out.kind == "model" and out.source["call"] == "summary"


def test_a_model_with_few_residual_degrees_of_freedom_fails(ip):
    run(ip, "%%sdc_check\nsmall = df.head(8)\nres = smf.ols('income ~ age', data=small).fit()")
    [out] = outputs()  # `small` is microdata assigned, not shown: not recorded
    assert out.kind == "model" and out.status == "fail"
    assert out.checks["dof"] == "fail"


def test_histogram_bins_get_counts(ip):
    run(ip, "%%sdc_check\nfig, ax = plt.subplots()\nax.hist(df.income, bins=5)\nfig")
    [out] = outputs()
    assert out.kind == "figure"
    assert int(out.counts.to_numpy().sum()) == 300
    assert out.figure and out.figure.get("png")


def test_pandas_hist_plot_is_traced(ip):
    run(ip, "%%sdc_check\ndf.age.plot.hist(bins=4)")
    [out] = outputs()
    assert out.kind == "figure" and int(out.counts.to_numpy().sum()) == 300


def test_scatter_and_seaborn_plots_need_review(ip):
    run(ip, "%%sdc_check\nplt.scatter(df.age, df.income)")
    run(ip, "%%sdc_check\nimport seaborn as sns\nsns.boxplot(data=df, x='rgn', y='income')")
    got = outputs()
    assert [o.kind for o in got] == ["figure", "figure"]
    assert all(o.status in ("review", "fail") for o in got)
    assert "records" in got[0].reasons[0]


def test_a_model_shown_several_ways_is_one_record(ip):
    run(ip, "%%sdc_check\nres = smf.ols('income ~ age', data=df).fit()\n"
            "print(res.summary())\nres.params")
    [out] = outputs()
    assert out.kind == "model" and out.source.get("name") in ("res", None)


def test_a_bar_chart_of_a_captured_table_gets_its_counts(ip):
    run(ip, "%%sdc_check\ndf.groupby('rgn')['income'].mean().plot.bar()")
    run(ip, "%%sdc_check\ndf.groupby(['rgn', 'sex']).size().unstack().plot.bar()")
    means, counts = outputs()
    assert means.kind == "figure" and means.figure and means.figure.get("png")
    assert means.counts.to_numpy().ravel().tolist() == [120, 120, 60]
    assert means.status == "pass"
    assert counts.kind == "figure" and counts.status == "fail"  # South x M: 4 people
    assert int(counts.counts.loc["South", "M"]) == 4


def test_seaborn_histplot_is_traced(ip):
    run(ip, "import seaborn as sns")
    run(ip, "%%sdc_check\nsns.histplot(data=df, x='age', bins=[18, 40, 60, 80])")
    [out] = outputs()
    assert out.kind == "figure" and out.statistic == "histogram"
    assert int(out.counts.to_numpy().sum()) == 300


def test_histogram_counts_units_when_the_rules_say_so(ip):
    ip.user_ns["df"] = pd.concat([ip.user_ns["df"], ip.user_ns["df"]], ignore_index=True)
    run(ip, "%config SDC.unit = 'person_id'")
    run(ip, "%%sdc_check\nfig, ax = plt.subplots()\nax.hist(df[df.age > 0].age, bins=4)\nfig")
    [out] = outputs()
    assert out.kind == "figure" and int(out.counts.to_numpy().sum()) == 300  # people
