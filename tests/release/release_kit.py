"""Helpers for the release-integrity tests (issue 9): projects, notebooks, the CLI, snapshots.

Only public interfaces: ``import jupyter_sdc as sdc`` (sessions, wrappers, ``Output.to_dict``),
the ``jupyter-sdc`` console script run as a subprocess, and files on disk. Records are always
made by the installed package at test time (never hand-written), so they carry whatever
schema version and evidence the package saves.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
from sdc_folders import requests_in

import jupyter_sdc as sdc

MIME = sdc.MIME_TYPE
BIN = Path(sys.executable).parent
JUPYTER_SDC = BIN / "jupyter-sdc"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "project"

#: a message that says what to do contains one of these (loose on purpose: no wording pinned)
ADVICE = re.compile(
    r"\b(re-?run|run|save|use|give|set|fix|upgrade|choose|remove|rename|check|create|ask|"
    r"export (it )?again|write|replace|add|drop|declare|convert|fill|open|delete|move|point|"
    r"pass|install|edit|correct|make|request|mitigate|leave|split|shorten|contact)\b",
    re.IGNORECASE,
)

CITATION_A = "Office for National Statistics (2020). QLFS. DOI: 10.5255/UKDA-SN-0000-1"
CITATION_B = "Department for Work and Pensions (2021). FRS. DOI: 10.5255/UKDA-SN-0000-2"

DATASET_A = f"""
[[datasets]]
name = "Quarterly Labour Force Survey"
citation = "{CITATION_A}"
source = "ONS Secure Research Service"
sample = "Adults aged 16 to 64, 2019 to 2021"
methodology = "Cross-tabulations of survey responses"
"""

DATASET_B = f"""
[[datasets]]
name = "Family Resources Survey"
citation = "{CITATION_B}"
source = "UK Data Service SecureLab"
sample = "Private households, 2020 to 2021"
methodology = "Household income tables"
"""


def toml_text(*, project_id: str = "P-1234", on_problems: str = "refuse",
              include_code: bool = False, sdc_folder: str = '"SDC"', rules: str = "",
              datasets: str = DATASET_A, export_extra: str = "") -> str:
    return f"""
[project]
id = "{project_id}"
title = "Earnings and hours after the pandemic"
researchers = ["A. Researcher <a.researcher@example.ac.uk>"]
output_type = "Working paper"
{datasets}
[rules]
profile = "acro-default"
{rules}

[export]
sdc_folder = {sdc_folder}
on_problems = "{on_problems}"
include_code = {str(include_code).lower()}
{export_extra}
"""


def write_project(root: Path, **options: Any) -> Path:
    """A project folder holding ``sdc.toml``; returns the folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sdc.toml").write_text(toml_text(**options), encoding="utf-8")
    return root


# -- data ------------------------------------------------------------------------------------
def people(seed: int = 0) -> pd.DataFrame:
    """300 synthetic people; South x M has 4 people, every other region x sex cell 56-60."""
    rng = np.random.default_rng(seed)
    region = ["North"] * 120 + ["South"] * 60 + ["East"] * 120
    sex = ["F"] * 60 + ["M"] * 60 + ["F"] * 56 + ["M"] * 4 + ["F"] * 60 + ["M"] * 60
    return pd.DataFrame({
        "person_id": np.arange(300),
        "rgn": region,
        "sex": sex,
        "age": rng.integers(18, 80, 300),
        "income": rng.gamma(2.0, 15_000, 300).round(2),
        "hours": rng.normal(35, 8, 300).round(1),
    })


def balanced(seed: int = 1) -> pd.DataFrame:
    """240 people, every region x sex cell 40: a table of them passes every rule."""
    rng = np.random.default_rng(seed)
    region = np.repeat(["North", "South", "East"], 80)
    sex = np.tile(np.repeat(["F", "M"], 40), 3)
    return pd.DataFrame({
        "person_id": np.arange(240), "rgn": region, "sex": sex,
        "age": rng.integers(18, 80, 240),
        "income": rng.normal(30_000, 4_000, 240).round(2),
        "hours": rng.normal(35, 5, 240).round(1),
    })


def example_data() -> pd.DataFrame:
    """The bundled example project's synthetic panel (examples/project/make_data.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("example_make_data", EXAMPLE / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.make()


def session(**rules: Any) -> sdc.Session:
    """A session of its own (the default session is left alone)."""
    return sdc.Session(**rules)


# -- records and notebooks ---------------------------------------------------------------------
def saved(output: Any) -> dict:
    """An output's record as a notebook saves it (JSON round trip)."""
    return json.loads(json.dumps(output.to_dict()))


def bundle(record: dict, html: str = "<b>SDC</b>") -> dict:
    return {MIME: record, "text/html": html, "text/plain": f"<sdc output {record.get('uid')}>"}


def write_notebook(path: Path, cells: Iterable[tuple[str, list[dict]]]) -> Path:
    """A notebook of code cells, each ``(source, [display bundle, ...])``, as after a run."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for number, (source, bundles) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = number
        cell.outputs = [nbformat.v4.new_output("display_data", data=dict(b)) for b in bundles]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def notebook_of(path: Path, records: Iterable[dict],
                code: str = "sdc.crosstab(df.rgn, df.sex)") -> Path:
    """One cell per record, each showing that record's display bundle."""
    return write_notebook(path, [(code, [bundle(r)]) for r in records])


def write_raw_notebook(path: Path, value: Any) -> Path:
    """A .ipynb holding exactly ``value`` as JSON (for malformed notebooks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def notebook_json(records: Iterable[dict]) -> dict:
    """The JSON of a valid notebook whose outputs hold ``records``."""
    nb = nbformat.v4.new_notebook()
    for record in records:
        cell = nbformat.v4.new_code_cell("sdc.crosstab(df.rgn, df.sex)")
        cell.outputs = [nbformat.v4.new_output("display_data", data=bundle(record))]
        nb.cells.append(cell)
    return json.loads(nbformat.writes(nb))


def passing_record() -> dict:
    """A table that passes every rule, labelled, titled and explained, as saved."""
    session = sdc.Session()
    session.crosstab(balanced().rgn, balanced().sex, label="Table 1",
                     title="People by region and sex",
                     explanation="Number of people in the survey by region and sex.")
    return saved(session.outputs[0])


def project_with_notebook(root: Path, **options: Any) -> Path:
    """A project whose notebook holds one passing record."""
    write_project(root, **options)
    notebook_of(root / "analysis.ipynb", [passing_record()])
    return root


# -- the command line --------------------------------------------------------------------------
def cli(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """``jupyter-sdc ARGS`` in ``cwd``, as a researcher runs it."""
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(REPO))
    return subprocess.run([str(JUPYTER_SDC), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)




def only_request(sdc_folder: Path) -> Path:
    found = requests_in(sdc_folder)
    assert len(found) == 1, f"expected one request folder, found {[p.name for p in found]}"
    return found[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (hidden ones too): files by sha256, links by target."""
    entries: dict[str, str] = {}
    if not os.path.lexists(folder):
        return entries
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                entries[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                entries[key] = "dir"
            else:
                entries[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def absolute_forms(path: Path) -> list[str]:
    """The ways an absolute path may be printed (as given and resolved)."""
    forms = {str(path), str(path.resolve())}
    return sorted(f for f in forms if len(f) > 1)


def shorten(text: str, limit: int = 3000) -> str:
    """A message fit for an assertion report: long runs of one character collapsed."""
    text = re.sub(r"(.)\1{40,}", lambda m: f"{m.group(1) * 5}<x{len(m.group(0))}>", text)
    return text if len(text) <= limit else text[:limit // 2] + " […] " + text[-limit // 2:]


def assert_clean_message(text: str, *, roots: Iterable[Path] = (),
                         secrets: Iterable[str] = ()) -> None:
    """No traceback, no absolute path under ``roots``, no echoed file content."""
    assert "Traceback (most recent call last)" not in text, shorten(text)
    assert not re.search(r'File "[^"]+\.py", line \d+', text), shorten(text)
    for root in roots:
        for form in absolute_forms(Path(root)):
            assert form not in text, f"absolute path {form} in the message:\n{shorten(text)}"
    for secret in secrets:
        assert secret not in text, \
            f"file content {secret!r} echoed in the message:\n{shorten(text)}"


# -- reading a request -------------------------------------------------------------------------
def results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def outputs_of(folder: Path) -> dict[str, dict]:
    """results.json's outputs (the document entry left out)."""
    return {uid: entry for uid, entry in results(folder)["results"].items()
            if entry.get("type") != "document" and uid != "document"}


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def docx_text(path: Path) -> list[str]:
    """Paragraph texts of a .docx, then every table cell's text, in order."""
    import docx

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return texts


def docx_rows(path: Path) -> list[list[str]]:
    """Every row of every table in a .docx, as cell texts."""
    import docx

    document = docx.Document(str(path))
    return [[cell.text.strip() for cell in row.cells]
            for table in document.tables for row in table.rows]


def text_files(folder: Path) -> dict[str, str]:
    """The text of every file in a request: JSON, CSV, text, and the words of each .docx."""
    found: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix == ".docx":
            found[name] = "\n".join(docx_text(path))
        elif path.suffix in (".json", ".csv", ".txt", ".py"):
            found[name] = path.read_text(encoding="utf-8", errors="replace")
    return found


def cli_in_process(*args: str, cwd: Path) -> tuple[int, str]:
    """The ``jupyter-sdc`` console script's entry point, called in this process (fast).

    Behaves as the installed command does: the exit code, and everything it prints; an
    exception escaping the entry point is what a user would see as a traceback, so its
    traceback is part of the printed text (and the exit code is 1, as Python's)."""
    import traceback
    from contextlib import redirect_stderr, redirect_stdout
    from importlib.metadata import entry_points

    (point,) = [e for e in entry_points(group="console_scripts") if e.name == "jupyter-sdc"]
    main = point.load()
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exited:
                code = exited.code if isinstance(exited.code, int) else (
                    0 if exited.code is None else 1)
            except BaseException:  # noqa: BLE001 - shown as the command line would show it
                traceback.print_exc()
                code = 1
    finally:
        os.chdir(here)
    return int(code or 0), out.getvalue() + err.getvalue()
