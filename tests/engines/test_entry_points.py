"""sdc.pivot_table and sdc.crosstab on Polars, DuckDB and Spark: the pandas table and the
pandas record (counts, flags, checks, status), registered in the session, saved and judged
again like any other."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rejudge import differences, rejudge
from jupyter_sdc.core.rules import RuleValues


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({
        "region": rng.choice(["N", "S", "E", "W"], n, p=[0.4, 0.3, 0.28, 0.02]),
        "sex": rng.choice(["F", "M"], n),
        "income": rng.lognormal(9, 1, n),
        "flag": rng.choice([0, 1], n, p=[0.95, 0.05]),
        "person": rng.integers(0, 150, n),
    })
    frame.loc[3, "income"] = 5e6  # one dominant earner
    return frame


def as_engine(frame: pd.DataFrame, engine: str, tmp_path):
    if engine == "polars":
        return pl.from_pandas(frame)
    if engine == "polars-lazy":
        return pl.from_pandas(frame).lazy()
    if engine == "duckdb-relation":
        return duckdb.connect().from_df(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if engine == "arrow":
        return table
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    return str(path)


ENGINES = ("polars", "polars-lazy", "duckdb-relation", "arrow", "parquet")
CALLS = [
    dict(values="income", index="region", columns="sex", aggfunc="mean"),
    dict(values="income", index="region", columns="sex", aggfunc="sum", margins=True),
    dict(index="region", columns="sex", aggfunc="size"),
    dict(values="flag", index="region", columns="sex", aggfunc="mean"),
    dict(values=["income", "flag"], index="region", aggfunc=["sum", "max"]),
    dict(values="income", index="region", aggfunc="mean", unit="person"),
    dict(values="income", index="region", columns="sex", aggfunc="median", margins=True),
    dict(values="income", index="sex", aggfunc="median", unit="person"),
]


def assert_same_record(ours: Output, theirs: Output) -> None:
    pd.testing.assert_frame_equal(ours.table, theirs.table)
    pd.testing.assert_frame_equal(ours.counts, theirs.counts)
    # differencing: an engine's table is compared by its counts (test_engine_differencing)
    assert {k: v for k, v in ours.checks.items() if k != "differencing"} == \
        {k: v for k, v in theirs.checks.items() if k != "differencing"}
    assert ours.checks.get("differencing") == theirs.checks.get("differencing")
    assert ours.status == theirs.status
    assert set(ours.flags) == set(theirs.flags)
    for rule, flags in theirs.flags.items():
        pd.testing.assert_frame_equal(ours.flags[rule], flags, obj=f"flags[{rule}]")
    assert ours.n == theirs.n


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.get('aggfunc')}-{c.get('values')}")
def test_pivot_table_on_an_engine_gives_the_pandas_table_and_record(df, engine, call,
                                                                    tmp_path):
    session = sdc.Session()
    expected = session.pivot_table(df, **call)
    got = session.pivot_table(as_engine(df, engine, tmp_path), **call)
    pd.testing.assert_frame_equal(got, expected)
    theirs, ours = session.outputs
    assert_same_record(ours, theirs)
    assert ours.source["engine"] == ("polars" if engine.startswith("polars") else "duckdb")
    assert ours.uid != theirs.uid


def test_an_engine_record_is_saved_and_judged_again_to_its_own_verdict(df):
    session = sdc.Session()
    session.pivot_table(pl.from_pandas(df), values="income", index="region", columns="sex",
                        aggfunc="mean", margins=True, suppress=True, label="Table 1")
    output = session.outputs[-1]
    assert output.mitigation["suppressed"]
    assert output.label == "Table 1"
    back = Output.from_dict(json.loads(json.dumps(output.to_dict())))
    assert back.source["engine"] == "polars"
    assert differences(back, rejudge(back, RuleValues.from_dict(back.rules))) == []


def test_a_lazy_frame_is_checked_without_being_collected_by_the_caller(df, tmp_path):
    path = tmp_path / "data.parquet"
    df.to_parquet(path)
    session = sdc.Session()
    table = session.pivot_table(pl.scan_parquet(path), values="income", index="region",
                                columns="sex", aggfunc="mean")
    assert isinstance(table, pd.DataFrame)
    assert session.outputs[-1].status.value == "fail"  # region W is small


def test_a_median_on_an_engine_counts_the_records_on_each_side_of_it(df):
    small = df[df.region != "W"].head(25)  # a cell of 4: its median has 1 or 2 on a side
    session = sdc.Session(threshold=3)
    session.pivot_table(small, values="income", index="region", columns="sex",
                        aggfunc="median", margins=True)
    session.pivot_table(pl.from_pandas(small), values="income", index="region",
                        columns="sex", aggfunc="median", margins=True)
    theirs, ours = session.outputs
    assert "quantile_sides" in ours.checks
    assert_same_record(ours, theirs)


def test_a_median_in_a_checked_polars_cell_is_judged_as_sdc_pivot_table_judges_it(df):
    from jupyter_sdc.capture.engine_roots import Aggregate, Traced, engine_output, node

    frame = pl.from_pandas(df)
    shown = frame.group_by("sex").agg(pl.col("income").median()).sort("sex").to_pandas()
    traced = Traced("polars", frame, ["sex"], {"income": Aggregate("income", "median")})
    output = engine_output(node(traced, shown), shown, RuleValues(), "u1", {"call": "x"})
    session = sdc.Session()
    session.pivot_table(df, values="income", index="sex", aggfunc="median")
    theirs = session.outputs[-1]
    assert "quantile_sides" in output.checks
    assert output.status == theirs.status
    for name in ("below", "above"):
        pd.testing.assert_frame_equal(output.evidence.grids[name], theirs.evidence.grids[name],
                                      check_dtype=False, check_names=False)


def test_infinite_values_on_an_engine_are_review(df):
    frame = df.assign(income=df.income.where(df.index != 5, np.inf))
    session = sdc.Session()
    session.pivot_table(duckdb.connect().from_df(frame), values="income", index="sex",
                        aggfunc="sum")
    assert session.outputs[-1].status.value == "review"
    assert any("infinite" in r for r in session.outputs[-1].reasons)


def test_a_two_valued_mean_is_judged_as_counts_on_an_engine(df):
    """5 % of people flagged: the mean gives the flagged people's number, below 10."""
    session = sdc.Session()
    session.pivot_table(pl.from_pandas(df), values="flag", index="sex", aggfunc="mean")
    output = session.outputs[-1]
    assert output.checks["threshold"].value == "fail"
    assert any("takes two values" in n for n in output.evidence.notes)


@pytest.mark.parametrize("kwargs", [dict(), dict(margins=True),
                                    dict(values="income", aggfunc="mean")])
def test_crosstab_of_polars_series_gives_the_pandas_record(df, kwargs):
    frame = pl.from_pandas(df)
    session = sdc.Session()
    pandas_kwargs = {k: (df[v] if k == "values" else v) for k, v in kwargs.items()}
    polars_kwargs = {k: (frame[v] if k == "values" else v) for k, v in kwargs.items()}
    expected = session.crosstab(df.region, df.sex, **pandas_kwargs)
    got = session.crosstab(frame["region"], frame["sex"], **polars_kwargs)
    pd.testing.assert_frame_equal(got, expected)
    assert_same_record(session.outputs[1], session.outputs[0])
    assert session.outputs[1].source == {"call": "crosstab", "engine": "polars"}


def test_crosstab_of_polars_series_with_weights_goes_through_pandas(df):
    frame = pl.from_pandas(df.assign(w=1.5))
    session = sdc.Session()
    got = session.crosstab(frame["region"], frame["sex"], weights=frame["w"])
    assert got.loc["N", "F"] == 1.5 * ((df.region == "N") & (df.sex == "F")).sum()
    assert session.outputs[-1].summary.get("weighted") is True


@pytest.mark.parametrize("call, error, words", [
    (dict(values="income", index="nope"), KeyError, "column 'nope' is not in the data"),
    (dict(values="income", index="region", dropna=False), ValueError, "dropna=True"),
    (dict(values="income", index="region", unit="nobody"), KeyError, "'nobody'"),
])
def test_bad_calls_on_an_engine_say_what_to_do(df, call, error, words):
    with pytest.raises(error, match=words):
        sdc.Session().pivot_table(pl.from_pandas(df), **call)


def test_a_frame_of_no_engine_is_refused_by_name():
    with pytest.raises(TypeError, match="sdc.pivot_table cannot check a builtins.dict"):
        sdc.Session().pivot_table({"a": [1]}, index="a")


def test_pivot_table_on_spark_gives_the_pandas_record(df, spark):
    session = sdc.Session()
    call = dict(values="income", index="region", columns="sex", aggfunc="mean", margins=True)
    expected = session.pivot_table(df, **call)
    got = session.pivot_table(spark.createDataFrame(df), **call)
    pd.testing.assert_frame_equal(got, expected)
    assert_same_record(session.outputs[1], session.outputs[0])
    assert session.outputs[1].source["engine"] == "spark"


def few_women(women: int, men: int) -> pd.DataFrame:
    """``women`` + ``men`` records, two people each, distinct incomes, ties in hours."""
    n = women + men
    return pd.DataFrame({"sex": ["F"] * women + ["M"] * men, "region": (["N", "S"] * n)[:n],
                         "income": np.arange(1.0, n + 1) + 100, "hours": np.arange(n) % 7 + 30.0,
                         "person": np.arange(n) // 2})


@pytest.mark.parametrize("engine", ("polars-lazy", "duckdb-relation"))
@pytest.mark.parametrize("call", [
    dict(values="income", columns="sex", aggfunc="median"),
    dict(values="income", columns="sex", aggfunc="median", unit="person"),
    dict(values=["income", "hours"], columns=["sex", "region"], aggfunc=["median", "sum"]),
], ids=["median", "median-units", "list"])
def test_a_median_without_an_index_is_judged_as_sdc_pivot_table_judges_it(engine, call,
                                                                           tmp_path):
    # 10 women: 5 records on each side of their median, fewer than 10 (quantile_sides fails)
    data = few_women(10, 30)
    session = sdc.Session()
    expected = session.pivot_table(data, **call)
    got = session.pivot_table(as_engine(data, engine, tmp_path), **call)
    pd.testing.assert_frame_equal(got, expected)
    theirs, ours = session.outputs
    assert ours.checks["quantile_sides"].value == "fail"
    assert_same_record(ours, theirs)
    for name in ("below", "above"):
        pd.testing.assert_frame_equal(ours.evidence.grids[name], theirs.evidence.grids[name],
                                      check_dtype=False)


@pytest.mark.parametrize("engine", ("polars", "duckdb-relation"))
@pytest.mark.parametrize("keys", [dict(columns="sex"), dict(index="sex"),
                                  dict(columns=["sex", "region"])],
                         ids=["columns", "index", "two-columns"])
def test_group_sizes_on_one_axis_are_the_series_pandas_gives(engine, keys, tmp_path):
    data = few_women(3, 20)
    session = sdc.Session()
    expected = session.pivot_table(data, aggfunc="size", **keys)
    got = session.pivot_table(as_engine(data, engine, tmp_path), aggfunc="size", **keys)
    pd.testing.assert_series_equal(got, expected)
    theirs, ours = session.outputs
    assert_same_record(ours, theirs)
    assert ours.status.value == "fail"  # 3 women
    assert "__dummy__" not in json.dumps(ours.to_dict())


def test_group_sizes_without_an_index_on_spark_are_the_series_pandas_gives(spark):
    data = few_women(3, 20)
    session = sdc.Session()
    expected = session.pivot_table(data, columns="sex", aggfunc="size")
    got = session.pivot_table(spark.createDataFrame(data), columns="sex", aggfunc="size")
    pd.testing.assert_series_equal(got, expected)
    assert_same_record(session.outputs[1], session.outputs[0])


def test_counts_without_values_or_index_show_no_internal_label():
    # the engines' frequency table (docs/engines.md): one row of counts, named as it is
    session = sdc.Session()
    table = session.pivot_table(pl.from_pandas(few_women(3, 20)), columns="sex",
                                aggfunc="count")
    assert table.index.tolist() == ["count"]
    assert session.outputs[-1].counts.to_numpy().tolist() == [[3, 20]]
    assert "__dummy__" not in json.dumps(session.outputs[-1].to_dict())


@pytest.mark.parametrize("keys", [dict(index="day"), dict(columns="day")],
                         ids=["index", "columns"])
def test_a_median_whose_sides_duckdb_cannot_be_asked_about_is_review(keys):
    # a date label cannot be written into the query that counts each side: fail closed
    data = pd.DataFrame({"day": pd.to_datetime(["2020-01-01"] * 12 + ["2020-01-02"] * 12),
                         "x": np.arange(24.0)})
    session = sdc.Session()
    session.pivot_table(duckdb.connect().from_df(data), values="x", aggfunc="median", **keys)
    output = session.outputs[-1]
    assert output.status.value == "review"
    assert any("quantile sides" in r for r in output.reasons)
