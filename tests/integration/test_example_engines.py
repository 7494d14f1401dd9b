"""The example notebook that checks a Polars and DuckDB analysis runs in a real kernel, and
``jupyter sdc export`` makes a request from it that passes preflight."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("polars", reason="the example needs jupyter_sdc[polars]")
pytest.importorskip("sqlglot", reason="the example needs jupyter_sdc[duckdb]")
pytestmark = pytest.mark.kernel

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "project"
NOTEBOOK = "analysis_engines.ipynb"
MIME = "application/vnd.jupyter-sdc.output+json"


def example_data():
    spec = importlib.util.spec_from_file_location("example_make_data", EXAMPLE / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module.make()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The example project in a folder of its own, its notebook executed and saved."""
    root = tmp_path_factory.mktemp("example")
    shutil.copy(EXAMPLE / "sdc.toml", root / "sdc.toml")
    (root / "data").mkdir()
    example_data().to_csv(root / "data" / "lfs_synthetic.csv", index=False)
    nb = nbformat.read(EXAMPLE / NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(root)}}).execute()
    nbformat.write(nb, root / NOTEBOOK)
    return root


def records(root: Path) -> list[dict]:
    nb = nbformat.read(root / NOTEBOOK, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, errors
    return [o["data"][MIME] for c in nb.cells for o in c.get("outputs", [])
            if MIME in o.get("data", {})]


def test_every_output_is_checked_by_its_engine_labelled_titled_and_explained(project):
    found = records(project)
    assert [r["label"] for r in found] == ["Table 1", "Table 2", "Table 3", "Table 4"]
    assert [r["source"].get("engine") for r in found] == ["polars", "polars", "polars",
                                                           "duckdb"]
    for record in found:
        assert record["title"] and record["explanation"], record["label"]
        assert record["status"] == "pass", (record["label"], record["reasons"])
        assert record["rules"]["unit"] == "person_id"


def test_the_notebook_exports_to_a_request_that_passes_preflight(project):
    cli = Path(sys.executable).with_name("jupyter-sdc")
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", str(REPO))}
    done = subprocess.run([str(cli), "export", NOTEBOOK], cwd=project, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    [request] = [p for p in (project / "SDC").iterdir() if p.is_dir() and
                 not p.name.endswith(".checker")]
    preflight = json.loads((request / "preflight.json").read_text())
    assert preflight["ok"], preflight
    results = json.loads((request / "results.json").read_text())["results"]
    tables = [r for r in results.values() if r.get("type") == "table"]
    assert len(tables) == 4, results.keys()
