"""HTML views of a record: the badge under a checked cell and its table (no widgets here)."""

from __future__ import annotations

from jupyter_sdc.views.badge import badge_html, badge_text, table_html

__all__ = ["badge_html", "badge_text", "table_html"]
