"""Differencing across outputs: nested populations and re-banded variables."""

import numpy as np
import pandas as pd
import pytest

from jupyter_sdc.core.differencing import check_differencing, dataset_key, fingerprint

AGES = ["21-30", "31-40", "41-50", "51+"]


def heart_microdata() -> pd.DataFrame:
    """People whose crosstabs are the published example: all 8/20, 10/25, 15/30, 25/40 (yes /
    total per age band) and men 7/19, 5/15, 8/18, 13/25."""
    rows = []
    spec = zip(AGES, [8, 10, 15, 25], [20, 25, 30, 40], [7, 5, 8, 13], [19, 15, 18, 25],
               strict=True)
    for age, yes, total, men_yes, men_total in spec:
        for i in range(total):
            ill = i < yes
            man = i < men_yes if ill else (i - yes) < (men_total - men_yes)
            rows.append((age, "yes" if ill else "no", "M" if man else "F"))
    return pd.DataFrame(rows, columns=["age", "heart_disease", "sex"])


def crosstab(frame):
    return pd.crosstab(frame["age"], frame["heart_disease"])[["yes", "no"]]


def heart_fingerprints(threshold_table_label="Table 3"):
    people = heart_microdata()
    key = dataset_key(people)
    men = people[people["sex"] == "M"]
    everyone = fingerprint(people.index, key, ("age", "heart_disease"), crosstab(people),
                           label="Table 1")
    males = fingerprint(men.index, key, ("age", "heart_disease"), crosstab(men),
                        label=threshold_table_label)
    return everyone, males


def test_published_tables_are_the_example():
    people = heart_microdata()
    men = people[people["sex"] == "M"]
    assert crosstab(people).to_numpy().tolist() == [[8, 12], [10, 15], [15, 15], [25, 15]]
    assert crosstab(men).to_numpy().tolist() == [[7, 12], [5, 10], [8, 10], [13, 12]]
    assert crosstab(people)["yes"].sum() == 58 and crosstab(people).to_numpy().sum() == 115
    # the source prints the men's total as 33/64, but its own bands add up to 33/77
    assert crosstab(men)["yes"].sum() == 33 and crosstab(men).to_numpy().sum() == 77


def test_all_minus_men_gives_one_woman_aged_21_30_with_heart_disease():
    everyone, males = heart_fingerprints()
    stats: dict[str, int] = {}
    [finding] = check_differencing([("t1", everyone), ("t3", males)], threshold=10, stats=stats)
    assert stats == {"outputs": 2, "pairs_compared": 1, "nested_pairs": 1, "rebanded_pairs": 0}
    assert finding.kind == "nested-population"
    assert (finding.uid_a, finding.uid_b) == ("t1", "t3")
    assert finding.implied.loc["21-30", "yes"] == 1
    assert finding.implied.to_numpy().tolist() == [[1, 0], [5, 5], [7, 5], [12, 3]]
    assert finding.failing_cells[0] == "age=21-30, heart_disease=yes"
    assert finding.reason_for("t1").startswith("With Table 3, the difference gives 1 record(s) "
                                               "with age=21-30, heart_disease=yes")
    assert "(implied count 1 < 10)" in finding.reason
    assert finding.reason_for("t3").startswith("With Table 1,")


def test_zero_implied_cell_fails_only_when_zeros_are_disclosive():
    everyone, males = heart_fingerprints()
    with_zeros = check_differencing([("t1", everyone), ("t3", males)], threshold=2)
    assert with_zeros[0].failing_cells == ["age=21-30, heart_disease=yes",
                                           "age=21-30, heart_disease=no"]
    without = check_differencing([("t1", everyone), ("t3", males)], threshold=2, zeros=False)
    assert without[0].failing_cells == ["age=21-30, heart_disease=yes"]


@pytest.mark.parametrize(("threshold", "fails"), [(3, False), (4, True)])
def test_threshold_boundary_on_the_smallest_implied_cell(threshold, fails):
    # drop the first age band: the smallest implied women's cell is then 3 (51+, no)
    everyone, males = heart_fingerprints()
    people = heart_microdata()
    kept = people[people["age"] != "21-30"]
    men = kept[kept["sex"] == "M"]
    key = dataset_key(people)
    a = fingerprint(kept.index, key, ("age", "heart_disease"), crosstab(kept))
    b = fingerprint(men.index, key, ("age", "heart_disease"), crosstab(men))
    findings = check_differencing([("a", a), ("b", b)], threshold=threshold)
    assert bool(findings) is fails
    if fails:
        assert findings[0].failing_cells == ["age=51+, heart_disease=no"]


def test_different_datasets_sharing_column_names_are_not_combined():
    people = heart_microdata()
    other = people.sample(frac=1.0, random_state=1).reset_index(drop=True)
    other.loc[0, "sex"] = "F" if other.loc[0, "sex"] == "M" else "M"
    assert dataset_key(people) != dataset_key(other)
    men = other[other["sex"] == "M"]
    a = fingerprint(people.index, dataset_key(people), ("age", "heart_disease"),
                    crosstab(people))
    b = fingerprint(men.index, dataset_key(other), ("age", "heart_disease"), crosstab(men))
    assert check_differencing([("a", a), ("b", b)], threshold=10) == []


def test_overlapping_but_not_nested_populations_are_not_differenced():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"g": rng.choice(["x", "y"], 10_000)})
    key = dataset_key(frame)
    first, second = frame.iloc[:6000], frame.iloc[2000:]
    counts = [f["g"].value_counts().sort_index() for f in (first, second)]
    a = fingerprint(first.index, key, ("g",), counts[0])
    b = fingerprint(second.index, key, ("g",), counts[1])
    assert check_differencing([("a", a), ("b", b)], threshold=10_000) == []
    # a real subset of a large table is found through the sketch
    inner = frame.iloc[100:9995]
    c = fingerprint(inner.index, key, ("g",), inner["g"].value_counts().sort_index())
    d = fingerprint(frame.index, key, ("g",), frame["g"].value_counts().sort_index())
    [finding] = check_differencing([("c", c), ("d", d)], threshold=100)
    assert finding.implied.sum() == 105 and finding.uid_a == "d"


def test_zero_differences_that_restate_the_filter_are_not_reported():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"region": rng.choice(["N", "S", "W"], 600),
                          "ill": rng.choice(["yes", "no"], 600)})
    key = dataset_key(frame)
    north = frame[frame["region"] == "N"]
    for group, table in ((("region", "ill"), lambda f: pd.crosstab(f["region"], f["ill"])),
                         (("region",), lambda f: f["region"].value_counts().sort_index())):
        a = fingerprint(frame.index, key, group, table(frame))
        b = fingerprint(north.index, key, group, table(north))
        assert check_differencing([("a", a), ("b", b)], threshold=10) == []


def hours_microdata() -> pd.DataFrame:
    # 32 men: <20: 6, [20, 25): 1, [25, 40): 8, [40, 60): 5, [60, 70): 8, 70+: 4
    hours = [10] * 6 + [22] + [30] * 8 + [45] * 5 + [65] * 8 + [75] * 4
    return pd.DataFrame({"hours": hours, "sex": "M"})


def test_rebanded_hours_give_one_man_working_20_to_24_hours():
    men = hours_microdata()
    key = dataset_key(men)
    bands = []
    for edges in ([0, 20, 40, 60, 70, 200], [0, 25, 40, 60, 70, 200]):
        banded = pd.cut(men["hours"], edges, right=False)
        counts = banded.value_counts(sort=False).rename_axis("hours")
        bands.append(fingerprint(men.index, key, ("hours",), counts))
    assert bands[0].counts.iloc[:, 0].tolist() == [6, 9, 5, 8, 4]
    assert bands[1].counts.iloc[:, 0].tolist() == [7, 8, 5, 8, 4]
    [finding] = check_differencing([("h1", bands[0]), ("h2", bands[1])], threshold=10)
    assert finding.kind == "band-refinement"
    assert finding.failing_cells == ["hours in [20, 25)"]
    assert finding.implied.loc["[20, 25)"] == 1
    assert "1 record(s) with hours in [20, 25) (implied count 1 < 10)" in finding.reason


def test_rebanding_with_string_labels_and_explicit_edges():
    inf = float("inf")
    a = pd.Series([6, 9, 5, 8, 4], index=pd.Index(["<20", "20-39", "40-59", "60-69", "70+"],
                                                    name="hours"))
    b = pd.Series([7, 8, 5, 8, 4], index=pd.Index(["<25", "25-39", "40-59", "60-69", "70+"],
                                                    name="hours"))
    rows = pd.RangeIndex(32)
    fa = fingerprint(rows, "k", ("hours",), a, band_edges={"hours": [-inf, 20, 40, 60, 70, inf]})
    fb = fingerprint(rows, "k", ("hours",), b, band_edges={"hours": [-inf, 25, 40, 60, 70, inf]})
    [finding] = check_differencing([("a", fa), ("b", fb)], threshold=10)
    assert finding.implied.tolist() == [6, 1, 8, 5, 8, 4]
    # the same bands for a different population are not combined
    other = fingerprint(pd.RangeIndex(100, 132), "k", ("hours",), b,
                        band_edges={"hours": [-inf, 25, 40, 60, 70, inf]})
    assert check_differencing([("a", fa), ("o", other)], threshold=10) == []


def test_safe_refinement_is_not_reported():
    inf = float("inf")
    rows = pd.RangeIndex(100)
    a = pd.Series([40, 60], index=pd.Index(["<20", "20+"], name="hours"))
    b = pd.Series([50, 50], index=pd.Index(["<25", "25+"], name="hours"))
    fa = fingerprint(rows, "k", ("hours",), a, band_edges={"hours": [-inf, 20, inf]})
    fb = fingerprint(rows, "k", ("hours",), b, band_edges={"hours": [-inf, 25, inf]})
    assert check_differencing([("a", fa), ("b", fb)], threshold=10) == []
    assert len(check_differencing([("a", fa), ("b", fb)], threshold=11)) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fingerprint([1, 2], "k", ("g",), pd.Series([1])), "frame_index must be"),
        (lambda: fingerprint(pd.RangeIndex(2), "", ("g",), pd.Series([1])), "dataset_key must"),
        (lambda: fingerprint(pd.RangeIndex(2), "k", ("g",), [1, 2]), "counts must be a pandas"),
        (lambda: fingerprint(pd.RangeIndex(2), "k", ("g",), pd.Series([-1])), "non-negative"),
        (lambda: fingerprint(pd.RangeIndex(2), "k", ("g",), pd.Series([1]),
                             band_edges={"h": [0, 1]}), "not in group_vars"),
        (lambda: check_differencing([], threshold=0), "threshold must be a positive integer"),
        (lambda: check_differencing([("a", object())], threshold=10), "Fingerprint"),
        (lambda: dataset_key([1, 2]), "frame must be a pandas DataFrame"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
