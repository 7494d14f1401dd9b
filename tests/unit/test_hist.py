"""Histogram wrapper and figure evidence: bin counts at their boundaries, every record counted."""

import base64

import matplotlib

matplotlib.use("Agg")  # tests only: the package never picks a backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import jupyter_sdc as sdc  # noqa: E402
from jupyter_sdc.adapters.matplotlib import check_figure, check_hist  # noqa: E402
from jupyter_sdc.core.rules import RuleValues  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _closed():
    yield
    plt.close("all")


@pytest.fixture
def sess():
    return sdc.Session()


def values_per_bin(sizes: list[int], width: float = 10.0) -> pd.DataFrame:
    """``sizes[i]`` records in the middle of bin i of the edges 0, 10, 20, ..."""
    v = np.concatenate([np.full(n, i * width + width / 2) for i, n in enumerate(sizes)])
    return pd.DataFrame({"v": v})


EDGES = [0, 10, 20, 30]


@pytest.mark.parametrize(("n", "fails"), [(9, True), (10, False)])
def test_bin_with_9_fails_10_passes(sess, n, fails):
    df = values_per_bin([20, n, 20])
    sess.hist(df, "v", bins=EDGES)
    out = sess.outputs[-1]
    assert list(out.counts["count"]) == [20, n, 20]
    assert bool(out.flags["threshold"].loc["[10, 20)", "count"]) is fails
    assert out.status == ("fail" if fails else "pass")


def test_records_at_the_maximum_are_counted(sess):
    # 10 records sit exactly on the top edge: numpy and matplotlib put them in the last bin
    df = pd.DataFrame({"v": np.r_[np.full(10, 0.0), np.full(15, 55.0), np.full(10, 100.0)]})
    sess.hist(df, "v", bins=10, round_edges=False)  # the data's own edges, as numpy
    out = sess.outputs[-1]
    assert out.table.index[-1] == "[90, 100]"
    assert out.table.index[0] == "[0, 10)"
    assert out.table.index.name == "v"
    assert out.counts.loc["[90, 100]", "count"] == 10
    assert int(out.table["count"].sum()) == len(df) == out.summary["n"]
    np.testing.assert_array_equal(out.table["count"], np.histogram(df.v, bins=10)[0])


def test_counts_agree_with_numpy_on_awkward_data(sess):
    rng = np.random.default_rng(7)
    v = np.round(rng.lognormal(3, 1, 5000), 1)
    v[:50] = v.max()
    df = pd.DataFrame({"income": v})
    for bins in (7, 13, "auto"):
        sess.hist(df, "income", bins=bins, round_edges=False)
        np.testing.assert_array_equal(sess.outputs[-1].table["count"],
                                      np.histogram(v, bins=bins)[0])


def test_missing_values_are_left_out_and_noted(sess):
    df = values_per_bin([12, 12, 12])
    df.loc[[0, 1, 2], "v"] = np.nan
    sess.hist(df, "v", bins=EDGES)
    out = sess.outputs[-1]
    assert list(out.counts["count"]) == [9, 12, 12]
    assert out.summary["missing"] == 3
    assert "3 missing values are not in the histogram." in out.reasons


@pytest.mark.parametrize("zeros", [True, False])
def test_empty_tail_bins_follow_the_zeros_rule(sess, zeros):
    df = values_per_bin([15, 15, 0, 0], width=25.0)
    sess.hist(df, "v", bins=4, range=(0, 100), zeros=zeros)
    out = sess.outputs[-1]
    assert list(out.counts["count"]) == [15, 15, 0, 0]
    assert out.checks["zeros"] == ("fail" if zeros else "pass")
    assert out.checks["threshold"] == ("fail" if zeros else "pass")
    assert out.status == ("fail" if zeros else "pass")


def test_values_outside_the_range_are_noted(sess):
    df = pd.DataFrame({"v": np.r_[np.full(20, 5.0), np.full(20, 15.0), [250.0]]})
    sess.hist(df, "v", bins=2, range=(0, 20))
    out = sess.outputs[-1]
    assert out.summary["outside"] == 1
    assert any("1 value outside the range 0 to 20" in r for r in out.reasons)


@pytest.mark.parametrize(("units", "fails"), [(9, True), (10, False)])
def test_unit_counts_distinct_units_per_bin(sess, units, fails):
    df = values_per_bin([30, 3 * units, 30])
    df["person"] = np.arange(len(df)) // 3
    sess.hist(df, "v", bins=EDGES)
    assert sess.outputs[-1].status == "pass"
    sess.hist(df, "v", bins=EDGES, unit="person")
    out = sess.outputs[-1]
    assert list(out.counts["count"]) == [10, units, 10]
    assert list(out.table["count"]) == [30, 3 * units, 30]  # the figure still shows records
    assert out.status == ("fail" if fails else "pass")


@pytest.mark.parametrize(("at_max", "flagged"), [(9, True), (10, False)])
def test_edges_from_the_data_publish_the_extremes(sess, at_max, flagged):
    df = pd.DataFrame({"v": np.r_[np.full(10, 0.0), np.full(30, 50.0), np.full(at_max, 100.0)]})
    # sdc.hist rounds the outer edges outward: the extremes are not published, and it says so
    sess.hist(df, "v", bins=2)
    out = sess.outputs[-1]
    assert out.summary["edges"][0] < 0 and out.summary["edges"][-1] > 100
    assert "extremes" not in out.summary and "min_max" not in out.checks
    assert any("rounded outward" in n for n in out.mitigation["notes"])
    # drawn with the data's own edges (ax.hist, or round_edges=False): judged as extremes
    sess.hist(df, "v", bins=2, round_edges=False)
    assert sess.outputs[-1].summary["extremes"] == {"min": 10, "max": at_max}
    judged = check_hist(df.v, 2, rules=RuleValues(), uid="h")
    assert bool(judged.flags["min_max"].iloc[-1, 0]) is flagged
    assert not judged.flags["min_max"].iloc[0, 0]
    assert judged.status == ("fail" if flagged else "pass")
    assert any("(min_max)" in r for r in judged.reasons) is flagged
    review = check_hist(df.v, 2, rules=RuleValues(min_max="review"), uid="h")
    assert review.status == ("review" if flagged else "pass")


def test_given_edges_publish_no_extremes(sess):
    sess.hist(values_per_bin([12, 15, 1]), "v", bins=EDGES)
    assert "extremes" not in sess.outputs[-1].summary


def test_returns_what_dataframe_hist_returns_and_draws_the_counts(sess):
    df = values_per_bin([12, 15, 20])
    axes = sess.hist(df, "v", bins=EDGES, figsize=(4, 3))
    expected = df.hist(column="v", bins=EDGES)
    assert type(axes) is type(expected) and axes.shape == expected.shape
    heights = [p.get_height() for p in axes.ravel()[0].patches]
    assert heights == [12, 15, 20]
    png = base64.b64decode(sess.outputs[-1].figure["png"])
    assert png.startswith(PNG_MAGIC)
    assert sess.outputs[-1].kind == "figure" and sess.outputs[-1].statistic == "histogram"


def test_draws_on_a_given_axes(sess):
    fig, ax = plt.subplots()
    axes = sess.hist(values_per_bin([12, 15, 20]), "v", bins=EDGES, ax=ax)
    assert np.ravel(axes)[0] is ax


def test_weighted_bars_keep_unweighted_counts(sess):
    df = values_per_bin([12, 15, 20])
    axes = sess.hist(df, "v", bins=EDGES, weights=np.full(len(df), 2.5))
    assert [p.get_height() for p in np.ravel(axes)[0].patches] == [30, 37.5, 50]
    out = sess.outputs[-1]
    assert list(out.counts["count"]) == [12, 15, 20]
    assert any("drawn with weights" in r for r in out.reasons)
    with pytest.raises(ValueError, match="by= draws one histogram per group"):
        sess.hist(df.assign(g="a"), "v", by="g")


def test_record_round_trips(sess):
    sess.hist(values_per_bin([12, 3, 20]), "v", bins=EDGES, title="Hours")
    out = sess.outputs[-1]
    again = sdc.Output.from_dict(out.to_dict())
    assert list(again.table.index) == ["[0, 10)", "[10, 20)", "[20, 30]"]
    assert again.status == out.status == "fail" and again.title == "Hours"
    assert again.figure == out.figure


def test_bad_input_is_named(sess):
    df = pd.DataFrame({"v": [1.0, 2.0], "s": ["a", "b"], "w": [1.0, np.inf]})
    with pytest.raises(KeyError, match="column 'nope' is not in the data"):
        sess.hist(df, "nope")
    with pytest.raises(TypeError, match="not numeric"):
        sess.hist(df, "s")
    with pytest.raises(ValueError, match="infinite"):
        sess.hist(df, "w")
    with pytest.raises(ValueError, match="one column per histogram"):
        sess.hist(df, ["v", "w"])
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        sess.hist(df.v, "v")
    with pytest.raises(ValueError, match="bins="):
        sess.hist(df, "v", bins=[3, 2, 1])


def test_labels_keep_close_edges_apart():
    out = check_hist(pd.Series(np.linspace(1000.0, 1000.3, 40), name="x"), 3,
                     rules=RuleValues(), uid="h")
    assert list(out.table.index) == ["[1000, 1000.1)", "[1000.1, 1000.2)", "[1000.2, 1000.3]"]


# -------------------------------------------------------------------- captured figures
def test_traced_histogram_figure_gets_counts():
    values = pd.Series(np.r_[np.full(12, 5.0), np.full(3, 15.0), np.full(20, 30.0)])
    fig, ax = plt.subplots()
    ax.hist(values, bins=3)
    out = check_figure(fig, rules=RuleValues(), uid="f", values=values)
    assert list(out.counts["count"]) == [12, 3, 20]
    assert out.status == "fail" and "custom" not in out.checks
    assert out.figure["png"]


def test_density_histogram_is_for_review_even_with_counts():
    values = pd.Series(np.r_[np.full(12, 5.0), np.full(30, 15.0), np.full(20, 30.0)])
    fig, ax = plt.subplots()
    ax.hist(values, bins=[0, 10, 20, 30], density=True)
    out = check_figure(fig, rules=RuleValues(), uid="f", values=values)
    assert list(out.counts["count"]) == [12, 30, 20]
    assert out.checks["custom"] == "review" and out.status == "review"


def test_figure_we_cannot_trace_is_review_never_pass():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [4, 5, 6])
    ax.set_title("Trend")
    out = check_figure(fig, rules=RuleValues(), uid="f")
    assert out.status == "review"
    assert out.table.loc["axes 1", "title"] == "Trend"
    assert "cannot trace" in out.reasons[0]
    assert base64.b64decode(out.figure["png"]).startswith(PNG_MAGIC)
    # a histogram without its values cannot be counted either
    fig2, ax2 = plt.subplots()
    ax2.hist(np.arange(100.0), bins=5)
    assert check_figure(fig2, rules=RuleValues(), uid="g").status == "review"
    again = sdc.Output.from_dict(out.to_dict())
    assert again.status == "review"
