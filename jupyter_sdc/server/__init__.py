"""The jupyter_server extension behind the JupyterLab extension ``jupyter-sdc``.

``jupyter_sdc/__init__.py`` re-exports ``_jupyter_labextension_paths`` and
``_jupyter_server_extension_points``, which Jupyter looks up on the top-level package.
"""

from __future__ import annotations

from typing import Any


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-sdc"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    # jupyter_server calls _load_jupyter_server_extension on this module.
    return [{"module": "jupyter_sdc.server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Register the REST handlers (imported here so that importing jupyter_sdc stays light)."""
    from jupyter_sdc.server.handlers import setup_handlers
    from jupyter_sdc.server.settings import JupyterSDC

    settings = JupyterSDC(parent=server_app)
    setup_handlers(server_app.web_app, allowed_sdc_folders=list(settings.allowed_sdc_folders))
    server_app.log.info("jupyter_sdc: SDC export handlers registered at /jupyter-sdc/")
