"""The REST handlers behind the JupyterLab extension, through a real jupyter_server."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from sdc_folders import requests_in
from sdc_notebooks import (
    FAILING,
    PASSING,
    REVIEW,
    record,
    with_exception,
    write_project,
)

import jupyter_sdc

REPO = Path(__file__).resolve().parents[2]


async def call(
    jp_fetch,
    endpoint: str,
    *,
    path: object = None,
    method: str = "GET",
    body: str | None = None,
    **kwargs,
):
    """One request; returns (status, JSON reply) instead of raising on 4xx."""
    if method == "POST":
        if body is None:
            body = json.dumps({"path": path})
        response = await jp_fetch(
            "jupyter-sdc", endpoint, method="POST", body=body, raise_error=False, **kwargs
        )
    else:
        params = {"path": path} if path is not None else {}
        response = await jp_fetch(
            "jupyter-sdc", endpoint, params=params, raise_error=False, **kwargs
        )
    text = response.body.decode()
    try:
        return response.code, json.loads(text)
    except json.JSONDecodeError:  # tornado's own 403 page for a request without login
        return response.code, {"raw": text}


@pytest.mark.parametrize(
    ("endpoint", "method"), [("export", "POST"), ("outputs", "GET"), ("version", "GET")]
)
async def test_every_endpoint_needs_a_login(jp_fetch, jp_root_dir, endpoint, method):
    write_project(jp_root_dir / "project", [PASSING])
    code, _ = await call(
        jp_fetch,
        endpoint,
        path="project/analysis.ipynb",
        method=method,
        headers={"Authorization": ""},
    )
    assert code == 403
    assert not (jp_root_dir / "project" / "SDC").exists()


async def test_version_is_the_package_version_and_the_frontend_agrees(jp_fetch):
    code, reply = await call(jp_fetch, "version")
    assert (code, reply) == (200, {"version": jupyter_sdc.__version__})
    # The frontend compares its own version with this reply: all three must move together.
    package = json.loads((REPO / "package.json").read_text())
    frontend = (REPO / "labextension" / "src" / "version.ts").read_text()
    assert package["version"] == jupyter_sdc.__version__
    assert re.search(r"FRONTEND_VERSION = '([^']+)'", frontend).group(1) == jupyter_sdc.__version__


@pytest.mark.parametrize("endpoint", ["export", "outputs"])
async def test_paths_cannot_leave_the_server_root(jp_fetch, jp_root_dir, tmp_path, endpoint):
    outside = write_project(tmp_path / "outside", [PASSING])
    (jp_root_dir / "link.ipynb").symlink_to(outside)
    (jp_root_dir / "linkdir").symlink_to(outside.parent, target_is_directory=True)
    write_project(jp_root_dir / "project", [PASSING])
    method = "POST" if endpoint == "export" else "GET"
    escapes = {
        "../outside/analysis.ipynb": 400,
        "project/../../outside/analysis.ipynb": 400,
        str(outside): 400,  # absolute
        "link.ipynb": 403,  # symlink to a file outside
        "linkdir/analysis.ipynb": 403,  # symlinked folder outside
    }
    for path, status in escapes.items():
        code, reply = await call(jp_fetch, endpoint, path=path, method=method)
        assert code == status, path
        assert reply["message"] and "Traceback" not in reply["message"]
    assert not (outside.parent / "SDC").exists()


@pytest.mark.parametrize("endpoint", ["export", "outputs"])
async def test_only_existing_notebooks_are_accepted(jp_fetch, jp_root_dir, endpoint):
    write_project(jp_root_dir / "project", [PASSING])
    method = "POST" if endpoint == "export" else "GET"
    code, reply = await call(jp_fetch, endpoint, path="project/sdc.toml", method=method)
    assert code == 400 and ".ipynb" in reply["message"]
    code, reply = await call(jp_fetch, endpoint, path="project/missing.ipynb", method=method)
    assert code == 404 and "does not exist" in reply["message"]
    code, reply = await call(jp_fetch, endpoint, path="", method=method)
    assert code == 400 and "path" in reply["message"]


async def test_export_rejects_a_body_that_is_not_json(jp_fetch):
    code, reply = await call(jp_fetch, "export", method="POST", body="{not json")
    assert code == 400 and reply["message"]
    code, reply = await call(jp_fetch, "export", method="POST", body=json.dumps(["a.ipynb"]))
    assert code == 400 and "path" in reply["message"]


async def test_outputs_lists_the_saved_records_last_version_wins(jp_fetch, jp_root_dir):
    """A display updated in place leaves two copies of one uid in its cell: the last wins."""
    rerun = {**PASSING, "title": "People by region and sex (re-run)"}
    path = write_project(jp_root_dir / "project", [PASSING, FAILING])
    saved = json.loads(path.read_text())
    first = saved["cells"][1]["outputs"]
    first.append({**first[0], "data": {**first[0]["data"], sdc_mime(): rerun}})
    path.write_text(json.dumps(saved))
    code, reply = await call(jp_fetch, "outputs", path="project/analysis.ipynb")
    assert code == 200
    assert reply["path"] == "project/analysis.ipynb"
    assert [(r["uid"], r["status"]) for r in reply["outputs"]] == [("t1", "pass"), ("t3", "fail")]
    assert reply["outputs"][0]["title"] == "People by region and sex (re-run)"


async def test_one_uid_in_two_cells_is_refused_naming_both(jp_fetch, jp_root_dir):
    """A cell copied with its outputs: keeping either copy would drop the other silently."""
    copied = {**FAILING, "uid": PASSING["uid"]}
    write_project(jp_root_dir / "project", [PASSING, copied])
    code, reply = await call(jp_fetch, "outputs", path="project/analysis.ipynb")
    assert code == 400
    assert "cell 2" in reply["message"] and "cell 3" in reply["message"]


async def test_export_writes_a_request_folder_inside_the_root(jp_fetch, jp_root_dir):
    excepted = with_exception(FAILING, "The small cell is a structural count published by ONS.")
    write_project(jp_root_dir / "project", [PASSING, REVIEW, excepted])
    code, reply = await call(jp_fetch, "export", path="project/analysis.ipynb", method="POST")
    assert code == 200, reply
    assert re.fullmatch(r"project/SDC/P-1234_\d{4}_\d{2}_\d{2}(_\d+)?", reply["folder"])
    folder = jp_root_dir / reply["folder"]
    assert folder.resolve().is_relative_to(jp_root_dir.resolve())
    for name in ("outputs.docx", "release_request.docx", "results.json", "preflight.json"):
        assert (folder / name).is_file(), name
    assert isinstance(reply["preflight"], dict)
    assert len(reply["included"]) == 3
    assert reply["left_out"] == []


async def test_export_refuses_a_failing_output_without_exception(jp_fetch, jp_root_dir):
    write_project(jp_root_dir / "project", [PASSING, FAILING])
    code, reply = await call(jp_fetch, "export", path="project/analysis.ipynb", method="POST")
    assert code == 409, reply
    assert any("Table 3" in problem or "t3" in problem for problem in reply["problems"])
    sdc = jp_root_dir / "project" / "SDC"
    assert not sdc.exists() or not any(sdc.iterdir())


async def test_export_without_sdc_toml_says_how_to_make_one(jp_fetch, jp_root_dir):
    write_project(jp_root_dir / "project", [PASSING], config=False)
    code, reply = await call(jp_fetch, "export", path="project/analysis.ipynb", method="POST")
    assert code == 409
    assert "refused" in reply["message"]
    assert "sdc.toml" in reply["problems"][0] and "jupyter sdc init" in reply["problems"][0]
    assert not (jp_root_dir / "project" / "SDC").exists()


async def test_export_of_a_newer_record_schema_asks_to_upgrade(jp_fetch, jp_root_dir):
    newer = {
        **record(
            "t9",
            "pass",
            "Table 9",
            "From the future",
            data=[[20, 20], [20, 20]],
            counts=[[20, 20], [20, 20]],
        ),
        "schema_version": 99,
    }
    write_project(jp_root_dir / "project", [newer])
    code, reply = await call(jp_fetch, "export", path="project/analysis.ipynb", method="POST")
    assert code == 409
    assert any("Upgrade jupyter_sdc" in problem for problem in reply["problems"])


async def test_two_exports_of_one_notebook_at_once_make_one_request(jp_fetch, jp_root_dir):
    write_project(jp_root_dir / "project", [PASSING, REVIEW])
    first, second = await asyncio.gather(
        call(jp_fetch, "export", path="project/analysis.ipynb", method="POST"),
        call(jp_fetch, "export", path="project/analysis.ipynb", method="POST"),
    )
    assert sorted([first[0], second[0]]) == [200, 409]
    refused = first if first[0] == 409 else second
    assert "already running" in refused[1]["message"]
    assert len(requests_in(jp_root_dir / "project" / "SDC")) == 1


async def test_export_of_a_notebook_without_records_says_how_to_check_outputs(
    jp_fetch, jp_root_dir
):
    write_project(jp_root_dir / "project", [])
    code, reply = await call(jp_fetch, "export", path="project/analysis.ipynb", method="POST")
    assert code == 409
    assert "no jupyter_sdc outputs" in reply["problems"][0]
    assert not (jp_root_dir / "project" / "SDC").exists()


async def test_plan_gives_the_exporters_own_decisions_for_the_notebook_on_screen(
    jp_fetch, jp_root_dir
):
    excepted = with_exception(FAILING, "The small cell is a structural count published by ONS.")
    unexplained = {**PASSING, "uid": "t4", "label": None, "explanation": None}
    notebook = json.loads(
        write_project(jp_root_dir / "project", [PASSING, REVIEW, excepted, unexplained])
        .read_text())
    notebook["cells"][2]["outputs"][0]["data"][sdc_mime()]["include"] = False
    code, reply = await call(jp_fetch, "plan", method="POST",
                             body=json.dumps({"notebook": notebook}))
    assert code == 200, reply
    plans = {item["uid"]: item for item in reply["outputs"]}
    assert [item["uid"] for item in reply["outputs"]] == ["t1", "t2", "t3", "t4"]
    assert plans["t2"]["disposition"] == "excluded"
    assert plans["t3"]["disposition"] == "exception"
    # a passing output without an explanation is held back until it is explained, as the
    # export (whose document inspector refuses it) would
    assert plans["t4"]["disposition"] == "needs-explanation"
    assert "Explain" in plans["t4"]["why"]
    assert plans["t1"]["label"] == "Table 1"
    assert reply["counts"] == {"pass": 2, "review": 1, "fail": 1}
    assert plans["t1"]["cell_index"] < plans["t3"]["cell_index"]


@pytest.mark.parametrize("body", ["{not json", json.dumps({"notebook": []}),
                                  json.dumps({"notebook": {"cells": "no"}}), json.dumps([])])
async def test_plan_refuses_a_body_without_a_notebook(jp_fetch, body):
    code, reply = await call(jp_fetch, "plan", method="POST", body=body)
    assert code == 400 and reply["message"] and "Traceback" not in reply["message"]


def sdc_mime() -> str:
    from sdc_notebooks import MIME_TYPE

    return MIME_TYPE


async def test_plan_needs_a_login(jp_fetch):
    code, _ = await call(jp_fetch, "plan", method="POST", body=json.dumps({"notebook": {}}),
                         headers={"Authorization": ""})
    assert code == 403
