"""``%%sdc_check`` on Polars, DuckDB and Spark code in a real kernel (nbclient): each native
aggregate shown or fetched is one record, computed by its engine; untraceable code is review."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from spark_kit import spark_unavailable

nbclient = pytest.importorskip("nbclient")
pytestmark = pytest.mark.kernel

MIME = "application/vnd.jupyter-sdc.output+json"

SETUP = """\
%load_ext jupyter_sdc
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
df = pd.DataFrame({"rgn": ["North"] * 120 + ["South"] * 60 + ["East"] * 120,
                   "sex": ["F"] * 60 + ["M"] * 60 + ["F"] * 56 + ["M"] * 4 + ["F", "M"] * 60,
                   "income": rng.gamma(2.0, 15_000, 300).round(2)})
"""

#: (cell, status of its one record, engine)
POLARS = [
    ("import polars as pl\npdf = pl.from_pandas(df)", None, None),
    ("%%sdc_check --label 'Table 1'\npdf.group_by('rgn', 'sex').agg(pl.col('income').mean())",
     "fail", "polars"),
    ("%%sdc_check\npdf.lazy().group_by('rgn').agg(pl.len(), pl.col('income').sum())"
     ".collect()", "pass", "polars"),
    ("%%sdc_check\npdf.group_by('rgn').agg(pl.col('income').quantile(0.5))", "review",
     "polars"),
]

DUCKDB = [
    ("import duckdb\ncon = duckdb.connect()", None, None),
    ("%%sdc_check\nduckdb.sql('SELECT rgn, sex, avg(income) FROM df GROUP BY rgn, sex')",
     "fail", "duckdb"),
    ("%%sdc_check\ncon.sql('SELECT rgn, count(*) AS n FROM df GROUP BY rgn').df()",
     "pass", "duckdb"),
    ("%%sdc_check\nrows = con.execute('SELECT rgn, sum(income) FROM df GROUP BY rgn')"
     ".fetchall()\nrows", "pass", "duckdb"),
    ("%%sdc_check\ncon.sql('SELECT a.rgn, count(*) FROM df a JOIN df b ON a.rgn = b.rgn "
     "GROUP BY a.rgn').df()", "review", "duckdb"),
]

SPARK = [
    ("import os\nos.environ.setdefault('SPARK_LOCAL_IP', '127.0.0.1')\n"
     "from pyspark.sql import SparkSession, functions as F\n"
     "spark = (SparkSession.builder.master('local[2]').config('spark.ui.enabled', 'false')"
     ".config('spark.sql.shuffle.partitions', '2').getOrCreate())\n"
     "sdf = spark.createDataFrame(df)", None, None),
    ("%%sdc_check --label 'Table 1'\n"
     "sdf.groupBy('rgn', 'sex').agg(F.mean('income')).show()", "fail", "spark"),
    ("%%sdc_check\nsdf.groupBy('rgn').count().toPandas()", "pass", "spark"),
    ("%%sdc_check\ndisplay(sdf.groupBy('rgn').agg(F.countDistinct('sex')))", "review",
     "spark"),
]


def records(cell) -> list[dict]:
    return [o["data"][MIME] for o in cell.get("outputs", []) if MIME in o.get("data", {})]


def execute(cells: list[str], path: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP), *map(nbformat.v4.new_code_cell, cells)]
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path)}})
    client.execute()
    return nb


def check(nb, expected) -> None:
    for cell, (code, status, engine) in zip(nb.cells[1:], expected, strict=True):
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        assert not errors, (code, errors)
        found = records(cell)
        if status is None:
            assert found == [], code
            continue
        assert [r["status"] for r in found] == [status], code
        assert found[0]["source"].get("engine") == engine, code


def test_polars_idioms_in_a_kernel(tmp_path):
    nb = execute([c for c, _, _ in POLARS], tmp_path)
    check(nb, POLARS)
    [table1] = records(nb.cells[2])
    assert table1["label"] == "Table 1"


def test_duckdb_queries_in_a_kernel(tmp_path):
    nb = execute([c for c, _, _ in DUCKDB], tmp_path)
    check(nb, DUCKDB)


@pytest.mark.skipif(spark_unavailable() is not None, reason=str(spark_unavailable()))
def test_spark_aggregates_in_a_kernel(tmp_path):
    nb = execute([c for c, _, _ in SPARK], tmp_path)
    check(nb, SPARK)
