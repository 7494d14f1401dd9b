"""Evidence for Kaplan–Meier estimates: statsmodels ``SurvfuncRight`` and lifelines
``KaplanMeierFitter``, as tables (``summary()``, ``event_table``, ``survival_function_``) and
as plots (which carry the same implicit table).

Each row of a survival table is a step. Its evidence is the number at risk (the row's count),
the events in the step and the change in the number at risk into it (everyone who left the risk
set since the previous row, events and censored alike). The threshold applies to each of them
that is not 0 (``core.checks``): a step of 3 deaths, or a drop of 4 in the number at risk, is
about 3 or 4 people. Counts are of records, or of distinct units with ``unit=``.

Mitigation: *suppression* pools consecutive steps until each published step has at least N
events (the table is then the estimate at fewer, coarser times: the number at risk at the
start of each pooled step, its events, the estimate at its end); *rounding* rounds the counts
(to the rules' base, or midpoint-6 where the profile names it) and recomputes the estimates
from the rounded counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jupyter_sdc.core.assess import assess
from jupyter_sdc.core.evidence import CellEvidence
from jupyter_sdc.core.mitigation import midpoint6
from jupyter_sdc.core.record import Output
from jupyter_sdc.core.rules import RuleValues
from jupyter_sdc.core.statistic import Statistic

#: statsmodels ``SurvfuncRight.summary()`` columns
SM_PROB, SM_SE, SM_RISK, SM_EVENTS = "Surv prob", "Surv prob SE", "num at risk", "num events"


def wants_midpoint6(rules: RuleValues) -> bool:
    return bool(getattr(rules, "midpoint6", False))


def survival_mitigation(rules: RuleValues, suppress: bool | None = None,
                        round: int | bool | None = None) -> tuple[bool, int | None, bool]:
    """``(pool, round_base, midpoint6)`` for a survival table: a profile naming midpoint-6
    gives its counts as midpoint-6 values instead of suppressing and rounding them (as
    OpenSAFELY asks for Kaplan–Meier tables), unless the call asks for something else."""
    from jupyter_sdc.core.mitigation import requested

    if wants_midpoint6(rules) and suppress is None and round is None:
        return False, None, True
    pool, base = requested(rules, suppress, round)
    return pool, base, False


@dataclass(frozen=True)
class Layout:
    """The roles of a survival table's columns."""

    at_risk: str | None = None          # the number at risk (first row of a pooled step)
    events: str | None = None           # events in the step
    sums: tuple[str, ...] = ()          # counts summed over pooled steps
    estimates: tuple[str, ...] = ()     # values at the step's end (recomputed when rounded)


def layout_of(table: pd.DataFrame) -> Layout:
    cols = [str(c) for c in table.columns]
    if SM_RISK in cols or SM_EVENTS in cols:
        return Layout(SM_RISK if SM_RISK in cols else None,
                      SM_EVENTS if SM_EVENTS in cols else None,
                      (SM_EVENTS,) if SM_EVENTS in cols else (),
                      tuple(c for c in (SM_PROB, SM_SE) if c in cols))
    if "at_risk" in cols or "observed" in cols:  # lifelines' event_table
        sums = tuple(c for c in ("removed", "observed", "censored", "entrance") if c in cols)
        return Layout("at_risk" if "at_risk" in cols else None,
                      "observed" if "observed" in cols else None, sums, ())
    return Layout(estimates=tuple(cols))  # lifelines' survival_function_, confidence_interval_


@dataclass
class Durations:
    """The data behind a Kaplan–Meier estimate: one duration and event flag per record."""

    time: np.ndarray
    event: np.ndarray
    units: np.ndarray | None = None

    @classmethod
    def of(cls, time: Any, event: Any = None, units: Any = None) -> Durations:
        t = np.asarray(time, dtype=float)
        e = np.ones(len(t), dtype=bool) if event is None else np.asarray(event, dtype=float) != 0
        if t.ndim != 1 or len(e) != len(t):
            raise ValueError("time and status must be one value per record, of the same length")
        if np.isnan(t).any():
            raise ValueError("time has missing values: drop those records first")
        codes = None
        if units is not None:
            codes, _ = pd.factorize(pd.Series(np.asarray(units)), use_na_sentinel=True)
            if len(codes) != len(t) or (codes < 0).any():
                raise ValueError("unit must give every record a unit identifier")
        return cls(t, e, codes)

    @property
    def total(self) -> int:
        return len(self.time) if self.units is None else int(len(np.unique(self.units)))

    def steps(self, times: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row time: the number at risk, the events since the previous row (up to and at
        this time) and the change in the number at risk into the row."""
        grid = np.asarray(times, dtype=float)
        if self.units is None:
            last = self.time
            at_risk = len(last) - np.searchsorted(np.sort(last), grid, side="left")
            done = np.searchsorted(np.sort(self.time[self.event]), grid, side="right")
            events = np.diff(np.concatenate([[0], done]))
        else:
            last = pd.Series(self.time).groupby(self.units).max().to_numpy()
            at_risk = len(last) - np.searchsorted(np.sort(last), grid, side="left")
            step = np.searchsorted(grid, self.time[self.event], side="left")
            keep = step < len(grid)
            stride = int(self.units.max(initial=0)) + 1
            pairs = pd.unique(step[keep].astype(np.int64) * stride + self.units[self.event][keep])
            events = np.bincount(pairs // stride, minlength=len(grid))
        before = np.concatenate([[self.total], at_risk[:-1]])
        return at_risk.astype(np.int64), events.astype(np.int64), np.abs(before - at_risk)


# -- mitigation ------------------------------------------------------------------------------
def pooled(table: pd.DataFrame, layout: Layout, at_risk: np.ndarray, events: np.ndarray,
           threshold: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int]:
    """Steps pooled until each has at least ``threshold`` events; the last steps that never
    reach it are left out. Returns the table, its at-risk and events, and the rows left out."""
    groups, start, run = [], 0, 0
    for i, d in enumerate(events):
        run += int(d)
        if run >= threshold:
            groups.append((start, i))
            start, run = i + 1, 0
    rows = []
    for first, last in groups:
        row = table.iloc[last].copy()
        for col in layout.sums:
            row[col] = table[col].iloc[first:last + 1].sum()
        if layout.at_risk is not None:
            row[layout.at_risk] = table[layout.at_risk].iloc[first]
        rows.append(row)
    out = pd.DataFrame(rows, columns=table.columns)
    out.index = pd.Index([table.index[last] for _, last in groups], name=table.index.name)
    for col in table.columns:
        if table[col].dtype.kind in "iu":
            out[col] = out[col].astype(table[col].dtype)
    firsts = np.array([first for first, _ in groups], dtype=np.int64)
    pooled_events = np.array([events[a:b + 1].sum() for a, b in groups], dtype=np.int64)
    return out, at_risk[firsts], pooled_events, len(table) - (groups[-1][1] + 1 if groups else 0)


def rounded(table: pd.DataFrame, layout: Layout, at_risk: np.ndarray, events: np.ndarray,
            base: int | None, mid6: bool) -> pd.DataFrame:
    """Counts rounded (midpoint-6 or to ``base``), estimates recomputed from them."""
    def rnd(values: Any) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return midpoint6(values) if mid6 else np.round(values / base) * base

    out = table.copy()
    for col in {*layout.sums, *([layout.at_risk] if layout.at_risk else [])}:
        out[col] = rnd(table[col]).astype(table[col].dtype if table[col].dtype.kind in "iu"
                                          else float)
    n, d = rnd(at_risk), np.minimum(rnd(events), rnd(at_risk))
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(n > 0, 1 - d / n, 1.0))
        se = surv * np.sqrt(np.cumsum(np.where(n > d, d / (n * (n - d)), np.nan)))
    for j, col in enumerate(layout.estimates):
        if col == SM_SE:
            out[col] = se
        elif j == 0 or col == SM_PROB:
            out[col] = surv
        else:
            out[col] = np.nan  # confidence limits: not recomputed from rounded counts
    if mid6:
        suffix = {c: f"{c}_midpoint6" for c in (*layout.sums, layout.at_risk) if c}
        suffix.update({c: f"{c}_midpoint6_derived" for c in layout.estimates})
        out = out.rename(columns=suffix)
    return out


# -- the record -------------------------------------------------------------------------------
def _times(table: pd.DataFrame) -> np.ndarray:
    try:
        return table.index.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError("a survival table is indexed by time: its index must be numbers "
                         f"({err})") from err


def _agrees(table: pd.DataFrame, layout: Layout, at_risk: np.ndarray,
            events: np.ndarray) -> bool:
    """Whether the table's own counts are the counts of these records (not weighted)."""
    for col, mine in ((layout.at_risk, at_risk), (layout.events, events)):
        if col is not None and not np.allclose(table[col].to_numpy(dtype=float), mine):
            return False
    return True


def check_survival(table: pd.DataFrame, data: Durations, *, rules: RuleValues, uid: str,
                   kind: str = "table", suppress: bool = False, round_base: int | None = None,
                   mid6: bool = False, figure: Any = None, source: dict[str, Any] | None = None,
                   **fields: Any) -> Output:
    """The record of a survival table (or of a plot of one, ``kind="figure"``)."""
    from jupyter_sdc.adapters.matplotlib import figure_png

    table = table.to_frame() if isinstance(table, pd.Series) else table
    layout = layout_of(table)
    at_risk, events, exits = data.steps(_times(table))
    unit_label = "units" if data.units is not None else "records"
    review: list[str] = []
    notes: list[str] = []
    if not _agrees(table, layout, at_risk, events):
        if data.units is None:
            review.append("The table's numbers at risk or events are not the counts of its "
                          "records (weighted, or with late entries?): the unweighted counts of "
                          "the records are judged; please review.")
        else:
            notes.append("The table counts records; the steps are judged on distinct units.")
    left_out = 0
    if suppress:
        table, at_risk, events, left_out = pooled(table, layout, at_risk, events,
                                                  rules.threshold)
        before = np.concatenate([[data.total], at_risk[:-1]])
        exits = np.abs(before - at_risk)
        review.append(f"Steps were pooled until each has at least {rules.threshold} events "
                      f"(suppression of survival steps){_left(left_out)}: a checker reviews "
                      "the pooled table.")
    if mid6 or round_base:
        table = rounded(table, layout, at_risk, events, round_base, mid6)
    shape = table.shape
    evidence = CellEvidence(
        statistic=[Statistic.SURVIVAL] * shape[1],
        count=np.repeat(at_risk[:, None], shape[1], axis=1),
        events=np.repeat(events[:, None].astype(float), shape[1], axis=1),
        exits=np.repeat(exits[:, None].astype(float), shape[1], axis=1),
        unit_label=unit_label, notes=notes,
    )
    summary = {"n": data.total, "events": int(_event_units(data)), "steps": int(shape[0])}
    output = assess(table, evidence, rules, uid=uid, kind=kind, statistic=Statistic.SURVIVAL,
                    round_base=6 if mid6 else round_base, summary=summary, source=source,
                    review=review, **fields)
    if mid6:
        output.mitigation["midpoint6"] = True
        output.mitigation["notes"] = [
            n for n in output.mitigation.get("notes", []) if not n.startswith("Counts rounded")]
        output.mitigation["notes"].append(
            "Counts are midpoint-6 values (0 stays 0, 1-6 are shown as 3, 7-12 as 9, ...); the "
            "survival estimates are derived from them.")
        output.reasons = [r for r in output.reasons if not r.startswith("Counts rounded")]
    elif round_base:
        output.mitigation["notes"] = [*output.mitigation.get("notes", []),
                                      "The survival estimates are derived from the rounded "
                                      "counts."]
    name_small_steps(output, rules.threshold, unit_label)
    if figure is not None:
        output.figure = {"png": figure_png(figure)}
    return output


def _left(rows: int) -> str:
    return f"; the last {rows} steps, with fewer events in all, are left out" if rows else ""


def _event_units(data: Durations) -> int:
    if data.units is None:
        return int(data.event.sum())
    return int(len(np.unique(data.units[data.event])))


def name_small_steps(output: Output, threshold: int, unit: str) -> None:
    """Say which steps are thin (their times), rather than how many cells."""
    flag = output.flags.get("threshold")
    if flag is None or not flag.to_numpy().any():
        return
    rows = flag.to_numpy().any(axis=1)
    times = [str(t) for t, r in zip(output.table.index, rows, strict=True) if r]
    shown = ", ".join(times[:8]) + (f" and {len(times) - 8} more" if len(times) > 8 else "")
    output.reasons = [r for r in output.reasons if not r.endswith("(threshold).")]
    output.reasons.insert(0, (
        f"{len(times)} step(s) of the survival table (at time {shown}) have fewer than "
        f"{threshold} {unit} at risk, with an event, or leaving the risk set since the step "
        "before (threshold). Pool the steps (suppress=True), round the counts or use coarser "
        "times."))


# -- fits and plots ---------------------------------------------------------------------------
def km_table(data: Durations) -> pd.DataFrame:
    """The table a Kaplan–Meier plot shows implicitly: statsmodels' ``summary()`` layout."""
    import statsmodels.api as sm

    return sm.SurvfuncRight(data.time, data.event.astype(float)).summary()


def durations_of(fit: Any, time: Any = None, status: Any = None,
                 units: Any = None) -> Durations:
    """The records behind a fitted estimate (``SurvfuncRight`` or ``KaplanMeierFitter``);
    ``time``/``status`` as given to it, where known, else as it keeps them."""
    if time is None:
        if hasattr(fit, "durations"):  # lifelines
            time, status = fit.durations, fit.event_observed
        else:
            time, status = fit.time, fit.status
    return Durations.of(np.asarray(time), None if status is None else np.asarray(status),
                        None if units is None else np.asarray(units))


def is_km_fit(obj: Any) -> bool:
    """A statsmodels ``SurvfuncRight`` or a fitted lifelines ``KaplanMeierFitter``."""
    name = type(obj).__name__
    module = type(obj).__module__ or ""
    if name == "SurvfuncRight" and module.startswith("statsmodels"):
        return True
    return name == "KaplanMeierFitter" and module.startswith("lifelines") and hasattr(
        obj, "durations")


def survival_figure(fit: Any, table: pd.DataFrame, mitigated: bool) -> Any:
    """The figure of an estimate: statsmodels' own plot, or the mitigated curve as steps."""
    if not mitigated:
        return fit.plot()
    import matplotlib.pyplot as plt

    layout = layout_of(table)
    column = layout.estimates[0] if layout.estimates else None
    fig, ax = plt.subplots()
    if column is not None:
        times = np.concatenate([[0.0], table.index.to_numpy(dtype=float)])
        surv = np.concatenate([[1.0], table[column].to_numpy(dtype=float)])
        ax.step(times, surv, where="post")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("Time")
    ax.set_ylabel("Proportion surviving")
    return fig
