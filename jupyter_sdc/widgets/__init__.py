"""What researchers see: the badge under a checked cell and the live ipywidgets panel."""

from __future__ import annotations

from jupyter_sdc.widgets.badge import badge_html, badge_text

# Imported eagerly on purpose: a lazy import of the submodule ``panel`` would rebind the
# package attribute ``panel`` to the module and shadow this function.
from jupyter_sdc.widgets.panel import SessionPanel, panel

__all__ = ["SessionPanel", "badge_html", "badge_text", "panel"]
