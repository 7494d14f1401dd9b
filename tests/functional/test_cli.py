"""``jupyter sdc init|export|inspect`` and ``jupyter nbconvert --to sdc``: exit codes 0 ok,
1 findings or refusal, 2 usage error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from docx import Document
from sdc_folders import requests_in

from jupyter_sdc.cli import main
from jupyter_sdc.export.nbconvert_exporter import SDCExporter
from jupyter_sdc.export.notebook import MIME_TYPE
from jupyter_sdc.export.request import ExportRefused

sys.path.insert(0, str(Path(__file__).parent))
from test_request import SDC_TOML, figure, model, table  # noqa: E402

BIN = Path(sys.executable).parent


def project(root: Path, on_problems: str = "refuse") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    text = SDC_TOML.replace("{on_problems}", on_problems).replace("{include_code}", "false")
    (root / "sdc.toml").write_text(text, encoding="utf-8")
    return root


def notebook(path: Path, records: list[dict]) -> Path:
    cells = [nbformat.v4.new_code_cell("sdc.crosstab(df.rgn, df.sex)", outputs=[
        nbformat.v4.new_output("display_data", data={MIME_TYPE: r}) for r in records])]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def requests(root: Path) -> list[Path]:
    sdc = root / "SDC"
    return requests_in(sdc)


# -- init -----------------------------------------------------------------------------------
def test_init_writes_the_template_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert "TODO" in (tmp_path / "sdc.toml").read_text()
    assert main(["init", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err


# -- export ---------------------------------------------------------------------------------
def test_export_writes_a_request_and_exits_0(tmp_path: Path, capsys, monkeypatch) -> None:
    root = project(tmp_path / "p")
    path = notebook(root / "a.ipynb", [table("t1-1"), figure("f1-1"), model("m1-1")])
    monkeypatch.chdir(tmp_path)
    assert main(["export", str(path)]) == 0
    (folder,) = requests(root)
    # named relative to the current folder, never as an absolute path
    out = capsys.readouterr().out
    assert f"Request written to p/SDC/{folder.name} (3 outputs)" in out
    assert str(tmp_path) not in out


def test_export_json_output(tmp_path: Path, capsys) -> None:
    root = project(tmp_path / "p")
    path = notebook(root / "a.ipynb", [table("t1-1")])
    assert main(["export", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["included"] == ["t1-1"] and report["preflight"]["ok"] is True


def test_a_refused_export_exits_1_and_lists_what_to_fix(tmp_path: Path, capsys) -> None:
    root = project(tmp_path / "p")
    path = notebook(root / "a.ipynb", [table("bad-1", status="fail")])
    assert main(["export", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Export refused" in err and "bad-1" in err and "exception" in err
    assert requests(root) == []


def test_an_export_written_with_preflight_errors_exits_0_and_prints_them(tmp_path: Path,
                                                                       capsys) -> None:
    """DESIGN: 0 written (with or without warnings); 1 only when nothing was written."""
    root = project(tmp_path / "p", on_problems="warn")
    path = notebook(root / "a.ipynb", [table("t1-1", explanation="See the text.")])
    assert main(["export", str(path)]) == 0
    assert len(requests(root)) == 1
    out = capsys.readouterr().out
    assert "error: outputs.docx" in out
    assert out.count("not explained") == 1  # printed once


def test_export_without_sdc_toml_exits_1(tmp_path: Path, capsys) -> None:
    path = notebook(tmp_path / "a.ipynb", [table("t1-1")])
    assert main(["export", str(path)]) == 1
    assert "No sdc.toml found" in capsys.readouterr().err


def test_export_with_an_explicit_config(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    path = notebook(tmp_path / "elsewhere.ipynb", [table("t1-1")])
    assert main(["export", "--config", str(root / "sdc.toml"), str(path)]) == 0
    assert len(requests(root)) == 1


@pytest.mark.parametrize(
    "argv",
    [[], ["export"], ["export", "notes.txt"], ["frobnicate"], ["inspect"],
     ["inspect", "missing.docx"]],
)
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


# -- inspect --------------------------------------------------------------------------------
def test_inspect_passes_what_export_wrote(tmp_path: Path, capsys) -> None:
    root = project(tmp_path / "p")
    main(["export", str(notebook(root / "a.ipynb", [table("t1-1"), figure("f1-1")]))])
    (folder,) = requests(root)
    capsys.readouterr()
    assert main(["inspect", str(folder)]) == 0
    assert main(["inspect", str(folder / "outputs.docx")]) == 0
    assert main(["inspect", str(folder / "release_request.docx")]) == 0
    assert "ok: nothing to fix." in capsys.readouterr().out


def test_inspect_finds_hidden_text_and_exits_1(tmp_path: Path, capsys) -> None:
    root = project(tmp_path / "p")
    main(["export", str(notebook(root / "a.ipynb", [table("t1-1")]))])
    (folder,) = requests(root)
    planted = tmp_path / "planted.docx"
    document = Document(str(folder / "outputs.docx"))
    document.add_paragraph().add_run("respondent 4471 earns 182,000").font.hidden = True
    document.save(str(planted))
    capsys.readouterr()
    assert main(["inspect", "--json", str(planted)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["findings"]


def test_inspect_checks_the_citation_of_the_project_the_document_is_in(tmp_path, capsys) -> None:
    root = project(tmp_path / "p")
    main(["export", str(notebook(root / "a.ipynb", [table("t1-1")]))])
    (folder,) = requests(root)
    other = project(tmp_path / "other")
    toml = other / "sdc.toml"
    toml.write_text(toml.read_text().replace("SN-0000-1", "SN-9999-9"))
    (other / "outputs.docx").write_bytes((folder / "outputs.docx").read_bytes())
    capsys.readouterr()
    assert main(["inspect", str(other / "outputs.docx")]) == 1
    assert "SN-9999-9" in capsys.readouterr().out


def test_inspect_of_a_folder_with_a_data_file_exits_1(tmp_path: Path, capsys) -> None:
    root = project(tmp_path / "p")
    main(["export", str(notebook(root / "a.ipynb", [table("t1-1")]))])
    (folder,) = requests(root)
    (folder / "extract.sav").write_bytes(b"spss")
    capsys.readouterr()
    assert main(["inspect", str(folder)]) == 1
    assert "extract.sav" in capsys.readouterr().out


# -- the installed commands, for real -------------------------------------------------------
def test_jupyter_sdc_runs_as_a_jupyter_subcommand(tmp_path: Path) -> None:
    if not (BIN / "jupyter-sdc").exists():
        pytest.skip("the jupyter-sdc console script is not installed (pip install -e .)")
    root = project(tmp_path / "p")
    path = notebook(root / "a.ipynb", [table("t1-1")])
    done = subprocess.run([str(BIN / "jupyter"), "sdc", "export", str(path)],
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": f"{BIN}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    (folder,) = requests(root)
    done = subprocess.run([str(BIN / "jupyter-sdc"), "inspect", str(folder)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([str(BIN / "jupyter-sdc"), "export", "a.txt"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "is not a notebook" in done.stderr


# -- nbconvert ------------------------------------------------------------------------------
def test_nbconvert_exporter_writes_the_request(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    path = notebook(root / "a.ipynb", [table("t1-1"), model("m1-1")])
    output, resources = SDCExporter().from_filename(str(path))
    summary = json.loads(output)
    (folder,) = requests(root)
    assert summary["folder"] == str(folder) and summary["included"] == ["t1-1", "m1-1"]
    assert summary["preflight_ok"] is True and resources["output_extension"] == ".sdc.json"


def test_nbconvert_exporter_refuses_a_notebook_without_records(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    with pytest.raises(ExportRefused, match="holds no jupyter_sdc outputs"):
        SDCExporter().from_filename(str(notebook(root / "a.ipynb", [])))


def test_jupyter_nbconvert_runs_the_exporter(tmp_path: Path) -> None:
    """Through nbconvert itself (by class path; the `--to sdc` entry point needs the install)."""
    root = project(tmp_path / "p")
    path = notebook(root / "a.ipynb", [table("t1-1")])
    done = subprocess.run(
        [str(BIN / "jupyter-nbconvert"), "--to",
         "jupyter_sdc.export.nbconvert_exporter.SDCExporter", str(path)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (folder,) = requests(root)
    assert json.loads((root / "a.sdc.json").read_text())["folder"] == str(folder)
