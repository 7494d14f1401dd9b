"""The largest contributions, where Polars and Spark find them in a second read of the rows.

Both engines keep, in their first read, each cell's maximum in k buckets of rows, and read
again only the rows at or above the smallest of those bounds (see their module docstrings).
These cells are the ones a bound could get wrong: a cell of one, two or k records, ties at
the top, a cell whose rows all sit in one bucket, a cell far below the others (its bound
decides which rows every cell reads again), negatives, missing values, a column with no
value at all.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from engine_sources import LOCAL, assert_groups_equal, on_engine, reference_frame

from jupyter_sdc.engines import group_evidence
from jupyter_sdc.engines.contract import STATISTICS

_CELLS: dict[str, list[float | None]] = {
    "one": [7.0],
    "two": [3.0, 9.0],
    "three": [4.0, 1.0, 8.0],
    "tied": [50.0, 50.0, 2.0, 1.0],
    "tied_three": [6.0, 6.0, 6.0],
    "small": [0.5, 0.25, 0.75, 0.1],  # far below the others: its bound is the smallest
    "negatives": [-5.0, -1.0, -20.0, 3.0],
    "all_negative": [-3.0, -2.0],
    "missing": [None, 10.0, float("nan"), 4.0, None],
    "only_missing": [None, None],
    "big": [float(v) for v in range(1, 200)] + [1e6, 999_999.0],
}


def _rows(layout: str) -> list[tuple[str, float | None]]:
    if layout == "interleaved":
        # two cells taking turns: with k = 2 buckets of rows by position, each cell's rows all
        # sit in one bucket, so its bound must fall back to its minimum; the cell with the
        # smaller values would otherwise set a bound above its own second largest
        return [r for pair in zip([("low", v) for v in (100.0, 90.0, 80.0, 70.0)],
                                  [("high", v) for v in (1e4, 9e3, 8e3, 7e3)], strict=True)
                for r in pair]
    rows = [(cell, v) for cell, values in _CELLS.items() for v in values]
    if layout == "spread":  # every cell's rows spread over the frame
        rows = [rows[i] for i in np.random.default_rng(3).permutation(len(rows))]
    return rows


def _table(layout: str) -> pa.Table:
    rows = _rows(layout)
    return pa.table({
        "cell": pa.array([r[0] for r in rows], pa.string()),
        "v": pa.array([r[1] for r in rows], pa.float64(), from_pandas=False),
        "w": pa.array([None] * len(rows), pa.float64()),  # no value in any cell
        "g": pa.array([len(r[0]) % 2 for r in rows], pa.int64()),
    })


ENGINES = (*LOCAL, "spark")


# (layout, top_k, every statistic with the holders of the extremes, or the mean alone: the
# extremes make the second read take the rows near each minimum too)
CASES = [("clustered", 2, True), ("spread", 3, True), ("clustered", 3, False),
         ("spread", 2, False), ("interleaved", 2, False), ("interleaved", 3, True)]


@pytest.mark.parametrize(("layout", "top_k", "every_stat"), CASES)
@pytest.mark.parametrize("engine", ENGINES)
def test_largest_contributions_match_the_reference(request, engine, layout, top_k, every_stat):
    spark = request.getfixturevalue("spark") if engine == "spark" else None
    table = _table(layout)
    source = on_engine(table, engine, spark)
    if engine == "spark":  # rows of one cell split over partitions, or kept in order
        source = source.repartition(3) if layout == "spread" else source.coalesce(1)
    options = dict(values=["v", "w"], stats=STATISTICS if every_stat else ["mean"],
                   sets=[("g", "cell"), ("g",), ()], extremes=every_stat, top_k=top_k)
    want = group_evidence(reference_frame(table), ["g", "cell"], **options)
    got = group_evidence(source, ["g", "cell"], **options)
    assert_groups_equal(got, want)


def test_spark_refuses_data_that_changes_between_its_two_reads(spark):
    """A source that is not the same when read again (here values made from the time of the
    query) would give top contributions of other rows than the counts: an error that says
    what to do."""
    from pyspark.sql import functions as F

    now = F.unix_micros(F.current_timestamp()).cast("double")
    frame = spark.range(400).select((F.col("id") % 4).alias("cell"), (now + F.col("id"))
                                    .alias("v"))
    with pytest.raises(ValueError, match="changed between two reads.*cache it first"):
        group_evidence(frame, ["cell"], "v", stats=["mean"])
