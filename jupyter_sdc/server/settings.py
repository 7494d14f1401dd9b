"""The server extension's settings, set by the TRE administrator in the Jupyter server config.

``c.JupyterSDC.allowed_sdc_folders = ["/shared/SDC"]`` (in ``jupyter_server_config.py`` or
``.json``): folders outside a project where its ``export.sdc_folder`` may lead. A project's
``sdc.toml`` cannot allow one itself: the researcher edits it.
"""

from __future__ import annotations

from traitlets import List, Unicode
from traitlets.config import Configurable


class JupyterSDC(Configurable):
    allowed_sdc_folders = List(
        Unicode(), default_value=[],
        help="Folders outside a project where export.sdc_folder may lead (set by the TRE "
             "administrator; sdc.toml cannot allow one).",
    ).tag(config=True)
