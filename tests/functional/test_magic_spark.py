"""``%%sdc_check`` on PySpark: groupBy aggregates shown with show(), toPandas() or display()
are checked by Spark with the pandas verdicts; what cannot be traced is review."""

from __future__ import annotations

import pytest
from magic_shell import run

import jupyter_sdc


@pytest.fixture
def sip(ip, spark):
    ip.user_ns["spark"] = spark
    ip.run_cell("from pyspark.sql import functions as F\nsdf = spark.createDataFrame(df)")
    return ip


CELLS = [
    ("sdf.groupBy('rgn', 'sex').agg(F.mean('income').alias('m'), F.count('*')).show()",
     "fail"),
    ("sdf.groupBy('rgn').count().toPandas()", "pass"),
    ("display(sdf.groupBy('sex').agg(F.sum('income'), F.max('hours')))", "fail"),  # max
    ("sdf.groupBy('rgn').agg(F.countDistinct('sex')).show()", "review"),
    ("sdf.groupBy('rgn').agg(F.mean(F.col('income') / 12)).toPandas()", "review"),
    ("sdf.groupBy('rgn').pivot('sex').agg(F.mean('income')).show()", "review"),
    ("sdf.limit(3).show()", "review"),
]


def test_spark_aggregates_in_a_checked_cell(sip):
    for code, status in CELLS:
        before = len(jupyter_sdc.session().outputs)
        run(sip, "%%sdc_check\n" + code)
        outputs = jupyter_sdc.session().outputs[before:]
        assert [o.status.value for o in outputs] == [status], (code, [o.reasons for o in outputs])
        assert outputs[0].source["engine"] == "spark", code
