"""Agreement with the real ACRO 1.0.2, side by side in one process.

Each test runs the same analysis through ``jupyter_sdc`` and through ACRO (built with
``suppress=False``) and asserts the same per-cell verdicts for threshold, zeros, nk,
p_percent and dof, and the same overall status. ACRO lives in the pandas-2 environment
(``make test-acro``); elsewhere these tests are skipped. Where ACRO is known to be wrong,
``test_acro_differences.py`` tests our behaviour instead (see docs/acro-differences.md).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc

try:  # tests/functional as a package or as a plain folder on sys.path
    from .acro_data import (
        ONE_DOMINANT,
        TWO_DOMINANT,
        ZERO_CELL,
        acro_cell_flags,
        acro_failing_cells,
        acro_test_data,
        generated,
        last_acro_record,
    )
except ImportError:
    from acro_data import (  # type: ignore[no-redef]
        ONE_DOMINANT,
        TWO_DOMINANT,
        ZERO_CELL,
        acro_cell_flags,
        acro_failing_cells,
        acro_test_data,
        generated,
        last_acro_record,
    )

acro_pkg = pytest.importorskip("acro")
pytestmark = [
    pytest.mark.acro,
    # ACRO 1.0.2's own pandas deprecation noise, not ours
    pytest.mark.filterwarnings("ignore::FutureWarning:acro"),
    pytest.mark.filterwarnings(r"ignore:\s*A value is trying to be set on a copy"),
]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return generated()


@pytest.fixture(scope="module")
def dta() -> pd.DataFrame:
    frame = acro_test_data()
    if frame is None:
        pytest.skip("acro_test_data.dta not found (set SDC_SHARED_DATA)")
    return frame


@pytest.fixture
def acro(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # ACRO writes figures into the working directory
    session = acro_pkg.ACRO(suppress=False)
    logging.getLogger("acro").setLevel(logging.ERROR)
    return session


@pytest.fixture
def sess() -> sdc.Session:
    return sdc.Session(profile="acro-default")


def ours(sess: sdc.Session):
    return sess.outputs[-1]


def assert_same_flags(out, record, rules: tuple[str, ...]) -> None:
    """Our flags equal ACRO's, cell by cell, for each rule; the message names every cell."""
    problems = []
    for rule in rules:
        assert rule in out.flags, f"we did not evaluate {rule}; ACRO did"
        mine = out.flags[rule]
        theirs = acro_cell_flags(record, rule)
        assert set(map(str, mine.index)) == set(map(str, theirs.index)), (rule, "rows differ")
        assert set(map(str, mine.columns)) == set(map(str, theirs.columns)), (rule, "cols")
        theirs = theirs.reindex(index=mine.index, columns=mine.columns)
        diff = mine.to_numpy(dtype=bool) != theirs.to_numpy(dtype=bool)
        for i, j in zip(*np.nonzero(diff), strict=True):
            problems.append(
                f"cell ({mine.index[i]!r}, {mine.columns[j]!r}) rule {rule}: "
                f"ACRO {bool(theirs.iat[i, j])}, ours {bool(mine.iat[i, j])}"
            )
        assert int(mine.to_numpy().sum()) == acro_failing_cells(record, rule) or problems
    assert not problems, "\n".join(problems)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """ACRO re-tabulates suppressed tables from categoricals: compare labels, not index types."""
    out = frame.copy()
    for axis in ("index", "columns"):
        labels = getattr(out, axis)
        if isinstance(labels, pd.CategoricalIndex):
            setattr(out, axis, pd.Index(labels.astype(object), name=labels.name))
    return out


def assert_same_status(out, record) -> None:
    assert out.status.value == record.status, (out.status, record.status, out.reasons)


def test_generated_data_has_the_planned_risks(df):
    counts = pd.crosstab(df.region, df.sector)
    assert counts.loc[ZERO_CELL] == 0
    assert (counts.loc["Islands"] < 10).all() and (counts["Mining"] < 10).all()
    top = df.groupby(["region", "sector"]).income.apply(lambda s: s.nlargest(2).tolist())
    assert top[ONE_DOMINANT][0] == 20_000_000 and top[TWO_DOMINANT] == [8e6, 8e6]


# ----------------------------------------------------------------------------- tables


@pytest.mark.parametrize("margins", [False, True])
def test_counts_crosstab(df, sess, acro, margins):
    mine = sess.crosstab(df.region, df.sector, margins=margins)
    theirs = acro.crosstab(df.region, df.sector, margins=margins)
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
    record = last_acro_record(acro)
    assert_same_flags(ours(sess), record, ("threshold", "zeros"))
    assert ours(sess).flags["zeros"].loc[ZERO_CELL]  # the comparison is not vacuous
    assert_same_status(ours(sess), record)


@pytest.mark.parametrize("aggfunc", ["mean", "sum"])
def test_magnitude_crosstab(df, sess, acro, aggfunc):
    mine = sess.crosstab(df.region, df.sector, values=df.income, aggfunc=aggfunc)
    theirs = acro.crosstab(df.region, df.sector, values=df.income, aggfunc=aggfunc)
    pd.testing.assert_frame_equal(mine, theirs, check_dtype=False, check_names=False)
    record = last_acro_record(acro)
    out = ours(sess)
    assert_same_flags(out, record, ("threshold", "nk", "p_percent"))
    assert out.flags["nk"].loc[ONE_DOMINANT] and out.flags["p_percent"].loc[ONE_DOMINANT]
    assert out.flags["nk"].loc[TWO_DOMINANT] and not out.flags["p_percent"].loc[TWO_DOMINANT]
    assert_same_status(out, record)


def test_mean_crosstab_with_margins(df, sess, acro):
    sess.crosstab(df.sex, df.sector, values=df.income, aggfunc="mean", margins=True)
    acro.crosstab(df.sex, df.sector, values=df.income, aggfunc="mean", margins=True)
    record = last_acro_record(acro)
    assert_same_flags(ours(sess), record, ("threshold", "nk", "p_percent"))
    assert_same_status(ours(sess), record)


def test_median_crosstab(df, sess, acro):
    sess.crosstab(df.region, df.sector, values=df.hours, aggfunc="median")
    acro.crosstab(df.region, df.sector, values=df.hours, aggfunc="median")
    record = last_acro_record(acro)
    assert_same_flags(ours(sess), record, ("threshold", "zeros"))
    assert_same_status(ours(sess), record)


def test_pivot_table_several_values_and_aggfuncs(df, sess, acro):
    """ACRO takes one values column per call; ours takes several: compare block by block."""
    table = sess.pivot_table(
        df, values=["income", "hours"], index="region", columns="sector",
        aggfunc=["mean", "sum"], margins=True,
    )
    out = ours(sess)
    assert out.status.value == "fail"
    for value in ("income", "hours"):
        acro.pivot_table(df, values=value, index="region", columns="sector",
                         aggfunc=["mean", "sum"], margins=True)
        record = last_acro_record(acro)
        for rule in ("threshold", "nk", "p_percent"):
            mine = out.flags[rule].xs(value, level=1, axis=1)
            theirs = acro_cell_flags(record, rule).reindex(index=mine.index,
                                                           columns=mine.columns)
            assert (mine.to_numpy() == theirs.to_numpy()).all(), (value, rule)
        assert record.status == "fail"
    assert table.shape == (7, 2 * 2 * 6)


def test_pivot_table_two_index_keys(df, sess, acro):
    sess.pivot_table(df, values="income", index=["region", "sex"], columns="sector",
                     aggfunc="mean")
    acro.pivot_table(df, values="income", index=["region", "sex"], columns="sector",
                     aggfunc="mean")
    record = last_acro_record(acro)
    assert_same_flags(ours(sess), record, ("threshold", "nk", "p_percent"))
    assert_same_status(ours(sess), record)


def test_tables_that_pass(df, sess, acro):
    """No risky cell: both pass (ACRO's manual-review notes do not change its status)."""
    sess.crosstab(df.sex, df.year)
    acro.crosstab(df.sex, df.year)
    assert ours(sess).status.value == last_acro_record(acro).status == "pass"
    sess.crosstab(df.sex, df.year, values=df.hours, aggfunc="mean")
    acro.crosstab(df.sex, df.year, values=df.hours, aggfunc="mean")
    assert ours(sess).status.value == last_acro_record(acro).status == "pass"


# ----------------------------------------------------------------------------- ACRO's data


def test_acro_data_counts(dta, sess, acro):
    sess.crosstab(dta.year, dta.grant_type)
    acro.crosstab(dta.year, dta.grant_type)
    record = last_acro_record(acro)
    assert_same_flags(ours(sess), record, ("threshold", "zeros"))
    assert int(ours(sess).flags["threshold"]["R/G"].sum()) == 6  # ACRO's own expectation


def test_acro_data_mean_dominance(dta, sess, acro):
    """nk agrees on ACRO's data; threshold and p% differ only where documented."""
    sess.crosstab(dta.year, dta.grant_type, values=dta.inc_grants, aggfunc="mean")
    acro.crosstab(dta.year, dta.grant_type, values=dta.inc_grants, aggfunc="mean")
    record = last_acro_record(acro)
    out = ours(sess)
    assert_same_flags(out, record, ("nk",))
    assert int(out.flags["nk"].to_numpy().sum()) == 1
    assert_same_status(out, record)
    # threshold: ACRO counts rows, we count values (docs/acro-differences.md, item 6)
    rows = pd.crosstab(dta.year, dta.grant_type)
    values = pd.crosstab(dta.year, dta.grant_type, values=dta.inc_grants, aggfunc="count")
    expected = (values < 10).to_numpy()
    assert (out.flags["threshold"].to_numpy() == expected).all()
    theirs = acro_cell_flags(record, "threshold").reindex_like(out.flags["threshold"])
    assert (theirs.to_numpy() == (rows < 10).to_numpy()).all()
    # p%: the same cells, except 2010 x N whose five values are all 0 (open question there)
    mine_p = out.flags["p_percent"]
    theirs_p = acro_cell_flags(record, "p_percent").reindex_like(mine_p)
    rows_at, cols_at = np.nonzero(mine_p.to_numpy() != theirs_p.to_numpy())
    assert [(mine_p.index[i], mine_p.columns[j]) for i, j in zip(rows_at, cols_at, strict=True)
            ] == [(2010, "N")]
    in_cell = dta.inc_grants[(dta.year == 2010) & (dta.grant_type == "N")].dropna()
    assert len(in_cell) == 5 and (in_cell == 0).all()


# ----------------------------------------------------------------------------- models


@pytest.mark.parametrize(
    ("ours_name", "acro_name", "formula"),
    [
        ("ols", "olsr", "income ~ age + hours + C(sector)"),
        ("logit", "logitr", "full_time ~ age + hours + C(sector)"),
        ("probit", "probitr", "full_time ~ age + hours + C(sector)"),
    ],
)
def test_models_on_the_full_data(df, sess, acro, ours_name, acro_name, formula):
    data = df[df.sector != "Mining"]  # no sparse regressor level: only dof can decide
    mine = getattr(sess, ours_name)(formula, data=data)
    theirs = getattr(acro, acro_name)(formula, data=data)
    np.testing.assert_allclose(mine.params.to_numpy(), theirs.params.to_numpy(), rtol=1e-6)
    record = last_acro_record(acro)
    out = ours(sess)
    assert out.checks["dof"].value == "pass"
    assert_same_status(out, record)
    assert record.properties["dof"] == int(mine.df_resid)


@pytest.mark.parametrize("n_rows", [12, 13])  # 3 parameters: dof 9 fails, 10 passes
@pytest.mark.parametrize(("ours_name", "acro_name"), [("ols", "olsr")])
def test_model_dof_boundary(df, sess, acro, n_rows, ours_name, acro_name):
    data = df[df.income > 0].iloc[:n_rows]
    getattr(sess, ours_name)("income ~ age + hours", data=data)
    getattr(acro, acro_name)("income ~ age + hours", data=data)
    record = last_acro_record(acro)
    out = ours(sess)
    expected = "fail" if n_rows - 3 < 10 else "pass"
    assert out.checks["dof"].value == record.status == expected
    assert bool(out.flags["dof"].to_numpy().any()) == (expected == "fail")


@pytest.mark.parametrize(("ours_name", "acro_name"), [("logit", "logitr"), ("probit", "probitr")])
def test_binary_model_dof_boundary(df, sess, acro, ours_name, acro_name):
    data = df.iloc[:60]
    for n_rows in (12, 13):
        part = data.iloc[:n_rows]
        if part.full_time.nunique() < 2:
            pytest.skip("the slice has one outcome class")
        getattr(sess, ours_name)("full_time ~ age + hours", data=part)
        getattr(acro, acro_name)("full_time ~ age + hours", data=part)
        assert ours(sess).checks["dof"].value == last_acro_record(acro).status


# ----------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("column", "bins", "status"),
    [("hours", 20, "fail"), ("age", 10, "pass"), ("income", 10, "fail")],
)
def test_histogram(df, sess, acro, column, bins, status):
    """Sparse tails fail in both, and in as many bins; an even spread passes in both (on the
    same bins: the data's own edges, as ACRO draws them)."""
    sess.hist(df, column, bins=bins, round_edges=False)
    acro.hist(df, column, bins=bins)
    record = last_acro_record(acro)
    out = ours(sess)
    assert out.status.value == record.status == status
    assert int(out.flags["threshold"].to_numpy().sum()) == acro_failing_cells(record, "threshold")


# ----------------------------------------------------------------------------- suppression


def test_suppressed_counts(df, sess, acro):
    """Without margins, both mask exactly the failing cells (margins: test_acro_differences)."""
    mine = sess.crosstab(df.region, df.sector, suppress=True)
    acro.enable_suppression()
    theirs = acro.crosstab(df.region, df.sector)
    acro.disable_suppression()
    out = ours(sess)
    assert (mine.isna().to_numpy() == theirs.isna().to_numpy()).all()
    pd.testing.assert_frame_equal(mine, plain(theirs), check_dtype=False)
    assert out.status.value == last_acro_record(acro).status == "review"


@pytest.mark.parametrize("aggfunc", ["mean", "sum"])
def test_suppressed_magnitude(df, sess, acro, aggfunc):
    mine = sess.crosstab(df.region, df.sector, values=df.income, aggfunc=aggfunc, suppress=True)
    acro.enable_suppression()
    theirs = acro.crosstab(df.region, df.sector, values=df.income, aggfunc=aggfunc)
    acro.disable_suppression()
    assert (mine.isna().to_numpy() == theirs.isna().to_numpy()).all()
    pd.testing.assert_frame_equal(mine, plain(theirs), check_dtype=False, check_names=False)
    assert ours(sess).status.value == last_acro_record(acro).status == "review"


# ---------------------------------------------------------------- survival


def acro_survival_data() -> pd.DataFrame:
    """ACRO's own survival test data when flchain cannot be fetched (test/test_plots.py)."""
    np.random.seed(42)
    n = 500
    frame = pd.DataFrame({"futime": np.random.exponential(100, n),
                          "death": np.random.binomial(1, 0.3, n),
                          "sex": np.random.choice(["F", "M"], n)})
    return frame[frame.sex == "F"]


def test_survival_table_is_acros_and_its_plot_is_judged_as_the_table(acro):
    data = acro_survival_data()
    theirs = acro.surv_func(data.futime, data.death, output="table")
    acro.surv_func(data.futime, data.death, output="plot")
    table_record, plot_record = list(acro.results.results.values())[-2:]
    sess = sdc.Session(profile="acro-default")
    ours = sess.surv_func(data.futime, data.death, output="table")
    sess.surv_func(data.futime, data.death, output="plot")
    table_out, plot_out = sess.outputs[-2:]
    pd.testing.assert_frame_equal(ours, theirs)
    # both judge a Kaplan-Meier plot with the checks of its table
    assert table_record.status == plot_record.status
    assert table_out.status == plot_out.status
    assert table_out.flags["threshold"].equals(plot_out.flags["threshold"])


@pytest.mark.parametrize(("smallest", "status"), [(9, "fail"), (10, "pass")])
def test_pie_chart_verdicts_agree(acro, smallest, status):
    frame = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 20 + ["c"] * smallest})
    acro.pie(frame, "g")
    record = last_acro_record(acro)
    sess = sdc.Session(profile="acro-default")
    sess.pie(frame, "g")
    assert record.status == sess.outputs[-1].status.value == status
