"""sdc.pivot_table with columns= and no index=: pandas (2 and 3) puts the values in the rows and
the column keys in the columns; the record counts the records behind each cell as shown."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues


def frame(women: int, men: int) -> pd.DataFrame:
    """``women`` + ``men`` records, incomes 101, 102, ... (no cell dominated), regions N, S."""
    n = women + men
    return pd.DataFrame({"sex": ["F"] * women + ["M"] * men,
                         "region": (["N", "S"] * n)[:n],
                         "income": np.arange(1.0, n + 1) + 100})


def checked(data: pd.DataFrame, **kwargs) -> tuple[pd.DataFrame, Output]:
    session = sdc.Session()
    table = session.pivot_table(data, **kwargs)
    return table, session.outputs[-1]


def stands(output: Output) -> bool:
    back = Output.from_dict(json.loads(json.dumps(output.to_dict())))
    return differences(back, rejudge(back, RuleValues.from_dict(back.rules))) == []


@pytest.mark.parametrize("aggfunc", ["mean", "count", "sum", "median"])
def test_a_column_of_three_records_fails_the_threshold(aggfunc):
    data = frame(3, 20)
    table, out = checked(data, values="income", columns="sex", aggfunc=aggfunc)
    pd.testing.assert_frame_equal(
        table, pd.pivot_table(data, values="income", columns="sex", aggfunc=aggfunc))
    assert out.counts.to_numpy().tolist() == [[3, 20]]
    assert out.flags["threshold"].to_numpy().tolist() == [[True, False]]
    assert out.status.value == "fail" and out.checks["threshold"].value == "fail"
    assert "zeros" not in out.checks or out.checks["zeros"].value == "pass"
    assert stands(out)


@pytest.mark.parametrize("aggfunc", ["mean", "count", "sum"])
def test_columns_of_ten_records_or_more_pass(aggfunc):
    _, out = checked(frame(10, 12), values="income", columns="sex", aggfunc=aggfunc)
    assert out.counts.to_numpy().tolist() == [[10, 12]]
    assert out.status.value == "pass", out.reasons
    assert stands(out)


def test_a_median_counts_the_records_on_each_side_of_it():
    # 10 women: 5 below and 5 above their median, fewer than 10 on a side: quantile_sides fails
    _, out = checked(frame(10, 30), values="income", columns="sex", aggfunc="median")
    assert out.counts.to_numpy().tolist() == [[10, 30]]
    assert out.flags["quantile_sides"].to_numpy().tolist() == [[True, False]]
    assert out.status.value == "fail" and stands(out)


def test_two_column_keys_count_each_combination():
    data = frame(3, 20)
    table, out = checked(data, values="income", index=None, columns=["sex", "region"])
    expected = data.groupby(["sex", "region"]).size()
    assert out.counts.to_numpy().tolist() == [expected.reindex(table.columns).tolist()]
    assert out.flags["threshold"].to_numpy().tolist() == [[True, True, False, False]]
    assert stands(out)


def test_several_values_are_counted_row_by_row():
    data = frame(12, 20)
    data["hours"] = 37.0
    data.loc[:3, "hours"] = np.nan  # 4 women without hours: 8 with a value, below 10
    table, out = checked(data, values=["income", "hours"], columns="sex",
                         aggfunc={"income": "mean", "hours": "sum"})
    assert list(table.index) == ["hours", "income"]
    assert out.counts.to_numpy().tolist() == [[8, 20], [12, 20]]
    assert out.flags["threshold"].to_numpy().tolist() == [[True, False], [False, False]]
    assert out.status.value == "fail" and stands(out)


def test_margins_without_an_index_are_refused_with_the_reason():
    # pandas repeats each column as its own "All" (pandas 2: counts of 1, means of means)
    with pytest.raises(ValueError, match="give index="):
        checked(frame(3, 20), values="income", columns="sex", margins=True)


@pytest.mark.parametrize("keys", [dict(columns="sex"), dict(index="sex"),
                                  dict(columns=["sex", "region"])])
def test_sizes_without_values_count_the_records_of_each_group(keys):
    # pandas gives a Series of group sizes, whatever the other columns hold (here strings)
    data = frame(3, 20).assign(note="x")
    table, out = checked(data, aggfunc="size", **keys)
    pd.testing.assert_series_equal(table, pd.pivot_table(data, aggfunc="size", **keys))
    assert out.counts.iloc[:, 0].tolist() == table.tolist()
    assert out.status.value == "fail" and stands(out)
