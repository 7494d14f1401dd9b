"""The engine contract: dispatch, errors named the same way everywhere, laziness, limits."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from engine_sources import LOCAL, on_engine

from jupyter_sdc.core.judge import judge
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.engines import engine_name, group_evidence, pivot

TABLE = pa.table({
    "region": pa.array(["N", "N", "S", None, "S", "N"]),
    "sex": pa.array(["F", "M", "F", "F", "M", "F"]),
    "income": pa.array([10.0, math.nan, 30.0, 40.0, None, 5.0], from_pandas=False),
    "person": pa.array([1, 1, 2, 3, 4, 5]),
    "name": pa.array(["a", "b", "c", "d", None, "f"]),
})


@pytest.mark.parametrize("engine, expected", [
    ("pandas", "pandas"), ("polars", "polars"), ("polars-lazy", "polars"),
    ("duckdb-arrow", "duckdb"), ("duckdb-relation", "duckdb"), ("duckdb-parquet", "duckdb"),
])
def test_engine_of_each_frame(engine, expected):
    assert engine_name(on_engine(TABLE, engine)) == expected


def test_other_objects_are_refused_with_what_is_accepted():
    with pytest.raises(TypeError, match="Polars"):
        engine_name([1, 2, 3])
    with pytest.raises(TypeError):
        engine_name("data.csv")


@pytest.mark.parametrize("engine", ("pandas", *LOCAL))
def test_nan_and_null_are_both_missing_and_missing_keys_dropped(engine):
    groups = group_evidence(on_engine(TABLE, engine), "region", "income", stats="count")
    stats = groups[("region",)].evidence["income"]
    assert list(groups[("region",)].index) == ["N", "S"]
    assert stats.rows.tolist() == [3, 2]        # the row without a region is left out
    assert stats.count.tolist() == [2, 1]       # NaN (N) and null (S) are not contributions
    assert stats.missing.tolist() == [1, 1]


@pytest.mark.parametrize("engine", ("pandas", *LOCAL))
def test_missing_column_is_named(engine):
    with pytest.raises(KeyError, match="wage"):
        group_evidence(on_engine(TABLE, engine), "region", "wage", stats="mean")


@pytest.mark.parametrize("engine", ("pandas", *LOCAL))
def test_text_values_are_counted_but_not_averaged(engine):
    frame = on_engine(TABLE, engine)
    groups = group_evidence(frame, "region", "name", stats="count")
    assert groups[("region",)].evidence["name"].count.tolist() == [3, 1]
    with pytest.raises(TypeError, match="not numeric"):
        group_evidence(frame, "region", "name", stats="mean")


@pytest.mark.parametrize("engine", ("pandas", *LOCAL))
def test_missing_units_are_refused(engine):
    table = TABLE.set_column(3, "person", pa.array([1, None, 2, 3, 4, 5]))
    with pytest.raises(ValueError, match="unit has missing values"):
        group_evidence(on_engine(table, engine), "region", "income", stats="mean",
                       unit="person")


@pytest.mark.parametrize("engine", LOCAL)
def test_units_are_counted_once(engine):
    groups = group_evidence(on_engine(TABLE, engine), "sex", "income", stats="sum",
                            unit="person")
    stats = groups[("sex",)].evidence["income"]
    # F: persons 1, 2, 3, 5 with values; M: person 1's NaN and person 4's null: nobody
    assert stats.count.tolist() == [4, 0]
    assert stats.top[0].tolist() == [40.0, 30.0]


def test_a_lazy_frame_is_collected_once_for_all_and_once_for_the_top(monkeypatch):
    """No row comes to Python: one collect_all, one small query for the largest values
    (and, only when the values hold NaN, the cells once more with NaN taken out), and one
    collect_all for the records on each side of the medians (quantile sides)."""
    calls = {"collect_all": 0, "collect": 0}
    real_all, real_collect = pl.collect_all, pl.LazyFrame.collect

    def counting_all(frames, *args, **kwargs):
        calls["collect_all"] += 1
        return real_all(frames, *args, **kwargs)

    def counting_collect(self, *args, **kwargs):
        calls["collect"] += 1
        return real_collect(self, *args, **kwargs)

    monkeypatch.setattr(pl, "collect_all", counting_all)
    monkeypatch.setattr(pl.LazyFrame, "collect", counting_collect)
    no_nan = pl.from_arrow(TABLE).with_columns(pl.col("income").fill_nan(None))
    pivot(no_nan.lazy(), values="income", index="region", columns="sex", aggfunc="median",
          margins=True)
    assert calls == {"collect_all": 2, "collect": 1}
    pivot(pl.from_arrow(TABLE).lazy(), values="income", index="region", columns="sex",
          aggfunc="median", margins=True)
    assert calls == {"collect_all": 4, "collect": 3}


def test_duckdb_limits_apply_to_sources_it_opens(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(TABLE, path)
    groups = group_evidence(path, "region", "income", stats="mean", memory_limit="200MB",
                            threads=1)
    assert groups[("region",)].evidence["income"].count.tolist() == [2, 1]
    with pytest.raises(ValueError, match="own connection"):
        group_evidence(duckdb.connect().from_arrow(TABLE), "region", "income",
                       stats="mean", memory_limit="1GB")


def test_duckdb_refuses_nan_hidden_by_parquet_statistics(tmp_path):
    """A relation over parquet read without can_have_nan loses NaN: refuse, do not count."""
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"k": ["a", "a", "a"],
                             "v": pa.array([5.0, math.nan, 35.0], from_pandas=False)}), path)
    relation = duckdb.connect().read_parquet(str(path))
    with pytest.raises(ValueError, match="can_have_nan"):
        group_evidence(relation, "k", "v", stats="mean")
    # given the path, the file is read so that NaN is seen
    assert group_evidence(path, "k", "v", stats="mean")[("k",)].evidence["v"].count[0] == 2


@pytest.mark.parametrize("engine", ["polars", "polars-lazy"])
def test_polars_enum_keys_keep_their_categories(engine):
    frame = pl.from_arrow(TABLE).with_columns(pl.col("sex").cast(pl.Enum(["M", "F", "X"])))
    frame = frame.lazy() if engine == "polars-lazy" else frame
    table, _ = pivot(frame, values="income", index="sex", aggfunc="sum")
    expected = pd.pivot_table(pl.from_arrow(TABLE).with_columns(
        pl.col("sex").cast(pl.Enum(["M", "F", "X"]))).to_pandas(), values="income",
        index="sex", aggfunc="sum")
    pd.testing.assert_frame_equal(table, expected)


def test_polars_categorical_keys_are_labelled_as_text():
    frame = pl.from_arrow(TABLE).with_columns(pl.col("region").cast(pl.Categorical))
    table, _ = pivot(frame, values="income", index="region", aggfunc="mean")
    assert table.index.tolist() == ["N", "S"]
    assert not isinstance(table.index.dtype, pd.CategoricalDtype)


@pytest.mark.parametrize("engine", ("pandas", *LOCAL))
def test_margins_are_flagged_and_judged_like_cells(engine):
    table, evidence = pivot(on_engine(TABLE, engine), index="region", columns="sex",
                            margins=True, aggfunc="count")
    assert table.loc["All", "All"] == 5
    expected = np.zeros(table.shape, dtype=bool)
    expected[-1, :] = expected[:, -1] = True
    np.testing.assert_array_equal(evidence.margin, expected)
    flags = judge(evidence, RuleValues()).flags
    assert flags["threshold"].all()  # every cell, margins included, is under 10


def test_aggfuncs_it_cannot_compute_are_refused():
    with pytest.raises(ValueError, match="not supported"):
        pivot(pl.from_arrow(TABLE), values="income", index="region", aggfunc="nunique")


def test_size_with_margins_is_refused_as_pandas_refuses_it():
    with pytest.raises(ValueError, match="size"):
        pivot(pl.from_arrow(TABLE), values="income", index="region", columns="sex",
              aggfunc="size", margins=True)
