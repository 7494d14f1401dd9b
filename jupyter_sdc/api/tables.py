"""Checked tables: ``crosstab``, ``pivot_table``, ``describe``, column statistics, custom outputs.

Each method returns what pandas returns, with the same values unless a mitigation is asked for
(``suppress=True``, ``round=5``, or a profile that requires it), and registers its record.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters import engine_tables, tables
from jupyter_sdc.api.calls import published, register, split
from jupyter_sdc.core.mitigation import requested
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.session import Session as CoreSession

#: the column statistics ``stat`` checks
STATISTICS = ("mean", "sum", "median", "quantile", "min", "max", "std", "var", "mode", "count",
              "nunique")


class TableCalls(CoreSession):
    """The checked pandas tabulations of a session."""

    def crosstab(
        self, index: Any, columns: Any, values: Any = None, rownames: Any = None,
        colnames: Any = None, aggfunc: Any = None, margins: bool = False,
        margins_name: str = "All", dropna: bool = True, normalize: Any = False, *,
        weights: Any = None, unit: Any = None, suppress: bool | None = None,
        round: int | bool | None = None, structural_zeros: Any = None,
        structural_reason: str | None = None, **fields: Any,
    ) -> pd.DataFrame:
        """``pd.crosstab`` checked; ``weights=`` gives weighted estimates, unweighted counts.
        Polars Series are counted by Polars; the table comes back as pandas."""
        rules, record, rest = split(self, fields, "crosstab")
        suppress_, round_base = requested(rules, suppress, round)
        build = engine_tables.crosstab if engine_tables.has_polars_series(
            index, columns, values, weights, unit) else tables.crosstab
        result, output = build(
            index, columns, values, rownames, colnames, aggfunc, margins, margins_name, dropna,
            normalize, rules=rules, uid=self.new_uid(), weights=weights, unit=unit,
            suppress=suppress_, round_base=round_base, structural_zeros=structural_zeros,
            structural_reason=structural_reason,
            **rest)
        register(self, output, record)
        return published(output, result)

    def pivot_table(
        self, data: pd.DataFrame, values: Any = None, index: Any = None, columns: Any = None,
        aggfunc: Any = "mean", fill_value: Any = None, margins: bool = False,
        dropna: bool = True, margins_name: str = "All", observed: bool = True,
        sort: bool = True, *, unit: Any = None, suppress: bool | None = None,
        round: int | bool | None = None, structural_zeros: Any = None,
        structural_reason: str | None = None, **fields: Any,
    ) -> pd.DataFrame:
        """``pd.pivot_table`` checked (several values, dict aggfuncs, margins); ``data`` may
        be a pandas, Polars (eager or lazy) or Spark DataFrame, a DuckDB relation, an Arrow
        table or a parquet file's path: the table comes back as pandas."""
        rules, record, rest = split(self, fields, "pivot_table")
        suppress_, round_base = requested(rules, suppress, round)
        build = tables.pivot_table if isinstance(data, pd.DataFrame) else \
            engine_tables.pivot_table
        result, output = build(
            data, values, index, columns, aggfunc, fill_value, margins, dropna, margins_name,
            observed, sort, rules=rules, uid=self.new_uid(), unit=unit, suppress=suppress_,
            round_base=round_base, structural_zeros=structural_zeros,
            structural_reason=structural_reason, **rest)
        register(self, output, record)
        return published(output, result)

    def describe(self, data: pd.DataFrame | pd.Series, percentiles: Any = None,
                 include: Any = None, exclude: Any = None, *, unit: Any = None,
                 **fields: Any) -> pd.DataFrame | pd.Series:
        """``data.describe()`` checked: each row judged by its own statistic's rules."""
        from jupyter_sdc.adapters.summary import check_summary

        rules, record, _rest = split(self, fields, "describe")
        result = data.describe(percentiles=percentiles, include=include, exclude=exclude)
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        table = result.to_frame() if isinstance(result, pd.Series) else result
        if unit is not None or rules.unit is not None:
            unit_col = unit if unit is not None else rules.unit
            if isinstance(unit_col, str) and unit_col in table.columns:
                table = table.drop(columns=unit_col)
        output = check_summary(frame, "describe", table, rules=rules, uid=self.new_uid(),
                               unit=unit, source={"call": "describe"})
        register(self, output, record)
        return result

    def stat(self, data: pd.DataFrame | pd.Series, statistic: str, *args: Any,
             unit: Any = None, **fields: Any) -> Any:
        """A column statistic checked: ``sdc.stat(df.income, "median")`` is
        ``df.income.median()``.

        ``statistic`` is one of mean, sum, median, quantile, min, max, std, var, mode, count,
        nunique; extra arguments go to the pandas method (e.g. ``q=0.9`` for quantile).
        """
        from jupyter_sdc.adapters.summary import check_summary

        if statistic not in STATISTICS:
            raise ValueError(f"statistic {statistic!r} is not one of {sorted(STATISTICS)}")
        rules, record, rest = split(self, fields, "stat", takes=None)
        result = getattr(data, statistic)(*args, **rest)
        shown = result.iloc[0] if statistic == "mode" else result
        q = (args[0] if args else rest.get("q", 0.5)) if statistic == "quantile" else None
        output = check_summary(data, statistic, shown, rules=rules, uid=self.new_uid(),
                               unit=unit, source={"call": statistic},
                               q=q if np.ndim(q) == 0 else None)
        register(self, output, record)
        return result

    def custom_output(self, table: pd.DataFrame | pd.Series, counts: Any = None, *,
                      kind: str = "custom", reason: str | None = None, **fields: Any) -> Any:
        """Register an output jupyter_sdc cannot check itself (always ``review``).

        With ``counts`` (aligned with the table), the threshold and zeros rules are applied to
        them too; the output still needs a checker's review and an explanation.
        """
        from jupyter_sdc.core.assess import assess
        from jupyter_sdc.core.evidence import CellEvidence
        from jupyter_sdc.core.statistic import Statistic
        from jupyter_sdc.core.status import Status

        frame = table.to_frame() if isinstance(table, pd.Series) else pd.DataFrame(table)
        note = reason or ("jupyter_sdc cannot check this output itself: attach unweighted "
                          "counts (sdc.attach_counts(result, counts)) and explain it for the "
                          "checkers.")
        _rules, record_fields, _rest = split(self, fields, "custom_output")
        if counts is None:
            output = Output(uid=self.new_uid(), kind=kind, statistic=Statistic.CUSTOM,
                            table=frame,
                            counts=pd.DataFrame(pd.NA, index=frame.index, columns=frame.columns),
                            checks={"custom": Status.REVIEW}, reasons=[note],
                            rules=self.rules.to_dict(), source={"call": "custom_output"},
                            **record_fields)
        else:
            c = counts.to_frame() if isinstance(counts, pd.Series) else pd.DataFrame(counts)
            if c.shape != frame.shape:
                raise ValueError(f"counts have shape {c.shape} but the table has {frame.shape}")
            ev = CellEvidence(statistic=[Statistic.FREQUENCY] * frame.shape[1],
                              count=c.to_numpy(dtype=float).astype(np.int64))
            output = assess(frame, ev, self.rules, uid=self.new_uid(), kind=kind,
                            statistic=Statistic.CUSTOM, source={"call": "custom_output"},
                            review=["Counts were attached by the researcher; a checker "
                                    "reviews them."], **record_fields)
        self.add(output)
        return table
