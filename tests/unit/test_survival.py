"""Survival tables and Cox models: each step judged on its events and on the change in the
number at risk (boundaries at 9 and 10), mitigation by pooling and rounding, both libraries."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues

sm = pytest.importorskip("statsmodels.api")
pytestmark = pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")


def spells(*groups: tuple[float, int, int]) -> pd.DataFrame:
    """(time, event, how many) groups of records."""
    rows = [(t, e) for t, e, k in groups for _ in range(k)]
    return pd.DataFrame(rows, columns=["time", "event"])


def saved_and_back(output: Output) -> Output:
    return Output.from_dict(json.loads(json.dumps(output.to_dict())))


def stands(output: Output) -> bool:
    back = saved_and_back(output)
    return differences(back, rejudge(back, RuleValues.from_dict(back.rules))) == []


def last(session: sdc.Session) -> Output:
    return session.outputs[-1]


@pytest.mark.parametrize(("events", "status"), [(9, "fail"), (10, "pass")])
def test_a_step_with_fewer_than_n_events_fails(events, status):
    data = spells((1, 1, 10), (2, 1, events), (10, 0, 80))
    session = sdc.Session()
    table = session.surv_func(data.time, data.event, output="table")
    out = last(session)
    assert table.equals(sm.SurvfuncRight(data.time, data.event).summary())
    assert out.statistic == "survival" and out.status.value == status
    flagged = out.flags["threshold"].to_numpy().any(axis=1).tolist()
    assert flagged == [False, events < 10]
    assert out.counts.iloc[:, 0].tolist() == [90 + events, 80 + events]
    assert stands(out)


@pytest.mark.parametrize(("censored", "status"), [(9, "fail"), (10, "pass")])
def test_a_change_in_the_number_at_risk_of_fewer_than_n_fails(censored, status):
    # censored before the first event: the number at risk drops by that many into step 1
    data = spells((0.5, 0, censored), (2, 1, 20), (5, 1, 20), (9, 0, 60))
    session = sdc.Session()
    session.surv_func(data.time, data.event, output="table")
    out = last(session)
    assert out.status.value == status
    assert out.evidence.grids["exits"].iloc[0, 0] == censored
    if status == "fail":
        assert "at time 2" in out.reasons[0]


def test_lifelines_event_table_judges_censoring_steps():
    lifelines = pytest.importorskip("lifelines")
    from jupyter_sdc.adapters.survival import Durations, check_survival

    data = spells((1, 1, 12), (2, 0, 9), (3, 1, 15), (8, 0, 64))
    kmf = lifelines.KaplanMeierFitter().fit(data.time, data.event)
    out = check_survival(kmf.event_table, Durations.of(data.time, data.event),
                         rules=RuleValues(), uid="km")
    flagged = dict(zip(kmf.event_table.index, out.flags["threshold"].to_numpy().any(axis=1),
                       strict=True))
    # t=3 follows the 9 censored at t=2: its number at risk dropped by 9
    assert flagged == {0.0: False, 1.0: False, 2.0: False, 3.0: True, 8.0: False}
    assert out.status.value == "fail" and stands(out)


def test_pooled_steps_each_have_n_events_and_are_reviewed():
    rng = np.random.default_rng(4)
    time = rng.integers(1, 40, 300)
    event = rng.random(300) < 0.6
    session = sdc.Session()
    raw = session.surv_func(time, event, output="table")
    assert last(session).status.value == "fail"
    pooled = session.surv_func(time, event, output="table", suppress=True)
    out = last(session)
    assert out.status.value == "review" and stands(out)
    assert (pooled["num events"] >= 10).all() and len(pooled) < len(raw)
    # the estimate at the end of each pooled step is the exact Kaplan-Meier value there
    exact = raw.loc[pooled.index, "Surv prob"]
    assert np.allclose(pooled["Surv prob"], exact)
    assert pooled["num events"].sum() <= raw["num events"].sum()


def test_rounded_counts_give_derived_estimates():
    rng = np.random.default_rng(5)
    time, event = rng.integers(1, 20, 400), rng.random(400) < 0.7
    session = sdc.Session()
    table = session.surv_func(time, event, output="table", round=5)
    out = last(session)
    assert (table["num at risk"] % 5 == 0).all() and (table["num events"] % 5 == 0).all()
    assert out.status.value == "review" and out.mitigation["round_base"] == 5 and stands(out)
    n, d = table["num at risk"].to_numpy(float), table["num events"].to_numpy(float)
    assert np.allclose(table["Surv prob"], np.cumprod(1 - d / n))


def test_midpoint6_counts_and_derived_estimates():
    from jupyter_sdc.adapters.survival import Durations, check_survival

    rng = np.random.default_rng(6)
    time, event = rng.integers(1, 20, 300), rng.random(300) < 0.7
    table = sm.SurvfuncRight(time, event).summary()
    out = check_survival(table, Durations.of(time, event), rules=RuleValues(), uid="m6",
                         mid6=True)
    counts = [c for c in out.table.columns if c.endswith("_midpoint6")]
    assert counts == ["num at risk_midpoint6", "num events_midpoint6"]
    assert all(((out.table[c] == 0) | (out.table[c] % 6 == 3)).all() for c in counts)
    assert "Surv prob_midpoint6_derived" in out.table.columns
    assert out.mitigation["midpoint6"] and out.status.value == "review" and stands(out)


def test_the_opensafely_profile_gives_midpoint6_counts():
    rng = np.random.default_rng(6)
    time, event = rng.integers(1, 20, 300), rng.random(300) < 0.7
    session = sdc.Session(profile="opensafely")  # its mitigations name midpoint6
    table = session.surv_func(time, event, output="table")
    out = last(session)
    assert "num events_midpoint6" in table.columns and out.mitigation["midpoint6"]
    assert ((table["num events_midpoint6"] == 0) | (table["num events_midpoint6"] % 6 == 3)).all()
    assert stands(out)
    # a call asking for something else gets it
    pooled = session.surv_func(time, event, output="table", suppress=True, round=False)
    assert (pooled["num events"] >= 8).all()


def test_midpoint6_values():
    from jupyter_sdc.adapters.survival import midpoint6

    assert midpoint6([0, 1, 6, 7, 12, 13]).tolist() == [0, 3, 3, 9, 9, 15]


def test_units_are_counted_once_per_person():
    data = spells((1, 1, 12), (2, 1, 12), (6, 0, 40))
    data["person"] = np.arange(len(data))
    twice = pd.concat([data, data], ignore_index=True)
    session = sdc.Session()
    session.surv_func("time", "event", output="table", data=twice, unit="person")
    assert last(session).counts.iloc[:, 0].tolist() == [64, 52]
    with pytest.raises(ValueError, match="pass data=df"):
        sdc.Session(unit="person").surv_func(twice.time, twice.event)


def test_plot_returns_the_figure_and_writes_no_file(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    monkeypatch.chdir(tmp_path)
    data = spells((1, 1, 12), (2, 1, 12), (6, 0, 40))
    session = sdc.Session()
    fig = session.surv_func(data.time, data.event, output="plot")
    out = last(session)
    assert isinstance(fig, Figure) and out.kind == "figure" and out.figure["png"]
    assert out.status.value == "pass" and os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="output="):
        session.surv_func(data.time, data.event, output="chart")


# -- Cox ------------------------------------------------------------------------------------
def cox_data(events_in_b: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 200
    frame = pd.DataFrame({"group": ["a"] * 150 + ["b"] * 50,
                          "age": rng.integers(20, 70, n).astype(float),
                          "time": rng.uniform(1, 50, n).round(1)})
    frame["event"] = 0
    frame.loc[:99, "event"] = 1                     # 100 events in a
    frame.loc[150:149 + events_in_b, "event"] = 1   # the chosen number in b
    return frame


@pytest.mark.parametrize(("events", "status"), [(9, "fail"), (10, "pass")])
def test_cox_level_with_fewer_than_n_events_fails_in_both_libraries(events, status):
    data = cox_data(events)
    session = sdc.Session()
    session.phreg("time ~ age + C(group)", data, status=data.event)
    statsmodels_out = last(session)
    assert statsmodels_out.status.value == status and stands(statsmodels_out)
    assert statsmodels_out.summary["events"] == 100 + events
    row = statsmodels_out.evidence.grids["events"].loc["C(group)[T.b]"].iloc[0]
    assert row == events
    pytest.importorskip("lifelines")
    data["b"] = (data.group == "b").astype(int)
    session.coxph(data[["time", "event", "age", "b"]], "time", "event")
    lifelines_out = last(session)
    assert lifelines_out.status.value == status and stands(lifelines_out)
    assert lifelines_out.evidence.grids["events"].loc["b"].iloc[0] == events


def test_cox_without_the_data_is_refused_clearly():
    lifelines = pytest.importorskip("lifelines")
    from jupyter_sdc.adapters.cox import check_coxph

    data = cox_data(20)[["time", "event", "age"]]
    fitter = lifelines.CoxPHFitter().fit(data, "time", "event")
    with pytest.raises(ValueError, match="fit it in the checked cell"):
        check_coxph(fitter, None, rules=RuleValues(), uid="c")
