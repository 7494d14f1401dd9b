"""Session: ordered outputs, edits, exceptions, re-runs of a cell, listeners, rule layers."""

import pandas as pd
import pytest

import jupyter_sdc as sdc
from jupyter_sdc.core.session import cell_tag


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": ["x"] * 12 + ["y"] * 3, "b": ["p", "q"] * 7 + ["p"]})


def test_edits_and_exceptions():
    session = sdc.Session()
    df = frame()
    session.crosstab(df.a, df.b)
    uid = session.outputs[0].uid
    session.rename(uid, "Table 1")
    assert session.get("Table 1").uid == uid
    session.update("Table 1", title="Counts", explanation="Why", include=False,
                   rename={"a": "Area"})
    out = session.get(uid)
    assert (out.title, out.explanation, out.include, out.rename) == ("Counts", "Why", False,
                                                                     {"a": "Area"})
    session.comment(uid, "checked twice")
    assert out.comments == ["checked twice"]
    with pytest.raises(ValueError, match="needs a reason"):
        session.add_exception(uid, "  ")
    session.add_exception(uid, "Counts are of public bodies")
    assert out.exception == "Counts are of public bodies"
    assert out.status == "fail"  # an exception is a request, not a verdict
    session.remove(uid)
    assert session.outputs == []
    with pytest.raises(KeyError, match="no output"):
        session.get(uid)


def test_rerunning_a_cell_replaces_its_outputs_with_the_same_uids():
    session = sdc.Session()
    df = frame()
    seen = []
    session.subscribe(lambda event, out: seen.append(event))
    for _ in range(2):
        with session.cell("cell-abc123"):
            session.crosstab(df.a, df.b)
            session.crosstab(df.b, df.a)
    tag = cell_tag("cell-abc123")  # a short hash of the whole cell id
    assert [o.uid for o in session.outputs] == [f"{tag}-1", f"{tag}-2"]
    assert seen == ["add", "add", "replace", "replace"]


def test_cells_whose_ids_share_a_beginning_keep_their_own_outputs():
    session = sdc.Session()
    df = frame()
    for key in ("cell-10", "cell-100", "cell-1000", "cell-10"):
        with session.cell(key):
            session.crosstab(df.a, df.b)
    uids = [o.uid for o in session.outputs]
    assert len(uids) == 3 and len(set(uids)) == 3
    assert all(uid.replace("-", "").isalnum() for uid in uids)  # safe in file names


def test_two_sessions_in_one_cell_number_their_outputs_together():
    """Both records are saved in the same cell: their uids must differ."""
    first, second = sdc.Session(), sdc.Session()
    df = frame()
    for _ in range(2):  # and a re-run replaces each session's own
        with first.cell("cell-1"):
            first.crosstab(df.a, df.b)
            second.crosstab(df.b, df.a)
    assert len(first.outputs) == len(second.outputs) == 1
    assert first.outputs[0].uid != second.outputs[0].uid


def test_rerun_keeps_positions_and_drops_outputs_the_cell_no_longer_makes():
    session = sdc.Session()
    df = frame()
    with session.cell("first-cell"):
        session.crosstab(df.a, df.b)
        session.crosstab(df.b, df.a)
    with session.cell("second-cell"):
        session.crosstab(df.a, df.b)
    with session.cell("first-cell"):  # re-run, now making only one output
        session.crosstab(df.a, df.b, title="again")
    assert [o.uid for o in session.outputs] == [f"{cell_tag('first-cell')}-1",
                                                 f"{cell_tag('second-cell')}-1"]
    assert session.outputs[0].title == "again"


def test_unsubscribe_stops_notifications():
    session = sdc.Session()
    seen = []
    stop = session.subscribe(lambda event, out: seen.append(event))
    df = frame()
    session.crosstab(df.a, df.b)
    stop()
    session.crosstab(df.a, df.b)
    assert seen == ["add"]


def test_rule_layers_later_wins(tmp_path):
    (tmp_path / "sdc.toml").write_text('[rules]\nprofile = "opensafely"\nthreshold = 12\n')
    session = sdc.Session(project_dir=tmp_path)
    assert session.rules.profile == "opensafely" and session.rules.threshold == 12
    session.configure(threshold=15)          # %config layer
    assert session.rules.threshold == 15
    keyword = sdc.Session(project_dir=tmp_path, threshold=20)
    keyword.configure(threshold=15)
    assert keyword.rules.threshold == 20     # Session keywords beat %config
    assert keyword.rules_for(threshold=30).threshold == 30  # one call beats everything


def test_unknown_profile_and_bad_values_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown profile 'nope'.*acro-default"):
        sdc.Session(profile="nope")
    with pytest.raises(ValueError, match="threshold=0"):
        sdc.Session(threshold=0)
    with pytest.raises(TypeError, match="unknown rule value"):
        sdc.Session(treshold=10)
    with pytest.raises(ValueError, match="p_percent"):
        sdc.Session(p_percent=10)


def test_profiles_ship_with_their_source():
    from importlib import resources

    assert {"acro-default", "opensafely"} <= set(sdc.available_profiles())
    for name in sdc.available_profiles():
        text = resources.files("jupyter_sdc.profiles").joinpath(f"{name}.toml").read_text()
        assert "Source:" in text and "source =" in text
    opensafely = sdc.load_profile("opensafely")
    assert opensafely.threshold == 8 and opensafely.round_base == 5


def test_opensafely_profile_redacts_then_rounds():
    df = pd.DataFrame({"a": ["x"] * 7 + ["y"] * 23, "b": "p"})
    session = sdc.Session(profile="opensafely")
    table = session.crosstab(df.a, df.b)
    assert pd.isna(table.loc["x", "p"])      # 7 <= 7 redacted
    assert table.loc["y", "p"] == 25         # 23 rounded to the nearest 5
    out = session.outputs[-1]
    assert out.mitigation["round_base"] == 5 and out.status == "review"


def test_default_session_and_module_wrappers():
    old = sdc.set_session(None)
    try:
        df = frame()
        sdc.crosstab(df.a, df.b)
        assert len(sdc.session().outputs) == 1
    finally:
        sdc.set_session(old)


def test_rerun_keeps_the_researchers_edits_but_cell_options_win():
    session = sdc.Session()
    df = frame()
    with session.cell("cell-xyz98765"):
        session.crosstab(df.a, df.b, title="From the cell")
    uid = session.outputs[0].uid
    session.update(uid, explanation="Edited in the panel", include=False, title="Panel title")
    session.add_exception(uid, "Public bodies")
    with session.cell("cell-xyz98765"):
        session.crosstab(df.a, df.b, title="From the cell")
    out = session.get(uid)
    assert out.title == "From the cell"
    assert (out.explanation, out.include, out.exception) == ("Edited in the panel", False,
                                                             "Public bodies")
