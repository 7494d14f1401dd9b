"""``%%sdc_check`` on survival estimates, Cox models, correlations and plots: the captured
record gets the same verdict as the matching ``sdc.*`` call, and judged again from its saved
evidence it gives the verdict it was saved with."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from magic_shell import people, reset, run

import jupyter_sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues

pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")


@pytest.fixture
def ip(_ip):
    reset(_ip)
    rng = np.random.default_rng(11)
    df = people()
    df["months"] = rng.integers(1, 12, len(df))
    df["left"] = (rng.random(len(df)) < 0.7).astype(int)
    _ip.user_ns["df"] = df
    _ip.run_cell("import pandas as pd\nimport numpy as np\nimport statsmodels.api as sm\n"
                 "import statsmodels.formula.api as smf\nimport matplotlib.pyplot as plt\n"
                 "import seaborn as sns")
    yield _ip
    reset(_ip)


def checked(ip, code: str) -> list[Output]:
    ip.run_cell("plt.close('all')")
    ran = run(ip, code)
    found = [Output.from_dict(json.loads(json.dumps(r))) for r in ran.records]
    for out in found:
        assert differences(out, rejudge(out, RuleValues.from_dict(out.rules))) == [], code
    return found


def only(ip, code: str) -> Output:
    found = checked(ip, code)
    assert len(found) == 1, [o.source for o in found]
    return found[0]


def test_statsmodels_survival_table_and_plot_match_the_wrapper(ip):
    table = only(ip, "%%sdc_check\nsm.SurvfuncRight(df.months, df.left).summary()")
    wrapped = jupyter_sdc.Session().surv_func(ip.user_ns["df"].months, ip.user_ns["df"].left)
    assert table.kind == "table" and table.statistic == "survival"
    assert table.table.shape == wrapped.shape
    session = jupyter_sdc.Session()
    session.surv_func(ip.user_ns["df"].months, ip.user_ns["df"].left)
    assert table.flags["threshold"].equals(session.outputs[-1].flags["threshold"])
    plot = only(ip, "%%sdc_check\nsf = sm.SurvfuncRight(df.months, df.left)\nfig = sf.plot()")
    assert plot.kind == "figure" and plot.figure and plot.status == table.status
    assert plot.flags["threshold"].to_numpy().tolist() == table.flags[
        "threshold"].to_numpy().tolist()


def test_reshaped_survival_table_keeps_its_steps(ip):
    out = only(ip, "%%sdc_check\nsm.SurvfuncRight(df.months, df.left).summary().round(3).head(4)")
    assert out.table.shape == (4, 4) and out.evidence.grids["events"].shape == (4, 4)


def test_suppress_pools_a_captured_survival_table(ip):
    out = only(ip, "%%sdc_check --suppress\nsm.SurvfuncRight(df.months, df.left).summary()")
    assert out.status.value == "review"
    assert (out.table["num events"] >= 10).all()


def test_lifelines_tables_and_plot(ip):
    pytest.importorskip("lifelines")
    ip.run_cell("from lifelines import KaplanMeierFitter")
    events = only(ip, "%%sdc_check\nkmf = KaplanMeierFitter().fit(df.months, df.left)\n"
                      "kmf.event_table")
    assert events.statistic == "survival" and list(events.table.columns)[-1] == "at_risk"
    later = only(ip, "%%sdc_check\nkmf.survival_function_")  # fitted in the cell before
    assert later.statistic == "survival" and later.table.shape[1] == 1
    plot = only(ip, "%%sdc_check\nax = kmf.plot()")
    assert plot.kind == "figure" and plot.statistic == "survival"


def test_survival_counts_units(ip):
    ip.user_ns["twice"] = pd.concat([ip.user_ns["df"]] * 2, ignore_index=True)
    out = only(ip, "%%sdc_check --unit person_id\n"
                   "sm.SurvfuncRight(twice.months, twice.left).summary()")
    assert out.counts.iloc[0, 0] == 300 and out.evidence.unit == "units"


def test_cox_models_of_both_libraries(ip):
    phreg = only(ip, "%%sdc_check\n"
                     "smf.phreg('months ~ age + C(rgn)', df, status=df.left).fit().summary()")
    assert phreg.kind == "model" and "events" in phreg.evidence.grids
    pytest.importorskip("lifelines")
    ip.run_cell("from lifelines import CoxPHFitter")
    cox = only(ip, "%%sdc_check\ncph = CoxPHFitter().fit(df[['months', 'left', 'age']], "
                   "'months', 'left')\ncph.summary")
    assert cox.kind == "model" and cox.summary["events"] == int(ip.user_ns["df"].left.sum())


def test_correlation_matches_the_wrapper(ip):
    out = only(ip, "%%sdc_check\ndf[['age', 'hours', 'income']].corr()")
    session = jupyter_sdc.Session()
    session.corr(ip.user_ns["df"][["age", "hours", "income"]])
    assert out.statistic == "correlation"
    assert out.counts.equals(session.outputs[-1].counts.astype(out.counts.dtypes.iloc[0]))


@pytest.mark.parametrize(("code", "statistic", "status"), [
    ("fig, ax = plt.subplots()\nax.scatter(df.age, df.income)", "points", "fail"),
    ("ax = sns.scatterplot(data=df, x='age', y='income')", "points", "fail"),
    ("fig, ax = plt.subplots()\nax.boxplot(df.income)", "mixed", "fail"),
    ("fig, ax = plt.subplots()\nax.boxplot(df.income, whis=(5, 95), showfliers=False)",
     "mixed", "pass"),
    ("ax = sns.boxplot(data=df, x='rgn', y='income')", "mixed", "fail"),
    ("fig, ax = plt.subplots()\nax.hist2d(df.age, df.hours, bins=4)", "histogram", "fail"),
    ("ax = sns.histplot(data=df, x='age', y='hours', bins=2)", "histogram", "pass"),
    ("fig, ax = plt.subplots()\nax.hexbin(df.age, df.hours, gridsize=3)", "histogram", "fail"),
    ("ax = sns.barplot(data=df, x='rgn', y='income')", "mean", "pass"),
    ("ax = sns.countplot(data=df, x='rgn')", "frequency", "pass"),
    ("ax = sns.lineplot(data=df, x='rgn', y='hours')", "mean", "pass"),
])
def test_plots_are_judged_by_what_they_show(ip, code, statistic, status):
    out = only(ip, "%%sdc_check\n" + code)
    assert out.kind == "figure" and out.figure
    assert (out.statistic, out.status.value) == (statistic, status)


@pytest.mark.parametrize("draw", ["ax.bar(t.index, t)", "ax.pie(t)", "ax.plot(t.index, t)"])
def test_a_drawn_traced_table_keeps_its_record(ip, draw):
    found = checked(ip, "%%sdc_check\nt = df.groupby('rgn')['income'].mean()\n"
                        f"fig, ax = plt.subplots()\n{draw}")
    figure = next(o for o in found if o.kind == "figure")
    assert figure.statistic == "mean" and figure.counts.iloc[:, 0].tolist() == [120, 120, 60]


def test_a_seaborn_bar_plot_matches_the_grouped_table(ip):
    bars = only(ip, "%%sdc_check\nax = sns.barplot(data=df, x='rgn', y='income')")
    table = only(ip, "%%sdc_check\ndf.groupby('rgn')['income'].mean()")
    assert bars.counts.to_numpy().tolist() == table.counts.to_numpy().tolist()
    assert bars.checks.keys() == table.checks.keys()
