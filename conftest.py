"""Root conftest: pytest-jupyter's server fixtures, with the jupyter_sdc server extension on."""

import sys
from pathlib import Path

import pytest

# shared test helpers (tests/record_kit.py) for every tier
sys.path.insert(0, str(Path(__file__).parent / "tests"))

pytest_plugins = ("pytest_jupyter.jupyter_server",)

from spark_kit import spark  # noqa: E402,F401 - the one Spark session of a run (local[2])


@pytest.fixture
def jp_server_config(jp_server_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_sdc": True},
            "allow_unauthenticated_access": False,
        }
    }
