"""An SDC folder outside the project is used only where the TRE administrator allows it: the
TRE policy's ``[export] allowed_sdc_folders`` or the command line's ``--allow-sdc-folder``;
sdc.toml alone cannot send a request outside its project."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sdc_folders import requests_in

from jupyter_sdc.cli import main
from jupyter_sdc.core import policy as policy_module
from jupyter_sdc.core.policy import POLICY_ENV

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import notebook, project  # noqa: E402
from test_request import table  # noqa: E402


@pytest.fixture(autouse=True)
def no_system_policy(monkeypatch):
    monkeypatch.setattr(policy_module, "config_dirs", lambda: [])
    monkeypatch.delenv(POLICY_ENV, raising=False)


def outside_project(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A project whose sdc.toml sends requests to a shared folder outside it."""
    shared = tmp_path / "shared" / "SDC"
    shared.mkdir(parents=True)
    root = project(tmp_path / "p")
    toml = root / "sdc.toml"
    toml.write_text(toml.read_text().replace('sdc_folder = "SDC"',
                                             f"sdc_folder = {json.dumps(str(shared))}"))
    assert str(shared) in toml.read_text()
    return root, shared, notebook(root / "a.ipynb", [table("t1-1")])


def test_sdc_toml_alone_cannot_lead_outside_the_project(tmp_path: Path, capsys) -> None:
    root, shared, path = outside_project(tmp_path)
    assert main(["export", str(path)]) == 1
    assert "leads outside the project" in capsys.readouterr().err
    assert list(shared.iterdir()) == []


def test_the_tre_policy_allows_a_shared_sdc_folder(tmp_path: Path, monkeypatch) -> None:
    root, shared, path = outside_project(tmp_path)
    policy = tmp_path / "tre" / "jupyter_sdc_policy.toml"
    policy.parent.mkdir()
    policy.write_text(f'[rules]\nprofile = "acro-default"\n[export]\n'
                      f'allowed_sdc_folders = [{json.dumps(str(shared.parent))}]\n')
    policy.chmod(0o444)  # an administrator's file: the user running the export cannot change it
    monkeypatch.setenv(POLICY_ENV, str(policy))
    assert main(["export", str(path)]) == 0
    assert len(requests_in(shared)) == 1


def test_the_command_line_option_allows_a_shared_sdc_folder(tmp_path: Path) -> None:
    root, shared, path = outside_project(tmp_path)
    assert main(["export", "--allow-sdc-folder", str(shared), str(path)]) == 0
    assert len(requests_in(shared)) == 1
