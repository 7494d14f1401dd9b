"""``%%sdc_check`` on Polars code: group_by/agg, len, value_counts and pivot are checked by
Polars with the pandas verdicts; what cannot be traced is review."""

from __future__ import annotations

import pandas as pd
import pytest
from magic_shell import run

import jupyter_sdc

pl = pytest.importorskip("polars", reason="the Polars capture needs jupyter_sdc[polars]")


@pytest.fixture
def pip(ip):
    ip.run_cell("import polars as pl\npdf = pl.from_pandas(df)")
    return ip


def only_output():
    [out] = jupyter_sdc.session().outputs
    return out


def reference(ip, **call):
    session = jupyter_sdc.Session()
    session.pivot_table(ip.user_ns["df"], **call)
    return session.outputs[0]


@pytest.mark.parametrize("code", [
    "pdf.group_by('rgn', 'sex').agg(pl.col('income').mean())",
    "pdf.lazy().group_by(['rgn', 'sex']).agg(pl.mean('income')).collect().sort('rgn')",
    "t = pdf.group_by(pl.col('rgn'), 'sex').agg(mean_income=pl.col('income').mean())\nt",
    "pdf.group_by('rgn', 'sex').agg(pl.col('income').mean().round(0))",
])
def test_a_polars_group_by_mean_gets_the_pandas_counts_and_verdict(pip, code):
    run(pip, "%%sdc_check\n" + code)
    out = only_output()
    ref = reference(pip, values="income", index=["rgn", "sex"], aggfunc="mean")
    counts = out.counts.iloc[:, 0].rename(None)
    counts.index.names = ref.counts.index.names
    pd.testing.assert_series_equal(counts.sort_index(), ref.counts.iloc[:, 0].rename(None),
                                   check_dtype=False)
    assert out.status == ref.status == "fail"  # South x M has 4 people
    assert out.source["engine"] == "polars"
    assert out.checks.keys() >= {"threshold", "nk", "p_percent"}


def test_len_and_value_counts_are_frequency_tables(pip):
    run(pip, "%%sdc_check\npdf.group_by('sex').len()")
    run(pip, "%%sdc_check\npdf['rgn'].value_counts()")
    first, second = jupyter_sdc.session().outputs
    assert first.counts.sort_index().iloc[:, 0].tolist() == [176, 124]
    assert first.status == "pass"
    assert second.counts.sort_index().iloc[:, 0].tolist() == [120, 120, 60]
    assert second.source["call"].endswith("value_counts")


def test_a_polars_pivot_is_checked_cell_by_cell(pip):
    run(pip, "%%sdc_check\npdf.pivot(on='sex', index='rgn', values='income', "
             "aggregate_function='mean')")
    out = only_output()
    assert list(out.table.columns) == ["F", "M"]
    assert int(out.counts.loc["South", "M"]) == 4
    assert bool(out.flags["threshold"].loc["South", "M"])
    assert out.status == "fail"


@pytest.mark.parametrize("code, words", [
    ("pdf.group_by('rgn').agg(pl.col('income').quantile(0.9))", "quantile"),
    ("pdf.group_by('rgn').agg((pl.col('income') / 12).mean())", "expression"),
    ("pdf.group_by('rgn').len().with_columns(share=pl.col('len') / 300)", "not made by"),
    ("pdf.head(3)", "not made by"),
    ("pdf.pivot(on='sex', index='person_id', values='income')", "aggregate_function=None"),
])
def test_what_polars_code_cannot_be_traced_is_review(pip, code, words):
    run(pip, "%%sdc_check\n" + code)
    out = only_output()
    assert out.status == "review"
    assert any(words in r for r in out.reasons), out.reasons


def test_an_aggregate_bound_to_a_name_and_shown_sorted_is_one_output(pip):
    run(pip, "%%sdc_check\nt = pdf.group_by('rgn').len()\nt.sort('rgn')")
    out = only_output()
    assert list(out.table.index) == ["East", "North", "South"]
