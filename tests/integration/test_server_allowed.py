"""The server's administrator setting: ``c.JupyterSDC.allowed_sdc_folders`` lets a project's
export.sdc_folder lead to a shared folder outside it (sdc.toml alone cannot)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sdc_folders import requests_in
from sdc_notebooks import PASSING, write_project

SHARED: list[Path] = []


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path_factory):
    shared = tmp_path_factory.mktemp("shared") / "SDC"
    shared.mkdir()
    SHARED[:] = [shared]
    return {**jp_server_config, "JupyterSDC": {"allowed_sdc_folders": [str(shared.parent)]}}


async def test_an_allowed_shared_sdc_folder_is_used(jp_fetch, jp_root_dir):
    [shared] = SHARED
    path = write_project(jp_root_dir / "project", [PASSING])
    toml = path.parent / "sdc.toml"
    toml.write_text(toml.read_text().replace('sdc_folder = "SDC"',
                                             f"sdc_folder = {json.dumps(str(shared))}"))
    response = await jp_fetch("jupyter-sdc", "export", method="POST",
                              body=json.dumps({"path": "project/analysis.ipynb"}),
                              raise_error=False)
    reply = json.loads(response.body)
    assert response.code == 200, reply
    assert len(requests_in(shared)) == 1
    assert str(shared) not in json.dumps(reply)  # outside the root: named by its last part
