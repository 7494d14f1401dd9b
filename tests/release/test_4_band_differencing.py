"""Issue 9, class 4: band differencing is lost at export.

Two ``pd.cut`` bandings of age that differ only by the 4 people aged 60 give those 4 people
away. Live, the second table is ``review`` (differencing); after export it must still be, for
bandings in any order and with margins, whether both tables come from one notebook or two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from release_kit import cli, notebook_of, outputs_of, saved, write_project
from sdc_folders import requests_in

import jupyter_sdc as sdc


def ages() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    age = np.concatenate([rng.integers(18, 60, 300), [60] * 4, rng.integers(61, 80, 100)])
    return pd.DataFrame({"age": age, "sex": rng.choice(["F", "M"], len(age))})


def bandings(variant: str) -> tuple[pd.Series, pd.Series, dict]:
    df = ages()
    first = pd.cut(df.age, [17, 40, 60, 80])
    second = pd.cut(df.age, [17, 40, 59, 80])
    options: dict = {}
    if variant == "reversed order":
        second = second.cat.reorder_categories(second.cat.categories[::-1])
    elif variant == "margins":
        options["margins"] = True
    return first, second, options


def make(session: sdc.Session, bands: pd.Series, sex: pd.Series, label: str, end: int,
         options: dict) -> None:
    session.crosstab(bands, sex, label=label, title=f"People by age band and sex (to {end})",
                     explanation=f"Number of people by age band, the middle band ending at "
                                 f"{end}, and sex.", **options)


VARIANTS = ["reversed order", "margins"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_live_the_two_bandings_are_review(variant):
    first, second, options = bandings(variant)
    sex = ages().sex
    session = sdc.Session()
    make(session, first, sex, "Table 1", 60, options)
    make(session, second, sex, "Table 2", 59, options)
    assert [o.checks.get("differencing") for o in session.outputs] == ["review", "review"]
    assert all(o.status == "review" for o in session.outputs)


@pytest.mark.parametrize("notebooks", ["one notebook", "two notebooks"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_after_export_the_two_bandings_are_still_review(tmp_path, variant, notebooks):
    first, second, options = bandings(variant)
    sex = ages().sex
    project = write_project(tmp_path / "p")
    if notebooks == "one notebook":
        session = sdc.Session()
        make(session, first, sex, "Table 1", 60, options)
        make(session, second, sex, "Table 2", 59, options)
        notebook_of(project / "a.ipynb", [saved(o) for o in session.outputs])
        paths = ["a.ipynb"]
    else:  # each notebook on its own sees nothing wrong: only the export can compare them
        one, two = sdc.Session(), sdc.Session()
        make(one, first, sex, "Table 1", 60, options)
        make(two, second, sex, "Table 2", 59, options)
        second_record = saved(two.outputs[0])
        second_record["uid"] = "nb2-" + second_record["uid"]
        notebook_of(project / "a.ipynb", [saved(one.outputs[0])])
        notebook_of(project / "b.ipynb", [second_record])
        paths = ["a.ipynb", "b.ipynb"]
    done = cli("export", *paths, cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    [folder] = requests_in(project / "SDC")
    entries = outputs_of(folder)
    statuses = {e["properties"]["label"]: e["status"] for e in entries.values()}
    assert statuses == {"Table 1": "review", "Table 2": "review"}
    for entry in entries.values():
        assert "differencing" in entry["summary"].lower()
