"""The badge under a checked cell: what a researcher reads, and that it survives nbconvert."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser

import nbformat
import pytest
from nbconvert import HTMLExporter

from jupyter_sdc.core.record import Output
from jupyter_sdc.views import badge_html, badge_text
from jupyter_sdc.views.look import CELL_FAIL, CELL_REVIEW


def mean_record() -> dict:
    """Mean income by region x sex: two cells under the threshold, one a zero count."""
    return {
        "schema_version": 1,
        "uid": "cell1-1",
        "kind": "table",
        "statistic": "mean",
        "status": "fail",
        "label": "Table 1",
        "title": "Mean income by region",
        "explanation": "Mean annual income of employed adults.",
        "exception": None,
        "comments": [],
        "include": True,
        "rename": {},
        "checks": {"threshold": "fail", "zeros": "fail", "nk": "pass"},
        "reasons": [
            "2 cells have fewer than 10 contributing records (threshold).",
            "1 cell has a zero count (zeros).",
        ],
        "table": {
            "index": [["North"], ["South"]],
            "index_names": ["rgn"],
            "columns": [["F"], ["M"]],
            "column_names": ["sex"],
            "data": [[12.5, None], [3.0, 4.0]],
        },
        "counts": [[14, 0], [9, 30]],
        "flags": {
            "threshold": [[False, True], [True, False]],
            "zeros": [[False, True], [False, False]],
            "nk": [[False, False], [False, False]],
        },
        "rules": {"threshold": 10, "unit": None},
        "mitigation": {"suppressed": False, "round_base": None, "notes": []},
        "summary": {"n": 53},
    }


class Cells(HTMLParser):
    """Collects every <td> with its style, tooltip and text."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._open = {"text": "", **dict(attrs)}
            self.cells.append(self._open)

    def handle_endtag(self, tag):
        if tag == "td":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data


def cells(html: str) -> list[dict]:
    parser = Cells()
    parser.feed(html)
    return parser.cells


def value_cells(html: str) -> list[dict]:
    """Data cells only (not the '…' / '⋮' gap markers)."""
    return [c for c in cells(html) if c["text"] not in ("\u2026", "\u22ee")]


@pytest.mark.parametrize(
    ("status", "word"), [("pass", "PASS"), ("review", "REVIEW"), ("fail", "FAIL")]
)
def test_status_is_shown_as_word_and_announced(status, word):
    record = mean_record() | {"status": status}
    html = badge_html(record)
    assert f'role="status" aria-label="Disclosure check: {word}"' in html
    assert f"{word}</span>" in html


def test_status_colours_differ():
    borders = {
        s: re.search(
            r"border-left:5px solid (#[0-9a-f]+)", badge_html(mean_record() | {"status": s})
        )
        for s in ("pass", "review", "fail")
    }
    assert len({m.group(1) for m in borders.values()}) == 3


@pytest.mark.parametrize("status", [None, "ok", "PASSED", ""])
def test_unreadable_status_is_shown_as_review_never_pass(status):
    record = mean_record() | {"status": status}
    assert "Disclosure check: REVIEW" in badge_html(record)
    assert badge_text(record).startswith("[SDC REVIEW]")


def test_reasons_are_listed_in_plain_words():
    html = badge_html(mean_record())
    assert "<li" in html
    assert "2 cells have fewer than 10 contributing records (threshold).</li>" in html
    assert "1 cell has a zero count (zeros).</li>" in html


def test_each_value_has_its_unweighted_count_beside_it():
    data = value_cells(badge_html(mean_record()))
    assert [c["text"] for c in data] == ["12.5(n=14)", "\u2014(n=0)", "3(n=9)", "4(n=30)"]


def test_failing_cells_are_highlighted_and_name_their_rules():
    data = value_cells(badge_html(mean_record()))
    north_f, north_m, south_f, south_m = data
    assert "title" not in north_f and "title" not in south_m
    assert CELL_FAIL[0] not in north_f["style"]
    assert CELL_FAIL[0] in north_m["style"] and CELL_FAIL[0] in south_f["style"]
    assert north_m["title"].startswith("threshold: fewer than 10 contributing records")
    assert "zeros: a zero count" in north_m["title"]
    assert "zeros" not in south_f["title"] and "nk" not in north_m["title"]


def test_cell_flagged_only_by_a_review_rule_is_marked_for_review_not_failure():
    record = mean_record()
    record["checks"] = {"threshold": "pass", "negative": "review"}
    record["flags"] = {
        "threshold": [[False, False], [False, False]],
        "negative": [[True, False], [False, False]],
    }
    first = value_cells(badge_html(record))[0]
    assert CELL_REVIEW[0] in first["style"] and CELL_FAIL[0] not in first["style"]
    assert "1 cell to review" in badge_html(record)


def test_secondary_suppression_is_a_mark_not_a_failure():
    record = mean_record()
    record["checks"] = {"threshold": "pass"}
    record["flags"] = {
        "threshold": [[False, False], [False, False]],
        "secondary": [[False, False], [True, False]],
    }
    html = badge_html(record)
    south_f = value_cells(html)[2]
    assert "secondary suppression" in south_f["title"]
    assert CELL_FAIL[0] not in south_f["style"]
    assert "failing cell" not in html


def test_the_threshold_in_the_tooltip_is_the_records_own():
    record = mean_record()
    record["rules"] = {"threshold": 8, "unit": "person_id"}
    html = badge_html(record)
    assert "fewer than 8 contributing units (person_id)" in html
    assert "n = unweighted count of distinct person_id" in html


def test_everything_from_the_data_is_escaped():
    evil = '<img src=x onerror="alert(1)">'
    record = mean_record()
    record["label"] = evil
    record["title"] = evil
    record["explanation"] = evil
    record["exception"] = evil
    record["reasons"] = [evil]
    record["comments"] = [evil]
    record["table"]["index"] = [[evil], ["South"]]
    record["table"]["columns"] = [[evil], ["M"]]
    record["table"]["index_names"] = [evil]
    record["table"]["data"][1][1] = evil
    record["mitigation"]["notes"] = [evil]
    html = badge_html(record)
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 10


def test_badge_uses_inline_styles_only():
    html = badge_html(mean_record())
    for forbidden in ("<script", "<style", "<link", "javascript:", "onclick", "@import"):
        assert forbidden not in html.lower()


def test_meaningful_names_replace_raw_codes_in_the_table():
    record = mean_record() | {"rename": {"rgn": "Region", "F": "Female"}}
    html = badge_html(record)
    assert ">Region</th>" in html and ">Female</th>" in html
    assert ">rgn</th>" not in html


def test_exception_exclusion_and_mitigation_are_noted():
    record = mean_record()
    record["exception"] = "Published at this level by ONS."
    record["include"] = False
    record["mitigation"] = {"suppressed": True, "round_base": 5, "notes": ["Totals kept."]}
    html = badge_html(record)
    assert "Exception requested:</strong> Published at this level by ONS." in html
    assert "Excluded from the release request." in html
    assert "suppressed" in html and "rounded to base 5" in html and "Totals kept." in html
    assert badge_text(record).splitlines()[0].endswith("(exception requested) (excluded)")


def test_a_table_without_counts_says_so():
    record = mean_record() | {"counts": None}
    html = badge_html(record)
    assert "no unweighted counts are attached" in html
    assert "(n=" not in html


def test_counts_of_the_wrong_shape_are_not_shown_against_the_wrong_cells():
    record = mean_record() | {"counts": [[1, 2, 3]]}
    html = badge_html(record)
    assert "(n=" not in html
    assert "do not have the table&#x27;s shape" in html


def test_frequency_tables_do_not_repeat_the_count_unless_it_differs():
    record = mean_record() | {"statistic": "frequency"}
    record["table"]["data"] = [[14, 0], [10, 30]]  # 9 was rounded to 10
    texts = [c["text"] for c in value_cells(badge_html(record))]
    assert texts == ["14", "0", "10(n=9)", "30"]


def _grid(rows: int, cols: int, value):
    return [[value(i, j) for j in range(cols)] for i in range(rows)]


def big_record(rows: int, cols: int) -> dict:
    return {
        "kind": "table",
        "statistic": "mean",
        "status": "fail",
        "label": "Table 9",
        "reasons": ["Some cells are small."],
        "checks": {"threshold": "fail"},
        "table": {
            "index": [[i] for i in range(rows)],
            "index_names": ["a"],
            "columns": [[j] for j in range(cols)],
            "column_names": ["b"],
            "data": _grid(rows, cols, lambda i, j: 1.5),
        },
        "counts": _grid(rows, cols, lambda i, j: 20),
        # Only the last cell fails: it is hidden, but must still be counted.
        "flags": {"threshold": _grid(rows, cols, lambda i, j: (i, j) == (rows - 1, cols - 1))},
    }


def test_a_million_cell_table_shows_a_corner_and_counts_what_is_hidden():
    html = badge_html(big_record(1000, 1000), max_cells=400)
    assert len(value_cells(html)) == 400
    assert "Showing 20 of 1,000 rows and 20 of 1,000 columns" in html
    assert "999,600 cells are hidden" in html
    assert "1 failing cell" in html
    assert len(html) < 100_000


def test_max_cells_boundary_is_exact():
    exactly = badge_html(big_record(20, 20), max_cells=400)
    assert len(value_cells(exactly)) == 400 and "hidden" not in exactly
    one_more = badge_html(big_record(401, 1), max_cells=400)
    assert len(value_cells(one_more)) == 400
    assert "Showing 400 of 401 rows and 1 of 1 columns; 1 cell is hidden" in one_more


def test_an_output_object_renders_like_its_dict_form():
    output = Output.from_dict(mean_record())
    assert badge_html(output) == badge_html(output.to_dict())
    assert "(n=14)" in badge_html(output)


def test_a_model_record_shows_its_summary():
    record = {
        "kind": "model",
        "statistic": "model",
        "status": "pass",
        "label": "Model 1",
        "checks": {"dof": "pass"},
        "reasons": [],
        "summary": {"nobs": 1250, "df_resid": 1247, "model": "OLS"},
        "table": None,
    }
    html = badge_html(record)
    assert "N = 1,250 · residual df = 1,247 · OLS" in html
    assert "All checks passed." in html
    assert badge_text(record) == "[SDC PASS] Model 1"


def test_plain_text_is_status_label_and_first_reason():
    text = badge_text(mean_record())
    assert text == (
        "[SDC FAIL] Table 1: Mean income by region\n"
        "2 cells have fewer than 10 contributing records (threshold). (+1 more)"
    )


def test_not_a_record_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="record must be an Output or its dict form"):
        badge_html(["not", "a", "record"])


def test_badge_survives_nbconvert_html_export():
    record = copy.deepcopy(mean_record())
    record["label"] = "Table <1>"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df.groupby('rgn').income.mean()")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": badge_html(record), "text/plain": badge_text(record)},
        )
    ]
    nb.cells = [cell]
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert 'aria-label="Disclosure check: FAIL"' in body
    assert "Table &lt;1&gt;" in body
    assert f"background:{CELL_FAIL[0]}" in body
    assert "(n=14)" in body


def test_a_large_output_renders_from_its_corner_like_its_dict_form():
    record = big_record(60, 45) | {"schema_version": 1, "uid": "big-1"}
    record["table"]["data"][59][44] = 2.5
    output = Output.from_dict(record)
    html = badge_html(output, max_cells=100)
    assert html == badge_html(output.to_dict(), max_cells=100)
    assert "Showing 5 of 60 rows and 20 of 45 columns; 2,600 cells are hidden" in html
    assert "1 failing cell" in html


def test_multi_level_labels_are_grouped_like_pandas_shows_them():
    record = mean_record()
    record["table"] = {
        "index": [["East", "F"], ["East", "M"], ["North", "F"]],
        "index_names": ["rgn", "sex"],
        "columns": [["hrs", 2019], ["hrs", 2020], ["inc", 2019]],
        "column_names": [None, "year"],
        "data": [[1.0, 2.0, 3.0]] * 3,
    }
    record["counts"] = [[20, 20, 20]] * 3
    record["flags"] = {}
    html = badge_html(record)
    assert re.search(r'<th colspan="2" style="[^"]*">hrs</th><th style="[^"]*">inc</th>', html)
    rows = re.findall(
        r"<tr>(<th style=\"[^\"]*\">[^<]*</th><th style=\"[^\"]*\">[^<]*</th>)<td", html
    )
    labels = [re.findall(r">([^<]*)</th>", row) for row in rows]
    assert labels == [["East", "F"], ["", "M"], ["North", "F"]]
