"""Checked survival analysis and correlations: ``surv_func``, ``phreg``, ``coxph``, ``corr``.

``surv_func(time, status, output="table")`` is ACRO's: the Kaplan–Meier estimate of
statsmodels' ``SurvfuncRight``; ``output="table"`` returns its ``summary()`` (a DataFrame),
``output="plot"`` the matplotlib figure of the curve. Nothing is written to disk. ``title``
names both the estimate (as in statsmodels) and the record. ``time`` and ``status`` may be
column names of ``data=``, which also gives the ``unit`` column when units are counted.

``phreg(formula, data, status=...)`` fits statsmodels' ``smf.phreg`` (Cox proportional
x
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jupyter_sdc.api.calls import register, split
from jupyter_sdc.core.session import Session as CoreSession

OUTPUTS = ("table", "plot")


def _column(data: pd.DataFrame | None, value: Any, name: str) -> Any:
    if isinstance(value, str):
        if data is None or value not in data.columns:
            raise KeyError(f"surv_func: {name}={value!r} names a column, but it is not in "
                           "data=; pass the data frame with data=df, or the values themselves")
        return data[value]
    return value


def _units(data: pd.DataFrame | None, unit: Any, rules: Any, n: int) -> Any:
    from jupyter_sdc.adapters.pandas import unit_series

    unit = unit if unit is not None else rules.unit
    if isinstance(unit, str) and data is None:
        raise ValueError(f"the rules count units ({unit!r}): pass data=df, the frame that time "
                         f"and status come from, or the units themselves (unit=df[{unit!r}])")
    return unit_series(data, unit, n)


def _axes(ax: Any) -> tuple[Any, Any]:
    """The figure and axes to draw on: ``ax`` if given, else a new figure."""
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    return figure, axes


class StatsCalls(CoreSession):
    """The checked survival analyses and correlations of a session."""

    def surv_func(self, time: Any, status: Any, output: str = "table", entry: Any = None,
                  title: str | None = None, freq_weights: Any = None, exog: Any = None,
                  bw_factor: float = 1.0, *, data: pd.DataFrame | None = None,
                  unit: Any = None, suppress: bool | None = None,
                  round: int | bool | None = None, **fields: Any) -> Any:
        """Kaplan–Meier estimate (``sm.SurvfuncRight``) checked: its table or its plot."""
        import statsmodels.api as sm

        from jupyter_sdc.adapters.survival import (
            Durations,
            check_survival,
            survival_figure,
            survival_mitigation,
        )

        if output not in OUTPUTS:
            raise ValueError(f"surv_func: output={output!r} is not one of {OUTPUTS}: 'table' "
                             "returns the survival table, 'plot' its figure")
        rules, record, _rest = split(self, fields, "surv_func")
        time, status = _column(data, time, "time"), _column(data, status, "status")
        units = _units(data, unit, rules, len(time))
        fit = sm.SurvfuncRight(time, status, entry, title, freq_weights, exog, bw_factor)
        table = fit.summary()
        pool, base, mid6 = survival_mitigation(rules, suppress, round)
        durations = Durations.of(time, status, units)
        kind = "figure" if output == "plot" else "table"
        result = check_survival(table, durations, rules=rules, uid=self.new_uid(), kind=kind,
                                suppress=pool, round_base=base, mid6=mid6,
                                source={"call": "surv_func"})
        if freq_weights is not None:
            result.reasons.append("The estimate is weighted (freq_weights); the counts judged "
                                  "are the unweighted records.")
        if title is not None:
            record.setdefault("title", title)
        figure = None
        if output == "plot":
            figure = survival_figure(fit, result.table, mitigated=pool or bool(base) or mid6)
            from jupyter_sdc.adapters.matplotlib import figure_png

            result.figure = {"png": figure_png(figure)}
        register(self, result, record)
        if output == "plot":
            return figure
        if pool or base or mid6:
            return result.table
        return table

    def phreg(self, formula: str, data: pd.DataFrame, status: Any = None, entry: Any = None,
              strata: Any = None, offset: Any = None, subset: Any = None,
              ties: str = "breslow", missing: str = "drop", *, unit: Any = None,
              fit_kwargs: dict[str, Any] | None = None, **fields: Any) -> Any:
        """``smf.phreg(formula, data, status=, ...).fit()`` checked (Cox proportional hazards)."""
        import statsmodels.formula.api as smf

        from jupyter_sdc.adapters.statsmodels import check_model

        rules, record, rest = split(self, fields, "phreg", takes=None)
        if isinstance(status, str):
            status = _column(data, status, "status")
        model = smf.phreg(formula, data, status=status, entry=entry, strata=strata,
                          offset=offset, subset=subset, ties=ties, missing=missing, **rest)
        results = model.fit(**dict(fit_kwargs or {}))
        output = check_model(results, rules=rules, uid=self.new_uid(), data=data,
                             formula=formula, unit=unit if unit is not None else rules.unit,
                             source={"call": "phreg"})
        register(self, output, record)
        return results

    def coxph(self, df: pd.DataFrame, duration_col: str, event_col: str | None = None, *,
              unit: Any = None, fitter: Any = None, **fields: Any) -> Any:
        """lifelines ``CoxPHFitter().fit(df, duration_col, event_col, ...)`` checked.

        Keywords other than rule values and record fields go to ``fit`` (``formula=``,
        ``strata=``, ``robust=``, …); ``fitter=`` is a ``CoxPHFitter(...)`` of your own (e.g.
        with a penalizer). Returns the fitted fitter.
        """
        from lifelines import CoxPHFitter

        from jupyter_sdc.adapters.cox import check_coxph

        rules, record, rest = split(self, fields, "coxph", takes=None)
        model = fitter if fitter is not None else CoxPHFitter()
        model.fit(df, duration_col, event_col, **rest)
        output = check_coxph(model, df, rules=rules, uid=self.new_uid(), unit=unit,
                             source={"call": "coxph"})
        register(self, output, record)
        return model

    def pie(self, data: pd.DataFrame, column: str, *, unit: Any = None, ax: Any = None,
            suppress: bool | None = None, round: int | bool | None = None,
            **fields: Any) -> Any:
        """ACRO's pie chart: the counts of ``data[column]`` as slices, checked as the frequency
        table they are; other keywords go to ``Axes.pie``. Returns the figure (no file)."""
        table, made = self._frequency_figure(data, column, unit, suppress, round, fields,
                                             "pie")
        figure, axes = _axes(ax)
        shown = (table.iloc[:, 0] if isinstance(table, pd.DataFrame) else table).dropna()
        axes.pie(shown.to_numpy(dtype=float), labels=[str(i) for i in shown.index],
                 **made["plot_kwargs"])  # suppressed slices are not drawn
        return self._register_figure(made, figure)

    def boxplot(self, data: pd.DataFrame, column: str, by: str | None = None, *,
                whis: Any = (5, 95), showfliers: bool = False, unit: Any = None,
                ax: Any = None, **fields: Any) -> Any:
        """A box plot of ``data[column]`` (one box per level of ``by``), checked: quartiles,
        median and whiskers on each side, outlier points as records (``docs/statistics.md``).
        Whiskers default to the 5th and 95th percentiles without outlier points (what can
        pass); other keywords go to ``Axes.boxplot``. Returns the figure (no file)."""
        from jupyter_sdc.adapters.pandas import unit_series
        from jupyter_sdc.adapters.plots import check_box

        rules, record, plot_kwargs = split(self, fields, "boxplot", takes=None)
        units = unit_series(data, unit if unit is not None else rules.unit, len(data))
        parts = [(column, data.index)] if by is None else [
            (label, part.index) for label, part in data.groupby(by, observed=True, sort=True)]
        groups = [(label, data.loc[index, column], None if units is None else units.loc[index])
                  for label, index in parts]
        figure, axes = _axes(ax)
        axes.boxplot([g[1].dropna().to_numpy(dtype=float) for g in groups], whis=whis,
                     showfliers=showfliers, tick_labels=[str(g[0]) for g in groups],
                     **plot_kwargs)
        output = check_box(groups, whis=whis, showfliers=showfliers, rules=rules,
                           uid=self.new_uid(), figure=figure, name=by or "box",
                           source={"call": "boxplot"})
        register(self, output, record)
        return figure

    def _frequency_figure(self, data: pd.DataFrame, column: str, unit: Any,
                          suppress: bool | None, round: int | bool | None,
                          fields: dict[str, Any], call: str) -> tuple[Any, Any]:
        from jupyter_sdc.adapters.summary import check_grouped
        from jupyter_sdc.core.mitigation import requested

        if column not in data.columns:
            raise KeyError(f"{call}: column {column!r} is not in the data; columns are "
                           f"{list(data.columns)[:20]}")
        rules, record, plot_kwargs = split(self, fields, call, takes=None)
        suppress_, round_base = requested(rules, suppress, round)
        result = data.groupby(column, observed=True).size()
        output = check_grouped(data, [column], None, "size", result, rules=rules,
                               uid=self.new_uid(), unit=unit, suppress=suppress_,
                               round_base=round_base, source={"call": call})
        output.kind = "figure"
        return output.table, {"output": output, "record": record, "plot_kwargs": plot_kwargs}

    def _register_figure(self, made: dict[str, Any], figure: Any) -> Any:
        from jupyter_sdc.adapters.matplotlib import figure_png

        output = made["output"]
        output.figure = {"png": figure_png(figure)}
        register(self, output, made["record"])
        return figure

    def corr(self, data: pd.DataFrame, method: Any = "pearson", min_periods: int = 1,
             numeric_only: bool = False, *, unit: Any = None, **fields: Any) -> pd.DataFrame:
        """``data.corr(method=, min_periods=, numeric_only=)`` checked: pairwise n and dof."""
        from jupyter_sdc.adapters.correlation import check_corr

        rules, record, _rest = split(self, fields, "corr")
        result = data.corr(method=method, min_periods=min_periods, numeric_only=numeric_only)
        output = check_corr(data, result, rules=rules, uid=self.new_uid(), unit=unit,
                            source={"call": "corr", "method": str(method)})
        register(self, output, record)
        return result
