"""Evidence for a fitted lifelines ``CoxPHFitter``: the same checks as a statsmodels ``PHReg``.

Per parameter: the observations (or distinct units) behind it and the events among them (for a
level of a categorical covariate or a 0/1 covariate, the smaller of its level and its reference
level, as for every model: ``adapters.statsmodels.column_counts``), and the residual degrees of
freedom (observations − parameters, as statsmodels reports for ``PHReg``). lifelines keeps no
design matrix, so the data the model was fitted on is needed: the magic notes it when
``fit`` runs in the checked cell, ``sdc.coxph`` has it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.pandas import unit_series
from jupyter_sdc.adapters.statsmodels import _name_small_parameters, column_counts
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues


def is_lifelines_regression(obj: Any) -> bool:
    """A fitted lifelines regression model (CoxPHFitter and its kin)."""
    module = type(obj).__module__ or ""
    return module.startswith("lifelines") and hasattr(obj, "params_") and hasattr(
        obj, "duration_col")


def check_coxph(fitter: Any, data: pd.DataFrame | None, *, rules: RuleValues, uid: str,
                unit: Any = None, source: dict[str, Any] | None = None,
                **fields: Any) -> Output:
    """The record of a fitted ``CoxPHFitter`` on ``data`` (the frame given to ``fit``)."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError("lifelines keeps no copy of the data a Cox model was fitted on: fit "
                         "it in the checked cell (cph.fit(df, ...)) or with sdc.coxph(df, ...)")
    table = fitter.summary.copy()
    design, _t, observed, _w, _entries, order, _clusters = fitter._preprocess_dataframe(data)
    exog = design.to_numpy(dtype=float)
    names = [str(c) for c in design.columns]
    events = np.asarray(observed, dtype=bool)
    if unit is None and isinstance(rules.unit, str) and rules.unit in data.columns:
        unit = rules.unit  # as for statsmodels models: units where the data has the column
    units = None
    if unit is not None:
        series = unit_series(data, unit, len(data))
        if series is None or not series.index.equals(data.index):
            raise ValueError("unit must be a column of the data, or values aligned with it")
        codes, _ = pd.factorize(series.loc[order], use_na_sentinel=True)
        if (codes < 0).any():
            raise ValueError("unit has missing values: every observation needs a unit")
        units = codes.astype(np.int64)
    counted = column_counts(exog, names, units, events)
    total = len(exog) if units is None else int(len(np.unique(units)))
    total_events = int(events.sum()) if units is None else int(len(np.unique(units[events])))
    by_count = dict(zip(names, counted.count, strict=True))
    positive = counted.positive if counted.positive is not None else np.zeros(len(names))
    by_events = dict(zip(names, positive, strict=True))
    index = [str(p) for p in table.index]
    counts = np.array([by_count.get(p, total) for p in index], dtype=np.int64)
    per_events = np.array([by_events.get(p, total_events) for p in index], dtype=float)
    shape = table.shape
    df_resid = float(len(exog) - len(index))
    unit_label = "units" if units is not None else "observations"
    evidence = CellEvidence(
        statistic=["model"] * shape[1], count=np.repeat(counts[:, None], shape[1], axis=1),
        dof=np.full(shape, df_resid),
        events=np.repeat(per_events[:, None], shape[1], axis=1), unit_label=unit_label)
    summary = {"n": total, "nobs": len(exog), "df_resid": df_resid, "df_model": len(index),
               "model": type(fitter).__name__, "formula": getattr(fitter, "formula", None),
               "dependent": fitter.duration_col, "events": total_events}
    if unit is not None:
        summary["unit"] = unit if isinstance(unit, str) else getattr(unit, "name", None) or "unit"
    review = []
    if getattr(fitter, "strata", None):
        review.append("The model is stratified: the counts and events are over all strata, "
                      "not per stratum; please review.")
    output = assess(table, evidence, rules, uid=uid, kind="model", statistic="model",
                    summary=summary, source=source, review=review, **fields)
    _name_small_parameters(output, counts, rules.threshold, unit_label, evidence.events)
    return output
