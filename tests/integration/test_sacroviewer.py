"""SACRO-Viewer, the output checkers' tool, opens an exported request with its own code."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("sacro", reason="SACRO-Viewer is not installed: pip install sacroviewer==0.2.1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sacro.settings")
django = pytest.importorskip("django")
django.setup()

from django.test import Client  # noqa: E402
from sacro import models  # noqa: E402

from jupyter_sdc.export.request import export_records  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[1] / "functional"))
from test_request import NOW, figure, make_project, model, table  # noqa: E402

F, T = False, True


def mean_table() -> dict:
    """Mean income by (region, year) x sex: NK fails at row 1, column 1."""
    return table(
        "mean-1", status="fail", statistic="mean", title="Mean income",
        exception="The dominant earner has agreed to publication in writing.",
        checks={"threshold": "pass", "nk": "fail", "p_percent": "pass"},
        table={"index": [["North", 2020], ["North", 2021], ["South", 2020]],
               "index_names": ["rgn", "year"], "columns": [["F"], ["M"]],
               "column_names": ["sex"],
               "data": [[21000.5, 23000.0], [22000.0, 99000.0], [20000.0, 19000.0]]},
        counts=[[40, 38], [41, 12], [39, 11]],
        flags={"threshold": [[F, F], [F, F], [F, F]], "nk": [[F, F], [F, T], [F, F]],
               "p_percent": [[F, F], [F, F], [F, F]]},
    )


@pytest.fixture(scope="module")
def request_folder(tmp_path_factory) -> Path:
    config = make_project(tmp_path_factory.mktemp("sacro") / "project")
    failing = table("small-1", status="fail",
                    exception="South/M is published in ONS table A01 already.")
    result = export_records([table("t1-1"), failing, mean_table(), figure("f1-1"),
                             model("m1-1")], config, now=NOW)
    assert result.preflight["ok"], result.preflight["findings"]
    return result.folder.resolve()


def test_the_viewer_finds_results_json_among_the_other_json_files(request_folder) -> None:
    # config.json and preflight.json sit beside it: neither may look like an ACRO file
    assert models.find_acro_metadata(request_folder) == request_folder / "results.json"


def test_the_viewer_sees_every_output_with_its_status(request_folder) -> None:
    outputs = models.load_from_path(request_folder / "results.json")
    assert list(outputs) == ["t1-1", "small-1", "mean-1", "f1-1", "m1-1", "document"]
    assert {uid: o["status"] for uid, o in outputs.items()} == {
        "t1-1": "pass", "small-1": "fail", "mean-1": "fail", "f1-1": "pass", "m1-1": "pass",
        "document": "review"}
    assert outputs["small-1"]["exception"].startswith("South/M")
    for output in outputs.values():
        for file in output["files"]:
            assert file["checksum_valid"], file["name"]
    assert [f["name"] for f in outputs["f1-1"]["files"]] == ["figures/f1-1.jpg",
                                                              "tables/f1-1.csv"]


def test_the_viewer_marks_the_failing_cells(request_folder) -> None:
    outputs = models.load_from_path(request_folder / "results.json")
    small = outputs["small-1"]["files"][0]
    assert dict(small["cell_index"]) == {"1,1": ["MinimumThresholdCheck"]}
    mean, counts = outputs["mean-1"]["files"]
    assert dict(mean["cell_index"]) == {"1,1": ["NKCheck"]}
    assert counts["name"] == "tables/mean-1.counts.csv"  # the counts behind the means
    assert dict(outputs["t1-1"]["files"][0]["cell_index"]) == {}


def test_the_viewer_pages_load_and_serve_our_files(request_folder) -> None:
    client = Client()
    loaded = client.get("/load/", {"dirpath": str(request_folder)})
    assert loaded.status_code == 302
    page = client.get(loaded["Location"])
    assert page.status_code == 200
    for uid in ("t1-1", "small-1", "mean-1", "f1-1", "m1-1"):
        assert uid.encode() in page.content
    outputs = models.load_from_path(request_folder / "results.json")
    for uid, name in (("mean-1", "tables/mean-1.csv"), ("f1-1", "figures/f1-1.jpg")):
        (file,) = [f for f in outputs[uid]["files"] if f["name"] == name]
        served = client.get(file["url"])
        assert served.status_code == 200
        assert b"".join(served.streaming_content) == (request_folder / name).read_bytes()


def test_the_viewer_flags_a_table_edited_after_export(request_folder, tmp_path) -> None:
    """The checksums let checkers see a file changed after the export wrote it."""
    copy = tmp_path / "copy"
    shutil.copytree(request_folder, copy)
    path = copy / "tables" / "small-1.csv"
    path.write_text(path.read_text().replace(",3", ",30"))
    outputs = models.load_from_path(copy / "results.json")
    small = outputs["small-1"]["files"][0]
    assert small["checksum_valid"] is False
    assert small["checksum"] != hashlib.sha256(path.read_bytes()).hexdigest()
