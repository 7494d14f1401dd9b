"""An engine's (small) aggregate as a pandas table, keys as columns: what a record shows."""

from __future__ import annotations

from typing import Any

import pandas as pd


def as_pandas(engine: str, result: Any) -> pd.DataFrame | None:
    """``result`` of ``engine`` ("polars", "duckdb", "spark") as pandas (None: not a table)."""
    return {"polars": _polars, "duckdb": _duckdb, "spark": _spark}[engine](result)


def _polars(result: Any) -> pd.DataFrame | None:
    """A Polars aggregate (eager or lazy) as a pandas table, keys as columns."""
    import polars as pl

    if isinstance(result, pl.LazyFrame):
        result = result.collect()
    if isinstance(result, pl.DataFrame):
        return pd.DataFrame(result.to_dict(as_series=False))
    return result if isinstance(result, pd.DataFrame) else None


def _duckdb(result: Any) -> pd.DataFrame | None:
    """A DuckDB aggregate (a relation, or what was fetched from it) as a pandas table, its
    columns named by position as well ("#0", …) so the query's items find them."""
    import duckdb

    if isinstance(result, duckdb.DuckDBPyRelation):
        result = result.df()
    elif type(result).__module__.startswith("polars"):
        result = _polars(result)
    elif hasattr(result, "to_pandas"):  # Arrow
        result = result.to_pandas()
    return result if isinstance(result, pd.DataFrame) else None


def _spark(result: Any) -> pd.DataFrame | None:
    """A Spark aggregate (small) as a pandas table."""
    if isinstance(result, pd.DataFrame):
        return result
    return result.toPandas() if hasattr(result, "toPandas") else None
