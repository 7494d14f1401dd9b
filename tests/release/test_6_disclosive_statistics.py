"""Issue 9, class 6: disclosive statistics that passed.

- the mean or sum of a 0/1 variable by group is a frequency table in disguise (cells of 3, 7, 8);
- ``quantile(0)`` / ``quantile(1)`` are the minimum and maximum;
- histograms whose outer edges are the data's own min and max, held by one record each
  (``sdc.hist`` rounds them outward by default and says so; ``ax.hist`` is judged as drawn);
- an ``inf`` contribution, a non-converged perfectly separated logit, a singular OLS: review;
- a misspelt keyword (``treshold=100``) is a TypeError naming the nearest rule.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from shell_kit import run

import jupyter_sdc as sdc


def groups() -> pd.DataFrame:
    """Groups of 40, 50 and 60 people of whom 3, 7 and 8 have flag = 1."""
    rng = np.random.default_rng(5)
    flag = [1] * 3 + [0] * 37 + [1] * 7 + [0] * 43 + [1] * 8 + [0] * 52
    return pd.DataFrame({"g": ["A"] * 40 + ["B"] * 50 + ["C"] * 60, "flag": flag,
                         "income": rng.gamma(2.0, 15_000, 150).round(2)})


# -- a two-valued variable's mean or sum -----------------------------------------------------
@pytest.mark.parametrize("aggfunc", ["mean", "sum"])
@pytest.mark.parametrize("call", ["pivot_table", "crosstab"])
def test_the_mean_or_sum_of_a_0_1_variable_is_judged_as_frequencies(call, aggfunc):
    df = groups()
    session = sdc.Session()
    if call == "pivot_table":
        session.pivot_table(df, values="flag", index="g", aggfunc=aggfunc)
    else:
        session.crosstab(df.g, df.g.map(lambda _: "all"), values=df.flag, aggfunc=aggfunc)
    [output] = session.outputs
    assert output.status == "fail", output.reasons
    assert output.flags["threshold"].to_numpy().ravel().tolist() == [True, True, True]


def test_a_0_1_mean_in_a_checked_cell_fails(ip):
    ip.user_ns["g"] = groups()
    [record] = run(ip, "%%sdc_check\ng.groupby('g')['flag'].mean()").records
    assert record["status"] == "fail" and record["checks"]["threshold"] == "fail"


# -- quantile(0) and quantile(1) --------------------------------------------------------------
@pytest.mark.parametrize("q", [0.0, 1.0])
def test_quantile_0_and_1_are_judged_as_min_and_max(q):
    session = sdc.Session()
    session.stat(groups().income, "quantile", q)
    [output] = session.outputs
    assert output.checks.get("min_max") == "fail"
    assert output.status == "fail"


@pytest.mark.parametrize("q", [0, 1])
def test_a_grouped_quantile_0_or_1_in_a_checked_cell_fails_min_max(ip, q):
    ip.user_ns["g"] = groups()
    [record] = run(ip, f"%%sdc_check\ng.groupby('g')['income'].quantile({q})").records
    assert record["checks"].get("min_max") == "fail" and record["status"] == "fail"


# -- histogram edges taken from the data -------------------------------------------------------
def spread() -> pd.DataFrame:
    """400 values, min 13.7 and max 88.3 held by one record each, every bin of 4 well filled."""
    rng = np.random.default_rng(6)
    middle = rng.uniform(20, 80, 398).round(1)
    return pd.DataFrame({"x": np.concatenate([[13.7], middle, [88.3]])})


def test_sdc_hist_rounds_data_derived_outer_edges_outward_and_says_so():
    data = spread()
    session = sdc.Session()
    axes = session.hist(data, "x", bins=4)
    ax = np.ravel(axes)[0]
    bars = [p for p in ax.patches if p.get_height() > 0]
    left = min(p.get_x() for p in bars)
    right = max(p.get_x() + p.get_width() for p in bars)
    assert left < 13.7 and right > 88.3, (left, right)  # the extremes are not published
    [output] = session.outputs
    said = " ".join(output.reasons + [str(n) for n in output.mitigation.get("notes", [])])
    assert re.search(r"edge", said, re.IGNORECASE), said
    assert output.checks.get("min_max") != "fail"


def test_ax_hist_with_data_derived_edges_in_a_checked_cell_fails_min_max(ip):
    ip.user_ns["data"] = spread()
    ran = run(ip, "%%sdc_check\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                  "ax.hist(data.x, bins=4)\nplt.show()")
    [record] = ran.records
    assert record["kind"] == "figure"
    assert record["checks"].get("min_max") == "fail" and record["status"] == "fail"


# -- review where judging is not possible ------------------------------------------------------
@pytest.mark.parametrize("aggfunc", ["mean", "sum"])
def test_an_infinite_contribution_is_review(aggfunc):
    df = groups()
    df.loc[0, "income"] = np.inf
    session = sdc.Session()
    session.pivot_table(df, values="income", index="g", aggfunc=aggfunc)
    [output] = session.outputs
    assert output.status == "review", (output.status, output.reasons)
    assert re.search(r"inf|finite", " ".join(output.reasons), re.IGNORECASE)


def test_a_perfectly_separated_logit_that_did_not_converge_is_review():
    rng = np.random.default_rng(8)
    x = rng.normal(size=200)
    data = pd.DataFrame({"x": x, "y": (x > 0).astype(int)})
    session = sdc.Session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session.logitr("y ~ x", data=data)
    [output] = session.outputs
    assert output.status == "review", output.reasons
    assert re.search(r"converge|separat|perfect", " ".join(output.reasons), re.IGNORECASE)


def test_a_singular_ols_is_review():
    rng = np.random.default_rng(9)
    data = pd.DataFrame({"x": rng.normal(size=200)})
    data["twice"] = 2 * data.x
    data["y"] = data.x + rng.normal(size=200)
    session = sdc.Session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session.olsr("y ~ x + twice", data=data)
    [output] = session.outputs
    assert output.status == "review", output.reasons
    assert re.search(r"singular|collinear|rank", " ".join(output.reasons), re.IGNORECASE)


# -- a misspelt keyword ------------------------------------------------------------------------
MISSPELT = {
    "crosstab": lambda s, df: s.crosstab(df.g, df.flag, treshold=100),
    "pivot_table": lambda s, df: s.pivot_table(df, values="income", index="g", treshold=100),
    "describe": lambda s, df: s.describe(df[["income"]], treshold=100),
    "stat": lambda s, df: s.stat(df.income, "mean", treshold=100),
}


@pytest.mark.parametrize("call", list(MISSPELT))
def test_a_misspelt_rule_keyword_is_a_type_error_naming_the_rule(call):
    session = sdc.Session()
    with pytest.raises(TypeError, match="threshold"):
        MISSPELT[call](session, groups())
    assert session.outputs == []
