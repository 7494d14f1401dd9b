"""The engines are optional: the base install is pandas-only, and a missing extra is named."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import pytest

from jupyter_sdc.adapters import engine_tables

ROOT = Path(__file__).resolve().parents[2]


def test_importing_and_checking_pandas_imports_no_engine():
    code = (
        "import sys, pandas as pd, jupyter_sdc as sdc\n"
        "df = pd.DataFrame({'a': list('xy') * 20, 'v': range(40)})\n"
        "sdc.Session().pivot_table(df, values='v', index='a')\n"
        "sdc.Session().crosstab(df.a, df.a)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'polars', 'duckdb', 'pyspark', 'sqlglot'}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_missing_engine_says_which_extra_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "duckdb" else real(name, *a))
    with pytest.raises(ImportError, match=r"needs duckdb: pip install jupyter_sdc\[duckdb\]"):
        engine_tables.engine_of(pa.table({"a": [1]}), "pivot_table")


def test_each_engine_is_an_extra_of_its_own():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert any(d.startswith("polars") for d in extras["polars"])
    assert {d.split(">")[0] for d in extras["duckdb"]} == {"duckdb", "pyarrow", "sqlglot"}
    assert {d.split(">")[0] for d in extras["spark"]} == {"pyspark", "sqlglot"}
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"]
    assert not any(d.startswith(("polars", "duckdb", "pyspark", "sqlglot"))
                   for d in dependencies)
