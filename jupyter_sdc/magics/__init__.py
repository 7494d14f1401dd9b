"""IPython magics ``%%sdc_check``, ``%sdc_check on|off``, ``%sdc_status``, ``%sdc_panel`` and
``%sdc_export``: they parse and delegate (capture in ``jupyter_sdc.capture``).

Registered by ``%load_ext jupyter_sdc``. Nothing here is imported by ``import jupyter_sdc``;
``load_ipython_extension`` pulls it in.
"""

from __future__ import annotations

from jupyter_sdc.capture.attach import attach_counts

__all__ = ["attach_counts"]
