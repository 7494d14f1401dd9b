"""Model wrappers: dof and per-level counts at their exact boundaries, results unchanged."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import jupyter_sdc as sdc
from jupyter_sdc.adapters.statsmodels import check_model
from jupyter_sdc.core.rules import RuleValues

MODEL_WRAPPERS = ("ols", "olsr", "logit", "logitr", "probit", "probitr")


@pytest.fixture
def sess():
    return sdc.Session()


def rows_with_level(small: int, n_big: int = 60, seed: int = 0) -> pd.DataFrame:
    """Region 'b' has ``small`` rows; 'a' and 'c' have ``n_big`` each."""
    rng = np.random.default_rng(seed)
    region = ["a"] * n_big + ["b"] * small + ["c"] * n_big
    n = len(region)
    x = rng.normal(size=n)
    y = 1.0 + 0.5 * x + rng.normal(size=n)
    return pd.DataFrame({"y": y, "x": x, "region": region,
                         "won": (rng.random(n) < 0.5).astype(int)})


def test_session_binds_model_wrappers():
    # each is a method of sdc.Session and a function on the default session (sdc.ols(...))
    for name in (*MODEL_WRAPPERS, "hist"):
        assert name in sdc.WRAPPERS, name
        assert callable(getattr(sdc.Session, name)), name
        assert getattr(sdc, name).__name__ == name, name


# ------------------------------------------------------------------------------ dof
@pytest.mark.parametrize(("n_rows", "fails"), [(12, True), (13, False)])  # 3 params: 9 / 10
def test_residual_dof_9_fails_10_passes(sess, n_rows, fails):
    rng = np.random.default_rng(1)
    exog = sm.add_constant(rng.normal(size=(n_rows, 2)))
    result = sess.ols(rng.normal(size=n_rows), exog)
    out = sess.outputs[-1]
    assert result.df_resid == n_rows - 3
    assert out.checks["dof"] == ("fail" if fails else "pass")
    assert bool(out.flags["dof"].to_numpy().all()) is fails
    assert out.status == ("fail" if fails else "pass")
    assert out.summary["df_resid"] == n_rows - 3
    if fails:
        assert any("(dof)" in r and "9" in r for r in out.reasons)


def test_dof_value_is_configurable(sess):
    rng = np.random.default_rng(2)
    exog = sm.add_constant(rng.normal(size=(13, 2)))
    sess.ols(rng.normal(size=13), exog, dof=11)
    assert sess.outputs[-1].checks["dof"] == "fail"


# ------------------------------------------------------------------- levels (our addition)
@pytest.mark.parametrize(("small", "fails"), [(9, True), (10, False)])
def test_category_level_9_fails_10_passes_formula(sess, small, fails):
    df = rows_with_level(small)
    sess.olsr("y ~ x + C(region)", data=df)
    out = sess.outputs[-1]
    assert out.counts.loc["C(region)[T.b]", "coef"] == small
    assert out.counts.loc["C(region)[T.c]", "coef"] == 60
    assert out.counts.loc["Intercept", "coef"] == out.counts.loc["x", "coef"] == len(df)
    assert bool(out.flags["threshold"].loc["C(region)[T.b]"].all()) is fails
    assert not out.flags["threshold"].drop(index="C(region)[T.b]").to_numpy().any()
    assert out.checks["dof"] == "pass"
    assert out.status == ("fail" if fails else "pass")
    if fails:
        assert out.reasons[0].startswith("1 parameter(s) rest on fewer than 10 observations")
        assert "C(region)[T.b] (9)" in out.reasons[0]


@pytest.mark.parametrize(("small", "fails"), [(9, True), (10, False)])
def test_category_level_9_fails_10_passes_array(sess, small, fails):
    df = rows_with_level(small)
    exog = sm.add_constant(pd.get_dummies(df[["x", "region"]], drop_first=True, dtype=float))
    sess.ols(df.y, exog)
    out = sess.outputs[-1]
    assert out.counts.loc["region_b", "coef"] == small
    assert out.counts.loc["const", "coef"] == out.counts.loc["x", "coef"] == len(df)
    assert bool(out.flags["threshold"].loc["region_b"].all()) is fails
    assert out.status == ("fail" if fails else "pass")


def test_string_column_levels_and_interactions_are_counted(sess):
    df = rows_with_level(9)
    sess.olsr("y ~ region + region:x", data=df)
    counts = sess.outputs[-1].counts["coef"]
    assert counts["region[T.b]"] == 9
    assert counts["region[b]:x"] == 9   # nonzero entries: the level's observations
    assert counts["region[c]:x"] == 60
    assert counts["Intercept"] == len(df)


def test_continuous_regressor_with_zeros_counts_every_observation(sess):
    df = rows_with_level(30)
    df["hours"] = np.where(np.arange(len(df)) % 3 == 0, 0.0, 37.5 + np.arange(len(df)) % 4)
    sess.olsr("y ~ hours", data=df)
    assert sess.outputs[-1].counts.loc["hours", "coef"] == len(df)


def test_missing_rows_are_not_counted(sess):
    df = rows_with_level(12)
    df.loc[df.index[df.region == "b"][:3], "x"] = np.nan
    result = sess.olsr("y ~ x + C(region)", data=df)
    out = sess.outputs[-1]
    assert result.nobs == len(df) - 3
    assert out.counts.loc["C(region)[T.b]", "coef"] == 9
    assert out.summary["n"] == len(df) - 3
    assert out.status == "fail"


# ------------------------------------------------------------------ the record's table
def test_coefficient_table_matches_the_fit(sess):
    df = rows_with_level(20)
    result = sess.olsr("y ~ x + C(region)", data=df)
    out = sess.outputs[-1]
    assert list(out.table.columns) == ["coef", "std err", "t", "P>|t|", "[0.025", "0.975]"]
    assert list(out.table.index) == list(result.params.index)
    np.testing.assert_allclose(out.table["coef"], result.params)
    np.testing.assert_allclose(out.table["std err"], result.bse)
    np.testing.assert_allclose(out.table["[0.025"], result.conf_int()[0])
    assert out.kind == "model" and out.statistic == "model"
    assert out.summary == {**out.summary, "n": len(df), "model": "OLS",
                           "formula": "y ~ x + C(region)", "dependent": "y",
                           "df_model": result.df_model, "df_resid": result.df_resid}
    again = sdc.Output.from_dict(out.to_dict())
    assert again.status == out.status and again.counts.equals(out.counts)


def test_logit_table_uses_z(sess):
    df = rows_with_level(40)
    sess.logitr("won ~ x + C(region)", data=df)
    assert list(sess.outputs[-1].table.columns)[2:4] == ["z", "P>|z|"]


# ------------------------------------------------------------ results returned unchanged
def test_formula_results_are_a_bare_fit(sess):
    df = rows_with_level(25)
    for ours, bare, kw in (("olsr", smf.ols, {}), ("logitr", smf.logit, {"disp": 0}),
                           ("probitr", smf.probit, {"disp": 0})):
        formula = ("y" if ours == "olsr" else "won") + " ~ x + C(region)"
        mine = getattr(sess, ours)(formula, df)
        theirs = bare(formula, df).fit(**kw)
        assert type(mine) is type(theirs)
        pd.testing.assert_series_equal(mine.params, theirs.params)
        pd.testing.assert_series_equal(mine.bse, theirs.bse)


def test_array_results_are_a_bare_fit(sess):
    df = rows_with_level(25)
    exog = sm.add_constant(df[["x"]])
    for ours, bare in (("ols", sm.OLS), ("logit", sm.Logit), ("probit", sm.Probit)):
        endog = df.y if ours == "ols" else df.won
        mine = getattr(sess, ours)(endog, exog)
        theirs = bare(endog, exog).fit(**({} if ours == "ols" else {"disp": 0}))
        pd.testing.assert_series_equal(mine.params, theirs.params)
    assert len(sess.outputs) == 3


def test_fit_keywords_reach_the_fit(sess):
    df = rows_with_level(25)
    mine = sess.olsr("y ~ x + C(region)", df, fit_kwargs={"cov_type": "HC1"})
    theirs = smf.ols("y ~ x + C(region)", df).fit(cov_type="HC1")
    pd.testing.assert_series_equal(mine.bse, theirs.bse)
    np.testing.assert_allclose(sess.outputs[-1].table["std err"], theirs.bse)
    assert list(sess.outputs[-1].table.columns)[2] == "z"  # robust covariance: normal tests


def test_array_names_take_a_formula_too(sess):
    df = rows_with_level(25)
    mine = sess.ols("y ~ x + C(region)", data=df)
    np.testing.assert_allclose(mine.params, smf.ols("y ~ x + C(region)", df).fit().params)
    sess.logit("won ~ x", df)
    assert sess.outputs[-1].summary["model"] == "Logit"


def helper_center(v):
    return v - v.mean()


def test_formula_sees_the_callers_namespace(sess):
    df = rows_with_level(25)

    def local_scale(v):
        return v * 2

    result = sess.olsr("y ~ local_scale(x) + helper_center(won)", data=df)
    assert {"local_scale(x)", "helper_center(won)"} <= set(result.params.index)


def test_subset_and_drop_cols(sess):
    df = rows_with_level(25)
    result = sess.olsr("y ~ x + C(region)", data=df, subset=df.region != "c", drop_cols=["x"])
    assert "x" not in result.params.index
    assert sess.outputs[-1].summary["n"] == 85


# ------------------------------------------------------------------------------- units
def panel(n_units_b: int, rows_per_unit: int = 3) -> pd.DataFrame:
    df = rows_with_level(n_units_b * rows_per_unit, n_big=60)
    df["person"] = np.arange(len(df)) // rows_per_unit
    return df


@pytest.mark.parametrize(("units_b", "fails"), [(9, True), (10, False)])
def test_unit_counts_distinct_units_per_level(sess, units_b, fails):
    df = panel(units_b)
    sess.olsr("y ~ x + C(region)", data=df)
    assert sess.outputs[-1].counts.loc["C(region)[T.b]", "coef"] == 3 * units_b
    assert sess.outputs[-1].status == "pass"  # 27 rows pass as rows ...
    sess.olsr("y ~ x + C(region)", data=df, unit="person")
    out = sess.outputs[-1]  # ... but not as 9 people
    assert out.counts.loc["C(region)[T.b]", "coef"] == units_b
    assert out.counts.loc["Intercept", "coef"] == df.person.nunique()
    assert out.status == ("fail" if fails else "pass")
    assert out.summary["unit"] == "person" and out.summary["n"] == df.person.nunique()
    if fails:
        assert "units" in out.reasons[0]


def test_session_unit_applies_to_models():
    df = panel(9)
    session = sdc.Session(unit="person")
    session.olsr("y ~ x + C(region)", data=df)
    assert session.outputs[-1].counts.loc["C(region)[T.b]", "coef"] == 9


def test_unit_series_for_the_array_api_with_dropped_rows(sess):
    df = panel(10)
    df.loc[df.index[df.region == "b"][:3], "x"] = np.nan  # the first person in 'b' drops out
    exog = sm.add_constant(pd.get_dummies(df[["x", "region"]], drop_first=True, dtype=float))
    sess.ols(df.y.to_numpy(), exog.to_numpy(), missing="drop", unit=df.person.to_numpy())
    counts = sess.outputs[-1].counts["coef"]
    assert counts.iloc[2] == 9  # region_b: 9 people left
    assert sess.outputs[-1].status == "fail"


def test_unit_errors_name_the_argument(sess):
    df = panel(10)
    exog = sm.add_constant(df[["x"]])
    with pytest.raises(ValueError, match="unit='person' names a column"):
        sess.ols(df.y, exog, unit="person")
    with pytest.raises(ValueError, match="unit has 5 values but the model used"):
        sess.ols(df.y.to_numpy(), exog.to_numpy(), unit=np.arange(5))
    with pytest.raises(KeyError, match="unit column 'nobody'"):
        sess.olsr("y ~ x", data=df, unit="nobody")
    bad = df.assign(person=df.person.astype(float).where(df.index > 0))
    with pytest.raises(ValueError, match="unit has missing values"):
        sess.olsr("y ~ x", data=bad, unit="person")


# ------------------------------------------------------------- binary outcome per level
SEPARATION = "ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning"


@pytest.mark.filterwarnings(SEPARATION)
def test_level_where_everyone_has_the_same_outcome_is_for_review(sess):
    df = rows_with_level(15, n_big=80, seed=3)
    df.loc[df.region == "b", "won"] = 1
    sess.logitr("won ~ x + C(region)", data=df)
    out = sess.outputs[-1]
    assert out.checks["class_disclosure"] == "review"
    assert bool(out.flags["class_disclosure"].loc["C(region)[T.b]"].all())
    assert not out.flags["class_disclosure"].loc["C(region)[T.c]"].any()
    assert out.status == "review"
    assert any("C(region)[T.b] (15 with outcome 1, 0 with 0)" in r for r in out.reasons)


@pytest.mark.parametrize(("minority", "review"), [(9, True), (10, False)])
def test_binary_outcome_minority_boundary(sess, minority, review):
    df = rows_with_level(30, n_big=80, seed=4)
    b = df.index[df.region == "b"]
    df.loc[b, "won"] = 0
    df.loc[b[:minority], "won"] = 1
    sess.probitr("won ~ x + C(region)", data=df)
    out = sess.outputs[-1]
    assert bool(out.flags["class_disclosure"].loc["C(region)[T.b]"].all()) is review
    assert out.status == ("review" if review else "pass")


@pytest.mark.filterwarnings(SEPARATION)
def test_outcome_check_follows_class_disclosure_switch(sess):
    df = rows_with_level(15, n_big=80, seed=3)
    df.loc[df.region == "b", "won"] = 1
    sess.logitr("won ~ x + C(region)", data=df, class_disclosure=False)
    assert "class_disclosure" not in sess.outputs[-1].checks


# ------------------------------------------------------------------- adapter directly
def test_check_model_on_glm_and_wls():
    df = rows_with_level(9)
    rules = RuleValues()
    glm = smf.glm("won ~ x + C(region)", df, family=sm.families.Binomial()).fit()
    out = check_model(glm, rules=rules, uid="g")
    assert out.counts.loc["C(region)[T.b]", "coef"] == 9 and out.status == "fail"
    assert out.summary["model"] == "GLM" and out.summary["family"] == "Binomial"
    assert "class_disclosure" in out.checks
    wls = smf.wls("y ~ x + C(region)", df, weights=np.linspace(1, 2, len(df))).fit()
    assert check_model(wls, rules=rules, uid="w").counts.loc["C(region)[T.b]", "coef"] == 9


def test_check_model_refuses_what_is_not_a_fitted_model():
    with pytest.raises(TypeError, match="fitted statsmodels results"):
        check_model(pd.DataFrame({"a": [1]}), rules=RuleValues(), uid="x")
    df = rows_with_level(20)
    model = smf.ols("y ~ x", df)
    with pytest.raises(TypeError, match="fitted statsmodels results"):
        check_model(model, rules=RuleValues(), uid="x")


def test_bad_formula_arguments(sess):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        sess.olsr("y ~ x", data={"y": [1, 2]})
    with pytest.raises(TypeError, match="formula must be a string"):
        sess.olsr(42, data=rows_with_level(10))
