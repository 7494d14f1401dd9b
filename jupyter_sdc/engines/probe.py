"""What the whole of a value column says about its cells: infinite values, two values only.

The pandas check reads both off the column it holds (``adapters.pandas.non_finite`` and
``two_values``); here each engine answers with one small aggregate over the column (and, when
the column has two finite values at least, a second one asking whether any other value
occurs), so nothing but three numbers comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_sdc.engines.dispatch import engine_name


@dataclass(frozen=True)
class Profile:
    """A value column as a whole: its infinite values, and its two values if it has two."""

    infinite: int
    classes: tuple[float, float] | None


def profile(frame: Any, column: str) -> Profile:
    """The ``Profile`` of ``column`` in ``frame`` (Polars, DuckDB or Spark)."""
    name = engine_name(frame)
    first, others = {"polars": (_polars_range, _polars_others),
                     "duckdb": (_duckdb_range, _duckdb_others),
                     "spark": (_spark_range, _spark_others)}[name]
    infinite, low, high = first(frame, column)
    if low is None or high is None or low == high:
        return Profile(int(infinite or 0), None)
    two = not others(frame, column, float(low), float(high))
    return Profile(int(infinite or 0), (float(low), float(high)) if two else None)


# -- Polars ---------------------------------------------------------------------------------
def _polars_x(column: str) -> Any:
    import polars as pl

    return pl.col(column).cast(pl.Float64)


def _polars_range(frame: Any, column: str) -> tuple[int, Any, Any]:
    x = _polars_x(column)
    finite = x.filter(x.is_finite())
    row = frame.lazy().select(x.is_infinite().sum().alias("inf"), finite.min().alias("low"),
                              finite.max().alias("high")).collect().row(0)
    return row[0], row[1], row[2]


def _polars_others(frame: Any, column: str, low: float, high: float) -> bool:
    x = _polars_x(column)
    other = (x.is_finite() & (x != low) & (x != high)).any()
    return bool(frame.lazy().select(other.alias("other")).collect().item())


# -- DuckDB ---------------------------------------------------------------------------------
def _duckdb_query(frame: Any, column: str, select: str) -> tuple:
    from jupyter_sdc.engines.duckdb_engine import q, relation

    sql = (f"SELECT {select} FROM (SELECT CAST({q(column)} AS DOUBLE) AS x "
           "FROM __sdc_probe)")
    return relation(frame).query("__sdc_probe", sql).fetchall()[0]


def _duckdb_range(frame: Any, column: str) -> tuple[int, Any, Any]:
    return _duckdb_query(frame, column, "count(*) FILTER (WHERE isinf(x)), "
                         "min(x) FILTER (WHERE isfinite(x)), max(x) FILTER (WHERE isfinite(x))")


def _duckdb_others(frame: Any, column: str, low: float, high: float) -> bool:
    found = _duckdb_query(frame, column, f"bool_or(isfinite(x) AND x <> {low!r} "
                          f"AND x <> {high!r})")
    return bool(found[0])


# -- Spark ----------------------------------------------------------------------------------
def _spark_x(column: str) -> tuple[Any, Any, Any]:
    from pyspark.sql import functions as F

    x = F.col(column).cast("double")
    infinite = (x == float("inf")) | (x == float("-inf"))
    finite = x.isNotNull() & ~F.isnan(x) & ~infinite
    return x, infinite, finite


def _spark_range(frame: Any, column: str) -> tuple[int, Any, Any]:
    from pyspark.sql import functions as F

    x, infinite, finite = _spark_x(column)
    row = frame.agg(F.sum(F.when(infinite, 1).otherwise(0)),
                    F.min(F.when(finite, x)), F.max(F.when(finite, x))).first()
    return row[0], row[1], row[2]


def _spark_others(frame: Any, column: str, low: float, high: float) -> bool:
    x, _, finite = _spark_x(column)
    return bool(frame.filter(finite & (x != low) & (x != high)).limit(1).count())
