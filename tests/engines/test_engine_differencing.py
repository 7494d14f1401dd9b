"""Differencing with tables an engine computed: their rows cannot be sampled, so a table that
could be a subset of another (its counts never larger) and would give a small difference is
a possibility for a checker: review, whatever the rule, never pass and never silence."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.differencing_records import check_records
from jupyter_sdc.core.record import Output


def _people() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n = 600
    return pd.DataFrame({"id": np.arange(n), "region": rng.choice(["N", "S", "E"], n),
                         "income": rng.gamma(2.0, 900.0, n)})


def _on(engine: str, frame: pd.DataFrame):
    if engine == "polars":
        return pl.from_pandas(frame)
    return duckdb.connect().from_df(frame)


def _tables(session, engine: str, removed: int, **rules):
    people = _people()
    fewer = people.drop(people.index[people["region"] == "N"][:removed])  # a filter
    everyone = session.pivot_table(_on(engine, people), values="income", index="region",
                                   aggfunc="count", **rules)
    some = session.pivot_table(_on(engine, fewer), values="income", index="region",
                               aggfunc="count", **rules)
    outputs = list(session.outputs)
    return everyone, some, outputs[-2], outputs[-1]


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_possible_subset_giving_a_small_difference_is_review(engine):
    session = sdc.Session(zeros=False)
    *_, big, small = _tables(session, engine, removed=3)
    for output in (big, small):
        assert output.checks["differencing"] == "review"
        assert output.status == "review"
        (reason,) = output.differencing
        assert "3 record(s) with region=N" in reason and "possible differencing" in reason


@pytest.mark.parametrize("engine", ["polars", "duckdb"])
def test_a_difference_of_at_least_the_threshold_passes(engine):
    session = sdc.Session(zeros=False)
    *_, big, small = _tables(session, engine, removed=10)
    assert big.checks["differencing"] == small.checks["differencing"] == "pass"
    assert big.status == small.status == "pass"


def test_a_possible_differencing_stays_review_under_a_fail_rule():
    """The rows are not known to be nested: fail would claim what was not shown."""
    session = sdc.Session(zeros=False, differencing="fail")
    *_, big, small = _tables(session, "polars", removed=3)
    assert big.checks["differencing"] == small.checks["differencing"] == "review"


def test_the_export_finds_it_from_the_saved_records():
    session = sdc.Session(zeros=False)
    *_, big, small = _tables(session, "polars", removed=3)
    saved = [Output.from_dict(o.to_dict()).to_dict() for o in (big, small)]
    for record in saved:  # as a fresh notebook would have them, before any comparison
        record["differencing"], record["checks"]["differencing"] = [], "pass"
    checked = check_records(saved)
    assert [r["checks"]["differencing"] for r in checked] == ["review", "review"]
    assert all("possible differencing" in r["differencing"][0] for r in checked)
