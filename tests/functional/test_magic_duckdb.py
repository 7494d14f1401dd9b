"""``%%sdc_check`` on DuckDB queries: a GROUP BY shown or fetched is checked by DuckDB, its
keys and aggregates read by a SQL parser; what it cannot trace is review."""

from __future__ import annotations

import pytest
from magic_shell import run

import jupyter_sdc

duckdb = pytest.importorskip("duckdb", reason="the DuckDB capture needs jupyter_sdc[duckdb]")
pytest.importorskip("sqlglot", reason="the DuckDB capture needs jupyter_sdc[duckdb]")


@pytest.fixture
def dip(ip, tmp_path):
    ip.user_ns["data_file"] = str(tmp_path / "people.parquet")
    ip.run_cell("import duckdb\ncon = duckdb.connect()\n"
                "con.execute('CREATE TABLE people AS SELECT * FROM df')\n"
                "df.to_parquet(data_file)")
    return ip


def only_output():
    [out] = jupyter_sdc.session().outputs
    return out


@pytest.mark.parametrize("code", [
    "duckdb.sql('SELECT rgn, sex, avg(income) AS m FROM df GROUP BY rgn, sex')",
    "con.sql('SELECT sex, rgn, mean(income) FROM people GROUP BY rgn, sex').df()",
    "con.execute('SELECT rgn, sex, avg(income) m FROM people GROUP BY rgn, sex').fetchall()",
    "con.sql(f\"SELECT rgn, sex, avg(income) FROM read_parquet('{data_file}') "
    "GROUP BY rgn, sex ORDER BY rgn\").pl()",
])
def test_a_group_by_mean_gets_the_pandas_counts_and_verdict(dip, code):
    run(dip, "%%sdc_check\nresult = " + code + "\nresult")
    out = only_output()
    assert out.source["engine"] == "duckdb"
    counts = out.counts.iloc[:, 0]
    by_cell = {tuple(k) if isinstance(k, tuple) else k: v for k, v in counts.items()}
    assert by_cell[("South", "M")] == 4 or by_cell[("M", "South")] == 4
    assert out.status == "fail"
    assert out.checks.keys() >= {"threshold", "nk", "p_percent"}


def test_where_and_having_shape_the_groups_checked(dip):
    run(dip, "%%sdc_check\ncon.sql('SELECT rgn AS region, count(*) AS n FROM people "
             "WHERE age >= 40 GROUP BY rgn HAVING count(*) > 1').df()")
    out = only_output()
    df = dip.user_ns["df"]
    expected = df[df.age >= 40].groupby("rgn").size()
    assert out.counts.iloc[:, 0].to_dict() == expected.to_dict()
    assert out.status == "pass"


@pytest.mark.parametrize("code, words", [
    ("con.sql('SELECT a.rgn, count(*) FROM people a JOIN people b USING (person_id) "
     "GROUP BY a.rgn').df()", "a join"),
    ("con.sql('SELECT rgn, count(*) OVER () FROM people').df()", "window"),
    ("con.sql('SELECT rgn, quantile_cont(income, 0.9) FROM people GROUP BY rgn').df()",
     "not an aggregate"),
    ("con.sql('SELECT rgn, sum(income * 2) FROM people GROUP BY rgn').df()", "expression"),
    ("con.sql('SELECT * FROM people LIMIT 3').df()", "no GROUP BY"),
    ("con.sql('WITH p AS (SELECT * FROM people) SELECT rgn, count(*) FROM p GROUP BY rgn')"
     ".df()", "WITH"),
    ("con.sql('SELECT rgn, count(*) FROM (SELECT * FROM people) GROUP BY rgn').df()",
     "one table"),
])
def test_what_duckdb_code_cannot_be_traced_is_review(dip, code, words):
    run(dip, "%%sdc_check\n" + code)
    out = only_output()
    assert out.status == "review"
    assert any(words in r for r in out.reasons), out.reasons
