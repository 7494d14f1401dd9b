"""Root conftest: pytest-jupyter's server fixtures, with the jupyter_sdc server extension on."""

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def jp_server_config(jp_server_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_sdc": True},
            "allow_unauthenticated_access": False,
        }
    }
