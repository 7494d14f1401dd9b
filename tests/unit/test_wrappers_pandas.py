"""The pandas wrappers: same values as pandas, unweighted counts, units, weights, bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 2_000
    return pd.DataFrame({
        "region": rng.choice(["N", "S", "E", "W"], n, p=[0.4, 0.3, 0.295, 0.005]),
        "sex": rng.choice(["F", "M"], n),
        "year": rng.choice([2019, 2020, 2021], n),
        "firm": rng.integers(0, 150, n),
        "weight": rng.uniform(0.5, 2.0, n),
        "income": rng.lognormal(10, 1, n),
    })


def test_results_equal_pandas(df):
    session = sdc.Session()
    pd.testing.assert_frame_equal(session.crosstab(df.region, df.sex),
                                  pd.crosstab(df.region, df.sex))
    pd.testing.assert_frame_equal(
        session.crosstab(df.region, df.sex, values=df.income, aggfunc="mean", margins=True),
        pd.crosstab(df.region, df.sex, values=df.income, aggfunc="mean", margins=True))
    pd.testing.assert_frame_equal(
        session.pivot_table(df, values=["income", "weight"], index=["region", "sex"],
                            columns="year", aggfunc={"income": ["mean", "median"],
                                                     "weight": "sum"}),
        pd.pivot_table(df, values=["income", "weight"], index=["region", "sex"],
                       columns="year", aggfunc={"income": ["mean", "median"], "weight": "sum"}))


def test_counts_align_with_every_cell_of_a_multiindex_pivot(df):
    session = sdc.Session()
    table = session.pivot_table(df, values="income", index=["region", "sex"], columns="year",
                                aggfunc=["mean", "max"], margins=True)
    out = session.outputs[-1]
    expected = pd.crosstab([df.region, df.sex], df.year, margins=True)
    for func in ("mean", "max"):
        got = out.counts[func]
        assert (got.to_numpy() == expected.reindex(index=table.index).to_numpy()).all()
    for flag in out.flags.values():
        assert flag.index.equals(table.index) and flag.columns.equals(table.columns)


def test_normalize_checks_the_counts_not_the_proportions(df):
    session = sdc.Session()
    table = session.crosstab(df.region, df.sex, normalize="index")
    out = session.outputs[-1]
    assert out.statistic == "percentage"
    assert (table.to_numpy() <= 1).all()
    big = out.counts.index != "W"
    assert not out.flags["threshold"][big].to_numpy().any()
    assert out.flags["threshold"].loc["W"].all()


def test_callable_aggfuncs_are_checked_like_their_names(df):
    session = sdc.Session()
    session.crosstab(df.region, df.sex, values=df.income, aggfunc=np.mean)
    named = sdc.Session()
    named.crosstab(df.region, df.sex, values=df.income, aggfunc="mean")
    a, b = session.outputs[-1], named.outputs[-1]
    assert a.statistic == "mean" and a.checks == b.checks
    session.crosstab(df.region, df.sex, values=df.income, aggfunc=lambda s: s.quantile(0.9))
    out = session.outputs[-1]
    assert out.status in ("review", "fail") and "custom" in out.checks


def test_unit_counts_distinct_units_and_sums_their_contributions():
    # 3 firms with 5 rows each: 15 rows but 3 units
    df = pd.DataFrame({"firm": np.repeat([1, 2, 3], 5), "sector": "A", "size": "big",
                       "turnover": [10.0] * 10 + [100.0] * 5})
    rows = sdc.Session(threshold=10)
    rows.crosstab(df.sector, df["size"], values=df.turnover, aggfunc="sum")
    assert rows.outputs[-1].counts.iloc[0, 0] == 15
    units = sdc.Session(threshold=10)
    units.crosstab(df.sector, df["size"], values=df.turnover, aggfunc="sum", unit=df.firm)
    out = units.outputs[-1]
    assert out.counts.iloc[0, 0] == 3 and out.flags["threshold"].iloc[0, 0]
    # per unit the two largest contributions are 500 and 50 of 600 (92%): dominated;
    # per row they would be 100 and 100 of 600 (33%)
    session = sdc.Session(unit="firm", threshold=1)
    session.pivot_table(df, values="turnover", index="sector", aggfunc="sum")
    out = session.outputs[-1]
    assert out.counts.iloc[0, 0] == 3 and out.flags["nk"].iloc[0, 0]
    by_rows = sdc.Session(threshold=1)
    by_rows.pivot_table(df, values="turnover", index="sector", aggfunc="sum")
    assert not by_rows.outputs[-1].flags["nk"].iloc[0, 0]


def test_weights_give_weighted_estimates_with_unweighted_counts(df):
    session = sdc.Session()
    table = session.crosstab(df.region, df.sex, values=df.income, aggfunc="mean",
                             weights=df.weight)
    out = session.outputs[-1]
    sub = df[(df.region == "N") & (df.sex == "F")]
    assert table.loc["N", "F"] == pytest.approx(np.average(sub.income, weights=sub.weight))
    assert out.counts.loc["N", "F"] == len(sub)
    assert out.summary["weighted"] is True
    counts = session.crosstab(df.region, df.sex, weights=df.weight)
    assert counts.loc["N", "F"] == pytest.approx(sub.weight.sum())
    assert session.outputs[-1].counts.loc["N", "F"] == len(sub)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_non_positive_weights_are_refused(df, bad):
    w = df.weight.copy()
    w.iloc[3] = bad
    with pytest.raises(ValueError, match="weights must be positive: 1 weights"):
        sdc.Session().crosstab(df.region, df.sex, weights=w)


def test_nan_keys_are_left_out_and_unused_categories_are_zero_cells(df):
    region = pd.Categorical(df.region, categories=["N", "S", "E", "W", "Z"])
    keys = pd.Series(region, name="region")
    keys.iloc[:10] = np.nan
    session = sdc.Session()
    table = session.crosstab(keys, df.sex, dropna=False)
    out = session.outputs[-1]
    assert out.counts.to_numpy().sum() == len(df) - 10
    if "Z" in table.index:
        assert out.flags["zeros"].loc["Z"].all()


def test_mode_and_describe_and_column_statistics(df):
    session = sdc.Session()
    pd.testing.assert_frame_equal(session.describe(df[["income", "weight"]]),
                                  df[["income", "weight"]].describe())
    out = session.outputs[-1]
    assert out.checks["min_max"] == "fail"       # describe publishes min and max
    assert out.counts.loc["mean", "income"] == len(df)
    assert session.stat(df.income, "median") == df.income.median()
    assert session.outputs[-1].statistic == "median"


def test_acro_test_data_counts_values_not_rows():
    """Year 2010 x grant type N: 59 rows but only 5 values of inc_grants (DESIGN.md)."""
    path = SHARED / "acro_test_data.dta"
    if not path.exists():
        pytest.skip("shared ACRO test data not present")
    data = pd.read_stata(path)
    session = sdc.Session()
    session.crosstab(data.year, data.grant_type, values=data.inc_grants, aggfunc="mean")
    out = session.outputs[-1]
    rows = ((data.year == 2010) & (data.grant_type == "N")).sum()
    assert rows == 59
    assert out.counts.loc[2010, "N"] == 5
    assert out.flags["threshold"].loc[2010, "N"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda s, d: s.crosstab(d.region, d.sex.iloc[:10]), "different lengths"),
    (lambda s, d: s.crosstab(d.region, d.sex, values=d.income), "values and aggfunc"),
    (lambda s, d: s.crosstab(d.region, d.sex, values=d.sex, aggfunc="mean"), "not numeric"),
    (lambda s, d: s.pivot_table(d, values="income", index="nope"), "column 'nope'"),
    (lambda s, d: s.pivot_table(d, values="income", index="region", unit="nope"),
     "unit column 'nope'"),
    (lambda s, d: s.crosstab(d.region, d.sex, unit="firm"), "has no data frame"),
    (lambda s, d: s.crosstab(d.region, d.sex, round=-5), "rounding base"),
])
def test_bad_input_gets_a_clear_error(df, call, message):
    with pytest.raises((ValueError, TypeError, KeyError), match=message):
        call(sdc.Session(), df)


def test_empty_and_single_row_inputs_never_silently_pass():
    session = sdc.Session()
    empty = pd.DataFrame({"a": pd.Series([], dtype=str), "b": pd.Series([], dtype=str)})
    session.crosstab(empty.a, empty.b)
    assert session.outputs[-1].status == "review"
    one = pd.DataFrame({"a": ["x"], "b": ["y"]})
    session.crosstab(one.a, one.b)
    assert session.outputs[-1].status == "fail"


def test_rounding_and_suppression_change_only_what_was_asked(df):
    session = sdc.Session()
    table = session.crosstab(df.region, df.sex, round=5)
    assert (table.to_numpy() % 5 == 0).all()
    assert session.outputs[-1].mitigation["round_base"] == 5
    table = session.crosstab(df.region, df.sex, suppress=True)
    assert table.loc["W"].isna().all() and not table.loc["N"].isna().any()
