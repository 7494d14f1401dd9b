"""Every rule at its exact boundary, through the public wrappers."""

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc


def cell_table(sizes: dict[str, int], value: float = 1.0) -> pd.DataFrame:
    rows = [(name, "yes", value) for name, n in sizes.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["group", "answer", "income"])


def contributions(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"group": "a", "col": "c", "income": values})


@pytest.mark.parametrize(("n", "fails"), [(9, True), (10, False)])
def test_threshold_9_fails_10_passes(n, fails):
    session = sdc.Session()
    df = cell_table({"small": n, "big": 50})
    session.crosstab(df.group, df.answer)
    out = session.outputs[-1]
    assert bool(out.flags["threshold"].loc["small", "yes"]) is fails
    assert out.status == ("fail" if fails else "pass")
    assert out.counts.loc["small", "yes"] == n


def test_threshold_value_is_configurable():
    df = cell_table({"small": 7, "big": 50})
    assert sdc.Session(threshold=7).crosstab(df.group, df.answer) is not None
    session = sdc.Session(threshold=8)
    session.crosstab(df.group, df.answer)
    assert session.outputs[-1].status == "fail"


@pytest.mark.parametrize(("values", "fails"), [
    ([45, 45, 10], True),     # top 2 = 90% exactly: fails
    ([45, 44, 11], False),    # 89%: passes
])
def test_nk_boundary(values, fails):
    session = sdc.Session(threshold=1)
    df = contributions(values)
    session.crosstab(df.group, df.col, values=df.income, aggfunc="sum")
    out = session.outputs[-1]
    assert bool(out.flags["nk"].iloc[0, 0]) is fails
    assert out.checks["nk"] == ("fail" if fails else "pass")


@pytest.mark.parametrize(("rest", "fails"), [(10.0, False), (9.9, True)])
def test_p_percent_boundary(rest, fails):
    # (total - x1 - x2) / x1 with x1 = 100: 0.10 passes, 0.099 fails
    session = sdc.Session(threshold=1, nk_k=1.0)
    df = contributions([100.0, 50.0, rest / 2, rest / 2])
    session.crosstab(df.group, df.col, values=df.income, aggfunc="sum")
    out = session.outputs[-1]
    assert bool(out.flags["p_percent"].iloc[0, 0]) is fails


def test_dominance_worked_example():
    """50,000 and 49,000 of 100,000: safe under (n=1, k=90%), unsafe under p=10% and n=2."""
    df = contributions([50_000, 49_000, 500, 500])
    relaxed = sdc.Session(threshold=1, nk_n=1, nk_k=0.90)
    relaxed.crosstab(df.group, df.col, values=df.income, aggfunc="sum")
    out = relaxed.outputs[-1]
    assert not out.flags["nk"].iloc[0, 0]
    assert out.flags["p_percent"].iloc[0, 0]
    default = sdc.Session(threshold=1)
    default.crosstab(df.group, df.col, values=df.income, aggfunc="sum")
    assert default.outputs[-1].flags["nk"].iloc[0, 0]


@pytest.mark.parametrize(("n", "fails"), [(10, True), (11, False)])
def test_std_dof_is_count_minus_one(n, fails):
    session = sdc.Session(threshold=1)
    df = contributions(list(np.linspace(1, 2, n)))
    session.crosstab(df.group, df.col, values=df.income, aggfunc="std")
    assert bool(session.outputs[-1].flags["dof"].iloc[0, 0]) is fails


def test_max_held_by_one_record_fails_and_shared_max_passes():
    session = sdc.Session()
    df = contributions([5.0] * 20 + [9.0])
    session.crosstab(df.group, df.col, values=df.income, aggfunc="max")
    assert session.outputs[-1].checks["min_max"] == "fail"
    df = contributions([5.0] * 20 + [9.0] * 10)
    session.crosstab(df.group, df.col, values=df.income, aggfunc="max")
    assert session.outputs[-1].checks["min_max"] == "pass"
    # the profile can make it a review instead of a fail
    review = sdc.Session(min_max="review")
    review.crosstab(df.group, df.col, values=pd.Series([3.0] * 29 + [1.0]), aggfunc="min")
    assert review.outputs[-1].checks["min_max"] == "review"


@pytest.mark.parametrize(("at_mode", "fails"), [(9, True), (10, False)])
def test_mode_needs_threshold_records_at_the_mode(at_mode, fails):
    session = sdc.Session()
    df = contributions([7.0] * at_mode + [1.0, 2.0, 3.0, 4.0, 5.0])
    session.crosstab(df.group, df.col, values=df.income, aggfunc="mode")
    out = session.outputs[-1]
    assert out.table.iloc[0, 0] == 7.0
    assert bool(out.flags["threshold"].iloc[0, 0]) is fails


def test_zeros_fail_unless_structural_or_not_disclosive():
    df = pd.DataFrame({"a": ["x"] * 20 + ["y"] * 20, "b": ["p"] * 20 + ["p"] * 10 + ["q"] * 10})
    session = sdc.Session()
    session.crosstab(df.a, df.b)
    out = session.outputs[-1]
    assert out.flags["zeros"].loc["x", "q"] and out.checks["zeros"] == "fail"
    session.crosstab(df.a, df.b, structural_zeros=[("x", "q")], class_disclosure=False,
                     structural_reason="x never takes q in this survey.")
    out = session.outputs[-1]
    assert not out.flags["zeros"].loc["x", "q"]
    relaxed = sdc.Session(zeros=False, class_disclosure=False)
    relaxed.crosstab(df.a, df.b)
    out = relaxed.outputs[-1]
    assert out.status == "pass" and not out.flags["threshold"].loc["x", "q"]


def test_negative_contributions_need_review_not_dominance_verdict():
    session = sdc.Session(threshold=1)
    df = contributions([100.0, -5.0, 3.0, 2.0])
    session.crosstab(df.group, df.col, values=df.income, aggfunc="sum")
    out = session.outputs[-1]
    assert out.checks["negative"] == "review"
    assert not out.flags["nk"].iloc[0, 0] and not out.flags["p_percent"].iloc[0, 0]
    assert out.status == "review"


def test_missing_values_are_not_counted_and_reviewed_when_enabled():
    df = contributions([1.0] * 12 + [np.nan] * 5)
    session = sdc.Session(missing=True)
    session.crosstab(df.group, df.col, values=df.income, aggfunc="mean")
    out = session.outputs[-1]
    assert out.counts.iloc[0, 0] == 12
    assert out.checks["missing"] == "review"
    off = sdc.Session()
    off.crosstab(df.group, df.col, values=df.income, aggfunc="mean")
    assert "missing" not in off.outputs[-1].checks


def test_overall_status_order():
    from jupyter_sdc.core.status import worst

    assert worst(["pass", "review"]) == "review"
    assert worst(["review", "fail", "pass"]) == "fail"
    assert worst([]) == "pass"
