"""The live ipywidgets panel of a session's outputs (the badge and table views are in views/)."""

from __future__ import annotations

# Imported eagerly on purpose: a lazy import of the submodule ``panel`` would rebind the
# package attribute ``panel`` to the module and shadow this function.
from jupyter_sdc.widgets.panel import SessionPanel, panel

__all__ = ["SessionPanel", "panel"]
