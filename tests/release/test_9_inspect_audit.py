"""Issue 9, class 9 (the inspect part): ``jupyter sdc inspect FOLDER`` runs the audit.

Brought over from ``test_9_confinement.py`` on the tests9 branch (its last section, verbatim,
with the helpers it uses); the rest of that file (confinement, modes, staging, messages) is
another engineer's.

- ``jupyter sdc inspect FOLDER`` catches a listed person-level CSV and a CSV renamed .jpg.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from release_kit import (
    cli,
    only_request,
    project_with_notebook,
    results,
)


# -- inspect a request folder: by content and shape, not by extension --------------------------
def microdata() -> str:
    rows = ["person_id,age,sex,postcode,income"]
    rows += [f"{4400 + i},{20 + i % 45},{'FM'[i % 2]},AB{i % 9} {i % 7}CD,{21000 + 137 * i}"
             for i in range(80)]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("planted", ["tables/people.csv", "figures/people.jpg"])
def test_inspect_refuses_person_level_data_listed_in_results_json(tmp_path, planted):
    root = project_with_notebook(tmp_path / "project")
    done = cli("export", "analysis.ipynb", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = only_request(root / "SDC")
    target = folder / planted
    target.parent.mkdir(exist_ok=True)
    target.write_text(microdata(), encoding="utf-8")
    listing = results(folder)
    uid = next(u for u, e in listing["results"].items() if e.get("files"))
    listing["results"][uid]["files"].append({"name": planted,
                                             "sdc": {"summary": {}, "cells": {}}})
    (folder / "results.json").write_text(json.dumps(listing, indent=2), encoding="utf-8")
    for name in ("results.json", planted):  # checksums as SACRO-Viewer expects them
        check = folder / "checksums" / f"{name}.txt"
        check.parent.mkdir(parents=True, exist_ok=True)
        check.write_text(hashlib.sha256((folder / name).read_bytes()).hexdigest())
    done = cli("inspect", str(folder), cwd=root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert Path(planted).name in done.stdout + done.stderr
    assert "4471" not in done.stdout + done.stderr
