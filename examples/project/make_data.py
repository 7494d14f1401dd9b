"""Generate the example project's synthetic microdata (no real person is in it).

A two-wave panel shaped like a labour force survey: several rows per person, a small region
that fails the threshold, a few very high earners that dominate their cells, and survey
weights, and months in the wave-1 job until leaving it (24 months of follow-up). Run:
``python make_data.py`` (writes ``data/lfs_synthetic.csv``, seed fixed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

REGIONS = {  # share of the population
    "North East": 0.10, "North West": 0.16, "Yorkshire": 0.12, "East Midlands": 0.10,
    "West Midlands": 0.12, "East": 0.12, "London": 0.16, "South East": 0.10,
    "Isles of Scilly": 0.002,
}


def make(persons: int = 3_000, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    shares = np.array(list(REGIONS.values()))
    person = pd.DataFrame({
        "person_id": np.arange(1, persons + 1),
        "region": rng.choice(list(REGIONS), persons, p=shares / shares.sum()),
        "sex": rng.choice(["Female", "Male"], persons),
        "age": rng.integers(18, 66, persons),
        "marital": rng.choice(["Married", "Single", "Divorced", "Widowed"], persons,
                              p=[0.5, 0.35, 0.12, 0.03]),
        "weight": rng.uniform(0.6, 1.8, persons).round(3),
    })
    waves = []
    for wave in (1, 2):
        w = person.copy()
        w["wave"] = wave
        w["hours"] = np.clip(rng.normal(34, 10, persons), 2, 70).round()
        w["earnings"] = (rng.lognormal(9.9, 0.6, persons) * (w["hours"] / 35)).round(2)
        waves.append(w)
    df = pd.concat(waves, ignore_index=True)
    # a handful of very high earners make their cells dominated
    top = rng.choice(len(df), 3, replace=False)
    df.loc[top, "earnings"] = [2_400_000.0, 1_900_000.0, 1_250_000.0]
    df["age_band"] = pd.cut(df.age, [17, 30, 40, 50, 65],
                            labels=["18-30", "31-40", "41-50", "51-65"]).astype(str)
    df["full_time"] = np.where(df.hours >= 30, "Full time", "Part time")
    df["employed"] = (rng.uniform(size=len(df)) < 0.9).astype(int)
    return df.merge(_job_spells(persons, seed + 1), on="person_id")


def _job_spells(persons: int, seed: int) -> pd.DataFrame:
    """Months in the wave-1 job until leaving it, followed up for 24 months (own generator,
    so the other columns stay as they were)."""
    rng = np.random.default_rng(seed)
    leave = np.ceil(rng.exponential(30, persons))
    lost = np.ceil(rng.uniform(1, 200, persons))  # lost to follow-up, mostly after 24 months
    months = np.minimum.reduce([leave, lost, np.full(persons, 24.0)])
    return pd.DataFrame({"person_id": np.arange(1, persons + 1),
                         "months_in_job": months.astype(int),
                         "left_job": (leave <= np.minimum(lost, 24)).astype(int)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--persons", type=int, default=3_000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "lfs_synthetic.csv"
    make(args.persons).to_csv(path, index=False)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
