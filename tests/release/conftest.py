"""Fixtures for the release-integrity tests (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_kit import people
from shell_kit import reset, shell


@pytest.fixture(scope="session")
def _ip():
    return shell()


@pytest.fixture
def ip(_ip, tmp_path: Path, monkeypatch):
    """The shell with the magics loaded, a fresh default session, ``df`` of 300 people.

    The working folder is an empty temporary one, so no ``sdc.toml`` above the test's own
    folder changes the rules."""
    monkeypatch.chdir(tmp_path)
    reset(_ip)
    _ip.run_cell("import numpy as np\nimport pandas as pd\nimport jupyter_sdc as sdc")
    _ip.user_ns["df"] = people()
    yield _ip
    reset(_ip)
