"""Correlations, quantiles with N on each side, model levels with their reference level, and
plots judged by what they show (points, boxes, 2-D histograms): boundaries at 9 and 10."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues


def stands(output: Output) -> bool:
    back = Output.from_dict(json.loads(json.dumps(output.to_dict())))
    return differences(back, rejudge(back, RuleValues.from_dict(back.rules))) == []


def last(session: sdc.Session) -> Output:
    return session.outputs[-1]


# -- correlation ------------------------------------------------------------------------------
@pytest.mark.parametrize(("pairs", "checks"), [
    (9, {"threshold": "fail", "dof": "fail"}),    # 9 pairs: below the threshold
    (11, {"threshold": "pass", "dof": "fail"}),   # 11 pairs: 9 degrees of freedom
    (12, {"threshold": "pass", "dof": "pass"}),   # 12 pairs: 10 degrees of freedom
])
def test_correlation_judged_on_pairwise_n_and_dof(pairs, checks):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40),
                          "c": rng.normal(size=40)})
    frame.loc[pairs:, "c"] = np.nan  # c is known for `pairs` records only
    session = sdc.Session()
    result = session.corr(frame)
    out = last(session)
    assert result.equals(frame.corr())
    assert out.statistic == "correlation" and out.counts.loc["a", "c"] == pairs
    assert out.counts.loc["a", "b"] == 40
    assert {k: v.value for k, v in out.checks.items()} == checks
    assert bool(out.flags["threshold"].loc["a", "b"]) is False and stands(out)


# -- quantiles --------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "status"), [(19, "fail"), (21, "pass")])
def test_a_median_needs_n_records_on_each_side(n, status):
    values = pd.Series(np.arange(n, dtype=float), name="v")
    session = sdc.Session()
    session.stat(values, "median")
    out = last(session)
    assert out.checks["quantile_sides"].value == status and stands(out)
    assert out.evidence.grids["below"].iloc[0, 0] == (n - 1) // 2


@pytest.mark.parametrize(("q", "status"), [(0.90, "pass"), (0.91, "fail")])
def test_a_high_quantile_needs_n_records_above_it(q, status):
    values = pd.Series(np.arange(101, dtype=float), name="v")
    session = sdc.Session()
    session.stat(values, "quantile", q)
    assert last(session).checks["quantile_sides"].value == status


def test_grouped_medians_are_judged_per_cell():
    frame = pd.DataFrame({"g": ["a"] * 19 + ["b"] * 21, "v": np.arange(40.0)})
    session = sdc.Session()
    session.pivot_table(frame, values="v", index="g", aggfunc="median")
    out = last(session)
    assert out.flags["quantile_sides"]["v"].tolist() == [True, False] and stands(out)


# -- model levels -----------------------------------------------------------------------------
@pytest.mark.parametrize(("zeros", "status"), [(9, "fail"), (10, "pass")])
def test_a_numeric_01_regressor_is_judged_on_its_zeros_too(zeros, status):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"employed": [0] * zeros + [1] * 90})
    frame["y"] = frame.employed * 2 + rng.normal(size=len(frame))
    session = sdc.Session()
    session.olsr("y ~ employed", data=frame)
    out = last(session)
    assert out.counts.loc["employed"].iloc[0] == zeros
    assert out.status.value == status and stands(out)


@pytest.mark.parametrize(("in_reference", "status"), [(9, "fail"), (10, "pass")])
def test_a_categorical_level_is_judged_with_its_reference_level(in_reference, status):
    rng = np.random.default_rng(3)
    sector = ["Arts"] * in_reference + ["Finance"] * 50 + ["Retail"] * 50
    frame = pd.DataFrame({"sector": sector, "y": rng.normal(size=len(sector))})
    session = sdc.Session()
    session.olsr("y ~ C(sector)", data=frame)
    out = last(session)
    # Arts is the reference: each contrast rests on it
    assert out.counts.loc["C(sector)[T.Finance]"].iloc[0] == in_reference
    assert out.status.value == status


# -- plots ------------------------------------------------------------------------------------
@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def test_points_fail(plt):
    from jupyter_sdc.adapters.plots import check_points

    out = check_points(25, rules=RuleValues(), uid="p", figure=plt.figure())
    assert out.status.value == "fail" and out.checks["records"].value == "fail"
    assert "one record's values" in out.reasons[0] and stands(out)
    assert check_points(0, rules=RuleValues(), uid="q").status.value == "pass"


def test_box_plot_at_1_5_iqr_with_outliers_fails(plt):
    from jupyter_sdc.adapters.plots import check_box

    values = np.concatenate([np.arange(200.0), [900.0]])
    out = check_box([("all", values, None)], rules=RuleValues(), uid="b")
    assert out.checks["min_max"].value == "fail" and out.checks["records"].value == "fail"
    assert out.table.loc["all", "outliers"] == 1 and stands(out)


@pytest.mark.parametrize(("n", "status"), [(180, "fail"), (200, "pass")])
def test_box_plot_at_percentiles_needs_n_beyond_each_whisker(plt, n, status):
    from jupyter_sdc.adapters.plots import check_box

    values = np.arange(float(n))  # 5% beyond each whisker: 9 of 180, 10 of 200
    out = check_box([("all", values, None)], whis=(5, 95), showfliers=False,
                    rules=RuleValues(), uid="b")
    assert out.status.value == status and stands(out)
    assert out.statistic == "mixed" and out.table.loc["all", "outliers"] == 0


@pytest.mark.parametrize(("in_bin", "status"), [(9, "fail"), (10, "pass")])
def test_hist2d_bins_are_counts(plt, in_bin, status):
    from jupyter_sdc.adapters.plots import check_hist2d

    x = np.array([0.5] * in_bin + [1.5] * 20 + [0.5] * 20 + [1.5] * 20)
    y = np.array([0.5] * in_bin + [0.5] * 20 + [1.5] * 20 + [1.5] * 20)
    out = check_hist2d(pd.Series(x, name="x"), pd.Series(y, name="y"), [0, 1, 2], [0, 1, 2],
                       rules=RuleValues(), uid="h")
    assert out.counts.to_numpy().tolist() == [[in_bin, 20], [20, 20]]
    assert out.status.value == status and stands(out)


def test_pie_wrapper_checks_the_counts_it_draws(plt):
    frame = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 20 + ["c"] * 9})
    session = sdc.Session()
    figure = session.pie(frame, "g")
    out = last(session)
    assert hasattr(figure, "savefig") and out.kind == "figure" and out.figure
    assert out.counts.iloc[:, 0].tolist() == [30, 20, 9] and out.status.value == "fail"
    session.pie(frame, "g", suppress=True)
    hidden = last(session)
    assert hidden.status.value == "review" and np.isnan(hidden.table.iloc[2, 0])
    fresh = sdc.Session()  # (in the same session the two pies would difference to c's 9)
    fresh.pie(frame[frame.g != "c"], "g")
    assert last(fresh).status.value == "pass" and stands(last(fresh))


def test_boxplot_wrapper_draws_what_can_pass(plt):
    rng = np.random.default_rng(9)
    frame = pd.DataFrame({"g": ["a"] * 200 + ["b"] * 180, "v": rng.normal(size=380)})
    session = sdc.Session()
    session.boxplot(frame, "v", by="g")  # 5th/95th percentile whiskers, no outlier points
    out = last(session)
    assert out.flags["quantile_sides"].any(axis=1).tolist() == [False, True]  # 9 beyond in b
    assert out.table["outliers"].tolist() == [0, 0] and stands(out)
    session.boxplot(frame[frame.g == "a"], "v")
    assert last(session).status.value == "pass"
