"""Seeded data and ACRO read-outs for the agreement tests (no pytest fixtures here).

The generated frame is built so that every rule we compare with ACRO fires somewhere:
sparse levels (threshold), empty combinations (zeros), one cell with a single dominant
income (nk and p_percent) and one with two dominant incomes (nk only).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261125
N_ROWS = 3000

# Where each rule is made to fire (checked by test_generated_data_has_the_planned_risks).
SPARSE_REGION = "Islands"  # 8 rows in all: below the threshold of 10 in every cell
SPARSE_SECTOR = "Mining"  # 9 rows in all
ZERO_CELL = ("North", "Arts")  # no record at all
ONE_DOMINANT = ("Scotland", "Arts")  # one income of 2e7 among ~40 small ones: nk and p% fail
TWO_DOMINANT = ("Wales", "Arts")  # two incomes of 8e6 among ~40: nk fails, p% passes


def shared_data_dir() -> Path:
    """The shared data folder: ``$SDC_SHARED_DATA`` or ``../shared/data`` next to the repo."""
    env = os.environ.get("SDC_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def acro_test_data() -> pd.DataFrame | None:
    """ACRO's own test data set (918 rows of charities), or None when it is not there."""
    path = shared_data_dir() / "acro_test_data.dta"
    if not path.exists():
        return None
    return pd.read_stata(path)


def generated(n_rows: int = N_ROWS, seed: int = SEED) -> pd.DataFrame:
    """A survey-like frame with planned threshold, zeros, nk and p% failures.

    Keys are plain strings (object dtype), so ``observed=`` and ``dropna=`` make no
    difference to the table shape in pandas 2 and 3 alike.
    """
    rng = np.random.default_rng(seed)
    regions = ["London", "North", "Wales", "Scotland", "Midlands"]
    sectors = ["Finance", "Retail", "Arts", "Health"]
    n_main = n_rows - 8 - 9
    region = rng.choice(regions, size=n_main, p=[0.3, 0.2, 0.2, 0.15, 0.15])
    sector = rng.choice(sectors, size=n_main, p=[0.35, 0.3, 0.1, 0.25])
    # the planned empty cell: move North x Arts records to Health
    sector[(region == ZERO_CELL[0]) & (sector == ZERO_CELL[1])] = "Health"
    region = np.concatenate([region, [SPARSE_REGION] * 8, rng.choice(regions[1:], 9)])
    sector = np.concatenate([sector, rng.choice(["Finance", "Retail"], 8), [SPARSE_SECTOR] * 9])
    n = len(region)
    income = np.round(rng.lognormal(mean=10.0, sigma=0.8, size=n), 2)
    income[rng.random(n) < 0.05] = 0.0  # some zero incomes (not dominance-relevant)
    in_one = np.flatnonzero((region == ONE_DOMINANT[0]) & (sector == ONE_DOMINANT[1]))
    income[in_one[0]] = 20_000_000.0
    in_two = np.flatnonzero((region == TWO_DOMINANT[0]) & (sector == TWO_DOMINANT[1]))
    income[in_two[:2]] = 8_000_000.0
    age = rng.integers(18, 70, size=n)
    hours = np.round(rng.normal(35, 8, size=n).clip(1, 70), 1)
    # a binary outcome that depends on age and sector, for logit/probit
    lin = -1.0 + 0.03 * (age - 40) + np.where(sector == "Finance", 0.8, 0.0)
    full_time = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    year = rng.choice([2019, 2020, 2021], size=n)
    sex = rng.choice(["F", "M"], size=n)
    frame = pd.DataFrame(
        {
            "region": pd.array(region, dtype=object),
            "sector": pd.array(sector, dtype=object),
            "sex": pd.array(sex, dtype=object),
            "year": year,
            "age": age,
            "hours": hours,
            "income": income,
            "full_time": full_time,
            "person_id": np.arange(n),
        }
    )
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


# --------------------------------------------------------------------------- ACRO read-outs

# ACRO's check names (results.json layout) and our rule ids.
ACRO_CHECK = {
    "threshold": "MinimumThresholdCheck",
    "zeros": "PresenceOfZeroCheck",
    "nk": "NKCheck",
    "p_percent": "PPercentCheck",
    "dof": "MinimumDoFCheck",
}


def last_acro_record(acro_session):
    """The record ACRO added for its latest call."""
    results = acro_session.results.results
    return results[list(results)[-1]]


def acro_cell_flags(record, rule: str) -> pd.DataFrame:
    """One rule's per-cell verdicts from ACRO's outcome table, aligned with the output table.

    ACRO writes, for each cell of the output, the names of the checks that cell fails
    ("ok" when none); a check whose name never appears failed no cell.
    """
    outcome = record.outcome
    name = ACRO_CHECK[rule]
    return outcome.apply(lambda col: col.astype(str).str.contains(name, regex=False))


def acro_failing_cells(record, rule: str) -> int:
    """How many cells ACRO counts as failing one rule (results.json ``sdc.summary``)."""
    return int(record.sdc.get("summary", {}).get(ACRO_CHECK[rule], 0))
