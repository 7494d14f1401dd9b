"""The recodes a remedy's code uses: sdc.merge_levels, sdc.rebin, sdc.topcode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.remedies.levels import levels_of, merged_label


def test_merge_levels_relabels_and_keeps_the_order_of_an_ordered_categorical():
    s = pd.Series(pd.Categorical(["low", "mid", "high", "top", "low"],
                                 categories=["low", "mid", "high", "top"], ordered=True))
    merged = sdc.merge_levels(s, {"high": "high+", "top": "high+"})
    assert list(merged.cat.categories) == ["low", "mid", "high+"]
    assert merged.cat.ordered
    assert merged.tolist() == ["low", "mid", "high+", "high+", "low"]
    assert s.tolist() == ["low", "mid", "high", "top", "low"]  # the data is not changed


def test_merge_levels_takes_an_interval_by_its_text():
    s = pd.cut(pd.Series([1, 5, 12, 18, 25]), [0, 10, 20, 30])
    merged = sdc.merge_levels(s, {"(10, 20]": "(10, 30]", "(20, 30]": "(10, 30]"})
    assert merged.astype(str).tolist() == ["(0, 10]", "(0, 10]", "(10, 30]", "(10, 30]",
                                           "(10, 30]"]


def test_merge_levels_names_an_unknown_level():
    with pytest.raises(KeyError, match="'Mars' is not a level of 'region'"):
        sdc.merge_levels(pd.Series(["North", "South"], name="region"), {"Mars": "Other"})


def test_rebin_labels_whole_numbers_as_bands_and_closes_the_last():
    s = pd.Series([16, 24, 25, 34, 35, 90])
    banded = sdc.rebin(s, [16, 25, 35, 90])
    assert banded.tolist() == ["16-24", "16-24", "25-34", "25-34", "35-90", "35-90"]
    assert banded.cat.ordered


def test_topcode_sets_values_beyond_the_codes_to_them():
    s = pd.Series([1, 5, 50, 500])
    assert sdc.topcode(s, upper=50).tolist() == [1, 5, 50, 50]
    assert sdc.topcode(s, upper=50, lower=5).tolist() == [5, 5, 50, 50]
    with pytest.raises(ValueError, match="give upper=, lower= or both"):
        sdc.topcode(s)


@pytest.mark.parametrize(("labels", "kind"), [
    (["16-24", "25-34", "65+"], "bands"),
    (["under 16", "16 to 24", "25-34"], "bands"),
    (["North", "South"], "nominal"),
])
def test_band_labels_are_recognised_as_ordered(labels, kind):
    assert levels_of(pd.Series(labels * 3)).kind == kind


def test_merged_band_labels_span_their_members():
    assert merged_label(["16-24", "25-34"], "bands") == "16-34"
    assert merged_label(["55-64", "65+"], "bands") == "55+"
    assert merged_label(["Wales", "Scotland"], "nominal") == "Wales / Scotland"


def test_numeric_codes_are_ordered_by_value():
    levels = levels_of(pd.Series(np.array([3, 1, 2, 2, 1])))
    assert levels.kind == "numeric" and levels.values == [1, 2, 3]
