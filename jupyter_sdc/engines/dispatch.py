"""Which engine computes the evidence for a frame, and the one entry point to all of them.

Engines are optional extras: nothing here imports Polars, DuckDB or PySpark unless the frame
already comes from one of them (a frame of a package that was never imported cannot exist).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd

from jupyter_sdc.engines.contract import Groups, Request

ENGINES = ("pandas", "polars", "duckdb", "spark")


def _is_instance(frame: Any, module: str, names: Sequence[str]) -> bool:
    loaded = sys.modules.get(module)
    if loaded is None:
        return False
    types = tuple(t for t in (getattr(loaded, n, None) for n in names) if isinstance(t, type))
    return bool(types) and isinstance(frame, types)


def engine_name(frame: Any) -> str:
    """'pandas', 'polars', 'duckdb' or 'spark' for a frame; TypeError for anything else."""
    if isinstance(frame, pd.DataFrame):
        return "pandas"
    if _is_instance(frame, "polars", ("DataFrame", "LazyFrame")):
        return "polars"
    if _is_instance(frame, "duckdb", ("DuckDBPyRelation",)) or \
            _is_instance(frame, "pyarrow", ("Table", "RecordBatch")):
        return "duckdb"
    if isinstance(frame, str | os.PathLike) and str(frame).endswith(".parquet"):
        return "duckdb"
    if _is_instance(frame, "pyspark.sql", ("DataFrame",)) or \
            _is_instance(frame, "pyspark.sql.connect.dataframe", ("DataFrame",)):
        return "spark"
    raise TypeError(
        f"cannot check a {type(frame).__module__}.{type(frame).__name__}: pass a pandas, "
        "Polars (eager or lazy) or Spark DataFrame, a DuckDB relation, an Arrow table or the "
        "path of a parquet file")


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def group_evidence(
    frame: Any,
    keys: str | Sequence[str],
    values: str | Sequence[str] | None = None,
    *,
    stats: str | Sequence[str] = (),
    unit: str | None = None,
    sets: Sequence[Sequence[str]] | None = None,
    top_k: int = 2,
    extremes: bool = False,
    mode: bool = False,
    complete: bool = False,
    **options: Any,
) -> dict[tuple[str, ...], Groups]:
    """Displayed statistics and evidence per group, computed where the data lives.

    ``keys`` group the rows (rows with a missing key are left out, as pandas does);
    ``values`` are the columns summarised by each of ``stats`` (none: records are counted);
    ``unit`` names the column whose distinct values are counted, their contributions summed
    first; ``sets`` are the groupings wanted (default: ``keys`` only). ``options`` go to the
    engine: ``memory_limit`` and ``threads`` (DuckDB, for sources it opens), ``engine``
    (Polars: "streaming" by default).

    Returns one ``Groups`` per grouping set, keyed by the set's key names.
    """
    request = Request(
        keys=_names(keys), values=_names(values), stats=_names(stats), unit=unit,
        sets=tuple(tuple(s) for s in sets) if sets is not None else (), top_k=top_k,
        extremes=extremes, mode=mode, complete=complete,
    )
    return compute(frame, request, **options)


def compute(frame: Any, request: Request, **options: Any) -> dict[tuple[str, ...], Groups]:
    """``group_evidence`` for a ready ``Request``."""
    name = engine_name(frame)
    if name == "pandas":
        from jupyter_sdc.engines import numpy_engine

        if options:
            raise TypeError(f"the pandas engine takes no options, got {sorted(options)}")
        return numpy_engine.compute(frame, request)
    from jupyter_sdc.engines.assemble import assemble

    if name == "polars":
        from jupyter_sdc.engines import polars_engine as engine
    elif name == "duckdb":
        from jupyter_sdc.engines import duckdb_engine as engine
    else:
        from jupyter_sdc.engines import spark_engine as engine
    return assemble(request, engine.compute(frame, request, **options))
