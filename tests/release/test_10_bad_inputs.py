"""Issue 9, class 10: a catalogue of malformed and bad inputs (Build 9).

Every bad input gets a clear answer, never a traceback or an HTTP 500:

- ``jupyter sdc export``: exit 1 refused (bad notebook, bad sdc.toml, bad record: nothing
  written) or 2 usage (bad arguments, not an ``.ipynb``);
- ``POST /jupyter-sdc/export`` and ``GET /jupyter-sdc/outputs``: 400 malformed request (bad
  path, NUL byte, too long), 404 missing notebook, 409 refused;
- the message names the problem and says what to do, holds no absolute path of the project or
  server root and echoes no file content;
- nothing is written: no request folder, no hidden staging folder, the earlier request in the
  SDC folder byte for byte unchanged (the whole project tree is compared).

The export cases call the console script's entry point in this process (a subprocess per case
would take minutes); ``test_the_installed_command_answers_like_the_entry_point`` runs a sample
through the real ``jupyter-sdc`` and ``jupyter sdc`` commands.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from release_kit import (
    ADVICE,
    BIN,
    DATASET_A,
    MIME,
    assert_clean_message,
    balanced,
    cli,
    cli_in_process,
    notebook_json,
    notebook_of,
    saved,
    shorten,
    snapshot,
    toml_text,
    write_project,
    write_raw_notebook,
)
from sdc_folders import requests_in
from shell_kit import run

import jupyter_sdc as sdc

SECRET_ROWS = "person_id,income,postcode\n4471,182000,AB1 2CD\n4472,23000,EF3 4GH\n"
SECRETS = ("4471", "182000", "AB1 2CD", "postcode")


# -- valid material, made by the package itself ------------------------------------------------
@functools.cache
def _table() -> dict:
    session = sdc.Session()
    session.crosstab(balanced().rgn, balanced().sex, label="Table 1",
                     title="People by region and sex",
                     explanation="Number of people in the survey by region and sex.")
    return saved(session.outputs[0])


@functools.cache
def _figure() -> dict:
    session = sdc.Session()
    session.hist(balanced(), "hours", bins=[0, 30, 35, 40, 100], label="Figure 1",
                 title="Usual weekly hours",
                 explanation="Histogram of usual weekly hours: up to 30, 30 to 35, 35 to 40 "
                             "and over 40 hours.")
    import matplotlib.pyplot as plt

    plt.close("all")
    return saved(session.outputs[0])


def table() -> dict:
    return copy.deepcopy(_table())


def figure() -> dict:
    return copy.deepcopy(_figure())


@functools.cache
def bomb_png() -> bytes:
    """A small PNG that decodes to 20000 x 20000 pixels (a decompression bomb)."""
    width = height = 20_000
    row = b"\x00" + b"\x00" * (width // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    """A request exported earlier into an SDC folder, to be left byte for byte unchanged.

    It holds the valid table and figure the bad records below are made from, so a bad record
    cannot be refused for a fault of the record it started from."""
    root = write_project(tmp_path_factory.mktemp("earlier") / "project")
    notebook_of(root / "analysis.ipynb", [table(), dict(figure(), uid="figure-1")])
    code, text = cli_in_process("export", "analysis.ipynb", cwd=root)
    assert code == 0, text
    [folder] = requests_in(root / "SDC")
    assert len(json.loads((folder / "results.json").read_text())["results"]) == 3  # + document
    return folder


# -- the catalogue of bad exports --------------------------------------------------------------
@dataclass(frozen=True)
class Bad:
    """``build(project, outside)`` writes the bad input and returns the export arguments."""

    id: str
    category: str
    build: Callable[[Path, Path], list[str]]
    says: str  # a regex naming the problem (case-insensitive)
    exits: tuple[int, ...] = (1,)
    secrets: tuple[str, ...] = ()


def raw(text: str | bytes) -> Callable[[Path, Path], list[str]]:
    def build(root: Path, outside: Path) -> list[str]:
        path = root / "bad.ipynb"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return ["bad.ipynb"]
    return build


def as_json(value) -> Callable[[Path, Path], list[str]]:
    def build(root: Path, outside: Path) -> list[str]:
        write_raw_notebook(root / "bad.ipynb", value() if callable(value) else value)
        return ["bad.ipynb"]
    return build


def nb_with(change: Callable[[dict], None]) -> Callable[[Path, Path], list[str]]:
    """A valid notebook holding a valid record, then ``change`` applied to its JSON."""
    def value() -> dict:
        nb = notebook_json([table()])
        change(nb)
        return nb
    return as_json(value)


def record_with(change: Callable[[dict], object], base: Callable[[], dict] = table
                ) -> Callable[[Path, Path], list[str]]:
    """A notebook whose one record is a real record with ``change`` applied (it may return a
    replacement value for the whole record)."""
    def build(root: Path, outside: Path) -> list[str]:
        record = base()
        replaced = change(record)
        nb = notebook_json([table()])
        nb["cells"][0]["outputs"][0]["data"][MIME] = record if replaced is None else replaced
        write_raw_notebook(root / "bad.ipynb", nb)
        return ["bad.ipynb"]
    return build


def setter(*path_and_value):
    *keys, value = path_and_value

    def change(record: dict) -> None:
        target = record
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


def deleter(key: str):
    def change(record: dict) -> None:
        record.pop(key, None)
    return change


def toml_with(old: str, new: str, **options) -> Callable[[Path, Path], list[str]]:
    """The project's sdc.toml with one line replaced; a valid notebook beside it."""
    def build(root: Path, outside: Path) -> list[str]:
        text = toml_text(**options)
        assert old in text, old
        (root / "sdc.toml").write_text(text.replace(old, new), encoding="utf-8")
        notebook_of(root / "analysis.ipynb", [table()])
        return ["analysis.ipynb"]
    return build


def toml_raw(content: str | bytes) -> Callable[[Path, Path], list[str]]:
    def build(root: Path, outside: Path) -> list[str]:
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (root / "sdc.toml").write_bytes(data)
        notebook_of(root / "analysis.ipynb", [table()])
        return ["analysis.ipynb"]
    return build


def with_rules(line: str) -> Callable[[Path, Path], list[str]]:
    return toml_with('profile = "acro-default"', f'profile = "acro-default"\n{line}')


def with_export(old: str, new: str) -> Callable[[Path, Path], list[str]]:
    return toml_with(old, new)


def custom(setup: Callable[[Path, Path], list[str]]) -> Callable[[Path, Path], list[str]]:
    return setup


def _v4(**changes) -> dict:
    nb = json.loads(nbformat.writes(nbformat.v4.new_notebook()))
    nb.update(changes)
    return nb


def _cells(*cells) -> dict:
    return _v4(cells=list(cells))


def _code_cell(**changes) -> dict:
    cell = {"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {},
            "outputs": [], "source": "x"}
    cell.update(changes)
    return cell


def _mime_output(value) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": {MIME: value,
                                                                   "text/plain": "x"}}


def _folder_named_ipynb(root: Path, outside: Path) -> list[str]:
    (root / "x.ipynb").mkdir()
    return ["x.ipynb"]


def _existing_txt(root: Path, outside: Path) -> list[str]:
    (root / "notes.txt").write_text("notes", encoding="utf-8")
    return ["notes.txt"]


def _dangling(root: Path, outside: Path) -> list[str]:
    (root / "gone.ipynb").symlink_to(outside / "gone.ipynb")
    return ["gone.ipynb"]


def _system_file(root: Path, outside: Path) -> list[str]:
    (root / "passwd.ipynb").symlink_to("/etc/passwd")
    return ["passwd.ipynb"]


def _data_file_outside(root: Path, outside: Path) -> list[str]:
    (outside / "extract.csv").write_text(SECRET_ROWS, encoding="utf-8")
    (root / "extract.ipynb").symlink_to(outside / "extract.csv")
    return ["extract.ipynb"]


def _dotdot_outside(root: Path, outside: Path) -> list[str]:
    notebook_of(outside / "a.ipynb", [table()])
    return ["../outside/a.ipynb"]


def _two_projects(root: Path, outside: Path) -> list[str]:
    notebook_of(root / "a.ipynb", [table()])
    write_project(outside)
    notebook_of(outside / "b.ipynb", [dict(table(), uid="other-1")])
    return ["a.ipynb", "../outside/b.ipynb"]


def _uid_in_two_notebooks(root: Path, outside: Path) -> list[str]:
    notebook_of(root / "a.ipynb", [table()])
    notebook_of(root / "b.ipynb", [table()])
    return ["a.ipynb", "b.ipynb"]


def _uid_in_two_cells(root: Path, outside: Path) -> list[str]:
    other = table()
    other["title"] = "People by region and sex, again"
    notebook_of(root / "a.ipynb", [table(), other])
    return ["a.ipynb"]


def _toml_missing(root: Path, outside: Path) -> list[str]:
    (root / "sdc.toml").unlink()
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _toml_folder(root: Path, outside: Path) -> list[str]:
    (root / "sdc.toml").unlink()
    (root / "sdc.toml").mkdir()
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _toml_dangling(root: Path, outside: Path) -> list[str]:
    (root / "sdc.toml").unlink()
    (root / "sdc.toml").symlink_to(outside / "sdc.toml")
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _sdc_folder_symlink_out(root: Path, outside: Path) -> list[str]:
    shutil.move(root / "SDC", outside / "SDC")
    (root / "SDC").symlink_to(outside / "SDC", target_is_directory=True)
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _sdc_folder_dangling(root: Path, outside: Path) -> list[str]:
    (root / "sdc.toml").write_text(toml_text(sdc_folder='"drop"'), encoding="utf-8")
    (root / "drop").symlink_to(outside / "missing", target_is_directory=True)
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _sdc_folder_file(root: Path, outside: Path) -> list[str]:
    (root / "sdc.toml").write_text(toml_text(sdc_folder='"drop"'), encoding="utf-8")
    (root / "drop").write_text("not a folder", encoding="utf-8")
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _sdc_folder_absolute(root: Path, outside: Path) -> list[str]:
    (root / "sdc.toml").write_text(toml_text(sdc_folder=json.dumps(str(outside))),
                                   encoding="utf-8")
    notebook_of(root / "analysis.ipynb", [table()])
    return ["analysis.ipynb"]


def _utf16(root: Path, outside: Path) -> list[str]:
    (root / "bad.ipynb").write_bytes(json.dumps(_v4()).encode("utf-16"))
    return ["bad.ipynb"]


def _counts_negative(record: dict) -> None:
    record["counts"][0][0] = -5


def _index_short(record: dict) -> None:
    record["table"]["index"] = record["table"]["index"][:-1]


def _ragged(record: dict) -> None:
    record["table"]["data"][0] = record["table"]["data"][0][:1]


def _flags_shape(record: dict) -> None:
    record["flags"]["threshold"] = [[False]]


def _png(value) -> Callable[[dict], None]:
    def change(record: dict) -> None:
        record["figure"] = {"png": value() if callable(value) else value}
    return change


def _bomb() -> str:
    return base64.b64encode(bomb_png()).decode()


def _csv_as_png() -> str:
    return base64.b64encode(SECRET_ROWS.encode()).decode()


NOTEBOOKS = [
    Bad("json-object", "notebook content", as_json({"a": 1}), r"notebook"),
    Bad("json-list", "notebook content", as_json([1, 2, 3]), r"notebook"),
    Bad("json-string", "notebook content", as_json("hello"), r"notebook"),
    Bad("json-number", "notebook content", as_json(42), r"notebook"),
    Bad("json-null", "notebook content", as_json(None), r"notebook"),
    Bad("empty-file", "notebook content", raw(""), r"notebook|empty"),
    Bad("whitespace-only", "notebook content", raw("  \n\t\n"), r"notebook|empty"),
    Bad("truncated-json", "notebook content", raw('{"cells": [{"cell_type": '), r"notebook"),
    Bad("nbformat-5", "notebook content", as_json(_v4(nbformat=5)), r"nbformat|format|version"),
    Bad("nbformat-3-without-worksheets", "notebook content",
        as_json({"nbformat": 3, "nbformat_minor": 0, "metadata": {}}),
        r"nbformat|format|version|notebook"),
    Bad("nbformat-as-string", "notebook content", as_json(_v4(nbformat="4")),
        r"nbformat|format|version"),
    Bad("nbformat-missing", "notebook content",
        as_json({"cells": [], "metadata": {}, "nbformat_minor": 5}), r"nbformat|notebook"),
    Bad("cells-not-a-list", "notebook content", as_json(_v4(cells={})), r"cells|notebook"),
    Bad("cell-without-type", "notebook content", as_json(_cells({"source": "x"})),
        r"cell|notebook"),
    Bad("cell-type-unknown", "notebook content",
        as_json(_cells({"cell_type": "video", "source": "x", "metadata": {}})),
        r"cell|notebook"),
    Bad("outputs-not-a-list", "notebook content", as_json(_cells(_code_cell(outputs={}))),
        r"output|notebook"),
    Bad("output-data-not-an-object", "notebook content",
        as_json(_cells(_code_cell(outputs=[{"output_type": "display_data", "metadata": {},
                                            "data": [1]}]))), r"output|data|notebook"),
    Bad("output-type-missing", "notebook content",
        nb_with(lambda nb: nb["cells"][0]["outputs"][0].pop("output_type")),
        r"output|notebook"),
    Bad("metadata-not-an-object", "notebook content", as_json(_v4(metadata=[])),
        r"metadata|notebook"),
    Bad("mime-invalid-json-text", "notebook content",
        as_json(_cells(_code_cell(outputs=[_mime_output("{not json")]))), r"record|JSON"),
    Bad("mime-json-list-text", "notebook content",
        as_json(_cells(_code_cell(outputs=[_mime_output("[1, 2]")]))), r"record"),
    Bad("mime-number", "notebook content",
        as_json(_cells(_code_cell(outputs=[_mime_output(5)]))), r"record"),
    Bad("mime-null", "notebook content",
        as_json(_cells(_code_cell(outputs=[_mime_output(None)]))), r"record"),
    Bad("csv-renamed-ipynb", "notebook content", raw(SECRET_ROWS), r"notebook",
        secrets=SECRETS),
    Bad("binary-garbage", "notebook content", raw(bytes(range(256)) * 8), r"notebook"),
    Bad("invalid-utf8", "notebook content", raw(b'{"cells": "\xff\xfe\xfa"}'),
        r"notebook|UTF-8|encod"),
    Bad("utf16-notebook-without-records", "notebook content", custom(_utf16),
        r"notebook|outputs|encod"),
    Bad("deeply-nested-json", "notebook content",
        raw('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}"), r"notebook|nest|deep"),
    Bad("empty-notebook", "notebook content", as_json(_v4()), r"no jupyter_sdc outputs"),
    Bad("markdown-only", "notebook content",
        as_json(_cells({"cell_type": "markdown", "id": "m1", "metadata": {},
                        "source": "# Results"})), r"no jupyter_sdc outputs"),
]

PATHS = [
    Bad("folder-named-x.ipynb", "notebook path", custom(_folder_named_ipynb),
        r"folder|director", exits=(1, 2)),
    Bad("missing-notebook", "notebook path", lambda root, out: ["missing.ipynb"],
        r"does not exist|not found|no such", exits=(1, 2)),
    Bad("not-an-ipynb", "notebook path", custom(_existing_txt), r"ipynb|notebook", exits=(2,)),
    Bad("no-suffix", "notebook path", lambda root, out: ["analysis"], r"ipynb|notebook",
        exits=(2,)),
    Bad("path-of-100k-characters", "notebook path",
        lambda root, out: ["a" * 100_000 + ".ipynb"], r"long", exits=(1, 2)),
    Bad("name-of-300-characters", "notebook path", lambda root, out: ["a" * 300 + ".ipynb"],
        r"long", exits=(1, 2)),
    Bad("dangling-symlink", "notebook path", custom(_dangling),
        r"does not exist|missing|link|not found", exits=(1, 2)),
    Bad("symlink-to-a-system-file", "notebook path", custom(_system_file),
        r"notebook|sdc\.toml", secrets=("root:x:0:0", "/bin/bash", "nologin")),
    Bad("symlink-to-a-data-file-outside", "notebook path", custom(_data_file_outside),
        r"notebook|sdc\.toml", secrets=SECRETS),
    Bad("dot-dot-to-a-folder-without-sdc-toml", "notebook path", custom(_dotdot_outside),
        r"sdc\.toml"),
    Bad("notebooks-of-two-projects", "notebook path", custom(_two_projects), r"project"),
    Bad("one-uid-in-two-notebooks", "notebook path", custom(_uid_in_two_notebooks),
        r"both|appears|twice|uid"),
    Bad("one-uid-in-two-cells", "notebook path", custom(_uid_in_two_cells),
        r"appears|twice|times|uid|both"),
]

TOMLS = [
    Bad("sdc.toml-missing", "sdc.toml file", custom(_toml_missing), r"sdc\.toml"),
    Bad("sdc.toml-is-a-folder", "sdc.toml file", custom(_toml_folder), r"sdc\.toml"),
    Bad("sdc.toml-dangling-symlink", "sdc.toml file", custom(_toml_dangling), r"sdc\.toml"),
    Bad("sdc.toml-invalid-utf8", "sdc.toml file", toml_raw(b"\xff\xfe[project]\nid = 1\n"),
        r"sdc\.toml"),
    Bad("sdc.toml-binary", "sdc.toml file", toml_raw(bytes(range(256))), r"sdc\.toml"),
    Bad("sdc.toml-syntax-error", "sdc.toml file", toml_raw('[project\nid = "P-1"\n'),
        r"sdc\.toml|TOML"),
    Bad("sdc.toml-empty", "sdc.toml file", toml_raw(""), r"project"),
    Bad("project-not-a-table", "sdc.toml [project]",
        toml_raw('project = "P-1234"\n' + DATASET_A), r"project"),
    Bad("project.id-number", "sdc.toml [project]", toml_with('id = "P-1234"', "id = 123"),
        r"project\.id"),
    Bad("project.id-dot-dot", "sdc.toml [project]",
        toml_with('id = "P-1234"', 'id = "../evil"'), r"project\.id"),
    Bad("project.id-empty", "sdc.toml [project]", toml_with('id = "P-1234"', 'id = ""'),
        r"project\.id"),
    Bad("project.id-too-long", "sdc.toml [project]",
        toml_with('id = "P-1234"', f'id = "{"P" * 100}"'), r"project\.id"),
    Bad("project.title-number", "sdc.toml [project]",
        toml_with('title = "Earnings and hours after the pandemic"', "title = 5"),
        r"title"),
    Bad("project.title-empty", "sdc.toml [project]",
        toml_with('title = "Earnings and hours after the pandemic"', 'title = ""'), r"title"),
    Bad("researchers-a-string", "sdc.toml [project]",
        toml_with('researchers = ["A. Researcher <a.researcher@example.ac.uk>"]',
                  'researchers = "A. Researcher"'), r"researchers"),
    Bad("researchers-empty", "sdc.toml [project]",
        toml_with('researchers = ["A. Researcher <a.researcher@example.ac.uk>"]',
                  "researchers = []"), r"researchers"),
    Bad("researchers-numbers", "sdc.toml [project]",
        toml_with('researchers = ["A. Researcher <a.researcher@example.ac.uk>"]',
                  "researchers = [1, 2]"), r"researchers"),
    Bad("output_type-unknown", "sdc.toml [project]",
        toml_with('output_type = "Working paper"', 'output_type = "Tweet"'), r"output_type"),
    Bad("output_type-number", "sdc.toml [project]",
        toml_with('output_type = "Working paper"', "output_type = 3"), r"output_type"),
    Bad("datasets-missing", "sdc.toml [[datasets]]", toml_with(DATASET_A, ""), r"datasets"),
    Bad("datasets-a-string", "sdc.toml [[datasets]]",
        toml_raw('datasets = "QLFS"\n' + toml_text(datasets="")), r"datasets"),
    Bad("datasets-empty-list", "sdc.toml [[datasets]]",
        toml_raw("datasets = []\n" + toml_text(datasets="")), r"datasets"),
    Bad("datasets-a-number", "sdc.toml [[datasets]]",
        toml_raw("datasets = [1]\n" + toml_text(datasets="")), r"datasets"),
    Bad("datasets-citation-number", "sdc.toml [[datasets]]",
        toml_with('citation = "Office', 'citation = 5\nnote = "Office'), r"citation"),
    Bad("datasets-name-missing", "sdc.toml [[datasets]]",
        toml_with('name = "Quarterly Labour Force Survey"', ""), r"name"),
    Bad("rules-not-a-table", "sdc.toml [rules]",
        toml_raw('rules = "strict"\n' + toml_text().replace("[rules]\n", "[unused]\n")),
        r"rules"),
    Bad("rules.threshold-text", "sdc.toml [rules]", with_rules('threshold = "ten"'),
        r"threshold"),
    Bad("rules.threshold-negative", "sdc.toml [rules]", with_rules("threshold = -1"),
        r"threshold"),
    Bad("rules.threshold-fraction", "sdc.toml [rules]", with_rules("threshold = 1.5"),
        r"threshold"),
    Bad("rules.threshold-boolean", "sdc.toml [rules]", with_rules("threshold = true"),
        r"threshold"),
    Bad("rules.nk_k-above-1", "sdc.toml [rules]", with_rules("nk_k = 1.5"), r"nk_k"),
    Bad("rules.nk_n-zero", "sdc.toml [rules]", with_rules("nk_n = 0"), r"nk_n"),
    Bad("rules.p_percent-text", "sdc.toml [rules]", with_rules('p_percent = "x"'),
        r"p_percent"),
    Bad("rules.dof-negative", "sdc.toml [rules]", with_rules("dof = -3"), r"dof"),
    Bad("rules.zeros-text", "sdc.toml [rules]", with_rules('zeros = "yes"'), r"zeros"),
    Bad("rules.missing-number", "sdc.toml [rules]", with_rules("missing = 1"), r"missing"),
    Bad("rules.class_disclosure-text", "sdc.toml [rules]",
        with_rules('class_disclosure = "on"'), r"class_disclosure"),
    Bad("rules.min_max-unknown", "sdc.toml [rules]", with_rules('min_max = "maybe"'),
        r"min_max"),
    Bad("rules.differencing-unknown", "sdc.toml [rules]",
        with_rules('differencing = "sometimes"'), r"differencing"),
    Bad("rules.round_base-zero", "sdc.toml [rules]", with_rules("round_base = 0"),
        r"round_base"),
    Bad("rules.unit-number", "sdc.toml [rules]", with_rules("unit = 5"), r"unit"),
    Bad("rules.profile-unknown", "sdc.toml [rules]",
        toml_with('profile = "acro-default"', 'profile = "nonexistent"'), r"profile"),
    Bad("rules.profile-number", "sdc.toml [rules]",
        toml_with('profile = "acro-default"', "profile = 7"), r"profile"),
    Bad("rules.treshold-misspelt", "sdc.toml [rules]", with_rules("treshold = 100"),
        r"threshold"),
    Bad("export-not-a-table", "sdc.toml [export]",
        toml_raw('export = "SDC"\n' + toml_text().split("[export]")[0]),
        r"export"),
    Bad("export.sdc_folder-number", "sdc.toml [export]",
        with_export('sdc_folder = "SDC"', "sdc_folder = 5"), r"sdc_folder"),
    Bad("export.sdc_folder-empty", "sdc.toml [export]",
        with_export('sdc_folder = "SDC"', 'sdc_folder = ""'), r"sdc_folder"),
    Bad("export.sdc_folder-nul-byte", "sdc.toml [export]",
        with_export('sdc_folder = "SDC"', r'sdc_folder = "S\u0000DC"'), r"sdc_folder"),
    Bad("export.sdc_folder-100k-characters", "sdc.toml [export]",
        with_export('sdc_folder = "SDC"', f'sdc_folder = "{"d" * 100_000}"'),
        r"sdc_folder|long"),
    Bad("export.sdc_folder-dot-dot", "sdc.toml [export]",
        with_export('sdc_folder = "SDC"', 'sdc_folder = "../outside"'),
        r"sdc_folder|SDC folder"),
    Bad("export.sdc_folder-absolute-outside", "sdc.toml [export]",
        custom(_sdc_folder_absolute), r"sdc_folder|SDC folder"),
    Bad("export.sdc_folder-symlink-out", "sdc.toml [export]", custom(_sdc_folder_symlink_out),
        r"sdc_folder|SDC folder"),
    Bad("export.sdc_folder-dangling-symlink", "sdc.toml [export]",
        custom(_sdc_folder_dangling), r"sdc_folder|SDC folder"),
    Bad("export.sdc_folder-a-file", "sdc.toml [export]", custom(_sdc_folder_file),
        r"sdc_folder|SDC folder"),
    Bad("export.on_problems-unknown", "sdc.toml [export]",
        with_export('on_problems = "refuse"', 'on_problems = "ignore"'), r"on_problems"),
    Bad("export.on_problems-boolean", "sdc.toml [export]",
        with_export('on_problems = "refuse"', "on_problems = true"), r"on_problems"),
    Bad("export.include_code-text", "sdc.toml [export]",
        with_export("include_code = false", 'include_code = "yes"'), r"include_code"),
    Bad("export.unknown-key", "sdc.toml [export]",
        with_export("include_code = false", "include_code = false\nsdc_foldr = 1"),
        r"sdc_foldr|unknown"),
]

RECORDS = [
    Bad("schema_version-newer", "record", record_with(setter("schema_version", 99)),
        r"upgrade jupyter_sdc"),
    Bad("schema_version-missing", "record", record_with(deleter("schema_version")),
        r"schema"),
    Bad("schema_version-text", "record", record_with(setter("schema_version", "2")),
        r"schema"),
    Bad("schema_version-boolean", "record", record_with(setter("schema_version", True)),
        r"schema"),
    Bad("schema_version-fraction", "record", record_with(setter("schema_version", 1.5)),
        r"schema"),
    Bad("schema_version-zero", "record", record_with(setter("schema_version", 0)),
        r"schema|re-run"),
    Bad("uid-missing", "record", record_with(deleter("uid")), r"uid"),
    Bad("uid-number", "record", record_with(setter("uid", 5)), r"uid"),
    Bad("uid-empty", "record", record_with(setter("uid", "")), r"uid"),
    Bad("kind-unknown", "record", record_with(setter("kind", "video")), r"kind"),
    Bad("kind-missing", "record", record_with(deleter("kind")), r"kind"),
    Bad("status-unknown", "record", record_with(setter("status", "ok")), r"status"),
    Bad("status-missing", "record", record_with(deleter("status")), r"status"),
    Bad("table-a-list", "record", record_with(setter("table", [1, 2])), r"table"),
    Bad("table.data-text", "record", record_with(setter("table", "data", "x")), r"table"),
    Bad("table.data-ragged", "record", record_with(_ragged), r"table|shape"),
    Bad("table.index-a-row-short", "record", record_with(_index_short),
        r"index|shape|table"),
    Bad("table.data-cell-an-object", "record",
        record_with(lambda r: r["table"]["data"][0].__setitem__(0, {"a": 1})),
        r"table|value|edited"),
    Bad("counts-wrong-shape", "record", record_with(setter("counts", [[1, 2]])), r"counts"),
    Bad("counts-text", "record", record_with(setter("counts", "many")), r"counts"),
    Bad("counts-text-cells", "record",
        record_with(lambda r: r.__setitem__("counts", [["a"] * len(row)
                                                       for row in r["counts"]])),
        r"counts"),
    Bad("counts-negative", "record", record_with(_counts_negative),
        r"counts|negative|edited"),
    Bad("counts-missing", "record", record_with(setter("counts", None)), r"counts"),
    Bad("flags-a-list", "record", record_with(setter("flags", [])), r"flags"),
    Bad("flags-wrong-shape", "record", record_with(_flags_shape), r"flags"),
    Bad("checks-a-list", "record", record_with(setter("checks", [])), r"checks"),
    Bad("checks-unknown-verdict", "record",
        record_with(setter("checks", "threshold", "maybe")), r"checks|threshold|verdict"),
    Bad("rules-text", "record", record_with(setter("rules", "strict")), r"rules"),
    Bad("record.rules.threshold-text", "record",
        record_with(setter("rules", "threshold", "ten")),
        r"threshold|rules"),
    Bad("mitigation-text", "record", record_with(setter("mitigation", "none")),
        r"mitigation"),
    Bad("summary-a-list", "record", record_with(setter("summary", [])), r"summary"),
    Bad("source-text", "record", record_with(setter("source", "x")), r"source"),
    Bad("label-number", "record", record_with(setter("label", 5)), r"label"),
    Bad("title-a-list", "record", record_with(setter("title", ["x"])), r"title"),
    Bad("explanation-an-object", "record", record_with(setter("explanation", {})),
        r"explain"),
    Bad("include-text", "record", record_with(setter("include", "yes")), r"include"),
    Bad("reasons-text", "record", record_with(setter("reasons", "x")), r"reasons"),
    Bad("comments-text", "record", record_with(setter("comments", "x")), r"comments"),
    Bad("exception-number", "record", record_with(setter("exception", 5)), r"exception"),
    Bad("record-a-list", "record", record_with(lambda r: [r]), r"record|object"),
    Bad("record-an-empty-object", "record", record_with(lambda r: {}), r"schema|re-run"),
    Bad("figure-png-not-base64", "record figure",
        record_with(_png("not base64 at all!!"), base=figure), r"figure|image|PNG"),
    Bad("figure-png-base64-of-a-csv", "record figure",
        record_with(_png(_csv_as_png), base=figure), r"figure|image|PNG", secrets=SECRETS),
    Bad("figure-png-decompression-bomb", "record figure",
        record_with(_png(_bomb), base=figure), r"figure|image|large|pixels"),
    Bad("figure-png-number", "record figure", record_with(_png(123), base=figure),
        r"figure|image|PNG"),
    Bad("figure-text", "record figure", record_with(setter("figure", "x"), base=figure),
        r"figure"),
    Bad("figure-without-png", "record figure", record_with(setter("figure", {}), base=figure),
        r"figure|image"),
]

CATALOGUE = NOTEBOOKS + PATHS + TOMLS + RECORDS


def prepare(tmp_path: Path, earlier: Path, case: Bad) -> tuple[Path, list[str]]:
    root = write_project(tmp_path / "project")
    shutil.copytree(earlier, root / "SDC" / earlier.name, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    return root, case.build(root, outside)


@pytest.mark.parametrize("case", CATALOGUE, ids=[f"{c.category}: {c.id}" for c in CATALOGUE])
def test_a_bad_export_is_answered_clearly_and_writes_nothing(tmp_path, earlier, case):
    root, argv = prepare(tmp_path, earlier, case)
    before = snapshot(tmp_path)
    code, text = cli_in_process("export", *argv, cwd=root)
    assert_clean_message(text)  # no traceback
    assert code in case.exits, f"exit {code}, expected {case.exits}:\n{shorten(text)}"
    assert re.search(case.says, text, re.IGNORECASE), \
        f"does not name the problem:\n{shorten(text)}"
    assert ADVICE.search(text), f"does not say what to do:\n{shorten(text)}"
    assert_clean_message(text, roots=[tmp_path], secrets=case.secrets)
    assert snapshot(tmp_path) == before, "the refused export wrote or changed files"


def test_the_catalogue_is_large_enough():
    assert len(CATALOGUE) + len(SERVER) + len(API) >= 80
    assert len({c.id for c in CATALOGUE}) == len(CATALOGUE)


# -- the real commands, for a sample -----------------------------------------------------------
SAMPLE = ["json-list", "nbformat-5", "folder-named-x.ipynb", "csv-renamed-ipynb",
          "sdc.toml-invalid-utf8", "rules.threshold-text", "figure-png-decompression-bomb",
          "not-an-ipynb"]


@pytest.mark.parametrize("name", SAMPLE)
def test_the_installed_command_answers_like_the_entry_point(tmp_path, earlier, name):
    [case] = [c for c in CATALOGUE if c.id == name]
    root, argv = prepare(tmp_path, earlier, case)
    before = snapshot(tmp_path)
    command = "jupyter" if name in ("json-list", "not-an-ipynb") else None
    if command:  # `jupyter sdc export`, as the docs spell it
        done = subprocess.run([str(BIN / "jupyter"), "sdc", "export", *argv], cwd=root,
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PATH": f"{BIN}:/usr/bin:/bin"})
    else:
        done = cli("export", *argv, cwd=root)
    text = done.stdout + done.stderr
    assert_clean_message(text)
    assert done.returncode in case.exits, shorten(text)
    assert re.search(case.says, text, re.IGNORECASE), shorten(text)
    assert_clean_message(text, roots=[tmp_path], secrets=case.secrets)
    assert snapshot(tmp_path) == before


# -- the server: HTTP codes and replies --------------------------------------------------------
@dataclass(frozen=True)
class Req:
    id: str
    setup: Callable[[Path], None]  # writes into the server root
    method: str
    body: object  # POST: the JSON value sent (or raw text); GET: the path parameter
    codes: tuple[int, ...]
    says: str
    secrets: tuple[str, ...] = ()


def _project(root: Path) -> Path:
    project = write_project(root / "project")
    notebook_of(project / "analysis.ipynb", [table()])
    return project


def _server_write(name: str, content) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        project = _project(root)
        path = project / name
        if callable(content):
            content(project)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            write_raw_notebook(path, content)
    return setup


def _server_folder(project: Path) -> None:
    (project / "x.ipynb").mkdir()


def _server_symlink(project: Path) -> None:
    outside = project.parent.parent / "outside.ipynb"
    notebook_of(outside, [table()])
    (project / "link.ipynb").symlink_to(outside)


def _server_bad_toml(project: Path) -> None:
    (project / "sdc.toml").write_bytes(b"\xff\xfe[project]\nid = 1\n")


def _server_record(change, base=table) -> Callable[[Path], None]:
    def write(project: Path) -> None:
        record = base()
        change(record)
        notebook_of(project / "bad.ipynb", [record])
    return write


def _post(path) -> str:
    return json.dumps({"path": path})


LONG = "a" * 100_000 + ".ipynb"
SERVER = [
    Req("nul-byte", _project, "POST", _post("project/ana\x00lysis.ipynb"), (400,),
        r"path|NUL|null|character"),
    Req("path-of-100k-characters", _project, "POST", _post(LONG), (400,), r"long"),
    Req("name-of-300-characters", _project, "POST", _post("project/" + "a" * 300 + ".ipynb"),
        (400,), r"long"),
    Req("dot-dot", _project, "POST", _post("../outside/analysis.ipynb"), (400,), r"\.\."),
    Req("absolute", _project, "POST", _post("/etc/analysis.ipynb"), (400,), r"absolute"),
    Req("backslash-dot-dot", _project, "POST", _post("..\\..\\x.ipynb"), (400,), r"\.\."),
    Req("symlink-out-of-the-root", _server_write("link.ipynb", _server_symlink), "POST",
        _post("project/link.ipynb"), (400, 403), r"outside|root"),
    Req("folder-named-x.ipynb", _server_write("x.ipynb", _server_folder), "POST",
        _post("project/x.ipynb"), (400, 404, 409), r"folder|director"),
    Req("missing-notebook", _project, "POST", _post("project/missing.ipynb"), (404,),
        r"does not exist|not found"),
    Req("not-an-ipynb", _project, "POST", _post("project/sdc.toml"), (400,), r"ipynb|notebook"),
    Req("path-a-number", _project, "POST", json.dumps({"path": 123}), (400,), r"path"),
    Req("path-a-list", _project, "POST", json.dumps({"path": ["a.ipynb"]}), (400,), r"path"),
    Req("body-empty-object", _project, "POST", "{}", (400,), r"path"),
    Req("body-null", _project, "POST", "null", (400,), r"path|body"),
    Req("body-not-json", _project, "POST", "{not json", (400,), r"JSON|body|path"),
    Req("body-deeply-nested", _project, "POST", "[" * 100_000 + "]" * 100_000, (400,),
        r"JSON|body|path|nest|deep"),
    Req("notebook-a-json-list", _server_write("bad.ipynb", [1, 2, 3]), "POST",
        _post("project/bad.ipynb"), (409,), r"notebook"),
    Req("notebook-a-json-object", _server_write("bad.ipynb", {"a": 1}), "POST",
        _post("project/bad.ipynb"), (409,), r"notebook"),
    Req("notebook-nbformat-5", _server_write("bad.ipynb", _v4(nbformat=5)), "POST",
        _post("project/bad.ipynb"), (409,), r"nbformat|format|version"),
    Req("csv-renamed-ipynb", _server_write("bad.ipynb", SECRET_ROWS), "POST",
        _post("project/bad.ipynb"), (409,), r"notebook", SECRETS),
    Req("notebook-deeply-nested", _server_write(
        "bad.ipynb", '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}"), "POST",
        _post("project/bad.ipynb"), (409,), r"notebook|nest|deep"),
    Req("sdc.toml-invalid-utf8", _server_write("x", _server_bad_toml), "POST",
        _post("project/analysis.ipynb"), (409,), r"sdc\.toml"),
    Req("figure-png-not-base64", _server_write("x", _server_record(
        _png("not base64 at all!!"), base=figure)), "POST", _post("project/bad.ipynb"),
        (409,), r"figure|image|PNG"),
    Req("figure-png-decompression-bomb", _server_write("x", _server_record(
        _png(_bomb), base=figure)), "POST", _post("project/bad.ipynb"), (409,),
        r"figure|image|large|pixels"),
    Req("record-newer-schema", _server_write("x", _server_record(
        setter("schema_version", 99))), "POST", _post("project/bad.ipynb"), (409,),
        r"upgrade jupyter_sdc"),
    Req("outputs-nul-byte", _project, "GET", "project/ana\x00lysis.ipynb", (400,),
        r"path|NUL|null|character"),
    Req("outputs-path-of-5k-characters", _project, "GET", "a" * 5000 + ".ipynb", (400,),
        r"long"),
    Req("outputs-nbformat-5", _server_write("bad.ipynb", _v4(nbformat=5)), "GET",
        "project/bad.ipynb", (400, 409), r"nbformat|format|version"),
    Req("outputs-json-list", _server_write("bad.ipynb", [1, 2, 3]), "GET",
        "project/bad.ipynb", (400, 409), r"notebook"),
    Req("outputs-folder-named-x.ipynb", _server_write("x.ipynb", _server_folder), "GET",
        "project/x.ipynb", (400, 404, 409), r"folder|director"),
    Req("outputs-csv-renamed-ipynb", _server_write("bad.ipynb", SECRET_ROWS), "GET",
        "project/bad.ipynb", (400, 409), r"notebook", SECRETS),
]


@pytest.mark.parametrize("case", SERVER, ids=[c.id for c in SERVER])
async def test_a_bad_request_gets_a_4xx_with_a_clear_message(jp_fetch, jp_root_dir, case):
    case.setup(jp_root_dir)
    before = snapshot(jp_root_dir)
    if case.method == "POST":
        body = case.body if isinstance(case.body, str) else json.dumps(case.body)
        response = await jp_fetch("jupyter-sdc", "export", method="POST", body=body,
                                  raise_error=False)
    else:
        response = await jp_fetch("jupyter-sdc", "outputs", params={"path": case.body},
                                  raise_error=False)
    text = response.body.decode("utf-8", errors="replace")
    assert response.code != 500 and response.code in case.codes, (response.code,
                                                                  shorten(text))
    reply = json.loads(text)
    message = " ".join([str(reply.get("message", ""))] + [str(p) for p in
                                                          reply.get("problems", [])])
    assert re.search(case.says, message, re.IGNORECASE), shorten(message)
    assert ADVICE.search(message), f"does not say what to do: {shorten(message)}"
    assert_clean_message(text, roots=[jp_root_dir.parent], secrets=case.secrets)
    assert snapshot(jp_root_dir) == before


# -- the Python API and the magic --------------------------------------------------------------
def _frame():
    return balanced()


API = {
    "crosstab-treshold": (lambda s: s.crosstab(_frame().rgn, _frame().sex, treshold=100),
                          "threshold"),
    "crosstab-suppres": (lambda s: s.crosstab(_frame().rgn, _frame().sex, suppres=True),
                         "suppress"),
    "crosstab-margin": (lambda s: s.crosstab(_frame().rgn, _frame().sex, margin=True),
                        "margins"),
    "crosstab-lable": (lambda s: s.crosstab(_frame().rgn, _frame().sex, lable="Table 1"),
                       "label"),
    "crosstab-titel": (lambda s: s.crosstab(_frame().rgn, _frame().sex, titel="People"),
                       "title"),
    "pivot_table-treshold": (lambda s: s.pivot_table(_frame(), values="income", index="rgn",
                                                     treshold=100), "threshold"),
    "pivot_table-agfunc": (lambda s: s.pivot_table(_frame(), values="income", index="rgn",
                                                   agfunc="mean"), "aggfunc"),
    "describe-percentile": (lambda s: s.describe(_frame()[["income"]], percentile=[0.5]),
                            "percentiles"),
    "hist-bin": (lambda s: s.hist(_frame(), "hours", bin=5), "bins"),
    "olsr-treshold": (lambda s: s.olsr("income ~ age", data=_frame(), treshold=100),
                      "threshold"),
    "logitr-treshold": (lambda s: s.logitr("y ~ age", data=_frame().assign(
        y=(_frame().income > 30000).astype(int)), treshold=100), "threshold"),
    "Session-treshold": (lambda s: sdc.Session(treshold=100), "threshold"),
}


@pytest.mark.parametrize("name", list(API))
def test_an_unknown_keyword_is_a_type_error_naming_the_nearest(name):
    call, nearest = API[name]
    session = sdc.Session()
    with pytest.raises(TypeError) as raised:
        call(session)
    assert nearest in str(raised.value), str(raised.value)
    assert session.outputs == []


@pytest.mark.parametrize("option, nearest", [("--treshold 5", "threshold"),
                                             ("--lable 'Table 1'", "label"),
                                             ("--supress", "suppress")])
def test_a_misspelt_magic_option_names_the_nearest(ip, option, nearest):
    ran = run(ip, f"%%sdc_check {option}\ndf.groupby('rgn').size()", ok=False)
    error = ran.result.error_in_exec or ran.result.error_before_exec
    assert error is not None, "the misspelt option was accepted"
    assert nearest in str(error), str(error)
    assert "Traceback" not in ran.stdout + ran.stderr


def test_a_newer_record_asks_to_upgrade():
    record = table()
    record["schema_version"] = 99
    with pytest.raises(Exception, match="(?i)upgrade jupyter_sdc"):
        sdc.Output.from_dict(record)

