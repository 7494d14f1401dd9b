"""A median in a captured Polars, DuckDB or Spark aggregate is judged as sdc.pivot_table judges
it: the engine counts the records strictly below and above each published median
(quantile_sides), so the status, flags and evidence are those of the pandas check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from magic_shell import run

import jupyter_sdc


def sides_frame() -> pd.DataFrame:
    """Group a: 10 below its median, one at it, 10 above (passes at threshold 10); group b:
    9 below, three at it, 10 above (fails: one side has threshold - 1 records)."""
    a = [*range(1, 11), 50, *range(60, 70)]
    b = [*range(1, 10), 50, 50, 50, *range(60, 70)]
    return pd.DataFrame({"g": ["a"] * len(a) + ["b"] * len(b),
                         "v": np.array(a + b, dtype=float)})


CELLS = {
    "polars": ("import polars as pl\npdf = pl.from_pandas(df)",
               "pdf.group_by('g').agg(pl.col('v').median())"),
    "polars-lazy": ("import polars as pl\npdf = pl.from_pandas(df)",
                    "pdf.lazy().group_by('g').agg(pl.median('v').alias('m')).collect()"),
    "duckdb": ("import duckdb", "duckdb.sql('SELECT g, median(v) AS m FROM df GROUP BY g').df()"),
    "spark": ("from pyspark.sql import functions as F\nsdf = spark.createDataFrame(df)",
              "sdf.groupBy('g').agg(F.median('v')).toPandas()"),
}


@pytest.fixture(params=list(CELLS))
def engine(request, ip):
    name = request.param
    pytest.importorskip(name.split("-")[0] if name != "spark" else "pyspark")
    if name == "duckdb":
        pytest.importorskip("sqlglot")
    if name == "spark":
        ip.user_ns["spark"] = request.getfixturevalue("spark")
    return name


def captured(ip, engine: str, frame: pd.DataFrame):
    setup, code = CELLS[engine]
    ip.user_ns["df"] = frame
    ip.run_cell(setup)
    run(ip, "%%sdc_check\n" + code)
    [out] = jupyter_sdc.session().outputs
    return out


def by_group(grid: pd.DataFrame) -> pd.Series:
    """A one-column grid of the record, by group label (the engines' order is their own)."""
    series = grid.iloc[:, 0].rename(None)
    series.index = [k[0] if isinstance(k, tuple) else k for k in series.index]
    return series.sort_index()


def test_a_captured_median_is_judged_as_sdc_pivot_table_judges_it(ip, engine):
    frame = sides_frame()
    out = captured(ip, engine, frame)
    session = jupyter_sdc.Session()
    session.pivot_table(frame, values="v", index="g", aggfunc="median")
    ref = session.outputs[-1]
    assert out.source["engine"] == engine.split("-")[0]
    assert out.status == ref.status == "fail", out.reasons
    assert out.checks == ref.checks  # differencing too: an engine's table has a fingerprint
    assert set(out.flags) == set(ref.flags)
    for rule in ref.flags:
        pd.testing.assert_series_equal(by_group(out.flags[rule]), by_group(ref.flags[rule]),
                                       obj=rule)
    pd.testing.assert_series_equal(by_group(out.counts), by_group(ref.counts),
                                   check_dtype=False)
    for name in ("below", "above"):
        pd.testing.assert_series_equal(by_group(out.evidence.grids[name]),
                                       by_group(ref.evidence.grids[name]), check_dtype=False,
                                       obj=name)
    assert by_group(out.flags["quantile_sides"]).to_dict() == {"a": False, "b": True}


def test_a_median_with_threshold_records_on_each_side_passes(ip, engine):
    frame = sides_frame()
    out = captured(ip, engine, frame[frame.g == "a"])
    assert out.status == "pass", out.reasons
    assert out.checks["quantile_sides"] == "pass"
    assert by_group(out.evidence.grids["below"]).tolist() == [10]


def test_a_median_whose_groups_cannot_be_asked_about_stays_review(ip):
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    frame = sides_frame()
    frame["day"] = pd.to_datetime("2024-01-01") + pd.to_timedelta(frame.g.eq("b") * 1, "D")
    ip.user_ns["df"] = frame
    ip.run_cell("import duckdb")
    run(ip, "%%sdc_check\nduckdb.sql('SELECT day, median(v) AS m FROM df GROUP BY day').df()")
    [out] = jupyter_sdc.session().outputs
    assert out.status == "review"
    assert any("median of v" in r for r in out.reasons), out.reasons
