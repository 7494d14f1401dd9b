"""The same data on every engine, and the comparisons the agreement tests make.

The data starts as an Arrow table, the one format that keeps NaN and null apart and that
every engine reads as it is; pandas sees both as NaN (``to_pandas``), as it would.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jupyter_sdc.core.evidence import CellEvidence, GroupStats
from jupyter_sdc.engines.contract import Groups

#: engines that need nothing but the test extras; Spark is added by the fixture
LOCAL = ("polars", "polars-lazy", "duckdb-arrow", "duckdb-relation", "duckdb-parquet")


def arrow_table(columns: dict[str, list], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({name: pa.array(values, type=types[name], from_pandas=False)
                     for name, values in columns.items()})


def reference_frame(table: pa.Table) -> pd.DataFrame:
    """What a pandas user has for the same data."""
    return table.to_pandas()


def on_engine(table: pa.Table, engine: str, spark=None):
    """``table`` as a frame of ``engine``."""
    if engine == "pandas":
        return reference_frame(table)
    if engine.startswith("polars"):
        import polars as pl

        frame = pl.from_arrow(table)
        return frame.lazy() if engine == "polars-lazy" else frame
    if engine == "duckdb-arrow":
        return table
    if engine == "duckdb-relation":
        import duckdb

        return duckdb.connect().from_arrow(table)
    if engine == "duckdb-parquet":
        folder = tempfile.mkdtemp(prefix="sdc-engines-")
        path = os.path.join(folder, "data.parquet")
        pq.write_table(table, path)
        return path
    if engine == "spark":
        return spark.createDataFrame(table)
    raise ValueError(engine)


def assert_stats_equal(got: GroupStats, want: GroupStats, where: str) -> None:
    for name, expected in want.__dict__.items():
        actual = getattr(got, name)
        if expected is None:
            assert actual is None, f"{where}: {name} should be absent"
            continue
        assert actual is not None, f"{where}: {name} is missing"
        np.testing.assert_array_equal(np.asarray(actual, dtype=float),
                                      np.asarray(expected, dtype=float),
                                      err_msg=f"{where}: {name}")


def assert_groups_equal(got: dict[tuple, Groups], want: dict[tuple, Groups],
                        loose: tuple[str, ...] = ("std", "var")) -> None:
    """Same groups, labels, displayed values (spreads to 1e-9) and evidence (exactly)."""
    assert list(got) == list(want)
    for keys, expected in want.items():
        actual = got[keys]
        pd.testing.assert_index_equal(actual.index, expected.index, obj=f"index of {keys}")
        for column in expected.table.columns:
            exact = column[1] not in loose
            np.testing.assert_allclose(actual.table[column].to_numpy(),
                                       expected.table[column].to_numpy(),
                                       rtol=0 if exact else 1e-9, atol=0,
                                       err_msg=f"{keys} {column}")
        assert set(actual.evidence) == set(expected.evidence)
        for value, stats in expected.evidence.items():
            assert_stats_equal(actual.evidence[value], stats, f"{keys} {value}")


def assert_evidence_equal(got: CellEvidence, want: CellEvidence) -> None:
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.statistic_grid, want.statistic_grid)
    for name in ("count", "rows", "missing", "negative", "total", "top", "at_max", "at_min",
                 "mode_count", "margin"):
        expected, actual = getattr(want, name), getattr(got, name)
        if expected is None:
            assert actual is None, name
            continue
        np.testing.assert_array_equal(np.asarray(actual, dtype=float),
                                      np.asarray(expected, dtype=float), err_msg=name)
    assert got.unit_label == want.unit_label
