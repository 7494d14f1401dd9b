"""``%%sdc_check`` in a real kernel: nbclient runs a notebook written the way researchers write."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import jupyter_sdc

nbclient = pytest.importorskip("nbclient")
pytestmark = pytest.mark.kernel

MIME = "application/vnd.jupyter-sdc.output+json"
NOTEBOOK = Path(__file__).parent / "notebooks" / "magic_demo.ipynb"


def records(cell) -> list[dict]:
    outputs = cell.get("outputs", [])  # markdown cells have none
    return [o["data"][MIME] for o in outputs if MIME in o.get("data", {})]


def _notebook():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = _notebook()
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(
                                         tmp_path_factory.mktemp("kernel"))}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        # re-run Table 1 (same cell id), then ask the kernel how many records it holds
        client.execute_cell(nb.cells[3], 3)
        probe = nbformat.v4.new_code_cell(
            "import jupyter_sdc, json\n"
            "print(json.dumps([o.label for o in jupyter_sdc.session().outputs]))")
        nb.cells.append(probe)
        client.execute_cell(probe, len(nb.cells) - 1)
    return nb, probe


def test_each_checked_cell_shows_its_result_then_one_record(executed):
    nb, _ = executed
    table1 = nb.cells[3]
    kinds = [o["output_type"] for o in table1.outputs]
    assert kinds[0] == "execute_result" and kinds[1:] == ["display_data"]
    [record] = records(table1)
    assert record["label"] == "Table 1" and record["status"] == "fail"
    assert "text/html" in table1.outputs[1]["data"] and "text/plain" in table1.outputs[1]["data"]
    assert record["counts"][2] == [56, 4]  # South: 56 women, 4 men


def test_records_survive_a_save_and_load(executed, tmp_path):
    nb, _ = executed
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)
    again = nbformat.read(path, as_version=4)
    labels = [r["label"] for cell in again.cells for r in records(cell)]
    assert labels[:4] == ["Table 1", "Table 2", "Model 1", "Figure 1"]
    restored = jupyter_sdc.Output.from_dict(records(again.cells[4])[0])
    assert restored.status == "fail"


def test_model_figure_and_raw_records(executed):
    nb, _ = executed
    [model] = records(nb.cells[5])
    assert model["kind"] == "model" and model["summary"].get("n", 300) == 300
    figure = nb.cells[6]
    kinds = ["png" if "image/png" in o.get("data", {}) else "record" if MIME in o.get(
        "data", {}) else "other" for o in figure.outputs]
    assert kinds == ["png", "record"]  # the figure first, then its badge
    [fig_record] = records(figure)
    assert fig_record["kind"] == "figure"
    assert sum(row[0] for row in fig_record["counts"]) == 300
    [raw] = records(nb.cells[7])
    assert raw["statistic"] == "records" and raw["status"] == "fail"


def test_auto_mode_and_status_in_the_kernel(executed):
    nb, _ = executed
    [median] = records(nb.cells[9])
    assert median["statistic"] == "median"
    status = "".join(o.get("text", "") for o in nb.cells[11].outputs)
    assert "6 outputs" in status  # Table 1, Table 2, Model 1, Figure 1, head(), median


def test_rerun_replaces_not_duplicates(executed):
    nb, probe = executed
    labels = json.loads("".join(o.get("text", "") for o in probe.outputs))
    assert labels.count("Table 1") == 1
    assert len(labels) == 6
