"""Records (units) strictly below and above each published median, counted by the engine.

A median is a value among the records' own: the ``quantile_sides`` rule needs, per cell, the
records (or distinct units) strictly below and strictly above the value the table publishes
(``adapters.sides`` on pandas). Here the published values go to the engine as a small table
of (keys, cut), joined to the rows with every key present and a value, and counted there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jupyter_sdc.engines.dispatch import engine_name

if TYPE_CHECKING:
    from jupyter_sdc.engines.layout import Layout

_CUT, _BELOW, _ABOVE = "__sdc_cut", "__sdc_below", "__sdc_above"


def sides(frame: Any, keys: tuple[str, ...], all_keys: tuple[str, ...], value: str,
          cuts: pd.DataFrame, unit: str | None) -> Any:
    """``cuts`` (columns ``keys`` and the cut) with the records (units) below and above
    (for Polars, the lazy query: ``joined`` makes its result this table).

    Rows count where every one of ``all_keys`` and the value are present."""
    name = engine_name(frame)
    counted = {"pandas": _pandas, "polars": _polars, "duckdb": _duckdb,
               "spark": _spark}[name](frame, list(keys), list(all_keys), value,
                                      cuts.rename(columns={"cut": _CUT}), unit)
    return counted if name == "polars" else joined(cuts, keys, counted)


def joined(cuts: pd.DataFrame, keys: tuple[str, ...], counted: Any) -> pd.DataFrame:
    """The cuts with their counts (a Polars result made pandas)."""
    if not isinstance(counted, pd.DataFrame):
        counted = pd.DataFrame(counted.to_dict(as_series=False))
        for k in keys:
            counted[k] = counted[k].astype(cuts[k].dtype)
    out = cuts.merge(counted, on=list(keys), how="left") if keys else cuts.assign(
        **{_BELOW: counted[_BELOW].iloc[0], _ABOVE: counted[_ABOVE].iloc[0]})
    return out.fillna({_BELOW: 0, _ABOVE: 0}).rename(columns={_BELOW: "below",
                                                               _ABOVE: "above"})


def _pandas(frame: Any, keys: list, all_keys: list, value: str, cuts: pd.DataFrame,
            unit: str | None) -> pd.DataFrame:
    rows = frame[[*dict.fromkeys([*all_keys, value, *([unit] if unit else [])])]]
    rows = rows[rows[all_keys].notna().all(axis=1) & rows[value].notna()]
    rows = rows.merge(cuts, on=keys) if keys else rows.assign(**{_CUT: cuts[_CUT].iloc[0]})
    x = rows[value].astype(float)
    result = {}
    for name, where in ((_BELOW, x < rows[_CUT]), (_ABOVE, x > rows[_CUT])):
        picked = rows[where]
        grouped = picked.groupby(keys) if keys else None
        if unit:
            counts = grouped[unit].nunique() if keys else pd.Series([picked[unit].nunique()])
        else:
            counts = grouped.size() if keys else pd.Series([len(picked)])
        result[name] = counts
    out = pd.concat(result, axis=1).fillna(0)
    return out.reset_index() if keys else out


def _polars(frame: Any, keys: list, all_keys: list, value: str, cuts: pd.DataFrame,
            unit: str | None) -> Any:
    """The counting query, lazy (``add_sides`` runs every set's in one ``collect_all``)."""
    import polars as pl

    lf = frame.lazy()
    schema = lf.collect_schema()
    x = pl.col(value).cast(pl.Float64)
    present = [pl.col(k).is_not_null() & (~pl.col(k).is_nan() if schema[k].is_float()
                                          else pl.lit(True)) for k in all_keys]
    lf = lf.filter(pl.all_horizontal(present) & x.is_not_null() & x.is_not_nan())
    table = pl.DataFrame({k: cuts[k].tolist() for k in keys} | {_CUT: cuts[_CUT].tolist()})
    table = table.with_columns([pl.col(k).cast(schema[k]) for k in keys])
    lf = lf.join(table.lazy(), on=keys, how="inner") if keys else \
        lf.with_columns(pl.lit(float(cuts[_CUT].iloc[0])).alias(_CUT))
    below, above = x < pl.col(_CUT), x > pl.col(_CUT)
    if unit:
        aggs = [pl.col(unit).filter(below).n_unique().alias(_BELOW),
                pl.col(unit).filter(above).n_unique().alias(_ABOVE)]
    else:
        aggs = [below.sum().alias(_BELOW), above.sum().alias(_ABOVE)]
    return lf.group_by(keys).agg(aggs) if keys else lf.select(aggs)


def _duckdb(frame: Any, keys: list, all_keys: list, value: str, cuts: pd.DataFrame,
            unit: str | None) -> pd.DataFrame:
    from jupyter_sdc.engines.duckdb_engine import q, relation

    rel = relation(frame)
    types = {c: str(t).upper() for c, t in zip(rel.columns, rel.types, strict=True)}
    floats = [k for k in all_keys if types[k] in ("DOUBLE", "FLOAT", "REAL")]
    present = " AND ".join([*(f"{q(k)} IS NOT NULL" for k in all_keys),
                            *(f"NOT isnan({q(k)})" for k in floats),
                            f"{q(value)} IS NOT NULL", f"NOT isnan(CAST({q(value)} AS DOUBLE))"])
    rows = [f"({', '.join([*(_literal(r[k]) for k in keys), repr(float(r[_CUT]))])})"
            for _, r in cuts.iterrows()]
    names = ", ".join([*(q(k) for k in keys), q(_CUT)])
    join = f"JOIN cuts USING ({', '.join(q(k) for k in keys)})" if keys else "CROSS JOIN cuts"
    x = f"CAST(src.{q(value)} AS DOUBLE)"

    def counted(op: str) -> str:
        return (f"count(DISTINCT src.{q(unit)}) FILTER (WHERE {x} {op} cuts.{q(_CUT)})" if unit
                else f"count(*) FILTER (WHERE {x} {op} cuts.{q(_CUT)})")

    group = f"GROUP BY {', '.join(f'src.{q(k)}' for k in keys)}" if keys else ""
    select = ", ".join([*(f"src.{q(k)} AS {q(k)}" for k in keys),
                        f"{counted('<')} AS {q(_BELOW)}", f"{counted('>')} AS {q(_ABOVE)}"])
    sql = (f"WITH cuts({names}) AS (VALUES {', '.join(rows)}), "
           f"src AS (SELECT * FROM __sdc_rows WHERE {present}) "
           f"SELECT {select} FROM src {join} {group}")
    found = rel.query("__sdc_rows", sql).to_arrow_table().to_pandas()
    for k in keys:  # the labels as the engine's groups hold them
        found[k] = found[k].astype(cuts[k].dtype)
    return found


def _literal(label: Any) -> str:
    if isinstance(label, bool | np.bool_):
        return "TRUE" if label else "FALSE"
    if isinstance(label, int | float | np.integer | np.floating):
        return repr(label.item() if hasattr(label, "item") else label)
    if isinstance(label, str):
        return "'" + label.replace("'", "''") + "'"
    raise TypeError(f"a key label of type {type(label).__name__} cannot be written in SQL")


def _spark(frame: Any, keys: list, all_keys: list, value: str, cuts: pd.DataFrame,
           unit: str | None) -> pd.DataFrame:
    from pyspark.sql import functions as F

    x = F.col(value).cast("double")
    present = x.isNotNull() & ~F.isnan(x)
    types = dict(frame.dtypes)
    for k in all_keys:
        present &= F.col(k).isNotNull()
        if types[k] in ("double", "float"):
            present &= ~F.isnan(F.col(k))
    rows = frame.filter(present)
    table = frame.sparkSession.createDataFrame(
        [tuple(r) for r in cuts[[*keys, _CUT]].itertuples(index=False)],
        schema=[*keys, _CUT]) if len(cuts) else None
    rows = rows.join(table, on=keys, how="inner") if keys else \
        rows.withColumn(_CUT, F.lit(float(cuts[_CUT].iloc[0])))
    below, above = x < F.col(_CUT), x > F.col(_CUT)
    if unit:
        aggs = [F.countDistinct(F.when(below, F.col(unit))).alias(_BELOW),
                F.countDistinct(F.when(above, F.col(unit))).alias(_ABOVE)]
    else:
        aggs = [F.count(F.when(below, 1)).alias(_BELOW), F.count(F.when(above, 1)).alias(_ABOVE)]
    found = (rows.groupBy(*keys).agg(*aggs) if keys else rows.agg(*aggs)).toPandas()
    for k in keys:
        found[k] = found[k].astype(cuts[k].dtype)
    return found


#: one cell whose median is published: (row, column, its group's key labels, the value)
Cell = tuple[int, int, tuple, float]


def add_sides(frame: Any, layout: Layout, table: pd.DataFrame, evidence: Any,
              unit: str | None) -> None:
    """``evidence.below``/``above`` of every median cell of a pivot (``layout.Layout``)."""
    wanted: dict[tuple, list[Cell]] = {}
    if not layout.rows:  # column keys only: one value column per row
        for i, j, value, stat, labels in layout.transposed_cells(table):
            cut = table.iat[i, j]
            if stat == "median" and pd.notna(cut):
                wanted.setdefault((tuple(layout.cols), value), []).append((i, j, labels,
                                                                           float(cut)))
    else:
        _by_column(layout, table, wanted)
    evidence.below, evidence.above = cell_sides(frame, wanted, tuple(layout.rows + layout.cols),
                                                unit, table.shape)


def _by_column(layout: Layout, table: pd.DataFrame, wanted: dict[tuple, list[Cell]]) -> None:
    """The median cells of a pivot with row keys, column by column (margins included)."""
    specs = layout.column_specs(table.columns)
    axis = table.index
    row_margin = layout.row_margin(axis)
    for j, spec in enumerate(specs):
        if spec.stat != "median":
            continue
        for margin in (False, True):
            chosen = np.flatnonzero(row_margin == margin)
            if not len(chosen):
                continue
            keys, labels = layout.where(spec, axis[chosen], margin)
            for i, label in zip(chosen, labels, strict=True):
                cut = table.iat[i, j]
                if pd.notna(cut):
                    wanted.setdefault((keys, spec.value), []).append((i, j, label, float(cut)))


def cell_sides(frame: Any, wanted: dict[tuple[tuple[str, ...], str], list[Cell]],
               all_keys: tuple[str, ...], unit: str | None,
               shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Records (units) strictly below and above the published median of each cell in
    ``wanted`` (by grouping keys and value column), counted by the engine of ``frame`` over
    the rows with every one of ``all_keys`` and the value; NaN where no median is asked."""
    below = np.full(shape, np.nan)
    above = np.full(shape, np.nan)
    asked = []
    for (keys, value), cells in wanted.items():
        cuts = pd.DataFrame([dict(zip(keys, label, strict=True)) | {"cut": cut}
                             for _, _, label, cut in cells]).drop_duplicates(list(keys) or None)
        asked.append((keys, cells, cuts, sides(frame, keys, all_keys, value, cuts, unit)))
    if engine_name(frame) == "polars" and asked:  # every set's query in one pass
        import polars as pl

        done = pl.collect_all([query for *_, query in asked])
        asked = [(k, c, cuts, joined(cuts, k, d)) for (k, c, cuts, _), d in zip(asked, done,
                                                                                 strict=True)]
    for keys, cells, _cuts, counted in asked:
        found = {tuple(row[k] for k in keys): (row["below"], row["above"])
                 for _, row in counted.iterrows()}
        for i, j, label, _cut in cells:
            below[i, j], above[i, j] = found.get(tuple(label), (0, 0))
    return below, above
