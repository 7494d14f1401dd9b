"""Counts stated in words: found by their shape, legitimate numbers left alone (issue 9)."""

from __future__ import annotations

import pytest

from jupyter_sdc.export.count_text import released_reason, released_text, small_counts

STATES_A_SMALL_COUNT = [
    "4 record(s) with age=60 in Table 1 but not in Table 2 (implied count 4 < 10).",
    "The two sets of bands give implied count 3.",
    "Only 3 people in the sample are over 90.",
    "held by 1 unit",
    "N = 8 observations (unweighted)",
    "n=4",
    "a count of 4",
    "Counts: 2",
    "between 5 and 9 people",
    "1,473 people and 7 households",
    "implied count 0, a zero cell",
]

LEGITIMATE = [
    "2 cells have fewer than 10 contributing units (threshold).",
    "Suppressed 2 primary and 2 complementary (secondary) cells, chosen by milp (optimal).",
    "9 cells publish a minimum or maximum held by fewer than 10 units: a single unit's value.",
    "the largest 2 contributions make up 90% or more of the total (nk).",
    "Number of respondents in wave 1 by region and sex.",
    "See Table 4 people counts in the 2021 report, page 7.",
    "3,000 synthetic persons aged 18 to 65, observed in two waves (6,000 records).",
    "N = 6,000 observations (unweighted); 6,000 distinct units (person_id).",
    "Adults aged 16 to 64, 2019 to 2021.",
    "Histogram of weekly hours in 5-hour bins, bottom-coded at 10.",
    "acro-default: threshold = 10, nk_n = 2, nk_k = 0.9, dof = 10, round_base = 5.",
    "(n = 2, k = 90 %) dominance",
    "4% of records; 0.5 people on average",
    "judged with threshold 5; the project requires 10",
    "Values and counts are rounded to the nearest 5.",
    "at least 3 records, at most 5 people, per 1 person",
]


@pytest.mark.parametrize("text", STATES_A_SMALL_COUNT)
def test_a_small_count_in_words_is_found(text):
    assert small_counts(text, 10), text


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_numbers_are_not_counts(text):
    assert small_counts(text, 10) == [], text


def test_a_category_label_is_not_a_count():
    text = "Households of 1 person by region"
    assert small_counts(text, 10)
    assert small_counts(text, 10, labels=["1 person"]) == []


def test_zero_is_a_small_count_only_where_zeros_are_disclosive():
    assert small_counts("implied count 0", 10, zeros=True)
    assert small_counts("implied count 0", 10, zeros=False) == []


def test_released_text_says_fewer_than_the_threshold():
    reason = "4 record(s) with sex=M in Table 1 but not in Table 2 (implied count 4 < 10)."
    released = released_text(reason, 10)
    assert released == ("fewer than 10 record(s) with sex=M in Table 1 but not in Table 2 "
                        "(implied count below 10).")
    assert small_counts(released, 10) == []
    assert released_text("2 cells have fewer than 10 contributing units.", 10) == \
        "2 cells have fewer than 10 contributing units."


def test_a_reason_is_released_under_its_records_threshold():
    record = {"rules": {"threshold": 5, "zeros": True}}
    assert released_reason("held by 7 people", record) == "held by 7 people"
    assert released_reason("held by 3 people", record) == "held by fewer than 5 people"
