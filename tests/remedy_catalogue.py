"""A generated catalogue of failing outputs, written the way researchers write them (for the
remedies' coverage test in a shell and in a real kernel).

``SETUP`` makes the data (a synthetic survey and a register of firms); ``CELLS`` are checked
cells, each making one output that fails: sparse ordered and nominal categories, empty
combinations, class disclosure, dominated cells, maxima and minima, histograms with sparse
tails, scatter and box plots, models with sparse levels.
"""

from __future__ import annotations

SDC_TOML = """\
[project]
id = "P-0011"
title = "Remedies catalogue"

[hierarchies.region]
"North East" = "North"
"North West" = "North"
Yorkshire = "North"
London = "South"
"South East" = "South"
"South West" = "South"
Wales = "West"
Scotland = "North"
"""

SETUP = """\
import numpy as np
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import statsmodels.formula.api as smf
import jupyter_sdc as sdc

rng = np.random.default_rng(11)
n = 800
regions = ["London", "South East", "North West", "Yorkshire", "South West", "North East",
           "Wales", "Scotland"]
df = pd.DataFrame({
    "person_id": np.arange(n),
    "region": rng.choice(regions, n, p=[.24, .22, .18, .14, .12, .07, .02, .01]),
    "sex": rng.choice(["female", "male"], n),
    "age": np.clip(rng.gamma(9, 5, n).astype(int) + 16, 16, 92),
    "job": rng.choice(["clerk", "nurse", "teacher", "driver", "farmer", "pilot"], n,
                      p=[.35, .25, .2, .15, .04, .01]),
    "hours": np.clip(rng.normal(35, 9, n), 1, 80).round(1),
    "income": rng.lognormal(10, 0.6, n).round(0),
})
df.loc[3, "income"] = 2_500_000  # one very high earner
df["age_band"] = pd.cut(df.age, [15, 24, 34, 44, 54, 64, 74, 100],
                        labels=["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
                        ).astype(str)
df["band"] = pd.cut(df.age, [15, 30, 45, 60, 75, 100])
df["education"] = pd.Categorical(
    rng.choice(["none", "school", "college", "degree", "doctorate"], n,
               p=[.1, .4, .3, .18, .02]),
    categories=["none", "school", "college", "degree", "doctorate"], ordered=True)
df["children"] = rng.choice([0, 1, 2, 3, 4, 5, 6], n, p=[.3, .25, .25, .12, .05, .02, .01])
df["marital"] = rng.choice(["married", "divorced", "single"], n, p=[.1, .3, .6])
df["fulltime"] = np.where(df.marital == "married", "full", rng.choice(["full", "part"], n))
df["employed"] = rng.choice(["yes", "no"], n, p=[.8, .2])

firms = pd.DataFrame({
    "sector": rng.choice(["retail", "energy", "farming", "finance"], 300, p=[.4, .2, .3, .1]),
    "size": rng.choice(["small", "large"], 300, p=[.7, .3]),
    "turnover": rng.lognormal(12, 0.5, 300).round(0),
})
firms.loc[firms.sector == "energy", "turnover"] *= 0.01
firms.loc[firms.index[firms.sector == "energy"][0], "turnover"] = 5e6  # one dominant firm
young = df[df.age < 40]
"""


def _checked(label: str, body: str) -> str:
    return f'%%sdc_check --label "{label}"\n{body}'


def cells() -> list[str]:
    """The catalogue: one failing output per cell."""
    out: list[str] = []
    table = iter(range(1, 1000))
    figure = iter(range(1, 1000))

    def t(body: str) -> None:
        out.append(_checked(f"Table {next(table)}", body))

    def f(body: str) -> None:
        out.append(_checked(f"Figure {next(figure)}", body))

    # sparse nominal and ordered categories, one- and two-way, counts and statistics
    for key in ("region", "job", "age_band", "band", "education", "children"):
        t(f"pd.crosstab(df.{key}, df.sex)")
        t(f'df.groupby(["{key}", "sex"], observed=True)["income"].mean()')
    for key in ("region", "job", "children"):
        t(f"df[{key!r}].value_counts()")
    for key in ("region", "age_band", "education"):
        t(f'pd.crosstab(df.{key}, df.sex, margins=True)')
        t(f'df.groupby(["{key}", "sex"], observed=True).size().unstack()')
        t(f'sdc.pivot_table(df, values="hours", index={key!r}, columns="sex", aggfunc="sum")')
        t(f'pd.crosstab(df.{key}, df.employed, values=df.income, aggfunc="mean")')
    t("sdc.crosstab(df.age, df.sex)")
    t("pd.crosstab([df.region, df.sex], df.employed)")
    t("pd.crosstab(df.job, df.region)")
    t("young.groupby(['region', 'job']).size()")
    # class disclosure: every married person works full time
    t("pd.crosstab(df.marital, df.fulltime)")
    # dominance
    t('pd.crosstab(firms.sector, firms["size"], values=firms.turnover, aggfunc="sum")')
    t('firms.groupby("sector")["turnover"].sum()')
    # maxima, minima and extremes
    for column in ("income", "hours", "children"):
        t(f"df.{column}.max()")
    t("df.income.min()")
    t('sdc.stat(df.income, "max")')
    t("df[['income', 'hours']].describe()")
    t("df.income.describe()")
    t("df.income.quantile(1.0)")
    t('df.groupby("sex")["income"].max()')
    # histograms with sparse tails
    f("fig, ax = plt.subplots()\nax.hist(df.income, bins=30)\nfig")
    f("fig, ax = plt.subplots()\nax.hist(df.hours, bins=40)\nfig")
    f("fig, ax = plt.subplots()\nax.hist(df.age, bins=60)\nfig")
    f('sdc.hist(df, "income", bins=40)')
    f('sdc.hist(df, "age", bins=70)')
    # scatter plots (every point a record) and box plots (whiskers and outliers are records)
    f("fig, ax = plt.subplots()\nax.scatter(df.age, df.income)\nfig")
    f("fig, ax = plt.subplots()\nax.scatter(df.hours, df.income, s=4, alpha=0.5)\nfig")
    f("fig, ax = plt.subplots()\nax.boxplot(df.income)\nfig")
    f("fig, ax = plt.subplots()\nax.boxplot(df.hours, showfliers=False)\nfig")
    # models with sparse levels and few degrees of freedom
    out.append(_checked("Model 1", 'smf.ols("income ~ C(region) + age", data=df).fit()'))
    out.append(_checked("Model 2", 'smf.ols("hours ~ C(job) + C(education)", data=df).fit()'))
    out.append(_checked("Model 3", 'smf.ols("hours ~ C(region) + age", data=young).fit()'))
    return out


CELLS = cells()
