"""Checked statsmodels fits and histograms: ``ols``, ``logit``, ``probit`` and ``hist``.

Model wrappers mirror ACRO and statsmodels: ``ols(endog, exog, ...)`` is the array API and
``olsr(formula, data, ...)`` the formula API (likewise ``logit``/``logitr`` and
``probit``/``probitr``). For convenience the array-API names also take a formula as their
first argument (``ols("y ~ x", data=df)``). Each fits the model (``fit_kwargs`` go to
``.fit()``, e.g. ``{"cov_type": "HC1"}``; logit and probit fit with ``disp=0``), registers its
record and returns the statsmodels results object unchanged. ``unit=`` is a column name where
there is a data frame (formula API) or values aligned with the rows.

``hist(data, column, ...)`` draws with ``DataFrame.hist`` and returns what it returns (a
numpy array of matplotlib Axes), as ACRO's ``hist`` mirrors ``DataFrame.hist``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.api.calls import register, split
from jupyter_sdc.core.session import Session as CoreSession


def _ours(module: str) -> bool:
    return module == "jupyter_sdc" or module.startswith("jupyter_sdc.")


def _caller_namespace() -> dict[str, Any]:
    """The namespace of the user's code that called us (the first frame outside jupyter_sdc).

    Formulas such as ``np.log(y) ~ center(x)`` are evaluated there, as statsmodels does for
    a direct call; both formula engines (patsy, formulaic) accept a plain dict.
    """
    frame = inspect.currentframe()
    while frame is not None and _ours(frame.f_globals.get("__name__", "")):
        frame = frame.f_back
    if frame is None:
        return {}
    return {**frame.f_globals, **frame.f_locals}


def _fit_and_register(session: CoreSession, model: Any, rules: Any, record: dict[str, Any],
                      *, binary: bool, data: Any, formula: str | None, unit: Any,
                      fit_kwargs: dict[str, Any] | None, call: str) -> Any:
    from jupyter_sdc.adapters.statsmodels import check_model

    unit = unit if unit is not None else rules.unit
    if isinstance(unit, str) and data is None:  # before the fit, which can take a while
        raise ValueError(f"unit={unit!r} names a column, but the array API has no data frame: "
                         f"pass the column itself, e.g. unit=df[{unit!r}]")
    kwargs = dict(fit_kwargs or {})
    if binary:
        kwargs.setdefault("disp", 0)
    results = model.fit(**kwargs)
    output = check_model(results, rules=rules, uid=session.new_uid(), data=data,
                         formula=formula, unit=unit, source={"call": call})
    register(session, output, record)
    return results


def _formula_model(session: CoreSession, factory_name: str, formula: str, data: Any,
                   subset: Any, drop_cols: Any, unit: Any, fit_kwargs: Any,
                   fields: dict[str, Any], call: str) -> Any:
    import statsmodels.formula.api as smf

    if not isinstance(formula, str):
        raise TypeError(f"{call}: formula must be a string such as 'y ~ x + C(group)', "
                        f"got {type(formula).__name__}")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{call}: data must be a pandas DataFrame holding the formula's "
                        f"columns, got {type(data).__name__}")
    rules, record, model_kwargs = split(session, fields, call, takes=None)
    if "eval_env" not in model_kwargs:
        model_kwargs["eval_env"] = _caller_namespace()
    model = getattr(smf, factory_name)(formula, data, subset=subset, drop_cols=drop_cols,
                                       **model_kwargs)
    return _fit_and_register(session, model, rules, record, binary=factory_name != "ols",
                             data=data, formula=formula, unit=unit, fit_kwargs=fit_kwargs,
                             call=call)


def _array_model(session: CoreSession, cls_name: str, endog: Any, exog: Any, unit: Any,
                 fit_kwargs: Any, fields: dict[str, Any], call: str, **model_kwargs: Any
                 ) -> Any:
    import statsmodels.api as sm

    if exog is None and cls_name != "OLS":
        raise TypeError(f"{call}: exog is required (the regressors; add a constant with "
                        "sm.add_constant)")
    rules, record, rest = split(session, fields, call, takes=None)
    model = getattr(sm, cls_name)(endog, exog, **model_kwargs, **rest)
    return _fit_and_register(session, model, rules, record, binary=cls_name != "OLS",
                             data=None, formula=None, unit=unit, fit_kwargs=fit_kwargs,
                             call=call)



class ModelCalls(CoreSession):
    """The checked statsmodels fits and histograms of a session."""

    # -- OLS ------------------------------------------------------------------------------------
    def ols(self, endog: Any, exog: Any = None, missing: str = "none",
            hasconst: bool | None = None, *, data: pd.DataFrame | None = None, subset: Any = None,
            drop_cols: Any = None, unit: Any = None, fit_kwargs: dict[str, Any] | None = None,
            **fields: Any) -> Any:
        """``sm.OLS(endog, exog, missing=, hasconst=).fit()`` checked (or a formula, see module)."""
        if isinstance(endog, str):
            return _formula_model(self, "ols", endog, data if data is not None else exog,
                                  subset, drop_cols, unit, fit_kwargs, fields, "ols")
        return _array_model(self, "OLS", endog, exog, unit, fit_kwargs, fields, "ols",
                            missing=missing, hasconst=hasconst)

    def olsr(self, formula: str, data: pd.DataFrame, subset: Any = None,
             drop_cols: Any = None, *, unit: Any = None, fit_kwargs: dict[str, Any] | None = None,
             **fields: Any) -> Any:
        """``smf.ols(formula, data, subset=, drop_cols=).fit()`` checked."""
        return _formula_model(self, "ols", formula, data, subset, drop_cols, unit, fit_kwargs,
                              fields, "olsr")

    # -- Logit and probit -----------------------------------------------------------------------
    def logit(self, endog: Any, exog: Any = None, missing: str = "none",
              check_rank: bool = True, *, data: pd.DataFrame | None = None, subset: Any = None,
              drop_cols: Any = None, unit: Any = None, fit_kwargs: dict[str, Any] | None = None,
              **fields: Any) -> Any:
        """``sm.Logit(endog, exog, missing=, check_rank=).fit(disp=0)`` checked."""
        if isinstance(endog, str):
            return _formula_model(self, "logit", endog, data if data is not None else exog,
                                  subset, drop_cols, unit, fit_kwargs, fields, "logit")
        return _array_model(self, "Logit", endog, exog, unit, fit_kwargs, fields, "logit",
                            missing=missing, check_rank=check_rank)

    def logitr(self, formula: str, data: pd.DataFrame, subset: Any = None,
               drop_cols: Any = None, *, unit: Any = None, fit_kwargs: dict[str, Any] | None = None,
               **fields: Any) -> Any:
        """``smf.logit(formula, data, subset=, drop_cols=).fit(disp=0)`` checked."""
        return _formula_model(self, "logit", formula, data, subset, drop_cols, unit, fit_kwargs,
                              fields, "logitr")

    def probit(self, endog: Any, exog: Any = None, missing: str = "none",
               check_rank: bool = True, *, data: pd.DataFrame | None = None, subset: Any = None,
               drop_cols: Any = None, unit: Any = None, fit_kwargs: dict[str, Any] | None = None,
               **fields: Any) -> Any:
        """``sm.Probit(endog, exog, missing=, check_rank=).fit(disp=0)`` checked."""
        if isinstance(endog, str):
            return _formula_model(self, "probit", endog, data if data is not None else exog,
                                  subset, drop_cols, unit, fit_kwargs, fields, "probit")
        return _array_model(self, "Probit", endog, exog, unit, fit_kwargs, fields, "probit",
                            missing=missing, check_rank=check_rank)

    def probitr(self, formula: str, data: pd.DataFrame, subset: Any = None,
                drop_cols: Any = None, *, unit: Any = None,
                fit_kwargs: dict[str, Any] | None = None, **fields: Any) -> Any:
        """``smf.probit(formula, data, subset=, drop_cols=).fit(disp=0)`` checked."""
        return _formula_model(self, "probit", formula, data, subset, drop_cols, unit,
                              fit_kwargs, fields, "probitr")

    # -- Histogram ------------------------------------------------------------------------------
    def hist(self, data: pd.DataFrame, column: Any, bins: Any = 10,
             range: tuple[float, float] | None = None, *, unit: Any = None, ax: Any = None,
             round_edges: bool = True, **fields: Any) -> np.ndarray:
        """``data.hist(column=column, bins=bins, range=range, ax=ax)`` checked; returns its Axes.

        Other keywords (``figsize``, ``grid``, ``color``, …) go to ``DataFrame.hist``. The figure
        is drawn with the same bin edges the counts are computed on. Edges taken from the data
        (a number of bins, no ``range``) would publish its minimum and maximum: with
        ``round_edges`` (the default) the outer two are rounded outward, and the record says so.
        """
        from jupyter_sdc.adapters.matplotlib import (
            _numeric,
            check_hist,
            histogram_edges,
            outward_edges,
        )
        from jupyter_sdc.adapters.pandas import unit_series

        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"hist: data must be a pandas DataFrame, got {type(data).__name__}; "
                            "for a Series use series.to_frame()")
        if isinstance(column, list | tuple):
            if len(column) != 1:
                raise ValueError(f"hist: column={column!r}: give one column per histogram")
            column = column[0]
        if column not in data.columns:
            raise KeyError(f"hist: column {column!r} is not in the data; columns are "
                           f"{list(data.columns)[:20]}")
        rules, record, plot_kwargs = split(self, fields, "hist", takes=None)
        if plot_kwargs.get("by") is not None:
            raise ValueError("hist: by= draws one histogram per group, which is not checked yet; "
                             "call hist once per group (e.g. on data[data.group == 'a'])")
        values = data[column]
        edges = histogram_edges(_numeric(values), bins, range)
        rounded = round_edges and range is None and np.ndim(bins) == 0 and len(edges) > 1
        if rounded:
            data_edges, edges = edges, outward_edges(edges)
        unit_s = unit_series(data, unit if unit is not None else rules.unit, len(data))
        axes = data.hist(column=column, bins=edges, ax=ax, **plot_kwargs)
        first = np.ravel(axes)[0] if np.ndim(axes) else axes
        output = check_hist(values, edges, rules=rules, uid=self.new_uid(),
                            unit=unit_s, source={"call": "hist"}, figure=first.figure)
        if rounded:
            output.mitigation["notes"] = [*output.mitigation.get("notes", []), (
                f"The outer bin edges were rounded outward from the data's own minimum and "
                f"maximum ({data_edges[0]:g}, {data_edges[-1]:g}) to {edges[0]:g} and "
                f"{edges[-1]:g}, so they publish no single record's value (edges).")]
        shown = [k for k in ("weights", "density", "cumulative") if plot_kwargs.get(k) is not None
                 and plot_kwargs.get(k) is not False]
        if shown:
            output.reasons.append(f"The bars are drawn with {', '.join(shown)}; the counts beside "
                                  "them are the unweighted records per bin.")
        register(self, output, record)
        return axes
