"""A record judged again from its saved evidence gives the verdict it was saved with.

The export gate relies on this: any difference means an edited or stale record.
"""

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues


@pytest.fixture
def df() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame({
        "region": rng.choice(["N", "S", "E", "W"], n, p=[0.4, 0.3, 0.28, 0.02]),
        "sex": rng.choice(["F", "M"], n),
        "income": rng.lognormal(9, 1, n),
        "hours": rng.normal(35, 5, n),
        "person": rng.integers(0, 150, n),
    })
    frame.loc[3, "income"] = 5e6  # one dominant earner
    frame["won"] = (frame.hours + rng.normal(0, 8, n) > 35).astype(int)
    return frame


def saved_and_back(output: Output) -> Output:
    return Output.from_dict(json.loads(json.dumps(output.to_dict())))


def every_kind(session: sdc.Session, df: pd.DataFrame) -> list[Output]:
    session.crosstab(df.region, df.sex, margins=True, suppress=True)
    session.crosstab(df.region, df.sex, values=df.income, aggfunc="mean")
    session.pivot_table(df, values="income", index="region", columns="sex",
                        aggfunc=["mean", "max", "median"], margins=True)
    session.pivot_table(df, values="income", index="region", aggfunc="sum", unit="person")
    session.describe(df[["income", "hours"]])
    session.stat(df.income, "max")
    session.logitr("won ~ hours + C(region)", data=df)
    session.olsr("income ~ hours", data=df)
    session.hist(df, "hours", bins=8)
    session.stat(df.income, "quantile", 0.9)
    session.corr(df[["income", "hours", "won"]])
    months = (df.hours // 4).clip(1, 20)
    session.surv_func(months, df.won, output="table")
    session.surv_func(months, df.won, output="table", suppress=True)
    session.surv_func(months, df.won, output="table", round=5)
    survival = df.assign(t=months + df.income / 1e7)
    session.phreg("t ~ hours + C(region)", data=survival, status=survival.won)
    if importlib.util.find_spec("lifelines") is not None:
        session.coxph(survival[["t", "won", "hours"]], "t", "won")
    return session.outputs


@pytest.mark.parametrize("rules", [{}, {"threshold": 20, "nk_n": 3, "nk_k": 0.5}])
def test_every_kind_of_record_is_judged_again_to_its_own_verdict(df, rules):
    outputs = every_kind(sdc.Session(**rules), df)
    assert {o.status.value for o in outputs} >= {"fail", "pass"}
    for output in outputs:
        back = saved_and_back(output)
        assert differences(back, rejudge(back, RuleValues.from_dict(back.rules))) == [], \
            output.source.get("call")


def test_an_edited_verdict_or_count_is_found(df):
    session = sdc.Session()
    session.crosstab(df.region, df.sex)
    data = session.outputs[-1].to_dict()
    assert data["status"] == "fail"
    edited = json.loads(json.dumps(data))
    edited["checks"] = {k: "pass" for k in edited["checks"]}
    back = Output.from_dict(edited)
    assert differences(back, rejudge(back, RuleValues.from_dict(back.rules)))
    recounted = json.loads(json.dumps(data))
    recounted["counts"] = [[max(c, 10) for c in row] for row in recounted["counts"]]
    back = Output.from_dict(recounted)
    assert differences(back, rejudge(back, RuleValues.from_dict(back.rules)))


def test_the_evidence_holds_no_contribution(df):
    session = sdc.Session()
    session.pivot_table(df, values="income", index="region", columns="sex", aggfunc="max")
    grids = session.outputs[-1].to_dict()["evidence"]["grids"]
    # shares of the total, ratios and counts of holders: never the values themselves
    published = set(np.round(df.income, 6))
    for name, grid in grids.items():
        if name == "statistic":
            continue
        values = {round(v, 6) for row in grid for v in row if isinstance(v, float)}
        assert not values & published, name
