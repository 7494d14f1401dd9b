"""Evidence for fitted statsmodels results: coefficient table, dof and counts per parameter.

Everything is read from the design matrix the model already holds (``model.exog``): no refit
and no second design-matrix build, so the check costs a few vectorised column passes.

A parameter's count is the number of observations behind it: for a level of a categorical
regressor (a formula column such as ``C(region)[T.North]``) or a numeric 0/1 regressor (a
formula column such as ``employed``, or a 0/1 dummy column in the array API), the smaller of
the observations in that level (nonzero entries of its column) and those in its reference
level (in none of the factor's other levels; for a 0/1 regressor, the zeros), since the
parameter compares the two; for the intercept and continuous regressors all observations used.
Duration models (``PHReg``) are also judged on the events behind each parameter, counted the
same way. ACRO 1.0.2 checks only the residual degrees of
freedom; the per-level threshold and the binary-outcome check below are our additions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.adapters.pandas import as_series
from jupyter_sdc.adapters.recipes import for_model
from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues


@dataclass
class ColumnCounts:
    """Per design-matrix column: observations (or units) behind it, and whether it is a level."""

    count: np.ndarray
    level: np.ndarray
    positive: np.ndarray | None = None   # binary outcome: observations (units) with 1
    negative: np.ndarray | None = None   # ... and with 0 (a unit can have both)


def coefficient_table(results: Any) -> pd.DataFrame:
    """The coefficient table of ``results.summary()`` as a DataFrame, one row per parameter."""
    params = results.params
    if np.ndim(params) != 1:
        raise TypeError(
            f"{type(results.model).__name__} has one set of parameters per equation; "
            "jupyter_sdc checks single-equation models only: register this output with "
            "custom_output and explain it"
        )
    names = list(params.index) if isinstance(params, pd.Series) else list(results.model.exog_names)
    z = "t" if getattr(results, "use_t", True) else "z"

    def column(attr: str) -> np.ndarray:
        try:
            return np.asarray(getattr(results, attr), dtype=float).reshape(-1)
        except (AttributeError, ValueError, np.linalg.LinAlgError):
            return np.full(len(names), np.nan)

    try:
        ci = np.asarray(results.conf_int(), dtype=float).reshape(len(names), 2)
    except (AttributeError, ValueError, np.linalg.LinAlgError):
        ci = np.full((len(names), 2), np.nan)
    table = pd.DataFrame(
        {"coef": column("params"), "std err": column("bse"), z: column("tvalues"),
         f"P>|{z}|": column("pvalues"), "[0.025": ci[:, 0], "0.975]": ci[:, 1]},
        index=pd.Index([str(n) for n in names], name="parameter"),
    )
    return table


def _binary_outcome(model: Any) -> np.ndarray | None:
    """The 0/1 outcome of a logit/probit (or binomial GLM), else None."""
    name = type(model).__name__
    family = type(getattr(model, "family", None)).__name__
    if name not in ("Logit", "Probit") and not (name == "GLM" and family == "Binomial"):
        return None
    y = np.asarray(model.endog)
    if y.ndim != 1 or not np.isin(y, (0.0, 1.0)).all():
        return None
    return y == 1


_BLOCK = 1 << 22  # design-matrix entries per pass: a few MB of temporaries at most


def _column_sums(exog: np.ndarray, outcome: np.ndarray | None) -> np.ndarray:
    """Per column: nonzero entries, entries equal to 1, and nonzero entries with outcome 1.

    One pass over the rows in blocks, so a C- or F-ordered matrix is read once either way.
    """
    n, k = exog.shape
    sums = np.zeros((3, k), dtype=np.int64)
    step = max(1, _BLOCK // max(k, 1))
    for start in range(0, n, step):
        block = exog[start:start + step]
        mask = block != 0
        sums[0] += np.count_nonzero(mask, axis=0)
        sums[1] += np.count_nonzero(block == 1, axis=0)
        if outcome is not None:
            sums[2] += np.count_nonzero(mask & outcome[start:start + step, None], axis=0)
    return sums


def _distinct(units: np.ndarray, mask: np.ndarray, seen: np.ndarray) -> int:
    seen[:] = False
    seen[units[mask]] = True
    return int(np.count_nonzero(seen))


def column_counts(exog: np.ndarray, names: list[str], units: np.ndarray | None = None,
                  outcome: np.ndarray | None = None) -> ColumnCounts:
    """Observations (or distinct units) behind each design-matrix column, vectorised."""
    n, k = exog.shape
    nonzero, ones, positive = _column_sums(exog, outcome)
    # a categorical level: named so by the formula engine, or a non-constant 0/1 column
    level = np.array(["[" in name for name in names], dtype=bool) | (
        (nonzero < n) & (ones == nonzero))
    with_one = int(np.count_nonzero(outcome)) if outcome is not None else 0
    count = np.where(level, nonzero, n)
    pos = np.where(level, positive, with_one)
    neg = count - pos
    if units is not None:
        # distinct units: one pass per level column (only when unit= is asked for)
        seen = np.zeros(int(units.max(initial=-1)) + 1, dtype=bool)
        y = outcome if outcome is not None else np.zeros(n, dtype=bool)
        everyone = np.ones(n, dtype=bool)
        overall = [_distinct(units, m, seen) for m in (everyone, y, ~y)]
        count[:], pos[:], neg[:] = overall[0], overall[1], overall[2]
        for j in np.flatnonzero(level):
            mask = exog[:, j] != 0
            count[j] = _distinct(units, mask, seen)
            if outcome is not None:
                pos[j] = _distinct(units, mask & y, seen)
                neg[j] = _distinct(units, mask & ~y, seen)
    _with_references(exog, names, level, units, outcome, count, pos, neg)
    if outcome is None:
        return ColumnCounts(count=count, level=level)
    return ColumnCounts(count=count, level=level, positive=pos, negative=neg)


def _factor(name: str) -> str:
    """The factor a level column belongs to: ``C(region)[T.North]`` -> ``C(region)[]``."""
    return _LEVEL.sub("[]", name)


_LEVEL = re.compile(r"\[[^\]]*\]")


def _with_references(exog: np.ndarray, names: list[str], level: np.ndarray,
                     units: np.ndarray | None, outcome: np.ndarray | None, count: np.ndarray,
                     pos: np.ndarray, neg: np.ndarray) -> None:
    """A level's parameter compares it with its reference level: the observations in none
    of its factor's other levels (for a numeric 0/1 regressor, those with 0). Each level is
    judged on the smaller of the two groups (in place); a factor coded with every level (no
    intercept) has no reference group."""
    factors: dict[str, list[int]] = {}
    for j in np.flatnonzero(level):
        factors.setdefault(_factor(names[j]), []).append(int(j))
    y = outcome if outcome is not None else np.zeros(exog.shape[0], dtype=bool)
    seen = np.zeros(int(units.max(initial=-1)) + 1, dtype=bool) if units is not None else None
    for columns in factors.values():
        reference = ~(exog[:, columns] != 0).any(axis=1)
        if not reference.any():
            continue
        groups = (reference, reference & y, reference & ~y)
        if units is None or seen is None:
            in_ref, ref_pos, ref_neg = (int(np.count_nonzero(g)) for g in groups)
        else:
            in_ref, ref_pos, ref_neg = (_distinct(units, g, seen) for g in groups)
        count[columns] = np.minimum(count[columns], in_ref)
        if outcome is not None:
            pos[columns] = np.minimum(pos[columns], ref_pos)
            neg[columns] = np.minimum(neg[columns], ref_neg)


def used_units(results: Any, unit: Any, data: pd.DataFrame | None) -> np.ndarray:
    """Unit codes aligned with the rows the model used (after subset and missing-row drops)."""
    model = results.model
    n = int(np.asarray(model.exog).shape[0])
    if isinstance(unit, str):
        frame = data if data is not None else getattr(model.data, "frame", None)
        if frame is None:
            raise ValueError(f"unit={unit!r} names a column, but this model has no data frame: "
                             f"pass the column itself, e.g. unit=df[{unit!r}]")
        if unit not in frame.columns:
            raise KeyError(f"unit column {unit!r} is not in the data; set unit= to the column "
                           "that identifies a person or firm")
        series = frame[unit]
    else:
        series = as_series(unit, "unit")
    row_labels = getattr(model.data, "row_labels", None)
    missing_idx = getattr(model.data, "missing_row_idx", None)
    dropped = np.asarray([] if missing_idx is None else missing_idx, dtype=np.int64)
    if row_labels is not None and isinstance(unit, str | pd.Series) and series.index.is_unique \
            and series.index.isin(row_labels).sum() == len(row_labels):
        series = series.loc[row_labels]
    elif len(series) == n + len(dropped) and len(dropped):
        series = series.iloc[np.setdiff1d(np.arange(len(series)), dropped)]
    if len(series) != n:
        raise ValueError(f"unit has {len(series)} values but the model used {n} observations: "
                         "pass the unit column of the data the model was fitted on")
    codes, _ = pd.factorize(series, use_na_sentinel=True)
    if (codes < 0).any():
        raise ValueError("unit has missing values: every observation needs a unit identifier")
    return codes.astype(np.int64)


def _model_summary(results: Any, formula: str | None, n: int, unit: Any) -> dict[str, Any]:
    model = results.model
    info: dict[str, Any] = {
        "n": n,
        "nobs": int(np.asarray(model.exog).shape[0]),
        "df_resid": float(results.df_resid),
        "df_model": float(results.df_model),
        "model": type(model).__name__,
        "formula": formula or getattr(model, "formula", None),
        "dependent": getattr(model, "endog_names", None),
    }
    family = getattr(model, "family", None)
    if family is not None:
        info["family"] = type(family).__name__
    if unit is not None:
        info["unit"] = unit if isinstance(unit, str) else getattr(unit, "name", None) or "unit"
    return info


def check_model(results: Any, *, rules: RuleValues, uid: str, data: pd.DataFrame | None = None,
                formula: str | None = None, unit: Any = None,
                source: dict[str, Any] | None = None, **fields: Any) -> Output:
    """The record of a fitted statsmodels model (OLS, WLS, GLM, Logit, Probit, Poisson…)."""
    model = getattr(results, "model", None)
    if model is None or not hasattr(results, "params") or not hasattr(model, "exog"):
        raise TypeError("check_model needs a fitted statsmodels results object (what "
                        f"model.fit() returns), got {type(results).__name__}")
    table = coefficient_table(results)
    exog = np.asarray(model.exog)
    names = [str(x) for x in model.exog_names]
    units = used_units(results, unit, data) if unit is not None else None
    events = duration_events(model)
    outcome = _binary_outcome(model) if rules.class_disclosure else None
    counted = column_counts(exog, names, units, events if events is not None else outcome)
    by_name = dict(zip(names, counted.count, strict=True))
    total = int(exog.shape[0]) if units is None else int(len(np.unique(units)))
    counts = np.array([by_name.get(p, total) for p in table.index], dtype=np.int64)
    unit_label = "units" if units is not None else "observations"
    shape = table.shape
    evidence = CellEvidence(
        statistic=["model"] * shape[1],
        count=np.repeat(counts[:, None], shape[1], axis=1),
        dof=np.full(shape, float(results.df_resid)),
        unit_label=unit_label,
    )
    positive = negative = None
    if events is not None and counted.positive is not None:
        by_events = dict(zip(names, counted.positive, strict=True))
        total_events = int(events.sum()) if units is None else int(
            len(np.unique(units[events])))
        per_param = np.array([by_events.get(p, total_events) for p in table.index], dtype=float)
        evidence.events = np.repeat(per_param[:, None], shape[1], axis=1)
    elif counted.positive is not None and counted.negative is not None:
        by_pos = dict(zip(names, counted.positive, strict=True))
        by_neg = dict(zip(names, counted.negative, strict=True))
        positive = np.array([by_pos.get(p, np.nan) for p in table.index], dtype=float)
        negative = np.array([by_neg.get(p, np.nan) for p in table.index], dtype=float)
        evidence.outcome_1 = np.repeat(positive[:, None], shape[1], axis=1)
        evidence.outcome_0 = np.repeat(negative[:, None], shape[1], axis=1)
    summary = _model_summary(results, formula, total, unit)
    if events is not None:
        summary["events"] = int(np.nanmax(evidence.events)) if evidence.events.size else 0
    output = assess(table, evidence, rules, uid=uid, kind="model", statistic="model",
                    summary=summary,
                    source=source, review=fit_problems(results, table), **fields)
    _name_small_parameters(output, counts, rules.threshold, unit_label, evidence.events)
    if positive is not None and negative is not None:
        _name_thin_outcomes(output, positive, negative, rules.threshold, unit_label)

    output.recipe = for_model(check_model, results, rules, uid)
    return output


def fit_problems(results: Any, table: pd.DataFrame) -> list[str]:
    """Why a fit cannot be judged as it stands: it did not converge, its design matrix is
    singular, or it predicts every outcome (perfect separation): a checker must review it."""
    model = results.model
    found = []
    retvals = getattr(results, "mle_retvals", None) or {}
    if retvals.get("converged") is False:
        found.append("The fit did not converge (the optimiser stopped before the maximum "
                     "likelihood), so its estimates are not reliable: please review.")
    k = int(np.asarray(model.exog).shape[1])
    rank = float(getattr(results, "df_model", k)) + float(getattr(model, "k_constant", 0))
    if rank < k - 1e-9:
        found.append(f"The design matrix is singular (rank {rank:g} of {k} columns: collinear "
                     "regressors), so some parameters are not identified: please review.")
    outcome = _binary_outcome(model)
    if outcome is not None:
        predicted = np.asarray(results.predict(), dtype=float)
        if predicted.shape == outcome.shape and np.all(np.abs(predicted - outcome) < 1e-4):
            found.append("The model predicts every outcome perfectly (perfect separation), "
                         "which discloses each record's outcome: please review.")
    if not np.isfinite(table[table.columns[1]].to_numpy(dtype=float)).all():
        found.append("Some standard errors could not be computed (not finite): please review.")
    return found


def _name_small_parameters(output: Output, counts: np.ndarray, threshold: int,
                           unit: str, events: np.ndarray | None = None) -> None:
    """Say which parameters are thin, rather than how many table cells (6 per parameter)."""
    flag = output.flags.get("threshold")
    if flag is None or not flag.to_numpy().any():
        return
    rows = flag.to_numpy().any(axis=1)
    per_row = events[:, 0] if events is not None else None
    listed = ", ".join(
        f"{name} ({int(c)}" + (f", {int(per_row[i])} with an event)" if per_row is not None
                               else ")")
        for i, (name, c, r) in enumerate(zip(output.table.index, counts, rows, strict=True))
        if r)
    what = f"{unit} or events" if events is not None else unit
    output.reasons = [r for r in output.reasons if not r.endswith("(threshold).")]
    output.reasons.insert(0, f"{int(rows.sum())} parameter(s) rest on fewer than {threshold} "
                             f"{what}: {listed} (threshold).")


def duration_events(model: Any) -> np.ndarray | None:
    """The event flags of a duration model (statsmodels ``PHReg``: ``status``), else None."""
    if type(model).__name__ != "PHReg":
        return None
    status = getattr(model, "status", None)
    if status is None:
        return np.ones(int(np.asarray(model.exog).shape[0]), dtype=bool)
    return np.asarray(status, dtype=float) != 0


def _name_thin_outcomes(output: Output, positive: np.ndarray, negative: np.ndarray,
                        threshold: int, unit: str) -> None:
    """Binary outcome: say which parameters have fewer than N with one of the outcomes.

    Every member with the same outcome (complete separation) discloses that outcome for the
    whole group; a handful with the other outcome is nearly as revealing (judged by the
    class_disclosure rule as review).
    """
    small = (positive + negative > 0) & (np.minimum(positive, negative) < threshold)
    if not small.any():
        return
    listed = ", ".join(f"{name} ({int(p)} with outcome 1, {int(q)} with 0)" for name, p, q, s in
                       zip(output.table.index, positive, negative, small, strict=True) if s)
    output.reasons = [r for r in output.reasons if not r.endswith("(class_disclosure).")]
    output.reasons.append(
        f"Fewer than {threshold} {unit} have one of the two outcomes behind {listed}: the "
        "model can disclose the outcome of a small group; please review (class_disclosure)."
    )
