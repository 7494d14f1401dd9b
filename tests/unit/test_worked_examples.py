"""The published worked examples in DESIGN.md, as tests."""

import pandas as pd

import jupyter_sdc as sdc


def heart_disease() -> pd.DataFrame:
    # age band: (with heart disease, total)
    bands = {"21-30": (1, 1), "31-40": (10, 100), "41-50": (15, 90), "51+": (25, 85)}
    rows = []
    for band, (yes, total) in bands.items():
        rows += [(band, "yes")] * yes + [(band, "no")] * (total - yes)
    return pd.DataFrame(rows, columns=["age_band", "heart_disease"])


def test_one_person_aged_21_30_is_unsafe():
    df = heart_disease()
    session = sdc.Session()
    table = session.crosstab(df.age_band, df.heart_disease, margins=True)
    out = session.outputs[-1]
    assert table.loc["All", "All"] == 276 and table.loc["All", "yes"] == 51
    assert out.status == "fail"
    assert out.flags["threshold"].loc["21-30", "yes"]
    assert out.counts.loc["21-30", "yes"] == 1


def test_redacting_21_30_with_true_totals_is_still_unsafe():
    """The totals give the redacted cell back; the attacker's audit says so and it fails."""
    df = heart_disease()
    session = sdc.Session()
    table = session.crosstab(df.age_band, df.heart_disease, margins=True, suppress=True)
    out = session.outputs[-1]
    assert pd.isna(table.loc["21-30", "yes"])
    assert table.loc["All", "yes"] == 51          # margins stay the true totals
    assert out.flags["secondary"].to_numpy().any()
    assert out.status == "fail" and out.checks["audit"] == "fail"
    assert out.mitigation["protected"] is False


def test_secondary_suppression_protects_a_small_cell_and_keeps_true_margins():
    rows = ([("A", "x")] * 40 + [("A", "y")] * 30 + [("A", "z")] * 3
            + [("B", "x")] * 25 + [("B", "y")] * 35 + [("B", "z")] * 20
            + [("C", "x")] * 30 + [("C", "y")] * 22 + [("C", "z")] * 28)
    df = pd.DataFrame(rows, columns=["r", "c"])
    session = sdc.Session()
    table = session.crosstab(df.r, df.c, margins=True, suppress=True)
    out = session.outputs[-1]
    assert pd.isna(table.loc["A", "z"])
    assert out.flags["secondary"].to_numpy().sum() >= 3   # a hypercube needs 3 partners
    assert table.loc["A", "All"] == 73 and table.loc["All", "All"] == 233
    assert out.mitigation["protected"] is True and out.status == "review"
    audit = out.mitigation["audit"]
    assert audit


def test_class_disclosure_marital_status_by_hours():
    rows = ([("Married", "Full time")] * 6 + [("Divorced", "Full time")] * 5
            + [("Divorced", "Part time")] * 1 + [("Single", "Full time")] * 2
            + [("Single", "Part time")] * 2)
    df = pd.DataFrame(rows, columns=["marital", "hours"])
    # threshold and zeros fire too, so switch them off to see class disclosure alone
    session = sdc.Session(threshold=1, zeros=False)
    session.crosstab(df.marital, df.hours)
    out = session.outputs[-1]
    assert out.checks["class_disclosure"] == "fail"
    assert out.flags["class_disclosure"].loc["Married"].all()
    assert not out.flags["class_disclosure"].loc["Single"].any()
    assert out.checks["threshold"] == "pass" and out.checks["zeros"] == "pass"
