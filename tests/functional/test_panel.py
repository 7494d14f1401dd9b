"""The live panel, driven as a researcher would (set values, click buttons) on a real Session."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances

import jupyter_sdc
from jupyter_sdc import MIME_TYPE, Output, Session
from jupyter_sdc.widgets import SessionPanel, panel


@pytest.fixture
def people() -> pd.DataFrame:
    """45 people: North 15 F / 15 M, South 12 F / 3 M (South x M is under the threshold)."""
    return pd.DataFrame(
        {
            "rgn": ["North"] * 30 + ["South"] * 15,
            "sex": ["F"] * 15 + ["M"] * 15 + ["F"] * 12 + ["M"] * 3,
            "income": np.linspace(10_000, 54_000, 45),
        }
    )


@pytest.fixture
def session(people) -> Session:
    session = Session()
    session.crosstab(people.rgn, people.sex, label="Table 1", title="People by region and sex")
    return session


@pytest.fixture
def live(session):
    """The panel of ``session``, closed after the test (closing unsubscribes)."""
    shown = panel(session)
    yield shown
    shown.close()


def only_card(shown: SessionPanel):
    (card,) = shown.cards.values()
    return card


def test_panel_lists_each_output_with_status_reasons_and_counts(live, session):
    card = only_card(live)
    assert list(live.list.children) == [card]
    text = card.summary.value
    assert "Disclosure check: FAIL" in text
    assert "Table 1" in text and "People by region and sex" in text
    assert "1 cell has fewer than 10 contributing records (threshold)." in text
    assert "N = 45" in text and "smallest cell n = 3" in text
    assert "1 output: 1 fail · 1 in the release request" in live.heading.value


def test_the_table_with_counts_is_rendered_when_opened(live):
    card = only_card(live)
    assert card.table.value == ""  # not rendered until asked: huge tables cost time
    card.details.selected_index = 0
    assert "(n=" not in card.table.value  # frequency table: the value is the count
    assert "3</td>" in card.table.value
    assert "Disclosure check:" not in card.table.value  # the summary above already says it
    assert "threshold: fewer than 10 contributing records" in card.table.value


def test_a_new_output_appears_as_cells_run(live, session, people):
    session.pivot_table(people, values="income", index="rgn", columns="sex", aggfunc="mean")
    assert len(live.list.children) == 2
    second = live.list.children[1]
    assert second.uid == session.outputs[1].uid
    assert "smallest cell n = 3" in second.summary.value
    assert "2 outputs: 2 fail" in live.heading.value


def test_an_empty_session_says_how_to_start_and_then_fills(people):
    session = Session()
    shown = panel(session)
    try:
        assert list(shown.list.children) == [shown.empty]
        assert "%%sdc_check" in shown.empty.value
        session.crosstab(people.rgn, people.sex)
        assert len(shown.cards) == 1 and shown.empty not in shown.list.children
    finally:
        shown.close()


def test_a_removed_output_leaves_the_panel_and_its_widgets_close(live, session):
    card = only_card(live)
    session.remove(card.uid)
    assert live.cards == {} and list(live.list.children) == [live.empty]
    assert card.comm is None and card.label.comm is None  # closed, not just hidden


def test_a_rerun_of_the_same_cell_replaces_its_card(people):
    session = Session()
    shown = panel(session)
    try:
        with session.cell("cell-abc"):
            session.crosstab(people.rgn, people.sex)
        with session.cell("cell-abc"):  # re-run with changed code
            session.crosstab(people.rgn, people.rgn)
        card = only_card(shown)
        assert card.uid == session.outputs[0].uid
        assert "smallest cell n = 0" in card.summary.value
    finally:
        shown.close()


def test_a_replaced_record_refreshes_its_card_where_it_stood(live, session, people):
    session.crosstab(people.sex, people.rgn, label="Table 2")
    first = live.list.children[0]
    replacement = Output.from_dict(session.outputs[0].to_dict() | {"label": "Table 1 (v2)"})
    session.add(replacement)
    assert live.list.children[0] is first and len(live.cards) == 2
    assert "Table 1 (v2)" in first.summary.value and first.label.value == "Table 1 (v2)"


def test_label_title_and_explanation_are_saved_into_the_record(live, session):
    card = only_card(live)
    card.label.value = "Table 2"
    card.title.value = "Employed adults by region and sex"
    card.explanation.value = "  Counts of employed adults, 2020 wave.  "
    card.save.click()
    record = session.outputs[0]
    assert (record.label, record.title) == ("Table 2", "Employed adults by region and sex")
    assert record.explanation == "Counts of employed adults, 2020 wave."
    assert record.to_dict()["label"] == "Table 2"
    assert "Table 2" in card.summary.value
    assert "Saved" in card.message.value


def test_unsaved_typing_survives_another_edit_of_the_same_output(live, session):
    card = only_card(live)
    card.title.value = "Half-typed title"
    card.include.value = False  # refreshes the card from the record
    assert card.title.value == "Half-typed title"
    assert session.outputs[0].title == "People by region and sex"


def test_include_checkbox_excludes_the_output_from_the_release(live, session):
    card = only_card(live)
    card.include.value = False
    assert session.outputs[0].include is False
    assert "excluded from the release" in card.summary.value
    assert "0 in the release request" in live.heading.value
    card.include.value = True
    assert session.outputs[0].include is True


def test_an_exception_without_a_reason_is_refused(live, session):
    card = only_card(live)
    card.reason.value = "   "
    card.request.click()
    assert session.outputs[0].exception is None
    assert "Give a reason for the exception" in card.message.value


def test_an_exception_with_a_reason_is_recorded(live, session):
    card = only_card(live)
    card.reason.value = "ONS publishes these counts at region level."
    card.request.click()
    assert session.outputs[0].exception == "ONS publishes these counts at region level."
    assert "exception requested" in card.summary.value
    assert card.request.description == "Update exception"


def test_variables_get_meaningful_names(live, session):
    card = only_card(live)
    card.names.value = "rgn=Region of residence, sex=Sex"
    card.apply_names.click()
    assert session.outputs[0].rename == {"rgn": "Region of residence", "sex": "Sex"}
    card.details.selected_index = 0
    assert ">Region of residence</th>" in card.table.value


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("rgn Region", "has no '='"),
        ("rgn=Region=Area", "more than one '='"),
        ("=Region", "empty old name"),
        ("rgn=", "empty new name"),
        ("rgn=Region, rgn=Area", "renamed twice"),
    ],
)
def test_bad_rename_syntax_is_refused_with_a_clear_message(live, session, text, error):
    card = only_card(live)
    card.names.value = text
    card.apply_names.click()
    assert session.outputs[0].rename == {}
    assert error in card.message.value.replace("&#x27;", "'")


def test_a_rename_syntax_error_shows_the_expected_form(live):
    card = only_card(live)
    card.names.value = "rgn: Region"
    card.apply_names.click()
    assert "write old=New pairs, e.g. raw=Meaningful, x2=Age" in card.message.value


def test_edits_made_elsewhere_show_in_the_panel(live, session):
    uid = session.outputs[0].uid
    session.update(uid, title="Set from code", rename={"rgn": "Region"})
    card = only_card(live)
    assert card.title.value == "Set from code"
    assert card.names.value == "rgn=Region"


def test_showing_an_edit_does_not_echo_it_back_to_the_session(live, session):
    events = []
    unsubscribe = session.subscribe(lambda event, output: events.append(event))
    session.update(session.outputs[0].uid, include=False)  # e.g. from code or another panel
    unsubscribe()
    assert events == ["update"]
    assert only_card(live).include.value is False


def test_a_session_error_is_shown_not_raised(session):
    first, second = panel(session), panel(session)  # e.g. %sdc_panel run twice
    try:
        stale = only_card(first)
        session.remove(stale.uid)  # from the other panel or from code
        stale.title.value = "New title"
        assert stale.save_text() is False
        assert "Not saved" in stale.message.value and "no output" in stale.message.value
        assert second.cards == {}
    finally:
        first.close()
        second.close()


def test_closing_the_panel_unsubscribes(session, people):
    shown = panel(session)
    shown.close()
    session.crosstab(people.sex, people.rgn)
    assert shown.cards == {}
    assert shown.comm is None


def test_default_session_is_used_when_none_is_given(people):
    own = Session()
    old = jupyter_sdc.set_session(own)
    try:
        own.crosstab(people.rgn, people.sex)
        shown = panel()
        assert shown.session is own and len(shown.cards) == 1
        shown.close()
    finally:
        jupyter_sdc.set_session(old)


def test_not_a_session_is_refused():
    with pytest.raises(TypeError, match="session must be a jupyter_sdc Session"):
        panel(["not", "a", "session"])


def test_closing_releases_every_widget_of_the_panel(session, people):
    before = set(_instances)
    shown = panel(session)
    session.crosstab(people.sex, people.rgn)
    session.remove(session.outputs[0].uid)  # a removed card is released too
    assert len(set(_instances) - before) > 20
    shown.close()
    assert set(_instances) - before == set()  # no comm left open per closed panel


@pytest.mark.kernel
def test_panel_edits_reach_the_record_saved_in_the_notebook():
    """A real kernel: the badge under the checked cell is updated in place by panel edits."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    code = [
        "%load_ext jupyter_sdc\nimport pandas as pd\n"
        "df = pd.DataFrame({'rgn': ['N'] * 30 + ['S'] * 15,"
        " 'sex': ['F'] * 15 + ['M'] * 15 + ['F'] * 12 + ['M'] * 3})",
        "%%sdc_check --label 'Table 1'\npd.crosstab(df.rgn, df.sex)",
        "import jupyter_sdc as sdc\nfrom jupyter_sdc.widgets import panel\n"
        "card = next(iter(panel(sdc.session()).cards.values()))\n"
        "card.title.value = 'People by region'\ncard.save.click()\n"
        "card.reason.value = 'Published by ONS'\ncard.request.click()\n"
        "card.names.value = 'rgn=Region'\ncard.apply_names.click()\n"
        "card.include.value = False",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (shown,) = [o for o in nb.cells[1].outputs if MIME_TYPE in o.get("data", {})]
    record = shown["data"][MIME_TYPE]
    assert record["label"] == "Table 1" and record["title"] == "People by region"
    assert record["exception"] == "Published by ONS"
    assert record["rename"] == {"rgn": "Region"} and record["include"] is False
    assert "Exception requested:</strong> Published by ONS" in shown["data"]["text/html"]
    assert shown["data"]["text/plain"].startswith("[SDC FAIL] Table 1: People by region")
