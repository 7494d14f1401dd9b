"""Fixtures for the functional tests: a real IPython shell for the magic tests."""

from __future__ import annotations

import pytest
from magic_shell import people, reset, shell


@pytest.fixture(scope="module")
def _ip():
    return shell()


@pytest.fixture
def ip(_ip):
    """The shell with the magics loaded, a fresh default session and ``df`` of people."""
    reset(_ip)
    _ip.user_ns["df"] = people()
    _ip.run_cell("import pandas as pd\nimport numpy as np")
    yield _ip
    reset(_ip)
