"""JupyterLab server for the Galata tests (never use this configuration for real work)."""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821  # CI containers run as root
