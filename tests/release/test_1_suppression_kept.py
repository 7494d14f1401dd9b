"""Issue 9, class 1: suppression undone in the written files.

After ``--suppress`` / ``suppress=True`` on a table with margins, every suppressed cell (primary
and complementary) must be blank in every file of the request: the table CSV, the counts CSV
that results.json lists, and the tables of outputs.docx. The bundled example's Table 1 (Isles of
Scilly 6/7 and North East 152/142 suppressed) published them exactly.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from release_kit import (
    EXAMPLE,
    cli,
    csv_rows,
    docx_rows,
    example_data,
    notebook_of,
    only_request,
    outputs_of,
    saved,
    write_notebook,
)
from shell_kit import run

import jupyter_sdc as sdc


def example_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE / "sdc.toml", root / "sdc.toml")
    return root


def table1_source() -> str:
    """The example notebook's Table 1 cell, as the researcher wrote it."""
    nb = json.loads((EXAMPLE / "analysis.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and '--label "Table 1"' in source:
            return source
    raise AssertionError("the example notebook has no Table 1 cell")


def suppressed_cells(record: dict) -> list[tuple[str, str, int]]:
    """(row label, column label, true count) of every suppressed cell of a saved record."""
    mask = record["flags"].get("suppressed")
    assert mask is not None, "the record marks no suppressed cells: was --suppress applied?"
    table = record["table"]
    cells = []
    for r, row in enumerate(mask):
        for c, hidden in enumerate(row):
            if hidden:
                cells.append((" ".join(map(str, table["index"][r])),
                              " ".join(map(str, table["columns"][c])),
                              int(record["counts"][r][c])))
    assert cells, "nothing was suppressed"
    return cells


def published(text: str) -> bool:
    """A cell that shows a number (a blank or a suppression symbol is not published)."""
    return bool(re.search(r"\d", text or ""))


def assert_blank_everywhere(folder: Path, record: dict) -> None:
    hidden = suppressed_cells(record)
    listed = [f["name"] for entry in outputs_of(folder).values() for f in entry["files"]]
    leaks = []
    for name in sorted(n for n in listed if n.endswith(".csv")):
        rows = csv_rows(folder / name)
        header = rows[0]
        for row_label, col_label, true in hidden:
            for row in rows[1:]:
                if row and row[0] == row_label and col_label in header:
                    value = row[header.index(col_label)]
                    if published(value):
                        leaks.append(f"{name}: {row_label}/{col_label} = {value} (true {true})")
    for row in docx_rows(folder / "outputs.docx"):
        if not row:
            continue
        secrets = {str(true) for label, _, true in hidden if label == row[0]}
        shown = secrets.intersection(cell.replace(",", "") for cell in row[1:])
        if shown:
            leaks.append(f"outputs.docx: row {row[0]} shows {sorted(shown)}")
    assert not leaks, "suppressed cells published:\n" + "\n".join(leaks)


def test_the_example_table_1_keeps_its_suppression_in_every_file(ip, tmp_path, monkeypatch):
    """The bundled example's Table 1 cell (%%sdc_check --suppress, margins) run for real."""
    project = example_project(tmp_path / "project")
    monkeypatch.chdir(project)
    sdc.set_session(None)  # rules from the example's sdc.toml
    ip.user_ns["df"] = example_data()
    for line in ("import pandas as pd", "import numpy as np"):
        run(ip, line)
    ran = run(ip, table1_source())
    [record] = ran.records
    assert record["mitigation"]["suppressed"]
    write_notebook(project / "analysis.ipynb", [ran.cell])
    done = cli("export", "analysis.ipynb", cwd=project)
    assert done.returncode == 0, done.stderr
    assert_blank_everywhere(only_request(project / "SDC"), record)


@pytest.mark.parametrize("call", ["crosstab", "pivot_table"])
def test_a_suppressed_table_with_margins_is_blank_in_every_file(tmp_path, call):
    project = example_project(tmp_path / "project")
    data = example_data()
    wave1 = data[data.wave == 1]
    session = sdc.Session(project_dir=project)
    fields = dict(label="Table 1", title="Respondents by region and sex (wave 1)",
                  explanation="Number of respondents in wave 1 by region and sex; the smallest "
                              "regions are suppressed.", suppress=True)
    if call == "crosstab":
        session.crosstab(wave1.region, wave1.sex, margins=True, unit=wave1.person_id, **fields)
    else:
        session.pivot_table(wave1, values="person_id", index="region", columns="sex",
                            aggfunc="count", margins=True, **fields)
    [output] = session.outputs
    record = saved(output)
    path = notebook_of(project / "analysis.ipynb", [record])
    done = cli("export", path.name, cwd=project)
    assert done.returncode == 0, done.stderr
    assert_blank_everywhere(only_request(project / "SDC"), record)
