"""Issue 9, Build 7 (DESIGN "Labels", "--dataset"): the export's side of class 8.

One numbering per request, per-output datasets, exit codes, the left-out list, problems printed
once with label and title, figures not clipped. From tests9's test_8_wrong_or_unhelpful.py (the
structural zeros, auto mode and uid tests are in test_8_capture.py / test_8_structural_zeros.py).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from release_kit import (
    CITATION_A,
    CITATION_B,
    DATASET_A,
    DATASET_B,
    balanced,
    cli,
    docx_text,
    notebook_of,
    only_request,
    outputs_of,
    people,
    saved,
    snapshot,
    write_notebook,
    write_project,
)
from sdc_folders import requests_in
from shell_kit import run

import jupyter_sdc as sdc

LFS, FRS = "Quarterly Labour Force Survey", "Family Resources Survey"


# -- one numbering per request -----------------------------------------------------------------
def region_counts(session, label=None, title="People by region and sex"):
    session.crosstab(balanced().rgn, balanced().sex, label=label, title=title,
                     explanation="Number of people in the survey by region and sex.")
    return saved(session.outputs[-1])


def mean_hours(session, label=None, title="Mean weekly hours by region"):
    session.pivot_table(balanced(), values="hours", index="rgn", aggfunc="mean", label=label,
                        title=title, explanation="Mean usual weekly hours in each region.")
    return saved(session.outputs[-1])


def highest_earnings(session, label=None, title="Highest earnings by region"):
    session.pivot_table(people(), values="income", index="rgn", aggfunc="max", label=label,
                        title=title, explanation="The largest annual earnings in each region.")
    return saved(session.outputs[-1])


def with_prefix(record: dict, prefix: str) -> dict:
    record["uid"] = prefix + record["uid"]
    return record


def test_the_same_label_in_two_notebooks_is_refused_naming_both(tmp_path):
    project = write_project(tmp_path / "p")
    first = region_counts(sdc.Session(), label="Table 1")
    second = with_prefix(mean_hours(sdc.Session(), label="Table 1"), "b-")
    notebook_of(project / "a.ipynb", [first])
    notebook_of(project / "b.ipynb", [second])
    before = snapshot(project)
    done = cli("export", "a.ipynb", "b.ipynb", cwd=project)
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Table 1" in text
    for record in (first, second):
        assert record["uid"] in text or record["title"] in text, text
    assert snapshot(project) == before


def test_one_label_per_output_everywhere_in_a_two_notebook_request(tmp_path):
    """Researchers' labels kept; each output carries one label in messages, document,
    results.json and preflight.json; a left-out output's label is no other output's."""
    project = write_project(tmp_path / "p", on_problems="warn")
    notebook_of(project / "a.ipynb", [with_prefix(highest_earnings(sdc.Session()), "a1-"),
                                      with_prefix(mean_hours(sdc.Session()), "a2-")])
    notebook_of(project / "b.ipynb", [with_prefix(region_counts(sdc.Session(), "Table 1"),
                                                  "b-")])
    done = cli("export", "a.ipynb", "b.ipynb", cwd=project)
    text = done.stdout + done.stderr
    assert done.returncode == 0, text
    folder = only_request(project / "SDC")
    released = {e["properties"]["title"]: e["properties"]["label"]
                for e in outputs_of(folder).values()}
    assert released["People by region and sex"] == "Table 1"  # the researcher's label
    assert len(set(released.values())) == len(released)
    headings = "\n".join(docx_text(folder / "outputs.docx"))
    for title, label in released.items():
        assert f"{label}: {title}" in headings
    # the left-out maximum is named by a label that no released output carries
    said = [line for line in text.splitlines() if "min_max" in line]
    assert said, text
    named = set(re.findall(r"\b(?:Table|Figure|Model) \d+\b", " ".join(said)))
    assert named and not named & set(released.values()), (named, released)


def test_reasons_cite_the_labels_of_the_request(tmp_path):
    """Unlabelled outputs that difference each other: reasons name the other by its final
    label, never by a uid ("output out-2")."""
    rng = np.random.default_rng(3)
    age = np.concatenate([rng.integers(18, 60, 300), [60] * 4, rng.integers(61, 80, 100)])
    df = pd.DataFrame({"age": age, "sex": rng.choice(["F", "M"], len(age))})
    session = sdc.Session()
    for end in (60, 59):
        session.crosstab(pd.cut(df.age, [17, 40, end, 80]), df.sex,
                         title=f"People by age band (to {end}) and sex",
                         explanation=f"Number of people by age band, the middle band ending "
                                     f"at {end}, and sex.")
    assert all(o.status == "review" for o in session.outputs)
    project = write_project(tmp_path / "p")
    notebook_of(project / "a.ipynb", [saved(o) for o in session.outputs])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = only_request(project / "SDC")
    entries = outputs_of(folder)
    labels = {uid: e["properties"]["label"] for uid, e in entries.items()}
    for uid, entry in entries.items():
        (other,) = [u for u in entries if u != uid]
        assert labels[other] in entry["summary"], entry["summary"]
        assert other not in entry["summary"], entry["summary"]
    document = "\n".join(docx_text(folder / "outputs.docx"))
    assert not any(f"output {uid}" in document for uid in entries)


# -- per-output datasets -----------------------------------------------------------------------
def source_notes(path) -> dict[str, str]:
    """The source note under each output of outputs.docx, by the output's heading."""
    import docx

    notes: dict[str, str] = {}
    heading = None
    for paragraph in docx.Document(str(path)).paragraphs:
        text = paragraph.text.strip()
        if re.match(r"^(Table|Figure|Model) \d+", text):
            heading = text
        elif heading and text.startswith("Source"):
            notes[heading] = notes.get(heading, "") + text
    return notes


def test_each_footnote_cites_only_its_own_dataset(tmp_path):
    session = sdc.Session()
    session.crosstab(balanced().rgn, balanced().sex, label="Table 1", dataset=LFS,
                     title="People by region and sex",
                     explanation="Number of people in the survey by region and sex.")
    session.pivot_table(balanced(), values="income", index="rgn", aggfunc="mean", dataset=FRS,
                        label="Table 2", title="Mean household income by region",
                        explanation="Mean household income in each region.")
    project = write_project(tmp_path / "p", datasets=DATASET_A + DATASET_B)
    notebook_of(project / "a.ipynb", [saved(o) for o in session.outputs])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    notes = source_notes(only_request(project / "SDC") / "outputs.docx")
    [first] = [n for h, n in notes.items() if h.startswith("Table 1")]
    [second] = [n for h, n in notes.items() if h.startswith("Table 2")]
    assert CITATION_A in first and CITATION_B not in first, first
    assert CITATION_B in second and CITATION_A not in second, second


def test_the_magic_names_the_dataset_of_its_output(ip, tmp_path):
    ran = run(ip, f'%%sdc_check --label "Table 1" --title "People by region" '
                  f'--explain "Number of people in each region." --dataset "{FRS}"\n'
                  "df.groupby('rgn').size().rename('People')")
    project = write_project(tmp_path / "p", datasets=DATASET_A + DATASET_B)
    write_notebook(project / "a.ipynb", [ran.cell])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    [note] = source_notes(only_request(project / "SDC") / "outputs.docx").values()
    assert CITATION_B in note and CITATION_A not in note, note


def test_several_datasets_and_none_named_warn_and_cite_all(tmp_path):
    project = write_project(tmp_path / "p", datasets=DATASET_A + DATASET_B)
    notebook_of(project / "a.ipynb", [region_counts(sdc.Session(), "Table 1")])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (done.stdout + done.stderr).replace(str(tmp_path), "<tmp>")
    said = [line for line in text.splitlines() if re.search(r"datasets|dataset=|--dataset", line)]
    assert said, done.stdout + done.stderr
    [note] = source_notes(only_request(project / "SDC") / "outputs.docx").values()
    assert CITATION_A in note and CITATION_B in note


# -- exit codes, the left-out list, problems with label and title ------------------------------
def test_export_in_warn_mode_exits_0_after_writing_a_request(tmp_path):
    project = write_project(tmp_path / "p", on_problems="warn")
    record = region_counts(sdc.Session(), "Table 1")
    record["explanation"] = "See the text."  # a preflight error: written with a warning
    notebook_of(project / "a.ipynb", [record])
    done = cli("export", "a.ipynb", cwd=project)
    assert len(requests_in(project / "SDC")) == 1
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_left_out_list_names_outputs_by_label_and_title(tmp_path):
    project = write_project(tmp_path / "p", on_problems="warn")
    records = [region_counts(sdc.Session(), "Table 1"),
               with_prefix(highest_earnings(sdc.Session(), "Table 5"), "b-")]
    notebook_of(project / "a.ipynb", records)
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    form = docx_text(only_request(project / "SDC") / "release_request.docx")
    assert any("Highest earnings by region" in line for line in form), form
    assert not any(line.startswith(records[1]["uid"]) for line in form)


def test_a_problem_is_printed_once_with_its_label_and_title(tmp_path):
    project = write_project(tmp_path / "p")
    notebook_of(project / "a.ipynb", [highest_earnings(sdc.Session(), "Table 5")])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 1
    lines = [line for line in (done.stdout + done.stderr).splitlines() if "min_max" in line]
    assert len(lines) == 1, lines
    assert "Table 5" in lines[0] and "Highest earnings by region" in lines[0], lines


# -- figures with tight bounding boxes ---------------------------------------------------------
def test_a_figure_is_saved_with_its_long_labels_whole():
    """Long category labels drawn past the figure's edge are kept: nothing drawn touches the
    saved image's border (a clipped label does), and the metadata names no software."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    from jupyter_sdc.adapters.matplotlib import figure_png

    fig, ax = plt.subplots(figsize=(4, 3))
    names = ["Professional, scientific and technical activities", "Accommodation and food",
             "Public administration and defence; compulsory social security"]
    ax.barh(names, [40, 25, 31])
    ax.set_xlabel("Number of people (unweighted)")
    png = base64.b64decode(figure_png(fig))
    plt.close(fig)
    with Image.open(io.BytesIO(png)) as image:
        grey = np.asarray(image.convert("L"))
        assert "Software" not in image.info
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    assert border.min() > 240, "a label or the axes touch the image's edge: clipped"


def test_an_unknown_dataset_name_is_refused_listing_the_known_ones(tmp_path):
    project = write_project(tmp_path / "p", datasets=DATASET_A + DATASET_B)
    record = region_counts(sdc.Session(), "Table 1")
    record["dataset"] = "Labour Force Survey"  # not the name sdc.toml gives
    notebook_of(project / "a.ipynb", [record])
    before = snapshot(project)
    done = cli("export", "a.ipynb", cwd=project)
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Labour Force Survey" in text and LFS in text and FRS in text, text
    assert snapshot(project) == before


def test_with_one_dataset_an_output_naming_none_cites_it_without_a_warning(tmp_path):
    project = write_project(tmp_path / "p")  # DATASET_A only
    notebook_of(project / "a.ipynb", [region_counts(sdc.Session(), "Table 1")])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"datasets|dataset=|--dataset", done.stdout + done.stderr)
    [note] = source_notes(only_request(project / "SDC") / "outputs.docx").values()
    assert CITATION_A in note


def test_rules_applied_are_stated_for_each_output(tmp_path):
    """Two outputs counted differently (rows, and distinct people): each one's unit is said."""
    df = balanced()
    by_rows, by_people = sdc.Session(), sdc.Session(unit="person_id")
    by_rows.crosstab(df.rgn, df.sex, label="Table 1", title="Rows by region and sex",
                     explanation="Number of survey rows by region and sex.")
    by_people.crosstab(df.rgn, df.sex, label="Table 2", title="People by region and sex",
                       explanation="Number of distinct people by region and sex.")
    project = write_project(tmp_path / "p")
    notebook_of(project / "a.ipynb", [saved(by_rows.outputs[0]),
                                      with_prefix(saved(by_people.outputs[0]), "b-")])
    done = cli("export", "a.ipynb", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    text = docx_text(only_request(project / "SDC") / "outputs.docx")
    applied = [line for line in text if line.startswith("Rules applied")]
    [people_line] = [line for line in applied if "unit = person_id" in line]
    [rows_line] = [line for line in applied if "unit = none" in line]
    assert "Table 2" in people_line and "Table 1" not in people_line, applied
    assert "Table 1" in rows_line and "Table 2" not in rows_line, applied
