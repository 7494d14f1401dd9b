"""The table made from the keys' codes is the table pandas gives: labels, order, dtypes, NaN.

``sdc.crosstab`` and ``sdc.pivot_table`` lay the common tables out from the codes the checks
need anyway (keys factorised once); a researcher who compares with ``pd.crosstab`` must see
the same table, and the same verdict as the pandas path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.adapters import codes_table
from jupyter_sdc.adapters import tables as adapter_tables
from jupyter_sdc.adapters.tables import CROSSTAB_OBSERVED


def _key(rng: np.random.Generator, kind: str, n: int, levels: int, name: str) -> pd.Series:
    labels = [f"k{levels - i:02d}" for i in range(levels)]  # appearance order != sorted order
    codes = rng.integers(0, levels, n)
    if kind == "str":
        s = pd.Series(np.array(labels, dtype=object)[codes], name=name).astype("str")
    elif kind == "cat":
        s = pd.Series(pd.Categorical.from_codes(codes, [*labels, "unused"]), name=name)
    elif kind == "ordered":
        s = pd.Series(pd.Categorical.from_codes(codes, labels[::-1], ordered=True), name=name)
    elif kind == "int":
        s = pd.Series(codes * 7 - 20, name=name)
    else:
        s = pd.Series(codes % 2 == 0, name=name)
    if kind in ("str", "cat") and n > 20:
        s.iloc[rng.integers(0, n, n // 20)] = np.nan  # missing keys are dropped, as pandas does
    return s


def _frame(seed: int, kinds: tuple[str, ...], n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {f"k{i}": _key(rng, kind, n, (3, 5, 4)[i], f"k{i}") for i, kind in enumerate(kinds)}
    income = rng.lognormal(3, 1, n)
    income[rng.integers(0, n, n // 10)] = np.nan
    data["income"] = income
    data["age"] = rng.integers(16, 90, n)
    return pd.DataFrame(data)


KINDS = [("str", "str"), ("cat", "cat"), ("str", "cat"), ("int", "str"), ("ordered", "bool"),
         ("cat", "str", "int"), ("str", "int", "cat")]


def _same(ours: pd.DataFrame, bare: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ours, bare, check_exact=False, rtol=1e-12)
    assert ours.index.equals(bare.index) and ours.columns.equals(bare.columns)
    assert list(ours.index.names) == list(bare.index.names)


@pytest.mark.parametrize("kinds", KINDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_crosstab_from_codes_is_pandas_crosstab(kinds: tuple[str, ...], seed: int) -> None:
    df = _frame(seed, kinds)
    rows = [df[k] for k in list(df.columns[: len(kinds) - 1])]
    col = df[df.columns[len(kinds) - 1]]
    index = rows[0] if len(rows) == 1 else rows
    sess = sdc.Session()
    _same(sess.crosstab(index, col), pd.crosstab(index, col))
    for func in ("mean", "sum"):
        _same(sess.crosstab(index, col, values=df.income, aggfunc=func),
              pd.crosstab(index, col, values=df.income, aggfunc=func))
    _same(sess.crosstab(index, col, values=df.age, aggfunc="mean"),
          pd.crosstab(index, col, values=df.age, aggfunc="mean"))


@pytest.mark.parametrize("kinds", [k for k in KINDS if len(k) == 3])
@pytest.mark.parametrize("observed", [True, False])
def test_pivot_table_from_codes_is_pandas_pivot_table(kinds: tuple[str, ...],
                                                      observed: bool) -> None:
    df = _frame(3, kinds)
    sess = sdc.Session()
    for func in ("mean", "sum"):
        kwargs = dict(values="income", index=["k0", "k1"], columns="k2", aggfunc=func,
                      observed=observed)
        _same(sess.pivot_table(df, **kwargs), pd.pivot_table(df, **kwargs))


def test_sparse_cells_and_empty_rows_are_laid_out_as_pandas_does() -> None:
    # a row whose values are all missing has no mean: pandas leaves the row out
    df = pd.DataFrame({"a": ["x", "x", "y", "z", "z"], "b": ["p", "q", "p", "q", "q"],
                       "v": [1.0, 2.0, np.nan, 4.0, np.nan]}).astype({"a": "str", "b": "str"})
    sess = sdc.Session()
    _same(sess.crosstab(df.a, df.b, values=df.v, aggfunc="mean"),
          pd.crosstab(df.a, df.b, values=df.v, aggfunc="mean"))
    _same(sess.crosstab(df.a, df.b, values=df.v, aggfunc="sum"),
          pd.crosstab(df.a, df.b, values=df.v, aggfunc="sum"))
    _same(sess.crosstab(df.a, df.b), pd.crosstab(df.a, df.b))


def test_verdicts_are_those_of_the_pandas_path(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _frame(5, ("str", "cat"), n=300)
    sess = sdc.Session()
    calls = [lambda: sess.crosstab(df.k0, df.k1),
             lambda: sess.crosstab(df.k0, df.k1, values=df.income, aggfunc="mean")]

    def verdicts() -> list:
        out = []
        for call in calls:
            call()
            record = sess.outputs[-1]
            out.append((record.status, record.checks, record.counts.to_numpy().tolist()))
        return out

    fast = verdicts()
    monkeypatch.setattr(adapter_tables, "_from_codes", lambda *a, **k: (None, None))
    slow = verdicts()
    assert fast == slow


def test_what_pandas_aligns_or_labels_otherwise_goes_to_pandas() -> None:
    a = pd.Series(["x", "y", "x"], name="a")
    b = pd.Series(["p", "q", "p"], name="b", index=[2, 1, 0])  # pandas aligns on the index
    assert not codes_table.usable([a], [b], None)
    floats = pd.Series([0.5, 1.5, 0.5], name="f")  # float labels: left to pandas
    assert not codes_table.usable([floats], [a], None)
    assert codes_table.statistic("median", floats) is None
    assert codes_table.statistic("sum", pd.Series([1, 2, 3])) is None  # pandas keeps ints


@pytest.mark.skipif(not CROSSTAB_OBSERVED, reason="the path from codes is pandas 3's (on pandas 2 "
                    "pandas lays out the tables; the tests above check both give pandas' table)")
def test_the_common_tables_do_not_call_pandas_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _frame(7, ("str", "cat", "str"))

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("pandas was asked for a table the codes give")

    monkeypatch.setattr(pd, "crosstab", refused)
    monkeypatch.setattr(pd, "pivot_table", refused)
    sess = sdc.Session()
    sess.crosstab(df.k0, df.k1)
    sess.crosstab(df.k0, df.k1, values=df.income, aggfunc="mean")
    sess.pivot_table(df, values="income", index=["k0", "k1"], columns="k2", aggfunc="mean")
    cats = df.astype({"k0": "category", "k2": "category"})
    sess.pivot_table(cats, values="income", index=["k0", "k1"], columns="k2", aggfunc="mean",
                     observed=False)


@pytest.mark.parametrize("aggfunc", [["mean", "sum"], {"v": "mean"}, {"v": ["mean", "max"]}])
def test_a_list_or_dict_aggfunc_is_pandas_pivot_table(aggfunc):
    # the codes path makes one statistic: a list or dict of them is pandas' to lay out
    data = _frame(3, ("str", "int"))
    data["v"] = np.arange(len(data), dtype=float)
    session = sdc.Session()
    table = session.pivot_table(data, values="v", index="k0", columns="k1", aggfunc=aggfunc)
    pd.testing.assert_frame_equal(
        table, pd.pivot_table(data, values="v", index="k0", columns="k1", aggfunc=aggfunc))
    counts = session.outputs[-1].counts
    expected = pd.crosstab(data.k0, data.k1)
    for label in table.columns:
        key = label[-1] if isinstance(label, tuple) else label
        assert (counts[label].to_numpy() == expected[key].to_numpy()).all()
