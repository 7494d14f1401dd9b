"""Where ACRO 1.0.2 is wrong, we test our behaviour; where cheap, we also show ACRO's.

Each test named ``test_ours_*`` states what a researcher relies on and runs everywhere.
Each ``test_acro_*`` runs the real ACRO (pandas-2 environment only) and shows the behaviour
that docs/acro-differences.md describes, so that the list stays true when ACRO changes.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc

try:  # tests/functional as a package or as a plain folder on sys.path
    from .acro_data import acro_cell_flags, acro_test_data, generated, last_acro_record
except ImportError:
    from acro_data import (  # type: ignore[no-redef]
        acro_cell_flags,
        acro_test_data,
        generated,
        last_acro_record,
    )

# ACRO 1.0.2's own pandas deprecation noise, not ours
pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning:acro"),
    pytest.mark.filterwarnings(r"ignore:\s*A value is trying to be set on a copy"),
]


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return generated()


@pytest.fixture
def sess() -> sdc.Session:
    return sdc.Session(profile="acro-default")


@pytest.fixture
def acro(tmp_path, monkeypatch):
    acro_pkg = pytest.importorskip("acro")
    monkeypatch.chdir(tmp_path)  # ACRO writes figures into the working directory
    session = acro_pkg.ACRO(suppress=False)
    logging.getLogger("acro").setLevel(logging.ERROR)
    return session


def last(sess: sdc.Session):
    return sess.outputs[-1]


def small_cell_frame() -> pd.DataFrame:
    """2 x 2 groups with 30, 30, 30 and 3 records; no zeros, positive values."""
    rng = np.random.default_rng(5)
    sizes = {("a", "x"): 30, ("a", "y"): 30, ("b", "x"): 30, ("b", "y"): 3}
    rows = [(r, c) for (r, c), k in sizes.items() for _ in range(k)]
    frame = pd.DataFrame(rows, columns=["r", "c"])
    frame["v"] = rng.integers(1, 4, size=len(frame)).astype(float)
    return frame


# ---------------------------------------------------------------- callable aggfunc


def test_ours_callable_aggfunc_is_checked_like_its_name(df, sess):
    sess.crosstab(df.region, df.sector, values=df.income, aggfunc="mean")
    by_name = last(sess)
    sess.crosstab(df.region, df.sector, values=df.income, aggfunc=np.mean)
    by_callable = last(sess)
    assert by_callable.status.value == "fail"
    for rule in ("threshold", "nk", "p_percent"):
        assert by_callable.flags[rule].equals(by_name.flags[rule]), rule


@pytest.mark.acro
def test_acro_callable_aggfunc_skips_every_check(df, acro):
    acro.crosstab(df.region, df.sector, values=df.income, aggfunc=np.mean)
    record = last_acro_record(acro)
    assert record.status == "pass" and not record.sdc["summary"]


# ---------------------------------------------------------------- min and max


@pytest.mark.parametrize("aggfunc", ["min", "max"])
def test_ours_min_and_max_publish_one_record_so_fail(df, sess, aggfunc):
    sess.crosstab(df.sex, df.year, values=df.hours, aggfunc=aggfunc)
    out = last(sess)
    assert out.flags["min_max"].to_numpy().all()
    assert out.checks["min_max"].value == "fail" and out.status.value == "fail"


def test_ours_min_max_can_be_review(df):
    sess = sdc.Session(profile="acro-default", min_max="review")
    sess.crosstab(df.sex, df.year, values=df.hours, aggfunc="max")
    assert sess.outputs[-1].status.value == "review"


@pytest.mark.acro
@pytest.mark.parametrize("aggfunc", ["min", "max"])
def test_acro_min_and_max_pass(df, acro, aggfunc):
    acro.crosstab(df.sex, df.year, values=df.hours, aggfunc=aggfunc)
    assert last_acro_record(acro).status == "pass"


# ---------------------------------------------------------------- normalize


def test_ours_normalize_checks_the_counts_not_the_proportions(df, sess):
    table = sess.crosstab(df.sex, df.year, normalize=True)
    out = last(sess)
    pd.testing.assert_frame_equal(table, pd.crosstab(df.sex, df.year, normalize=True))
    pd.testing.assert_frame_equal(out.counts, pd.crosstab(df.sex, df.year), check_dtype=False,
                                  check_names=False)
    assert out.status.value == "pass"


@pytest.mark.acro
def test_acro_normalize_applies_the_threshold_to_proportions(df, acro):
    acro.crosstab(df.sex, df.year, normalize=True)
    record = last_acro_record(acro)
    assert record.status == "fail"
    assert acro_cell_flags(record, "threshold").to_numpy().all()


# ---------------------------------------------------------------- mode


def test_ours_mode_has_a_threshold(sess):
    frame = small_cell_frame()
    sess.crosstab(frame.r, frame.c, values=frame.v, aggfunc="mode")
    out = last(sess)
    assert out.flags["threshold"].loc["b", "y"] and out.status.value == "fail"


@pytest.mark.acro
def test_acro_mode_has_no_threshold(acro):
    frame = small_cell_frame()
    acro.crosstab(frame.r, frame.c, values=frame.v, aggfunc="mode")
    record = last_acro_record(acro)
    assert "MinimumThresholdCheck" not in record.sdc["summary"]
    assert record.status == "pass"


# ---------------------------------------------------------------- std with suppression


def test_ours_std_suppression_masks_only_the_cells_that_fail(sess):
    frame = small_cell_frame()
    table = sess.crosstab(frame.r, frame.c, values=frame.v, aggfunc="std", suppress=True)
    bare = pd.crosstab(frame.r, frame.c, values=frame.v, aggfunc="std")
    assert np.isnan(table.loc["b", "y"])
    mask = np.ones(bare.shape, dtype=bool)
    mask[1, 1] = False
    np.testing.assert_allclose(table.to_numpy()[mask], bare.to_numpy()[mask])
    assert last(sess).flags["dof"].loc["b", "y"]  # 3 records: 2 degrees of freedom


@pytest.mark.acro
def test_acro_std_suppression_blanks_every_cell(acro):
    frame = small_cell_frame()
    acro.enable_suppression()
    table = acro.crosstab(frame.r, frame.c, values=frame.v, aggfunc="std")
    assert table.isna().to_numpy().all()
    # its per-cell record holds the degrees of freedom, not which cells fail
    assert last_acro_record(acro).sdc["summary"]["MinimumDoFCheck"] == 29 * 3 + 2


# ---------------------------------------------------------------- missing values


@pytest.fixture(scope="module")
def dta() -> pd.DataFrame:
    frame = acro_test_data()
    if frame is None:
        pytest.skip("acro_test_data.dta not found (set SDC_SHARED_DATA)")
    return frame


def test_ours_magnitude_counts_are_values_not_rows(dta, sess):
    sess.crosstab(dta.year, dta.grant_type, values=dta.inc_grants, aggfunc="mean")
    out = last(sess)
    assert out.counts.loc[2010, "N"] == 5  # 59 rows, 5 values of inc_grants
    assert out.flags["threshold"].loc[2010, "N"]


def test_ours_missing_values_counted_on_generated_data(sess):
    frame = small_cell_frame()
    frame.loc[frame.index[:25], "v"] = np.nan  # (a, x): 30 rows, 5 values
    sess.crosstab(frame.r, frame.c, values=frame.v, aggfunc="sum")
    out = last(sess)
    assert out.counts.loc["a", "x"] == 5 and out.flags["threshold"].loc["a", "x"]


@pytest.mark.acro
def test_acro_magnitude_counts_rows_with_missing_values(dta, acro):
    acro.crosstab(dta.year, dta.grant_type, values=dta.inc_grants, aggfunc="mean")
    record = last_acro_record(acro)
    assert not acro_cell_flags(record, "threshold").loc[2010, "N"]


# ---------------------------------------------------------------- histograms


def peaked_top_bin() -> pd.DataFrame:
    """bins=5: 12 records in each of bins 1-4, 10 in the top bin, one of them the maximum."""
    values = [5.0] * 12 + [15.0] * 12 + [25.0] * 12 + [35.0] * 12 + [45.0] * 9 + [50.0]
    return pd.DataFrame({"x": values})


def gap_in_the_middle() -> pd.DataFrame:
    """bins=5: the middle bin is empty; the maximum is a single record."""
    values = [5.0] * 12 + [15.0] * 12 + [35.0] * 12 + [44.0] * 11 + [45.0]
    return pd.DataFrame({"x": values})


def test_ours_histogram_counts_the_maximum(sess):
    sess.hist(peaked_top_bin(), "x", bins=5)
    out = last(sess)
    assert int(out.counts.to_numpy().sum()) == 58
    assert out.status.value == "pass"


@pytest.mark.acro
def test_acro_histogram_drops_the_maximum(acro):
    acro.hist(peaked_top_bin(), "x", bins=5)
    record = last_acro_record(acro)
    assert record.status == "fail" and record.sdc["summary"]["MinimumThresholdCheck"] == 1


def test_ours_histogram_empty_bins_follow_the_zeros_setting():
    disclosive = sdc.Session(profile="acro-default")
    disclosive.hist(gap_in_the_middle(), "x", bins=5)
    assert disclosive.outputs[-1].status.value == "fail"
    not_disclosive = sdc.Session(profile="acro-default", zeros=False)
    not_disclosive.hist(gap_in_the_middle(), "x", bins=5)
    assert not_disclosive.outputs[-1].status.value == "pass"


@pytest.mark.acro
def test_acro_zeros_setting_has_no_effect_on_histograms(acro):
    acro.config["zeros_are_disclosive"] = False  # the checks read this same dict
    acro.hist(gap_in_the_middle(), "x", bins=5)
    record = last_acro_record(acro)
    assert record.status == "fail" and record.sdc["summary"]["MinimumThresholdCheck"] == 1


# ---------------------------------------------------------------- zeros off on tables


def test_ours_zero_cells_pass_when_zeros_are_not_disclosive(df):
    sess = sdc.Session(profile="acro-default", zeros=False)
    sess.crosstab(df.region, df.sector)
    out = sess.outputs[-1]
    assert not out.flags["threshold"].loc["North", "Arts"]
    assert not out.flags.get("zeros", out.flags["threshold"] & False).to_numpy().any()


@pytest.mark.acro
def test_acro_zero_cells_fail_the_threshold_when_zeros_are_not_disclosive(df, acro):
    acro.config["zeros_are_disclosive"] = False
    acro.crosstab(df.region, df.sector)
    record = last_acro_record(acro)
    assert acro_cell_flags(record, "threshold").loc["North", "Arts"]
    assert not acro_cell_flags(record, "zeros").to_numpy().any()


# ---------------------------------------------------------------- several values columns


def test_ours_pivot_table_takes_several_values(df, sess):
    sess.pivot_table(df, values=["income", "hours"], index="region", columns="sex",
                     aggfunc="mean")
    assert {"income", "hours"} <= set(last(sess).table.columns.get_level_values(0))


@pytest.mark.acro
def test_acro_pivot_table_refuses_several_values(df, acro):
    with pytest.raises(ValueError, match="multiple values"):
        acro.pivot_table(df, values=["income", "hours"], index="region", columns="sex",
                         aggfunc="mean")


# ---------------------------------------------------------------- survival tables


def safe_spells() -> pd.DataFrame:
    """Five steps of 20 events each, 100 censored at the end: every step is about 20 people."""
    rows = [(t, 1) for t in range(1, 6) for _ in range(20)] + [(9, 0)] * 100
    return pd.DataFrame(rows, columns=["time", "event"])


def thin_spells() -> pd.DataFrame:
    """As ``safe_spells``, with a step of 3 events at time 6."""
    frame = safe_spells()
    frame.loc[frame.index[-3:], ["time", "event"]] = [6, 1]
    return frame


def test_ours_survival_steps_are_judged_on_their_counts(sess):
    sess.surv_func(safe_spells().time, safe_spells().event, output="table")
    assert last(sess).status.value == "pass"
    sess.surv_func(thin_spells().time, thin_spells().event, output="table")
    out = last(sess)
    assert out.status.value == "fail" and "at time 6" in out.reasons[0]
    assert out.flags["threshold"].to_numpy().any(axis=1).tolist() == [False] * 5 + [True]


@pytest.mark.acro
def test_acro_survival_table_always_fails_on_a_meaningless_dof(acro):
    acro.surv_func(safe_spells().time, safe_spells().event, output="table")
    record = last_acro_record(acro)
    # every step has 20 events, yet: dof of the distinct "num at risk" values, 0 < 10
    assert record.status == "fail" and "MinimumDoFCheck: fail dof=0" in record.summary


def test_ours_suppressed_survival_table_publishes_pooled_steps_only(sess):
    table = sess.surv_func(thin_spells().time, thin_spells().event, output="table",
                           suppress=True)
    assert last(sess).status.value == "review"
    assert (table["num events"] >= 10).all() and 6 not in table.index


@pytest.mark.acro
def test_acro_suppressed_survival_table_keeps_the_raw_counts(tmp_path, monkeypatch):
    acro_pkg = pytest.importorskip("acro")
    monkeypatch.chdir(tmp_path)
    suppressing = acro_pkg.ACRO(suppress=True)
    logging.getLogger("acro").setLevel(logging.ERROR)
    table = suppressing.surv_func(thin_spells().time, thin_spells().event, output="table")
    record = last_acro_record(suppressing)
    # the 3 events at time 6 are still in the table ACRO returns and records
    assert table.loc[6, "num events"] == 3 and "rounded_survival_fun" in table.columns
    assert record.status == "review"


# ---------------------------------------------------------------- our extra rules


def test_extra_rule_class_disclosure_marital_status(sess):
    """DESIGN.md worked example: every married person works full time."""
    rows = ([("Married", "Full")] * 6 + [("Divorced", "Full")] * 5 + [("Divorced", "Part")]
            + [("Single", "Full")] * 2 + [("Single", "Part")] * 2)
    frame = pd.DataFrame(rows, columns=["marital", "hours"])
    checked = sdc.Session(profile="acro-default", threshold=1, zeros=False)
    checked.crosstab(frame.marital, frame.hours)
    out = checked.outputs[-1]
    assert out.flags["class_disclosure"].loc["Married"].any()
    assert out.status.value == "fail"


# ---------------------------------------------------------------- negative values


def negative_elsewhere() -> pd.DataFrame:
    """Row a holds one negative value; row b is dominated by one contribution of 1e6."""
    rng = np.random.default_rng(1)
    values = list(rng.uniform(1, 10, 59)) + [1e6]
    values[0] = -5.0
    return pd.DataFrame({"r": ["a"] * 30 + ["b"] * 30, "c": ["x"] * 60, "v": values})


def test_ours_a_negative_value_does_not_hide_dominance_elsewhere(sess):
    frame = negative_elsewhere()
    sess.crosstab(frame.r, frame.c, values=frame.v, aggfunc="sum")
    out = last(sess)
    assert out.flags["negative"].loc["a", "x"] and not out.flags["nk"].loc["a", "x"]
    assert out.flags["nk"].loc["b", "x"] and out.flags["p_percent"].loc["b", "x"]
    assert out.status.value == "fail"


@pytest.mark.acro
def test_acro_a_negative_value_anywhere_turns_dominance_into_review(acro):
    frame = negative_elsewhere()
    acro.crosstab(frame.r, frame.c, values=frame.v, aggfunc="sum")
    record = last_acro_record(acro)
    assert record.status == "review"
    assert not acro_cell_flags(record, "nk").loc["b", "x"]  # the dominated cell is missed


# ---------------------------------------------------------------- a total of zero


@pytest.mark.acro
def test_acro_flags_p_percent_where_every_contribution_is_zero(acro):
    """ACRO 1.0.2 fails p% for a cell of zeros (its code comment says the opposite)."""
    frame = pd.DataFrame({"k": ["a"] * 12 + ["b"] * 30, "c": ["x"] * 42,
                          "v": [0.0] * 12 + list(np.arange(1.0, 31.0))})
    acro.crosstab(frame.k, frame.c, values=frame.v, aggfunc="sum")
    flags = acro_cell_flags(last_acro_record(acro), "p_percent")
    assert flags.loc["a", "x"] and not flags.loc["b", "x"]


# ---------------------------------------------------------------- suppression with margins


def protectable(df: pd.DataFrame) -> pd.DataFrame:
    """The generated data without its sparse row and column: only North x Arts (0) fails."""
    return df[(df.region != "Islands") & (df.sector != "Mining")]


def test_ours_suppression_keeps_true_margins_and_hides_complements(df, sess):
    data = protectable(df)
    table = sess.crosstab(data.region, data.sector, margins=True, suppress=True)
    out = last(sess)
    bare = pd.crosstab(data.region, data.sector, margins=True)
    pd.testing.assert_series_equal(table["All"], bare["All"], check_dtype=False)
    pd.testing.assert_series_equal(table.loc["All"], bare.loc["All"], check_dtype=False)
    hidden = table.drop(index="All", columns="All").isna()
    assert hidden.loc["North", "Arts"]
    # no hidden cell is alone in its row or column, so no margin gives it back
    assert (hidden.sum(axis=1)[hidden.any(axis=1)] >= 2).all()
    assert (hidden.sum(axis=0)[hidden.any(axis=0)] >= 2).all()
    assert out.status.value == "review"


@pytest.mark.acro
def test_acro_suppression_margins_give_the_cell_back(df, acro):
    data = protectable(df)
    acro.enable_suppression()
    table = acro.crosstab(data.region, data.sector, margins=True)
    hidden = table.drop(index="All", columns="All").isna()
    assert hidden.to_numpy().sum() == 1 and hidden.loc["North", "Arts"]
    row = table.loc["North"]
    assert row["All"] - row.drop(["All", "Arts"]).sum() == 0  # the suppressed zero, recovered
    # and with a sparse row, its margins are no longer true totals: the difference from
    # the true total is the suppressed cell
    table = acro.crosstab(df.region, df.sector, margins=True)
    true_total = int((df.sector == "Finance").sum())
    assert true_total - table.loc["All", "Finance"] == pd.crosstab(df.region, df.sector).loc[
        "Islands", "Finance"
    ]


# ---------------------------------------------------------------- models


def test_ours_model_checks_each_level_of_a_categorical_regressor(df, sess):
    """Mining has 9 records: its coefficient describes fewer than 10 people."""
    sess.ols("income ~ age + C(sector)", data=df)
    out = last(sess)
    assert out.checks["dof"].value == "pass"
    assert out.checks["threshold"].value == "fail" and out.status.value == "fail"


@pytest.mark.acro
def test_acro_model_checks_only_the_residual_dof(df, acro):
    acro.olsr("income ~ age + C(sector)", data=df)
    assert last_acro_record(acro).status == "pass"


# ---------------------------------------------------------------- a two-valued variable's mean


def flags_by_group() -> pd.DataFrame:
    """Groups of 40, 50 and 60 people of whom 3, 7 and 8 have flag = 1 (two sexes each)."""
    flag = [1] * 3 + [0] * 37 + [1] * 7 + [0] * 43 + [1] * 8 + [0] * 52
    group = ["A"] * 40 + ["B"] * 50 + ["C"] * 60
    return pd.DataFrame({"g": group, "flag": flag, "all": "everyone"})


def test_ours_the_mean_of_a_0_1_variable_is_judged_as_counts(sess):
    df = flags_by_group()
    sess.crosstab(df.g, df["all"], values=df.flag, aggfunc="mean")
    out = last(sess)
    assert out.flags["threshold"].to_numpy().ravel().tolist() == [True, True, True]
    assert out.status == "fail"


def test_acro_the_mean_of_a_0_1_variable_passes(acro):
    # the means 0.075, 0.14 and 0.133 with their N published give 3, 7 and 8 people
    df = flags_by_group()
    acro.crosstab(df.g, df["all"], values=df.flag, aggfunc="mean")
    assert last_acro_record(acro).status == "pass"


# ---------------------------------------------------------------- quantile 0 and 1


def test_ours_quantile_0_and_1_are_the_minimum_and_maximum(df, sess):
    sess.stat(df.hours, "quantile", 1.0)
    assert last(sess).checks["min_max"] == "fail"
