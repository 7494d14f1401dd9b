"""Records of aggregates made natively on Polars, DuckDB or Spark in a checked cell.

The engine captures (``polars_capture``, ``duckdb_capture``, ``spark_capture``) note on each
aggregate they see a ``Traced``: the frame it came from, its keys, and which aggregate each
of its columns shows. The record is the table as shown (keys as the index); its evidence is
computed by the engine where the data lives (``engines.group_evidence``) for exactly the
groups shown, and judged by the same ``assess`` as a pandas table. A column the capture could
not trace, a group with a missing key, or an aggregate the rules have no evidence for make
the output ``review`` with the reason: never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.capture.engine_frames import as_pandas
from jupyter_sdc.capture.lineage import Node
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.mitigation import requested
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues

ROWS_SHOWN = 100  # rows of an untraced result kept in its review record


@dataclass(frozen=True)
class Aggregate:
    """What one column of an aggregate shows: ``stat`` of ``value`` (None: the records)."""

    value: str | None
    stat: str


@dataclass
class Traced:
    """How an engine's aggregate was made."""

    engine: str
    frame: Any                          # the rows it aggregates, as the engine holds them
    keys: list[str]
    columns: dict[str, Aggregate] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)  # why it cannot be checked
    on: str | None = None               # a pivot: the key whose values name the columns
    on_stat: Aggregate | None = None    # ... and what each of those columns shows
    call: str = "group_by"
    #: columns named by position ("#0", …: the items of a query), keys' positions -> names
    renames: dict[str, str] | None = None


def node(traced: Traced, result: Any, parent: Node | None = None) -> Node:
    """The lineage note for ``result``, an aggregate of ``traced``, or a view of the one
    noted ``parent`` (sorted, filtered, collected, fetched: one output, recorded as shown)."""
    return Node("engine", f"{traced.engine}.{traced.call}", {"traced": traced, "result": result},
                parent=parent)


def record(root: Node, rules: RuleValues, uid: str, source: dict) -> Output:
    """The record of the aggregate noted on ``root``, as its engine computed it."""
    traced: Traced = root.params["traced"]
    table = as_pandas(traced.engine, root.params["result"])
    if table is None:
        return untraced_output(pd.DataFrame(), uid, rules, {**source, "engine": traced.engine},
                               "the result is not a table")
    return engine_output(root, table, rules, uid, source)


def is_engine_frame(obj: Any) -> bool:
    """A frame of rows held by Polars (eager), DuckDB or Spark: what a cell can show."""
    from jupyter_sdc.engines import engine_name

    if isinstance(obj, str | pd.DataFrame) or type(obj).__name__ == "LazyFrame":
        return False
    try:
        return engine_name(obj) in ("polars", "duckdb", "spark")
    except TypeError:
        return False


def untraced_frame(obj: Any, uid: str, rules: RuleValues, source: dict) -> Output:
    """A Polars, DuckDB or Spark frame shown without a note: review, never a pass."""
    from jupyter_sdc.engines import engine_name

    engine = engine_name(obj)
    try:
        table = as_pandas(engine, _head(engine, obj))
    except Exception:  # noqa: BLE001 - the reason is what matters here
        table = None
    return untraced_output(table if table is not None else pd.DataFrame(), uid, rules,
                           {**source, "engine": engine},
                           f"it was not made by a {engine} call jupyter_sdc can trace "
                           "(group_by/agg, value_counts, pivot, a GROUP BY query, groupBy/agg)")


def _head(engine: str, obj: Any) -> Any:
    if engine == "spark":
        return obj.limit(ROWS_SHOWN)
    if engine == "duckdb" and hasattr(obj, "limit"):
        return obj.limit(ROWS_SHOWN)
    return obj.head(ROWS_SHOWN) if hasattr(obj, "head") else obj


def untraced_output(table: pd.DataFrame, uid: str, rules: RuleValues, source: dict,
                    why: str) -> Output:
    from jupyter_sdc.capture.builders import untraceable_output

    return untraceable_output(table.head(ROWS_SHOWN), uid, rules, source, why)


def engine_output(root: Node, table: pd.DataFrame, rules: RuleValues, uid: str,
                  source: dict) -> Output:
    """The record of an aggregate ``table`` (pandas, as shown) traced to ``root``."""
    from jupyter_sdc.adapters.engine_tables import ENGINES, engine_fingerprint, value_checks
    from jupyter_sdc.engines import group_evidence
    from jupyter_sdc.engines.pivot import columns_of

    traced: Traced = root.params["traced"]
    source = {**source, "engine": traced.engine}
    reasons = list(traced.reasons)
    if traced.renames is not None and not reasons:
        table, traced = _by_position(table, traced, reasons)
    missing = [k for k in traced.keys if k not in table.columns]
    if missing and not reasons:
        reasons.append(f"the key column(s) {missing} are not in the result shown")
    cells = [c for c in table.columns if c not in traced.keys]
    specs = {c: traced.on_stat if traced.on is not None else traced.columns.get(c)
             for c in cells}
    unknown = [c for c, s in specs.items() if s is None]
    if unknown and not reasons:
        reasons.append(f"column(s) {unknown} are not an aggregate jupyter_sdc can trace "
                       "(count, len, sum, mean, median, min, max, std, var)")
    if not cells and not reasons:
        reasons.append("it shows no aggregate")
    if reasons:
        return untraced_output(table, uid, rules, source, "; ".join(reasons))
    unit = rules.unit if isinstance(rules.unit, str) else None
    if unit is not None and unit not in columns_of(traced.frame):
        return untraced_output(table, uid, rules, source,
                               f"the rules count units ({unit}) but the data it aggregates "
                               f"has no {unit} column")
    shown = table.set_index(traced.keys)[cells]
    keys = [*traced.keys, *([traced.on] if traced.on is not None else [])]
    values = sorted({s.value for s in specs.values() if s.value is not None})
    stats = sorted({s.stat for s in specs.values() if s.value is not None})
    wanted = [values] if values else []
    if not values or any(s.value is None for s in specs.values()):
        wanted.append([])  # records (units) counted: a query of their own
    found = {}
    for names in wanted:
        sets = group_evidence(traced.frame, keys, names or None, stats=stats if names else (),
                              unit=unit, sets=[keys, []], top_k=rules.top_k,
                              extremes=bool({"min", "max"} & set(stats)))
        found.update({name: (sets[tuple(keys)], sets[()]) for name in names or [None]})
    labels = _cell_labels(shown, specs, found, traced.on)
    evidence = _laid_out(shown, specs, found, labels, rules.top_k,
                         "units" if unit is not None else "records")
    if "median" in stats:
        _add_sides(traced.frame, shown, specs, labels, keys, unit, evidence)
    label = ENGINES[traced.engine][2]
    value_of = np.array([[s.value for s in specs.values()]] * shown.shape[0], dtype=object)
    review = value_checks(traced.frame, evidence, value_of, label, unit)
    if shown.index.to_frame().isna().any(axis=None):
        review.append(f"A group with a missing key is shown; {label} keeps it where pandas "
                      "drops it, and it is not checked: drop the missing keys first "
                      "(drop_nulls, WHERE … IS NOT NULL) or a checker reviews it.")
    first_value = values[0] if values else None
    first = found[first_value][1].evidence[first_value]
    summary = {"n": int(first.count[0]) if len(first.count) else 0}
    suppress, round_base = requested(rules)
    output = assess(shown, evidence, rules, uid=uid, suppress=suppress, round_base=round_base,
                    summary=summary, source=source, review=review)
    if traced.on is None and len(cells) == 1:  # one statistic by the keys: a 1-D table
        output.fingerprint = engine_fingerprint(output, evidence, list(traced.keys), [])
    return output


def _by_position(table: pd.DataFrame, traced: Traced,
                 reasons: list[str]) -> tuple[pd.DataFrame, Traced]:
    """A query's result: its columns are the query's items, in order; keys get their
    column's own name back (``SELECT rgn AS region`` groups by ``rgn``)."""
    renames = traced.renames or {}
    if len(table.columns) != len(renames) + len(traced.columns):
        reasons.append("the result's columns are not the query's items")
        return table, traced
    mapping, columns = {}, {}
    for i, name in enumerate(table.columns):
        if f"#{i}" in renames:
            mapping[name] = renames[f"#{i}"]
        else:
            columns[name] = traced.columns[f"#{i}"]
    return table.rename(columns=mapping), replace(traced, columns=columns, renames=None)


def _cell_labels(shown: pd.DataFrame, specs: dict[str, Aggregate], found: dict,
                 on: str | None) -> list[list[tuple]]:
    """Per shown column, the key labels of the group behind each of its cells (a pivot's
    columns add the label of the key ``on``, as the engine's groups hold it)."""
    rows = [label if isinstance(label, tuple) else (label,) for label in shown.index]
    if on is None:
        return [rows] * len(specs)
    groups = next(iter(found.values()))[0]
    level = groups.index.get_level_values(on) if groups.index.nlevels > 1 else groups.index
    on_labels = {str(v): v for v in level.unique()}
    return [[r + (on_labels.get(str(column), column),) for r in rows] for column in specs]


def _laid_out(shown: pd.DataFrame, specs: dict[str, Aggregate], found: dict,
              labels: list[list[tuple]], top_k: int, unit_label: str) -> Any:
    """The evidence of every shown cell, from the engine's groups (``found``: per value
    column, None for the records, its cells' and its overall groups), by label."""
    from jupyter_sdc.engines.layout import EVIDENCE, Grids, positions

    grids = Grids(shown.shape, max(top_k, 2))
    for j, spec in enumerate(specs.values()):
        groups = found[spec.value][0]
        where = positions(groups, labels[j])
        grids.put(np.arange(shown.shape[0]), j, groups.evidence[spec.value].take(where))
    statistic = [EVIDENCE[s.stat] if s.value is not None else "frequency"
                 for s in specs.values()]
    return grids.evidence(statistic, np.zeros(shown.shape, dtype=bool), unit_label)


def _add_sides(frame: Any, shown: pd.DataFrame, specs: dict[str, Aggregate],
               labels: list[list[tuple]], keys: list[str], unit: str | None,
               evidence: Any) -> None:
    """The records (units) on each side of every median shown, counted by the engine as for
    ``sdc.pivot_table`` (``quantile_sides``). A group with a missing key is left out (it is
    review already); labels the engine cannot be asked about leave the medians review."""
    from jupyter_sdc.engines.sides import Cell, cell_sides

    wanted: dict[tuple[tuple[str, ...], str], list[Cell]] = {}
    for j, spec in enumerate(specs.values()):
        if spec.stat != "median" or spec.value is None:
            continue
        for i, label in enumerate(labels[j]):
            cut = shown.iat[i, j]
            if pd.notna(cut) and not any(pd.isna(k) for k in label):
                wanted.setdefault((tuple(keys), spec.value), []).append((i, j, label, float(cut)))
    try:
        evidence.below, evidence.above = cell_sides(frame, wanted, tuple(keys), unit,
                                                    shown.shape)
    except TypeError:
        pass  # e.g. a key label SQL cannot be written with: value_checks makes it review
