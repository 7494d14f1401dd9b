"""Differencing across the outputs of a session: the published examples, through the wrappers."""

import numpy as np
import pandas as pd

import jupyter_sdc as sdc


def population() -> pd.DataFrame:
    # (yes, all) by age band: everybody 8/20, 10/25, 15/30, 25/40;
    # males 7/19, 5/15, 8/18, 13/25
    spec = {"21-30": ((7, 19), (1, 1)), "31-40": ((5, 15), (5, 10)),
            "41-50": ((8, 18), (7, 12)), "51+": ((13, 25), (12, 15))}
    rows = []
    for band, ((m_yes, m_all), (f_yes, f_all)) in spec.items():
        rows += [(band, "M", "yes")] * m_yes + [(band, "M", "no")] * (m_all - m_yes)
        rows += [(band, "F", "yes")] * f_yes + [(band, "F", "no")] * (f_all - f_yes)
    return pd.DataFrame(rows, columns=["age_band", "sex", "heart_disease"])


def test_all_minus_men_gives_one_woman_aged_21_30():
    df = population()
    session = sdc.Session(threshold=5, zeros=False)
    session.crosstab(df.age_band, df.heart_disease, label="Table 1")
    men = df[df.sex == "M"]
    session.crosstab(men.age_band, men.heart_disease, label="Table 2")
    t1, t2 = session.get("Table 1"), session.get("Table 2")
    assert t1.checks["differencing"] == "review" and t2.checks["differencing"] == "review"
    assert any("Table 2" in r and "21-30" in r for r in t1.reasons)
    assert any("Table 1" in r for r in t2.reasons)


def test_different_datasets_sharing_column_names_are_not_combined():
    df = population()
    other = df.copy()
    other["heart_disease"] = np.where(other.heart_disease == "yes", "no", "yes")
    session = sdc.Session(threshold=5, zeros=False)
    session.crosstab(df.age_band, df.heart_disease)
    sub = other[other.sex == "M"]
    session.crosstab(sub.age_band, sub.heart_disease)
    assert all(o.checks["differencing"] == "pass" for o in session.outputs)


def test_rebanded_hours_give_the_people_working_20_to_24():
    # males by hours <20/20-39/40-59/60-69/70+ = 6/9/5/8/4 and <25/25-39/... = 7/8/5/8/4
    hours = [10] * 6 + [22] + [30] * 8 + [45] * 5 + [65] * 8 + [75] * 4
    df = pd.DataFrame({"hours": hours, "sex": "M"})
    session = sdc.Session(threshold=3, zeros=False)
    a = pd.cut(df.hours, [0, 20, 40, 60, 70, 100], right=False).rename("hours")
    b = pd.cut(df.hours, [0, 25, 40, 60, 70, 100], right=False).rename("hours")
    session.crosstab(a, df.sex, label="Table 1")
    session.crosstab(b, df.sex, label="Table 2")
    reasons = " ".join(session.get("Table 2").reasons)
    assert "[20, 25)" in reasons and session.get("Table 1").checks["differencing"] == "review"


def test_differencing_can_be_switched_off_or_made_a_fail():
    df = population()
    men = df[df.sex == "M"]
    off = sdc.Session(threshold=5, zeros=False, differencing="off")
    off.crosstab(df.age_band, df.heart_disease)
    off.crosstab(men.age_band, men.heart_disease)
    assert all("differencing" not in o.checks for o in off.outputs)
    strict = sdc.Session(threshold=5, zeros=False, differencing="fail")
    strict.crosstab(df.age_band, df.heart_disease)
    strict.crosstab(men.age_band, men.heart_disease)
    assert strict.outputs[0].status == "fail"


def test_large_tables_use_a_sample_of_rows_and_still_find_nesting():
    rng = np.random.default_rng(11)
    n = 50_000
    df = pd.DataFrame({"area": rng.choice(["A", "B", "C"], n),
                       "tenure": rng.choice(["Own", "Rent"], n), "sex": rng.choice(["F", "M"], n)})
    df.loc[df.index[:30], ["area", "tenure", "sex"]] = ["D", "Own", "M"]  # 30 men in area D
    df.loc[df.index[30:34], ["area", "tenure", "sex"]] = ["D", "Own", "F"]  # and 4 women
    session = sdc.Session(zeros=False)
    session.crosstab(df.area, df.tenure, label="All")
    men = df[df.sex == "M"]
    session.crosstab(men.area, men.tenure, label="Men")
    women = df[df.sex == "F"]
    session.crosstab(women.area, women.tenure, label="Women")
    assert session.get("All").fingerprint.n_rows == n
    assert session.get("Men").checks["differencing"] == "review"
    # a different data set with the same labels and columns is not combined
    other = df.copy()
    other["tenure"] = rng.choice(["Own", "Rent"], n)
    fresh = sdc.Session(zeros=False)
    fresh.crosstab(df.area, df.tenure)
    sub = other[other.sex == "M"]
    fresh.crosstab(sub.area, sub.tenure)
    assert all(o.checks["differencing"] == "pass" for o in fresh.outputs)
